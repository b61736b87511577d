"""
The outbox over real loopback TCP: a connection's bytes of a turn go
together when the turn ends or the connection is flushed, in order,
straight to the socket (the reactor never has to watch it for
writing); a client that stops reading gets the rest from Twisted's
buffer once it reads again; and a close waits for the turn's last
words.
"""

import select
import socket

from hypothesis import HealthCheck, given, settings, strategies as st
from twisted.internet import reactor
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.testing import StringTransport

from imaginary.frontends.sockets import (
    Outbox, outbox, turnNagleOff, writeThrough)

from sessionkit import settle


class Accepted(Protocol):
    def connectionMade(self):
        self.factory.accepted.append(self.transport)


def connected():
    """(server-side tcp.Server transport, client socket, listening port)."""
    factory = Factory.forProtocol(Accepted)
    factory.accepted = []
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    client = socket.create_connection(("127.0.0.1", port.getHost().port))
    client.setblocking(False)
    for _ in range(200):
        if factory.accepted:
            break
        reactor.iterate(0.01)
    assert factory.accepted, "the server never accepted"
    return factory.accepted[0], client, port


def receive(client, size, seconds=10.0):
    """Read until C{size} bytes came (turning the reactor meanwhile)."""
    got = b""
    deadline = reactor.seconds() + seconds
    while len(got) < size and reactor.seconds() < deadline:
        reactor.iterate(0.002)
        try:
            data = client.recv(1 << 20)
        except BlockingIOError:
            continue
        if not data:
            break
        got += data
    return got


def close(server, client, port):
    client.close()
    server.abortConnection()
    port.stopListening()
    settle(0.02)


def test_one_turns_writes_go_out_together_without_the_reactor_watching():
    server, client, port = connected()
    try:
        box = Outbox(reactor)
        for n in range(5):
            box.write(server, b"line %d\r\n" % n)
        # Nothing goes before the turn ends...
        assert box.queued(server) == 40
        assert not select.select([client], [], [], 0.2)[0]
        box.flushAll()
        # ...and then all of it at once, in order, in one send.
        select.select([client], [], [], 5)
        assert client.recv(100) == b"".join(
            b"line %d\r\n" % n for n in range(5))
        # It went straight out: nothing queued in Twisted, and the reactor
        # was never asked to watch the socket for writing.
        assert server not in reactor.getWriters()
        assert not server.dataBuffer and not server._tempDataLen
        assert box.queued(server) == 0
    finally:
        close(server, client, port)


def test_a_client_that_stops_reading_gets_the_rest_later():
    server, client, port = connected()
    try:
        big = bytes(range(256)) * 40000          # ~10 MB: more than fits
        box = Outbox(reactor)
        box.write(server, big)
        box.flushAll()
        # The kernel took what it could; Twisted holds the rest.
        assert server._tempDataLen > 0
        assert server in reactor.getWriters()
        box.write(server, b"after")
        box.flushAll()
        # Queued behind the rest, never ahead of it.
        got = receive(client, len(big) + 5, seconds=30)
        assert got == big + b"after"
    finally:
        close(server, client, port)


def test_flush_before_a_close_keeps_the_last_words():
    server, client, port = connected()
    try:
        box = Outbox(reactor)
        box.write(server, b"Goodbye.\r\n")
        box.flush(server)
        server.loseConnection()
        assert receive(client, 100) == b"Goodbye.\r\n"
    finally:
        close(server, client, port)


def test_the_shared_outbox_flushes_when_the_reactor_turns():
    server, client, port = connected()
    try:
        outbox.write(server, b"one ")
        outbox.write(server, b"two")
        assert receive(client, 7) == b"one two"
    finally:
        close(server, client, port)


def test_a_flushed_connection_gets_its_bytes_before_the_turn_ends():
    server, client, port = connected()
    try:
        box = Outbox(reactor)
        box.write(server, b"Goodbye.\r\n")
        box.write(server, b"(closed)")
        box.flush(server)
        # Together, without a turn of the reactor; the turn's end then
        # finds nothing left for this connection.
        select.select([client], [], [], 5)
        assert client.recv(100) == b"Goodbye.\r\n(closed)"
        assert box.queued(server) == 0
        box.write(server, b"later")
        box.flushAll()
        select.select([client], [], [], 5)
        assert client.recv(100) == b"later"
    finally:
        close(server, client, port)


def test_a_transport_that_is_not_tcp_is_written_at_once():
    transport = StringTransport()
    Outbox(reactor).write(transport, b"now")
    assert transport.value() == b"now"


def test_write_through_to_a_lost_connection_writes_nothing():
    server, client, port = connected()
    try:
        server.abortConnection()
        settle(0.02)
        writeThrough(server, b"gone")     # Twisted's write ignores it
        assert not server._tempDataLen
    finally:
        close(server, client, port)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(
    st.binary(min_size=1, max_size=200).map(lambda b: ("write", b)),
    st.integers(100_000, 900_000).map(lambda n: ("write", b"x" * n)),
    st.just(("turn", None)),
    st.just(("flush", None))), min_size=1, max_size=12))
def test_any_mix_of_writes_and_turns_arrives_in_order(steps):
    server, client, port = connected()
    try:
        box = Outbox(reactor)
        expected = b""
        for n, (step, data) in enumerate(steps):
            if step == "write":
                # Numbered, so a reordering cannot go unseen.
                data = b"%d:" % n + data
                box.write(server, data)
                expected += data
            elif step == "turn":
                box.flushAll()
            else:
                box.flush(server)
        box.flushAll()
        assert receive(client, len(expected), seconds=30) == expected
    finally:
        close(server, client, port)


def test_nagle_is_turned_off():
    """
    With Nagle on, a turn's second send would wait for the client to
    acknowledge the first: the outbox's connections have it off.
    """
    server, client, port = connected()
    try:
        option = (socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert not server.socket.getsockopt(*option)
        turnNagleOff(server)
        assert server.socket.getsockopt(*option)
        turnNagleOff(StringTransport())     # no socket: nothing to do
    finally:
        close(server, client, port)
