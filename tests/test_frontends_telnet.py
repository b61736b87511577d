"""
Tests of the telnet front end (imaginary.frontends.telnet and
telnet_frontend) against the real server: the real `telnet` and tintin++
clients under a PTY, and a raw-socket client where the bytes on the wire
are what is being checked (MCCP2, GMCP, MTTS, EOR, input limits).
"""

import re
import socket
import time

import pexpect
import pytest
from wcwidth import wcswidth

from imaginary.testing import (
    ACCOUNT_PROMPT, CHARACTER_PROMPT, GAME_PROMPT, loginSteps,
    newAccountSteps, play as walk)
from liveserver import ENV, Server, newPlayer, spawnTelnet
from rawtelnet import (
    CHARSET, EOR, GMCP, MCCP2, MSSP, NAWS, SGA, TTYPE, RawTelnet)

TINTIN = "/usr/games/tt++"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(str(tmp_path_factory.mktemp("telnet") / "store")).start()
    yield s
    s.stop()


_names = iter(range(1000))


def play(client, gender="female"):
    """Create an account and a character on a RawTelnet; returns the name."""
    n = next(_names)
    name = "Raw" + "abcdefghij"[n % 10] + "abcdefghij"[n // 10 % 10]
    walk(newAccountSteps(name.lower(), character=name, gender=gender),
         client.expect, client.line, end=False)
    client.expect("Exits:")
    client.expect(GAME_PROMPT)
    return name


def test_a_client_that_answers_nothing_still_plays(server):
    client = RawTelnet(server.port)
    play(client)
    client.take()
    client.line("say quiet client")
    assert "You say, 'quiet client'" in client.expect("quiet client'")
    assert client.zlib is None and client.gmcp == []
    assert "\x1b[" not in client.shown()
    client.close()


def test_quit_typed_ahead_still_says_goodbye_before_the_close(server):
    """
    Lines typed ahead in one packet: their replies leave together at the
    turn's end, and the close after 'quit' comes after all of them, in
    order.
    """
    client = RawTelnet(server.port)
    play(client)
    client.take()
    client.send(b"look\r\nsay leaving now\r\nquit\r\n")
    deadline = time.monotonic() + 10
    while not client.closed and time.monotonic() < deadline:
        client.pump(0.1)
    assert client.closed, "the server never closed the connection"
    shown = client.shown()
    assert "Exits:" in shown and "You say, 'leaving now'" in shown
    assert shown.rstrip().endswith(
        "Goodbye. Your character rests until you return.")


def test_mccp2_stream_and_gmcp_room_vitals_channel(server):
    client = RawTelnet(server.port, accept={MCCP2, GMCP, SGA, EOR})
    client.pump(0.5)
    client.sendGMCP("Core.Hello", {"client": "rawtest", "version": "1"})
    client.sendGMCP("Core.Supports.Set", ["Room.Info 1", "Char 1",
                                          "Comm 1"])
    name = play(client)
    client.expect("> ")
    assert client.zlib is not None, "the server never started MCCP2"
    rooms = [d for p, d in client.gmcp if p == "Room.Info"]
    assert rooms and rooms[-1]["name"] == "Town Square"
    assert set(rooms[-1]["exits"]) == {"north", "east", "west"}
    client.line("north")
    client.expect("> ")
    deadline = time.monotonic() + 5
    while [d for p, d in client.gmcp if p == "Room.Info"][-1]["num"] == \
            rooms[-1]["num"] and time.monotonic() < deadline:
        client.pump(0.1)
    moved = [d for p, d in client.gmcp if p == "Room.Info"][-1]
    assert moved["num"] == rooms[-1]["exits"]["north"]
    # Each command's GMCP comes before its prompt: waiting for the new
    # prompt (the old text taken away) waits for the GMCP too, however
    # the server's writes fall into packets.
    client.take()
    client.line("say over gmcp")
    client.expect("> ")
    channels = [d for p, d in client.gmcp if p == "Comm.Channel.Text"]
    assert channels[-1] == {"channel": "say", "talker": name,
                            "text": "over gmcp"}
    client.take()
    client.line("score")
    client.expect("> ")
    vitals = [d for p, d in client.gmcp if p == "Char.Vitals"]
    assert vitals and set(vitals[-1]) == {"hp", "maxhp", "sp", "maxsp"}
    # GMCP Core.Ping is answered; malformed JSON changes nothing.
    client.sendGMCP("Core.Ping")
    client.send(b"\xff\xfa\xc9Core.Supports.Set [not json\xff\xf0")
    client.take()
    client.line("look")
    client.expect("> ")
    assert ("Core.Ping", None) in client.gmcp
    # Compression happened: fewer bytes on the wire than they held.
    assert client.compressedBytes < client.uncompressedBytes
    client.close()


@pytest.mark.parametrize("ttypes, escape", [
    (["TINTIN++", "xterm-256color", "MTTS 13"], "\x1b[1;38;5;6m"),
    (["MUDLET", "ANSI-TRUECOLOR", "MTTS 269"], "\x1b[1;38;2;"),
    (["SOMECLIENT", "ansi", "MTTS 5"], "\x1b[1;36m"),
])
def test_mtts_colour_depth_and_eor_after_prompts(server, ttypes, escape):
    client = RawTelnet(server.port, accept={EOR, SGA}, offer={TTYPE},
                       ttypes=ttypes)
    client.expect(ACCOUNT_PROMPT + "<MARK>")
    play(client)
    shown = client.shown()
    assert escape in shown
    assert CHARACTER_PROMPT + "<MARK>" in shown
    assert shown.rstrip().endswith("> <MARK>")
    client.close()


def test_naws_width_wraps_output(server):
    # The banner goes out before the client's NAWS can arrive: look at
    # what the game says once playing.
    narrow = RawTelnet(server.port, offer={NAWS}, size=(30, 20))
    play(narrow)
    shown = narrow.shown().split("You are ")[1]
    lines = ANSI.sub("", shown).replace("<MARK>", "").split("\r\n")
    assert max(map(len, lines)) <= 30
    assert len(lines) > 8
    wide = RawTelnet(server.port, offer={NAWS}, size=(200, 20))
    play(wide)
    lines = ANSI.sub("", wide.shown()).split("\r\n")
    assert max(map(len, lines)) > 100
    # Chinese takes two columns a character: a line of 20 of them is 40
    # columns, so at 30 it wraps (counted in characters it would not,
    # and the terminal would break it itself, without the indent).
    narrow.take()
    narrow.line("say " + "我们说中文" * 4)
    shown = ANSI.sub("", narrow.expect("中文'"))
    said = shown[shown.index("You say"):shown.rindex("'") + 1].split("\r\n")
    assert len(said) > 1
    assert max(map(wcswidth, said)) <= 30
    assert all(line.startswith("  ") for line in said[1:]), said
    narrow.close()
    wide.close()


def test_input_limits_each_get_a_clear_message(server):
    client = RawTelnet(server.port)
    play(client)
    client.take()
    client.send(b"say " + b"x" * 5000 + b"\r\n")
    client.expect("That line is too long (over 4096 bytes); it was ignored.")
    client.take()
    client.send(b"say caf\xe9 au lait\r\n")
    shown = client.expect("au lait'")
    assert "not valid UTF-8; the bad bytes were replaced." in shown
    # A 512 KiB line without an end: discarded with one message.  (Not
    # more: past a burst the input is read at 64 KiB/s.)
    client.take()
    client.send(b"y" * (512 * 1024))
    client.send(b"\r\nsay still here\r\n")
    shown = client.expect("You say, 'still here'", timeout=30)
    assert shown.count("That line is too long") == 1
    # A flood: 300 lines in one packet.  Told once; the rest dropped.
    time.sleep(2.5)     # let the flood allowance refill
    client.take()
    client.send(b"".join(b"say flood %d\r\n" % i for i in range(300)))
    time.sleep(1.0)
    client.pump(0.5)
    while client.pump(0.3):
        pass
    shown = client.shown()
    assert shown.count("You are typing too fast; some commands were "
                       "dropped.") == 1
    said = shown.count("You say, 'flood")
    assert 10 <= said < 300
    # Control characters and escapes in speech never reach others live.
    other = RawTelnet(server.port)
    play(other)
    other.take()
    client.send(b"say \x1b[31mred\x1b[0m \x07bell\r\n")
    shown = other.expect("bell'")
    assert "\x1b[31m" not in shown and "\x07" not in shown
    client.close()
    other.close()


def test_plain_telnet_wraps_to_its_window(server):
    child = spawnTelnet(server, dimensions=(24, 36))
    walk(newAccountSteps("narrowone", character="Narrow", gender="male"),
         child.expect_exact, child.sendline, end=False)
    child.expect("Exits:")
    child.expect_exact(GAME_PROMPT)
    lines = child.before.split("\r\n")
    assert max(len(line) for line in lines) <= 36
    child.sendline("quit")
    child.expect(pexpect.EOF)


def test_tintin_hides_the_password_decompresses_and_reads_gmcp(
        server, tmp_path):
    newPlayer(server, "tinuser", "Tina").sendline("quit")
    script = tmp_path / "gmcp.tin"
    # TinTin++ leaves GMCP off unless a script turns it on.
    script.write_text(
        "#event {IAC WILL GMCP} {#send {\\xFF\\xFD\\xC9}; "
        "#send {\\xFF\\xFA\\xC9Core.Supports.Set [\"Room 1\"]\\xFF\\xF0}}\n"
        "#event {IAC SB GMCP Room.Info IAC SE} {#showme GMCPROOM %1}\n"
        f"#session mud 127.0.0.1 {server.port}\n")
    child = pexpect.spawn(TINTIN, ["-G", str(script)], encoding="utf-8",
                          timeout=10, dimensions=(30, 120),
                          env=dict(ENV, TERM="xterm"))
    walk(loginSteps("tinuser"), child.expect_exact, child.sendline)
    # tintin++ honoured WILL ECHO: the password was not shown.
    assert "secret99" not in child.before
    child.sendline("Tina")
    child.expect("GMCPROOM .*Town Square")
    child.expect_exact(GAME_PROMPT)
    child.sendline("say through tintin")
    child.expect("You say, '.*through tintin")
    child.sendline("quit")
    child.expect("Goodbye")
    child.sendline("#end")
    child.expect(pexpect.EOF)
    log = server.log()
    assert re.search(r"MCCP2 compression started for 127\.0\.0\.1", log)


def test_a_client_that_stops_reading_is_cut_off_and_others_go_on(tmp_path):
    server = Server(str(tmp_path / "store"), env={
        "IMAGINARY_MAX_LINES_PER_SECOND": "100000",
        "IMAGINARY_MAX_INPUT_BYTES_PER_SECOND": "0",
        "IMAGINARY_MAX_OUTPUT_BYTES": "262144"}).start()
    try:
        slow = RawTelnet(server.port, recvBuffer=4096)
        slowName = play(slow)
        talker = RawTelnet(server.port)
        play(talker)
        # The slow client reads no more, ever.  The talker floods the room
        # with about 5 MB of speech (the kernel's send buffer holds up to
        # 4 MB), reading its own echo as it goes.
        speech = "words " * 164
        for burst in range(200):
            talker.send(b"".join(f"say {burst} {speech}\r\n".encode()
                                 for _ in range(25)))
            while talker.pump(0.01):
                pass
        talker.take()
        talker.line("say after the flood")
        talker.expect("You say, 'after the flood'")
        # Without the slow client reading a byte, its session ends: the
        # character leaves the world (a polite close would wait forever
        # for the queue to drain).
        deadline = time.monotonic() + 10
        while True:
            talker.take()
            talker.line("who")
            talker.expect(GAME_PROMPT)
            if slowName not in talker.take() or \
                    time.monotonic() > deadline:
                break
            time.sleep(0.2)
        talker.line("who")
        talker.expect(GAME_PROMPT)
        assert slowName not in talker.take()
        log = server.log()
        # Said once, not once per line the room kept sending.
        assert log.count("closing a telnet client that stopped reading") \
            == 1, log[-3000:]
        # The server's socket is gone: it reset the connection, so even
        # what the kernel held for the client is dropped.
        deadline = time.monotonic() + 10
        while not slow.closed and time.monotonic() < deadline:
            slow.pump(0.2)
        assert slow.closed
        talker.close()
    finally:
        server.stop()


def test_mssp_for_crawlers_and_charset_utf8(server):
    client = RawTelnet(server.port, accept={MSSP, CHARSET})
    client.expect(ACCOUNT_PROMPT)
    # Both answers come in their own time (the CHARSET request after our
    # DO CHARSET reached the server): wait for both, not just MSSP.
    deadline = time.monotonic() + 15
    while not {MSSP, CHARSET} <= {o for o, _ in client.subnegotiations}:
        assert time.monotonic() < deadline, client.subnegotiations
        client.pump(0.1)
    payload = [p for o, p in client.subnegotiations if o == MSSP][0]
    pairs = payload.split(b"\x01")[1:]
    variables = dict(p.split(b"\x02", 1) for p in pairs)
    assert variables[b"NAME"] == b"Imaginary"
    assert variables[b"CODEBASE"].startswith(b"Imaginary ")
    assert int(variables[b"PLAYERS"]) >= 0
    assert abs(int(variables[b"UPTIME"]) - time.time()) < 3600
    assert variables[b"PORT"] == str(server.port).encode()
    charset = [p for o, p in client.subnegotiations if o == CHARSET]
    assert charset == [b"\x01;UTF-8"]
    client.close()


# -- the protocol alone, on Twisted's StringTransport -------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402
from twisted.internet.testing import StringTransport  # noqa: E402

from imaginary.frontends import limits  # noqa: E402
from imaginary.frontends.sockets import outbox  # noqa: E402
from imaginary.frontends.telnet import (  # noqa: E402
    MudTelnetProtocol, MudTelnetTransport)


class LineSink:
    """The protocol's handler: keeps the lines it is given."""

    def __init__(self, protocol):
        self.lines = []
        self.lost = False

    def lineReceived(self, line):
        self.lines.append(line)

    def connectionLost(self):
        self.lost = True


class QueueingTransport(StringTransport):
    """
    StringTransport with the two output buffers a TCP transport keeps
    (what MudTelnetProtocol measures to find a client that stopped
    reading).
    """

    _tempDataLen = 0
    dataBuffer = b""


def connected():
    transport = MudTelnetTransport(MudTelnetProtocol, LineSink)
    tcp = QueueingTransport()
    transport.makeConnection(tcp)
    return transport, tcp, transport.protocol.handler


ENDINGS = [b"\r", b"\r\0", b"\r\n", b"\n"]
texts = st.text(st.characters(min_codepoint=32, max_codepoint=0x2fff,
                              blacklist_categories=("Cs", "Cc")),
                max_size=12)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.tuples(texts, st.sampled_from(ENDINGS)),
                      min_size=1, max_size=30),
       cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_every_line_end_ends_exactly_one_line(lines, cuts):
    # A bare CR followed by an empty line ended by LF is CR LF: one line
    # end, by RFC 854.  Keep such pairs out of what people "typed".
    for (text, ending), (nextText, nextEnding) in zip(lines, lines[1:]):
        if ending == b"\r" and not nextText and nextEnding == b"\n":
            return
    stream = b"".join(text.encode("utf-8") + ending for text, ending in lines)
    transport, tcp, sink = connected()
    pieces, last = [], 0
    for cut in sorted(set(c for c in cuts if 0 < c < len(stream))):
        pieces.append(stream[last:cut])
        last = cut
    pieces.append(stream[last:])
    for piece in pieces:
        transport.dataReceived(piece)
    assert sink.lines == [text for text, _ in lines]


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.tuples(st.booleans(), texts,
                                st.sampled_from(ENDINGS[1:])),
                      min_size=1, max_size=20),
       cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=8))
def test_plain_packets_and_packets_with_commands_give_the_same_lines(
        lines, cuts):
    """
    Packets of plain text skip Twisted's parser; packets with a telnet
    command (IAC NOP) go through it: cut anywhere, the lines are the same.
    """
    stream = b"".join((b"\xff\xf1" if nop else b"") + text.encode("utf-8")
                      + ending for nop, text, ending in lines)
    transport, tcp, sink = connected()
    last = 0
    for cut in sorted(set(c for c in cuts if 0 < c < len(stream))):
        transport.dataReceived(stream[last:cut])
        last = cut
    transport.dataReceived(stream[last:])
    assert sink.lines == [text for _, text, _ in lines]


def test_enter_as_telnet_sends_it_ends_the_line_at_once():
    transport, tcp, sink = connected()
    for key in b"new":
        transport.dataReceived(bytes([key]))
    transport.dataReceived(b"\r")
    # Nothing more arrives until the person sees an answer.
    assert sink.lines == ["new"]
    transport.dataReceived(b"\0alice\r")
    transport.dataReceived(b"\0")
    assert sink.lines == ["new", "alice"]


def test_the_server_offers_its_options_on_connecting():
    transport, tcp, sink = connected()
    sent = tcp.value()
    IAC, WILL, DO = b"\xff", b"\xfb", b"\xfd"
    for option in (b"\x19", b"\x56", b"\x46", b"\xc9", b"\x2a"):
        assert IAC + WILL + option in sent       # EOR MCCP2 MSSP GMCP..
    # Not SGA: offered, it puts plain telnet into character mode.
    assert IAC + WILL + b"\x03" not in sent
    for option in (b"\x1f", b"\x18"):
        assert IAC + DO + option in sent          # NAWS TTYPE


def test_a_client_that_stopped_reading_is_closed():
    transport, tcp, sink = connected()
    protocol = transport.protocol
    protocol.sendWire(b"fine\r\n")
    assert not tcp.disconnecting
    tcp._tempDataLen = limits.MAX_OUTPUT_BYTES + 1
    protocol.sendWire(b"one line too many\r\n")
    protocol.sendText("and another")
    # Aborted, not closed politely: a polite close waits for the queue
    # to drain, which a client that stopped reading never lets happen.
    assert tcp.disconnected
    assert b"one line too many" not in tcp.value()
    assert b"another" not in tcp.value()


def test_a_line_over_the_limit_is_refused_and_the_next_one_kept():
    transport, tcp, sink = connected()
    transport.dataReceived(b"x" * (limits.MAX_LINE_BYTES + 10))
    transport.dataReceived(b"more\r\nlook\r\n")
    assert sink.lines == ["look"]
    assert limits.TOO_LONG.encode() in tcp.value()


def test_echo_is_asked_plainly_whatever_the_client_answers():
    transport, tcp, sink = connected()
    protocol = transport.protocol
    WILL_ECHO, WONT_ECHO = b"\xff\xfb\x01", b"\xff\xfc\x01"
    tcp.clear()
    protocol.setPasswordMode(True)
    assert tcp.value() == WILL_ECHO
    # The client's answer comes late, after the password was typed:
    transport.dataReceived(b"secret99\r\n")
    protocol.setPasswordMode(False)
    transport.dataReceived(b"\xff\xfd\x01")          # DO ECHO, late
    assert tcp.value() == WILL_ECHO + b"\r\n" + WONT_ECHO
    tcp.clear()
    # A client that never answered at all still gets the next WILL.
    protocol.setPasswordMode(True)
    assert tcp.value() == WILL_ECHO
    assert sink.lines == ["secret99"]


def test_a_hidden_line_is_ended_on_screen_by_the_server():
    transport, tcp, sink = connected()
    transport.protocol.setPasswordMode(True)
    tcp.clear()
    transport.dataReceived(b"secret99\r\0")
    assert tcp.value() == b"\r\n"


def test_a_client_streaming_input_is_read_at_the_byte_rate():
    """
    A telnet client sends far more than the input byte rate: past the
    burst its socket is no longer read (the transport paused) until the
    rate allows, so what it sends is consumed over time, not at once.
    """
    from twisted.internet.task import Clock
    transport, tcp, sink = connected()
    clock = transport.throttle.clock = Clock()
    chunk = (b"say " + b"x" * 1000 + b"\r\n") * 64    # about 64 KiB
    read = 0
    while tcp.producerState == "producing":
        transport.dataReceived(chunk)
        read += len(chunk)
    assert limits.INPUT_BURST_BYTES <= read <= \
        limits.INPUT_BURST_BYTES + len(chunk)
    clock.advance(0.5)
    assert tcp.producerState == "paused"
    clock.advance(1.0)
    assert tcp.producerState == "producing"
    from twisted.internet.protocol import connectionDone
    transport.connectionLost(connectionDone)
    assert clock.getDelayedCalls() == []


def test_mccp2_output_inflates_with_a_standard_decompressor():
    """
    The smaller zlib window MCCP2 now uses is still a standard zlib
    stream: zlib's own decompressobj, with its default (largest) window,
    reads back exactly what was sent, write by write (each is flushed).
    """
    import zlib
    transport, tcp, sink = connected()
    transport.dataReceived(b"\xff\xfd\x56")          # DO MCCP2
    assert tcp.value().endswith(b"\xff\xfa\x56\xff\xf0")   # starts now
    tcp.clear()
    inflater = zlib.decompressobj()
    texts = [f"line {n}: " + "the fountain plays " * (n % 40) for n in
             range(300)]
    got = b""
    for text in texts:
        transport.protocol.sendText(text)
        got += inflater.decompress(tcp.value())
        tcp.clear()
        # Flushed: everything written so far can be read at once.
        assert got.endswith(text.encode() + b"\r\n")
    assert got == b"".join(t.encode() + b"\r\n" for t in texts)


def test_a_connection_with_mccp2_costs_a_bounded_amount_of_memory():
    """
    What a connection that accepts MCCP2 allocates (tracemalloc counts
    zlib's state): zlib's default window and hash tables cost about
    270 KB each (bench/mccp_memory.py: 277 KB, 9 KB without MCCP2); the
    bounded stream about 48 KB.
    """
    import tracemalloc
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = []
        for _ in range(50):
            transport, tcp, sink = connected()
            transport.dataReceived(b"\xff\xfd\x56")
            transport.protocol.sendText("[ Town Square ]\n" * 200)
            tcp.clear()
            kept.append(transport)
        each = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    finally:
        tracemalloc.stop()
    assert all(t.compressor is not None for t in kept)
    assert each < 80 * 1000, f"{each / 1000:.1f} KB per connection"


def test_logging_in_has_a_grace_time_and_a_cap_per_address(tmp_path):
    server = Server(str(tmp_path / "store"), env={
        "IMAGINARY_LOGIN_GRACE_SECONDS": "2",
        "IMAGINARY_MAX_UNAUTHENTICATED_PER_ADDRESS": "3"}).start()
    try:
        # From 127.0.0.3: the check that the server was up came from
        # 127.0.0.1, and may be counted until its close is read.
        idle = [RawTelnet(server.port, source="127.0.0.3") for _ in range(3)]
        for client in idle:
            client.expect(ACCOUNT_PROMPT)
        # A plain socket: it reads to the end without answering the
        # server's option offers.
        refused = socket.create_connection(("127.0.0.1", server.port), 5,
                                           ("127.0.0.3", 0))
        refused.settimeout(10)
        said = b""
        while True:
            data = refused.recv(4096)
            if not data:
                break
            said += data
        assert b"Too many connections from your address are logging in; " \
            b"try again later.\r\n" in said
        deadline = time.monotonic() + 10
        # Another address is not held back by this one's.
        other = RawTelnet(server.port, source="127.0.0.2")
        other.expect(ACCOUNT_PROMPT)
        # Nobody logged in: each is told and closed after the grace time.
        for client in idle + [other]:
            client.expect("You took too long to log in; goodbye.")
            while not client.closed and time.monotonic() < deadline + 10:
                client.pump(0.1)
            assert client.closed
        # Their places are free again.
        RawTelnet(server.port, source="127.0.0.3").expect(ACCOUNT_PROMPT)
    finally:
        server.stop()


class Talker:
    """A handler answering its own line and telling every other one."""

    def __init__(self, protocol):
        self.protocol = protocol

    def lineReceived(self, line):
        for transport in self.protocol.factory.transports:
            if transport.protocol is self.protocol:
                transport.protocol.sendText("You say " + line)
                transport.protocol.sendPrompt("> ")
            else:
                transport.protocol.sendText("Someone says " + line)

    def connectionLost(self):
        pass


class Measured(MudTelnetTransport):
    """Notes, after each packet, the bytes the outbox still holds."""

    def dataReceived(self, data):
        MudTelnetTransport.dataReceived(self, data)
        self.factory.held.append(
            {t.protocol.handler.name: outbox.queued(t.transport)
             for t in self.factory.transports})


def test_the_answer_and_the_rooms_share_leave_together_at_the_turns_end():
    """
    Over real TCP: when a packet has been handled, the answer, the prompt
    and what the others are told all wait in the outbox; at the turn's
    end each connection's bytes go, whole.
    """
    from twisted.internet import reactor
    from twisted.internet.protocol import Factory

    factory = Factory()
    factory.transports, factory.held = [], []

    def build(addr):
        transport = Measured(MudTelnetProtocol, Talker)
        transport.factory = factory
        factory.transports.append(transport)
        return transport
    factory.buildProtocol = build
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    clients = [socket.create_connection(("127.0.0.1", port.getHost().port))
               for _ in range(2)]
    try:
        deadline = time.monotonic() + 10
        while len(factory.transports) < 2 and time.monotonic() < deadline:
            reactor.iterate(0.01)
        for n, transport in enumerate(factory.transports):
            transport.protocol.handler.name = "speaker" if n == 0 else "other"
            transport.protocol.factory = factory
        reactor.iterate(0.05)       # the option offers go out
        for client in clients:
            client.setblocking(False)
            while True:
                try:
                    if not client.recv(65536):
                        break
                except BlockingIOError:
                    break
        clients[0].sendall(b"hello\r\n")
        while not factory.held and time.monotonic() < deadline:
            reactor.iterate(0.01)
        assert factory.held[0] == {
            "speaker": len(b"You say hello\r\n> \xff\xf9"),
            "other": len(b"Someone says hello\r\n")}
        got = {0: b"", 1: b""}
        while time.monotonic() < deadline and not (
                got[0].endswith(b"> \xff\xf9") and got[1].endswith(b"\r\n")):
            reactor.iterate(0.01)
            for n, client in enumerate(clients):
                try:
                    got[n] += client.recv(65536)
                except BlockingIOError:
                    pass
        assert got[0] == b"You say hello\r\n> \xff\xf9"
        assert got[1] == b"Someone says hello\r\n"
    finally:
        for client in clients:
            client.close()
        for transport in factory.transports:
            transport.transport.abortConnection()
        port.stopListening()
        reactor.iterate(0.05)
