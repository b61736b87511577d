"""
The websocket at /ws: one browser connection playing one character.

C{SocketGate} stands in front of Twisted's C{WebSocketResource} because
Twisted can't refuse a websocket from C{buildProtocol}: a request whose
Origin isn't this server's own, or whose cookie isn't logged in, is
answered 403 before any upgrade.  No subprotocol is offered (a browser
refuses a connection whose requested subprotocol isn't echoed, so the
page asks for none).

C{GameSocket} is the IFrontEnd: JSON messages in and out (the wire format
is docs/web-protocol.md).  What Twisted's websocket leaves to us:

  - inbound messages are capped at C{MAX_MESSAGE_BYTES}: Twisted buffers a
    message whole before handing it over, so the bytes arriving since the
    last message are counted as they arrive, and past the cap the
    connection is closed with 1009 before the rest is buffered;
  - a ping every C{PING_SECONDS}; two unanswered in a row drop the
    connection;
  - output is bounded: when the socket's send buffer is full Twisted pauses
    us (we are its push producer), messages wait in our queue, and past
    C{MAX_OUTPUT_BYTES} the client is taken to have stopped reading and is
    dropped, as telnet does.

A connection lost for any of these reasons, or by the network, detaches
with C{LINGER_SECONDS} of linger: the page reconnects with the last
sequence number it saw and is replayed what it missed.
"""

import collections
import json
import os
import secrets
import struct
import time
import weakref

from twisted.internet import task
from twisted.internet.interfaces import IPushProducer
from twisted.logger import Logger
from twisted.web.resource import Resource
from twisted.web.websocket import WebSocketResource
from zope.interface import implementer

from imaginary.session import IFrontEnd, Refused
from imaginary.verbs.base import hasPermission

from ..limits import (
    MAX_LINE_BYTES, MAX_OUTPUT_BYTES, TOO_FAST, TOO_LONG, FloodGate,
    InputThrottle, screenLine)
from .headers import refuse, sameOrigin
from .pages import NOT_LOGGED_IN, NOT_SAME_ORIGIN, clientAddress
from .wire import (
    GAP, dataMessage, errorMessage, gapMessage, outputMessage,
    playingMessage, promptMessage, resumedMessage)

log = Logger()

MAX_MESSAGE_BYTES = 64 * 1024
# Frame headers and masks on top of a message's own bytes.
FRAMING_SLACK = 1024
PING_SECONDS = float(os.environ.get("IMAGINARY_WEB_PING_SECONDS", "30"))
MISSED_PONGS = 2
LINGER_SECONDS = float(os.environ.get("IMAGINARY_WEB_LINGER_SECONDS", "60"))
PROMPT = "> "

MESSAGE_TOO_BIG = 1009
GOING_AWAY = 1001
TOO_BIG_REASON = f"message over {MAX_MESSAGE_BYTES} bytes"


# How long a connection closed for a too-big message is read (and what
# arrives dropped) before the socket closes.
DRAIN_SECONDS = 2.0


def closeFrame(code, reason):
    """
    A websocket Close frame from the server (RFC 6455 5.5.1: unmasked,
    opcode 8, the code in two bytes then the reason, 125 bytes at most).
    """
    payload = struct.pack("!H", code) + reason.encode("utf-8")[:123]
    return bytes((0x88, len(payload))) + payload


_tokens = weakref.WeakKeyDictionary()     # CharacterSession -> its token


def sessionToken(session):
    """
    An opaque name for one CharacterSession.  Sequence numbers start again
    with each session of a character, so a client resuming says which
    session its numbers came from.
    """
    token = _tokens.get(session)
    if token is None:
        token = _tokens[session] = secrets.token_urlsafe(12)
    return token


def verbWords(registry, character):
    """
    Every word that starts a command C{character} may use (its
    permission allows the verb), sorted: the page completes them on Tab.
    """
    if registry is None:
        return []
    return sorted({name for verb in registry.verbs()
                   if hasPermission(character, verb.permission)
                   for name in verb.names})


class SocketGate(Resource):
    """/ws: refuses (403) what may not connect, upgrades the rest."""

    isLeaf = True

    def __init__(self, game):
        super().__init__()
        self.game = game
        self.websocket = WebSocketResource(self)

    def render_GET(self, request):
        """
        Refuse (403) a request from another origin or without a login; upgrade
        the rest to the websocket.
        """
        if not sameOrigin(request):
            return refuse(request, 403, NOT_SAME_ORIGIN)
        if self.game.sessions.get(self.game.sessionIdOf(request)) is None:
            return refuse(request, 403, NOT_LOGGED_IN)
        return self.websocket.render_GET(request)

    def buildProtocol(self, request):
        """Twisted's websocket factory method: a GameSocket."""
        # Checked a moment ago in render_GET, in the same reactor turn.
        session = self.game.sessions.get(self.game.sessionIdOf(request))
        return GameSocket(self.game, session, request)


@implementer(IFrontEnd, IPushProducer)
class GameSocket:
    """One websocket: an IFrontEnd for the character it plays."""

    kind = "web"
    wantsData = True        # data goes out as JSON, whatever it is
    width = None            # the page wraps lines itself

    def __init__(self, game, webSession, request):
        self.game = game
        self.server = game.server
        self.clock = game.clock
        self.webSession = webSession
        self.avatar = webSession.avatar
        self.request = request
        self.address = clientAddress(request)
        self.transport = None
        self.attachment = None
        self.gate = FloodGate()
        self.closed = False
        self._lingers = True        # a lost connection may come back
        self._paused = False
        self._queue = collections.deque()
        self._queued = 0
        self._received = 0          # bytes since the last whole message
        self._pinger = None
        self.throttle = None        # the input byte rate (limits.py)
        self._missed = 0
        self.bytesIn = self.bytesOut = 0    # for the admin page
        self.lastInput = time.monotonic()

    @property
    def account(self):
        """The account logged in (server.disconnectAccount looks here)."""
        return self.avatar.account

    # -- WebSocketProtocol ------------------------------------------------

    def negotiationStarted(self, transport):
        """
        Twisted's websocket: the connection is being upgraded; count its
        incoming bytes from now on and register as its producer.
        """
        self.transport = transport
        channel = getattr(self.request, "channel", None)
        if channel is not None:
            # Twisted hands the channel's incoming bytes straight to its
            # websocket machinery, which buffers a message whole; count
            # them first, so an endless message is cut off early.
            channel.dataReceived = self._counted(channel.dataReceived)
            # The byte rate telnet, SSH and IRC have: past the burst the
            # socket is not read until the rate allows.
            if channel.transport is not None:
                self.throttle = InputThrottle(channel.transport,
                                              clock=self.clock)
        # The channel passes the socket's pause/resume on to us.
        self.request.registerProducer(self, True)

    def _counted(self, dataReceived):
        def counted(data):
            if self.closed:
                return          # what a closed connection still sends
            self._received += len(data)
            self.bytesIn += len(data)
            if self.throttle is not None:
                self.throttle.received(len(data))
            if self._received > MAX_MESSAGE_BYTES + FRAMING_SLACK:
                self._tooBig()
                return
            dataReceived(data)
        return counted

    def negotiationFinished(self):
        """
        Twisted's websocket: the socket is open; register it with its web
        session and the server, and start pinging.
        """
        self.webSession.sockets.add(self)
        self.server.connectionOpened(self)
        self._pinger = task.LoopingCall(self._ping)
        self._pinger.clock = self.clock
        self._pinger.start(PING_SECONDS, now=False)

    def pongReceived(self, payload):
        """Twisted's websocket: the client answered a ping; it is alive."""
        self._received = 0
        self._missed = 0

    def textMessageReceived(self, message):
        """
        Twisted's websocket: one JSON message from the page (too long ones
        close the socket with 1009).
        """
        self._received = 0
        self.lastInput = time.monotonic()
        if self.closed:
            return
        if len(message) * 4 > MAX_MESSAGE_BYTES and \
                len(message.encode("utf-8", "replace")) > MAX_MESSAGE_BYTES:
            self._tooBig()
            return
        try:
            value = json.loads(message)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            self._error("A message is one JSON object.")
            return
        kind = value.get("type")
        if kind == "line":
            self._line(value.get("text"))
        elif kind == "play":
            self._play(value.get("character"), value.get("since"),
                       value.get("session"))
        else:
            self._error(f"Unknown message type {kind!r}.")

    def bytesMessageReceived(self, data):
        """
        Twisted's websocket: binary messages are refused (the protocol is JSON
        text).
        """
        self._received = 0
        if len(data) > MAX_MESSAGE_BYTES:
            self._tooBig()
        elif not self.closed:
            self._error("Send text messages (JSON), not binary ones.")

    def connectionLost(self, reason):
        """
        Twisted's websocket: stop pinging, drop the queue, and detach from the
        character (with a linger, so the page can resume).
        """
        self.closed = True
        if self._pinger is not None and self._pinger.running:
            self._pinger.stop()
        if self.throttle is not None:
            self.throttle.stop()
        self._queue.clear()
        attachment, self.attachment = self.attachment, None
        if attachment is not None:
            attachment.detach(linger=LINGER_SECONDS if self._lingers else 0)
            self.avatar.release(attachment)
        self.webSession.sockets.discard(self)
        self.webSession.lastUsed = self.clock.seconds()
        self.server.connectionClosed(self)

    # -- what the client asks -------------------------------------------

    def _play(self, name, since, session):
        if self.attachment is not None:
            self._error("This connection is already playing; open another "
                        "to play another character.")
            return
        if not isinstance(name, str) or not (
                since is None or type(since) is int and since >= 0):
            self._error('Send {"type": "play", "character": NAME, '
                        '"since": null or the last seq seen, "session": '
                        'the session those numbers came from}.')
            return
        if not self._admitted():
            return
        try:
            attachment = self.avatar.play(name, self, resumable=True)
        except Refused as e:
            self._error(str(e))
            return
        self.attachment = attachment
        token = sessionToken(attachment.session)
        self._send(playingMessage(attachment.character.name, token))
        resumed = False
        if since is not None:
            # Numbers from another session of this character (it ended
            # while we were away, and was started again) are not this
            # one's: nothing can be resumed.
            outputs = attachment.replay(since) if session == token else None
            if outputs is None:
                self._send(gapMessage(GAP))
            else:
                resumed = True
                self._send(resumedMessage(since))
                for output in outputs:
                    if output.span is not None:
                        self._send(outputMessage(output.seq, output.span))
                    for package, value in output.data or ():
                        self._send(dataMessage(output.seq, package, value))
        self._send(dataMessage(None, "Client.Verbs", {
            "verbs": verbWords(self.server.registry, attachment.character)}))
        if not resumed:
            # Coming into the game, or back after a gap: where you are, as
            # on every front end.
            attachment.submit("look").addCallback(
                lambda _: self.sendPrompt(PROMPT))
        else:
            self.sendPrompt(PROMPT)

    def _line(self, text):
        if not isinstance(text, str):
            self._error('Send {"type": "line", "text": "..."}.')
            return
        if self.attachment is None or not self.attachment.attached:
            self._error("Choose a character to play first.")
            return
        raw = text.encode("utf-8", "replace")
        if len(raw) > MAX_LINE_BYTES:
            self._error(TOO_LONG)
            return
        line = screenLine(self.gate, raw, self._error)
        if line is None:
            return
        self.attachment.submit(line).addCallback(
            lambda _: self.sendPrompt(PROMPT))

    def _admitted(self):
        admitted, warn = self.gate.admit()
        if not admitted and warn:
            self._error(TOO_FAST)
        return admitted

    # -- IFrontEnd -------------------------------------------------------

    def _seq(self):
        attachment = self.attachment
        return attachment.session.seq if attachment is not None else None

    def sendSpan(self, span):
        """
        IFrontEnd: styled output, as an output message with the next sequence
        number.
        """
        self._send(outputMessage(self._seq(), span))

    def sendData(self, package, data):
        """
        IFrontEnd: out-of-band data under a GMCP package name, numbered like
        output.
        """
        self._send(dataMessage(self._seq(), package, data))

    def sendPrompt(self, text):
        """IFrontEnd: the prompt the page shows by its input line."""
        self._send(promptMessage(text))

    def setPasswordMode(self, hidden):
        """Nothing to do: the page types passwords in its own form."""

    def disconnect(self):
        """IFrontEnd: close the socket."""
        self.close()

    # -- for the server (server.connections) -----------------------------

    def tell(self, text):
        """A line from the server itself (shutting down...)."""
        self._send(outputMessage(None, text))

    def close(self, code=1000, reason=""):
        """
        Close on purpose (logout, a ban, a shutdown, the session closed):
        the character does not linger for this connection.
        """
        self._lingers = False
        attachment, self.attachment = self.attachment, None
        if attachment is not None:
            attachment.detach()
            self.avatar.release(attachment)
        self._close(code, reason)

    # -- sending and closing ---------------------------------------------

    def _error(self, message):
        self._send(errorMessage(message))

    def _send(self, text):
        if self.closed or self.transport is None:
            return
        self.bytesOut += len(text) if text.isascii() else len(text.encode())
        if self._paused or self._queue:
            self._queue.append(text)
            self._queued += len(text)
            if self._queued > MAX_OUTPUT_BYTES:
                log.info("closing a web client that stopped reading")
                self._abort()
            return
        self.transport.sendTextMessage(text)

    def _close(self, code, reason):
        if self.closed or self.transport is None:
            return
        # What waited for the client goes first (it is bounded).
        queue, self._queue = self._queue, collections.deque()
        for text in queue:
            self.transport.sendTextMessage(text)
        self.closed = True
        self.transport.loseConnection(code, reason)

    def _abort(self):
        """Drop the connection now, without waiting to send anything."""
        self.closed = True
        self._queue.clear()
        self.request.transport.abortConnection()

    def _tooBig(self):
        log.info("closing a web client that sent a message over "
                 "{limit} bytes", limit=MAX_MESSAGE_BYTES)
        self._queue.clear()
        if self.closed or self.transport is None:
            return
        # Not Twisted's loseConnection: it closes the socket at once, with
        # the rest of the big message still arriving, and a socket closed
        # with unread bytes is reset, so the client (a browser) loses our
        # close frame and never learns why.  Send the frame, read and drop
        # what still comes, then close.
        self.closed = True
        tcp = self.request.channel.transport
        tcp.write(closeFrame(MESSAGE_TOO_BIG, TOO_BIG_REASON))
        self.clock.callLater(DRAIN_SECONDS, tcp.loseConnection)

    def _ping(self):
        if self._missed >= MISSED_PONGS:
            log.info("dropping a web client that stopped answering pings")
            self._abort()
            return
        self._missed += 1
        self.transport.ping(b"imaginary")

    # -- IPushProducer: the socket's send buffer -------------------------

    def pauseProducing(self):
        """
        IPushProducer: the socket's buffer is full; queue messages until
        resumed.
        """
        self._paused = True

    def resumeProducing(self):
        """IPushProducer: send what is queued, and go on sending."""
        self._paused = False
        while self._queue and not self._paused and not self.closed:
            text = self._queue.popleft()
            self._queued -= len(text)
            self.transport.sendTextMessage(text)

    def stopProducing(self):
        """IPushProducer: the connection is going away; send nothing more."""
        self._queue.clear()
