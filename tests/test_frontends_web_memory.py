"""
GameSocket in memory, on a real server with no listeners: what needs a
clock (pings) or a client that stops reading (the output bound), and the
IFrontEnd check.  Only Twisted's side is stood in for: the websocket
transport and the HTTP request the socket was upgraded from.
"""

import json

from twisted.internet import task
from twisted.internet.address import IPv4Address
from zope.interface.verify import verifyObject

from imaginary.frontends import limits
from imaginary.frontends.web import WebGame
from imaginary.frontends.web import gamesocket
from imaginary.frontends.web.gamesocket import GameSocket
from imaginary.session import IFrontEnd, PlayerAvatar

from sessionkit import fastHashes, newAccount, server, wait  # noqa


class FakeTCP:
    """The TCP transport under the request (abortConnection only)."""

    aborted = False

    def abortConnection(self):
        self.aborted = True


class FakeRequest:
    """What GameSocket uses of the upgraded twisted.web Request."""

    def __init__(self):
        self.transport = FakeTCP()
        self.producer = None

    def getClientAddress(self):
        return IPv4Address("TCP", "127.0.0.1", 50000)

    def registerProducer(self, producer, streaming):
        self.producer = producer


class FakeWebSocket:
    """Twisted's WebSocketTransport, recording what it is asked."""

    def __init__(self):
        self.messages = []
        self.pings = 0
        self.closed = None

    def sendTextMessage(self, text):
        self.messages.append(json.loads(text))

    def ping(self, payload=b""):
        self.pings += 1

    def loseConnection(self, code=1000, reason=""):
        self.closed = (code, reason)


def opened(server):
    """A GameSocket logged in to a new account with a character Alice."""
    clock = task.Clock()
    game = WebGame(server, clock=clock, secret=b"k" * 32)
    account = newAccount(server)
    avatar = PlayerAvatar(server, account)
    avatar.createCharacter("Alice", "female")
    webSession = game.sessions.add("id", avatar, avatar.logout)
    request = FakeRequest()
    socket = GameSocket(game, webSession, request)
    ws = FakeWebSocket()
    socket.negotiationStarted(ws)
    socket.negotiationFinished()
    return socket, ws, request, clock


def test_isAFrontEnd(server):
    socket, ws, request, clock = opened(server)
    assert verifyObject(IFrontEnd, socket)
    assert socket.wantsData and socket.kind == "web"
    assert request.producer is socket
    assert socket in server.connections


def test_pingsAndMissedPongs(server):
    """A ping every 30 s; two unanswered and the connection is dropped."""
    socket, ws, request, clock = opened(server)
    clock.advance(gamesocket.PING_SECONDS)
    assert ws.pings == 1
    socket.pongReceived(b"imaginary")
    clock.advance(gamesocket.PING_SECONDS)
    clock.advance(gamesocket.PING_SECONDS)
    assert ws.pings == 3 and not request.transport.aborted
    clock.advance(gamesocket.PING_SECONDS)
    assert request.transport.aborted
    socket.connectionLost(None)
    assert socket not in server.connections


def test_outputWaitsWhilePausedThenIsBounded(server, monkeypatch):
    """
    Paused by a full socket buffer, messages wait in order and go out
    on resume; a client that never reads is dropped past the bound.
    """
    socket, ws, request, clock = opened(server)
    socket.textMessageReceived(json.dumps(
        {"type": "play", "character": "Alice", "since": None}))
    assert ws.messages[-1] == {"type": "prompt", "text": "> "}
    socket.pauseProducing()
    socket.tell("one")
    socket.tell("two")
    assert ws.messages[-1]["type"] == "prompt"
    socket.resumeProducing()
    assert [m["runs"][0]["text"] for m in ws.messages[-2:]] == ["one", "two"]
    monkeypatch.setattr(gamesocket, "MAX_OUTPUT_BYTES", 2000)
    socket.pauseProducing()
    for n in range(100):
        socket.tell(f"line {n}")
    assert request.transport.aborted
    # The character lingers for a connection lost this way.
    session = socket.attachment.session
    socket.connectionLost(None)
    assert not session.closed and not session.attachments
    session.end()


def test_resumeOnlyWithinTheSameSession(server):
    """
    Sequence numbers from an earlier session of the character are not
    resumed in a later one (they would name other lines): a gap, even
    when that session has as many outputs by now.
    """
    socket, ws, request, clock = opened(server)
    socket.textMessageReceived(PLAY)
    first = ws.messages[0]
    assert first["type"] == "playing" and first["character"] == "Alice"
    socket.attachment.session.tell("said in the first session")
    since = socket.attachment.session.seq
    assert since >= 1
    socket.close()              # on purpose: the session ends now
    second, ws2 = another(socket)
    second.textMessageReceived(PLAY)
    assert ws2.messages[0]["session"] != first["session"]
    for n in range(since + 3):
        second.attachment.session.tell(f"filler {n}")
    third, ws3 = another(socket)
    third.textMessageReceived(json.dumps(
        {"type": "play", "character": "Alice", "since": since,
         "session": first["session"]}))
    assert ws3.messages[1] == {
        "type": "gap", "message": "Some lines were lost while you were away."}
    # With the current session's name, the same number resumes.
    fourth, ws4 = another(socket)
    fourth.textMessageReceived(json.dumps(
        {"type": "play", "character": "Alice", "since": since,
         "session": ws2.messages[0]["session"]}))
    assert ws4.messages[1] == {"type": "resumed", "from": since}
    # The second session's look came first: the lines after number
    # `since` are fillers (whichever number each got), in order.
    replayed = [m for m in ws4.messages[2:] if m["type"] == "output"]
    assert replayed[0]["seq"] == since + 1
    texts = [m["runs"][0]["text"] for m in replayed
             if m["runs"][0]["text"].startswith("filler")]
    assert texts[-1] == f"filler {since + 2}"
    assert texts == [f"filler {n}" for n in range(
        since + 3 - len(texts), since + 3)]
    for each in (second, third, fourth):
        each.close()


PLAY = json.dumps({"type": "play", "character": "Alice", "since": None})


def another(socket):
    """A second websocket of the same login."""
    request = FakeRequest()
    other = GameSocket(socket.game, socket.webSession, request)
    ws = FakeWebSocket()
    other.negotiationStarted(ws)
    other.negotiationFinished()
    return other, ws


def test_floodGateAndLimits(server, monkeypatch):
    """The same input limits as telnet: long lines, floods, bad bytes."""
    socket, ws, request, clock = opened(server)
    socket.textMessageReceived(json.dumps(
        {"type": "play", "character": "Alice", "since": None}))
    socket.gate = limits.FloodGate(rate=0.0001, burst=2)
    for _ in range(5):
        socket.textMessageReceived(json.dumps({"type": "line",
                                               "text": "look"}))
    errors = [m["message"] for m in ws.messages if m["type"] == "error"]
    assert errors == [limits.TOO_FAST]
    socket.bytesMessageReceived(b"binary")
    assert "text messages" in ws.messages[-1]["message"]
    assert request.transport.aborted is False
    socket.close()
