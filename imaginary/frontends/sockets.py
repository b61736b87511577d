"""
Output to many TCP connections at once: each connection's bytes of a
reactor turn in one send, straight to the socket.

Twisted's C{transport.write} queues the bytes and asks epoll to watch the
socket (an C{epoll_ctl}); on a later turn the reactor finds it writable,
C{doWrite} sends and stops watching (another C{epoll_ctl}).  A line said
in a crowded room reaches a hundred connections, so that is three system
calls and a reactor dispatch per listener, where one C{send} would do: a
socket with nothing queued ahead almost always has room in its kernel
buffer for a few lines of text.

So front ends hand their bytes to the C{Outbox}, which keeps each
connection's bytes of a reactor turn and sends them together when the
turn is over (C{callLater(0)}: before the reactor polls again), straight
to the socket.  A player's answer, the prompt after it and what others
said in the same turn leave in one send, as Twisted's own buffering
would send them, but a poll sooner and without the two C{epoll_ctl}s.
(Sending the answer at once instead, one send more for everyone who
typed, measured no faster in a busy room: docs/load.md.)  What the
kernel does not take, and everything on any error, goes to Twisted's own
buffer with C{write}, so a full socket, a broken one, the close after the
queue drains and producers all stay Twisted's business.  A connection
that is not plain TCP (TLS, a test's StringTransport) is written as
usual, at once.

A front end that closes a connection politely first calls C{flush} for
it, so the last words are in Twisted's hands before the close.  (Twisted's
C{loseConnection} waits for its own buffer to drain on a later turn, and
the outbox hands its bytes over before the reactor polls again, so this
only matters if the reactor stops in between; it costs nothing.)  A front
end also turns Nagle's algorithm off (C{turnNagleOff}): the outbox does
the coalescing itself, and with Nagle on, a send would wait for the
client to acknowledge the one before (up to 40 ms of delayed ACK).
"""

import errno
import socket

from twisted.internet import tcp

# The kernel buffer is full (the reactor sends the rest when it drains)
# or a signal interrupted the call.
_RETRY_LATER = (errno.EAGAIN, errno.EWOULDBLOCK, errno.ENOBUFS, errno.EINTR)


def writeThrough(connection, data):
    """
    Send C{data} on the TCP C{connection} now when nothing of Twisted's is
    queued ahead of it; whatever the kernel does not take (all of it, on
    an error or when bytes are queued) is queued by C{connection.write}.
    """
    if (connection._tempDataLen or connection.dataBuffer
            or connection.disconnecting or not connection.connected
            or connection._writeDisconnected):
        connection.write(data)
        return
    try:
        sent = connection.socket.send(data)
    except OSError as e:
        # A broken connection: Twisted's doWrite meets the same error and
        # reports the loss the way it always does.
        if e.errno not in _RETRY_LATER:
            connection.write(data)
            return
        sent = 0
    if sent < len(data):
        connection.write(data[sent:])


def turnNagleOff(connection):
    """TCP_NODELAY on C{connection}'s socket, if it has one."""
    sock = getattr(connection, "socket", None)
    if sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass        # not TCP after all (a UNIX socket): nothing to do


class Outbox:
    """
    The TCP connections written to during this turn of the reactor, and
    their bytes, sent together when the turn ends (see the module's
    docstring).
    """

    def __init__(self, reactor=None):
        self._reactor = reactor
        self._pending = {}      # connection -> [bytes, ...], oldest first
        self._scheduled = False

    def write(self, connection, data):
        """C{data} for C{connection}, sent when the turn ends (or flushed)."""
        chunks = self._pending.get(connection)
        if chunks is not None:
            chunks.append(data)
            return
        if type(connection) is not tcp.Server or connection.TLS:
            connection.write(data)
            return
        self._pending[connection] = [data]
        if not self._scheduled:
            self._scheduled = True
            reactor = self._reactor
            if reactor is None:
                from twisted.internet import reactor
                self._reactor = reactor     # (the import, once)
            reactor.callLater(0, self.flushAll)

    def flush(self, connection):
        """Send what is queued for C{connection} now (before a close)."""
        chunks = self._pending.pop(connection, None)
        if chunks:
            writeThrough(connection, b"".join(chunks))

    def flushAll(self):
        """Send what waits from this turn, one send per connection."""
        self._scheduled = False
        pending, self._pending = self._pending, {}
        for connection, chunks in pending.items():
            if chunks:
                writeThrough(connection, chunks[0] if len(chunks) == 1
                             else b"".join(chunks))

    def queued(self, connection):
        """How many bytes wait here for C{connection}."""
        return sum(map(len, self._pending.get(connection, ())))


# The server's one outbox: every front end's connections share the turn.
outbox = Outbox()
