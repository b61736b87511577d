"""
The IRC connection: bytes in and out, the limits on both, keeping the
connection alive, and the IRCv3 capabilities.

C{IRCConnection} is one client.  What it does with a message depends on
where the client is: registering (registration.py: CAP, SASL, PASS, NICK,
USER, the welcome) or playing (commands.py: PRIVMSG, JOIN and the rest,
mapped onto game commands; play.py is the IFrontEnd the session layer
talks to).  This module holds what every state shares:

  - lines are cut at LF (a CR before it dropped), each decoded on its own
    (UTF-8, else Latin-1: wire.decode), so no byte sequence and no read
    boundary can cost the connection;
  - a message over 512 bytes (tags aside) is answered 417 and ignored; a
    line with no end past C{wire.MAX_INPUT} is dropped up to its end;
  - every line passes the shared flood gate (limits.FloodGate);
  - unknown commands get 421, commands that need registration 451;
  - a PING after C{PING_SECONDS} of silence, and the connection is closed
    after as long again with no answer;
  - output waits in a queue while the socket's send buffer is full (we are
    the transport's push producer), and past C{MAX_OUTPUT_BYTES} the
    client is taken to have stopped reading and is dropped.
"""

import collections
import os
import weakref

from twisted.internet import task
from twisted.internet.interfaces import IPushProducer
from twisted.internet.protocol import Protocol, ServerFactory
from twisted.logger import Logger
from zope.interface import implementer

from ..limits import MAX_OUTPUT_BYTES, TOO_FAST, FloodGate, InputThrottle
from ..sockets import outbox, turnNagleOff
from . import wire
from .commands import PlayingCommands
from .registration import Registration

log = Logger()

SERVER = "imaginary"            # our name as a message source
SERVICE = "*game"               # the nick the game speaks as
SERVICE_SOURCE = "*game!game@imaginary"
NETWORK = "Imaginary"
# The front end's own version (the server's lives a layer above us).
VERSION = "imaginary-irc-1"
PING_SECONDS = float(os.environ.get("IMAGINARY_IRC_PING_SECONDS", "90"))

# What we offer in CAP LS.  sasl lists its one mechanism (CAP 302).
CAPABILITIES = {
    "sasl": "PLAIN",
    "server-time": None,
    "message-tags": None,
    "echo-message": None,
    "batch": None,
    "draft/chathistory": None,
}

# Commands a client may send before it is registered.
BEFORE_REGISTRATION = {"CAP", "AUTHENTICATE", "PASS", "NICK", "USER",
                       "PING", "PONG", "QUIT"}


@implementer(IPushProducer)
class IRCConnection(Registration, PlayingCommands, Protocol):
    """One IRC client, from its first byte to its last."""

    def __init__(self, server, clock=None, resumes=None):
        self.server = server
        self.reactor = server.reactor
        self.clock = clock if clock is not None else server.reactor
        # Shared by the factory's connections: what each character's
        # last lost connection had been sent (play.py resumes from it).
        self.resumes = resumes if resumes is not None else {}
        self.address = None
        self.nick = "*"
        self.caps = set()
        self.closed = False
        self.quitting = False
        self.gate = FloodGate()
        self._buffer = b""
        self._discarding = False
        self._queue = collections.deque()
        self._queued = 0
        self._paused = False
        self._pinger = None
        self.throttle = None
        self._silentSince = 0.0
        self._pinged = False
        self._batches = 0
        Registration.__init__(self)
        PlayingCommands.__init__(self)

    # -- connection ----------------------------------------------------

    def connectionMade(self):
        """A client connected: count it as logging in, start pinging."""
        peer = self.transport.getPeer()
        self.address = getattr(peer, "host", str(peer))
        turnNagleOff(self.transport)
        self.transport.registerProducer(self, True)
        # The byte rate telnet and SSH have too: a client streaming
        # megabytes is read no faster than a person could type in bulk.
        self.throttle = InputThrottle(self.transport, clock=self.clock)
        self.server.connectionOpened(self)
        self._silentSince = self.clock.seconds()
        self._pinger = task.LoopingCall(self._checkAlive)
        self._pinger.clock = self.clock
        self._pinger.start(PING_SECONDS / 3, now=False)
        self.registrationStarted()

    def connectionLost(self, reason=None):
        """The client is gone: stop, and detach (lingering unless QUIT)."""
        if self._pinger is not None and self._pinger.running:
            self._pinger.stop()
        if self.throttle is not None:
            self.throttle.stop()
        self.closed = True
        self._queue.clear()
        self.registrationLost()
        self.playingLost()
        self.server.connectionClosed(self)

    def dataReceived(self, data):
        """Bytes from the client: whole lines go on, one at a time."""
        if self.throttle is not None:
            self.throttle.received(len(data))
        if 10 in data:      # (LF as an int: see telnet.dataReceived)
            # One split per read, not one slice per line: a read may hold
            # thousands of lines.
            *lines, self._buffer = (self._buffer + data).split(b"\n")
            for raw in lines:
                if self.closed:
                    return
                if self._discarding:
                    # The end of a line that was already too long.
                    self._discarding = False
                    continue
                self.rawLineReceived(raw.rstrip(b"\r"))
        else:
            self._buffer += data
        if len(self._buffer) > wire.MAX_INPUT:
            # A line with no end in sight: drop it as it comes, up to its
            # end, rather than buffer it.
            self._buffer = b""
            if not self._discarding:
                self._discarding = True
                self.numeric("417", "Input line was too long")

    def rawLineReceived(self, raw):
        """One line of bytes (no CR or LF) from the client."""
        self._silentSince = self.clock.seconds()
        self._pinged = False
        if not raw.strip():
            return
        admitted, warn = self.gate.admit()
        if not admitted:
            if warn:
                self.serviceNotice(TOO_FAST)
            return
        if len(raw) > wire.MAX_INPUT:
            self.numeric("417", "Input line was too long")
            return
        message = wire.parse(wire.decode(raw))
        if message is None:
            return
        # 512 bytes is the limit on the message without its tags.
        body = raw.split(b" ", 1)[1] if raw.startswith(b"@") and \
            b" " in raw else raw
        if len(body.lstrip(b" ")) + 2 > wire.MAX_MESSAGE:
            self.numeric("417", "Input line was too long")
            return
        self.messageReceived(message)

    def messageReceived(self, message):
        """Dispatch one parsed message to its irc_COMMAND method."""
        command = message.command
        handler = getattr(self, "irc_" + command, None) \
            if command.isalpha() else None
        if handler is None:
            self.numeric("421", command, "Unknown command")
            return
        if not self.registered and command not in BEFORE_REGISTRATION:
            self.numeric("451", "You have not registered")
            return
        try:
            handler(message)
        except Exception:
            log.failure("IRC command {command} failed", command=command)
            self.serviceNotice("Something went wrong; the error has been "
                               "logged.")

    # -- keeping alive -------------------------------------------------

    def _checkAlive(self):
        silent = self.clock.seconds() - self._silentSince
        if self._pinged and silent >= 2 * PING_SECONDS:
            self.close(f"Ping timeout: {int(silent)} seconds", linger=True)
        elif not self._pinged and silent >= PING_SECONDS:
            self._pinged = True
            self.send("PING", SERVER, source=None)

    def irc_PING(self, message):
        """PING token: PONG with the same token."""
        if not message.params:
            self.numeric("409", "No origin specified")
            return
        self.send("PONG", SERVER, message.params[-1])

    def irc_PONG(self, message):
        """Any line counts as alive; PONG has nothing more to do."""

    # -- capabilities --------------------------------------------------

    def irc_CAP(self, message):
        """CAP LS [302], LIST, REQ :caps, END."""
        if not message.params:
            self.numeric("410", "*", "Invalid CAP command")
            return
        sub = message.params[0].upper()
        if sub == "LS":
            if not self.registered:
                self.capping = True
            version = message.params[1] if len(message.params) > 1 else ""
            if version.isdigit() and int(version) >= 302:
                offered = " ".join(name if value is None else
                                   f"{name}={value}" for name, value in
                                   CAPABILITIES.items())
            else:
                offered = " ".join(CAPABILITIES)
            self.send("CAP", self.nick, "LS", offered)
        elif sub == "LIST":
            self.send("CAP", self.nick, "LIST", " ".join(sorted(self.caps)))
        elif sub == "REQ":
            if not self.registered:
                self.capping = True
            asked = message.params[1].split() if len(message.params) > 1 \
                else []
            names = [a.lstrip("-") for a in asked]
            if not asked or any(n not in CAPABILITIES for n in names):
                self.send("CAP", self.nick, "NAK", " ".join(asked))
                return
            for a in asked:
                if a.startswith("-"):
                    self.caps.discard(a[1:])
                else:
                    self.caps.add(a)
            self.send("CAP", self.nick, "ACK", " ".join(asked))
        elif sub == "END":
            if not self.registered:
                self.capping = False
                self.tryRegister()
        else:
            self.numeric("410", sub, "Invalid CAP command")

    # -- sending ---------------------------------------------------------

    def send(self, command, *params, source=SERVER, tags=None, when=None):
        """
        Send one message.  With server-time, it carries C{when} (seconds
        since the epoch; now unless given); C{tags} (message-tags) only
        go to clients that asked for them.
        """
        self.write(self.build(command, *params, source=source, tags=tags,
                              when=when))

    def build(self, command, *params, source=SERVER, tags=None, when=None):
        """The bytes send() would send (with this client's tags)."""
        sent = {}
        if "server-time" in self.caps:
            sent["time"] = wire.serverTime(when)
        if tags and "message-tags" in self.caps:
            sent.update(tags)
        elif tags and "batch" in tags and "batch" in self.caps:
            sent["batch"] = tags["batch"]
        return wire.format(command, *params, source=source,
                           tags=sent or None)

    def numeric(self, code, *params):
        """A numeric reply from the server to this client."""
        self.write(wire.format(code, self.nick, *params, source=SERVER))

    def sendText(self, command, target, text, source, when=None, tags=None):
        """
        C{text} (lines, any length) as as many C{command} messages to
        C{target} as it takes, each within 512 bytes.
        """
        room = wire.room(command, target, source)
        for piece in wire.split(text, room):
            self.send(command, target, piece, source=source, tags=tags,
                      when=when)

    def serviceNotice(self, text, when=None, tags=None):
        """Text from the game's service nick, as NOTICEs."""
        self.sendText("NOTICE", self.nick, text, SERVICE_SOURCE, when, tags)

    def startBatch(self, kind, *params):
        """
        Open a batch (when the client has the capability): its reference,
        to tag what goes in it, or None.
        """
        if "batch" not in self.caps:
            return None
        self._batches += 1
        ref = f"b{self._batches}"
        self.send("BATCH", "+" + ref, kind, *params)
        return ref

    def endBatch(self, ref):
        """Close a batch that startBatch opened."""
        if ref is not None:
            self.send("BATCH", "-" + ref)

    def write(self, data):
        """Bytes to the client, queued while the socket is full."""
        if self.closed:
            return
        if self._paused or self._queue:
            self._queue.append(data)
            self._queued += len(data)
            if self._queued > MAX_OUTPUT_BYTES:
                log.info("closing an IRC client that stopped reading")
                self._abort()
            return
        outbox.write(self.transport, data)

    def close(self, reason="Closing link", linger=False):
        """
        Say why with ERROR, send what is queued, then close.  Closed on
        purpose (a ban, a shutdown, QUIT) the character leaves at once;
        with C{linger} (a ping timeout) it waits for the player to come
        back, as after a dropped connection.
        """
        if self.closed:
            return
        if not linger:
            self.quitting = True
        self.write(wire.format("ERROR", reason))
        self._paused = False
        self.resumeProducing()
        self.closed = True
        outbox.flush(self.transport)    # (this turn's lines, then the close)
        self.transport.loseConnection()

    def _abort(self):
        self.closed = True
        self._queue.clear()
        self.transport.abortConnection()

    # -- IPushProducer: the socket's send buffer -------------------------

    def pauseProducing(self):
        """The socket's buffer is full: queue what comes meanwhile."""
        self._paused = True

    def resumeProducing(self):
        """The socket drained: send what waited."""
        self._paused = False
        while self._queue and not self._paused and not self.closed:
            data = self._queue.popleft()
            self._queued -= len(data)
            outbox.write(self.transport, data)

    def stopProducing(self):
        """The connection is going: nothing more to send."""
        self._queue.clear()

    # -- for the server (server.connections) -----------------------------

    def tell(self, text):
        """A line from the server itself (shutting down, a ban...)."""
        self.serviceNotice(text)

    @property
    def account(self):
        """The account logged in, or None (server.disconnectAccount)."""
        avatar = self.avatar
        return avatar.account if avatar is not None else None


class IRCFactory(ServerFactory):
    """Makes an IRCConnection per client, for one server."""

    noisy = False       # the server says that it listens

    def __init__(self, server):
        self.server = server
        # CharacterSession -> the last output its lost connection saw.
        self.resumes = weakref.WeakKeyDictionary()
        # Texts from characters may come by IRC while we listen.
        from .texts import install
        install(server)

    def buildProtocol(self, addr):
        """A new client's connection."""
        protocol = IRCConnection(self.server, resumes=self.resumes)
        protocol.factory = self
        return protocol
