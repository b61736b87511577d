"""
The floor for the websocket benchmark: a bare websocket chat server on
Twisted's own websocket API (``twisted.web.websocket``, as the game's web
front end uses), doing the least a chat server speaking the game's wire
format can.

No login, no cookie, no Origin check: ``/ws`` upgrades at once.  Each
message is parsed as JSON; ``{"type": "play", "character": NAME}`` joins
the one room and is answered ``playing`` and a prompt;
``{"type": "line", "text": "say X"}`` sends the speaker an ``output``
("You say, 'X'"), the ``Comm.Channel.Text`` data and a prompt, and every
other socket in the room an ``output`` ("NAME says, 'X'") and the same
data, each encoded once and shared (the sequence number is the
speaker's).  These are the game's messages for a ``say``, with its runs
and styles, so both servers put the same bytes on the wire
(docs/web-protocol.md).  What it
manages is what Python, Twisted and wsproto can do on this machine at that
moment, so bench/web_bench.py prints the game's figures as ratios to it.

    python bench/web_floor_server.py PORT
"""

import json
import sys

from twisted.internet import reactor
from twisted.web.resource import Resource
from twisted.web.server import Site
from twisted.web.websocket import WebSocketResource

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
PROMPT = _dumps({"type": "prompt", "text": "> "})


def output(seq, name, said):
    """
    An ``output`` message as the game's for a ``say``: the speaker's name
    (or "You say"), then the speech, styled.
    """
    runs = []
    if name is None:
        runs.append({"text": "You say, '", "style": {}, "role": None})
    else:
        runs += [{"text": name, "style": {"fg": "magenta", "bold": True},
                  "role": "player"},
                 {"text": " says, '", "style": {}, "role": None}]
    runs += [{"text": said, "style": {"fg": "yellow"}, "role": "speech"},
             {"text": "'", "style": {}, "role": None}]
    return _dumps({"type": "output", "seq": seq, "runs": runs})


class FloorSocket:
    """One websocket: a player in the room."""

    def __init__(self, room):
        self.room = room
        self.transport = None
        self.name = None
        self.seq = 0

    def negotiationStarted(self, transport):
        """Twisted's websocket transport is ready."""
        self.transport = transport

    def negotiationFinished(self):
        """The handshake is done; nothing more to do until ``play``."""

    def textMessageReceived(self, message):
        """A JSON message: ``play`` joins the room, ``line`` says things."""
        value = json.loads(message)
        kind = value.get("type")
        send = self.transport.sendTextMessage
        if kind == "line":
            text = value.get("text", "")
            if text.startswith("say ") and self.name is not None:
                said = text[4:]
                self.seq += 1
                data = _dumps({"type": "data", "seq": self.seq,
                               "package": "Comm.Channel.Text", "data": {
                                   "channel": "say", "talker": self.name,
                                   "text": said}})
                send(output(self.seq, None, said))
                send(data)
                send(PROMPT)
                heard = output(self.seq, self.name, said)
                for other in self.room:
                    if other is not self:
                        other.transport.sendTextMessage(heard)
                        other.transport.sendTextMessage(data)
            else:
                send(PROMPT)
        elif kind == "play":
            self.name = str(value.get("character"))
            self.room.add(self)
            send(_dumps({"type": "playing", "character": self.name,
                         "session": "floor"}))
            send(PROMPT)

    def bytesMessageReceived(self, data):
        """Binary messages are ignored."""

    def pongReceived(self, payload):
        """No pings are sent, so no pongs are expected."""

    def connectionLost(self, reason):
        """Leave the room."""
        self.room.discard(self)


class FloorFactory:
    """Twisted's websocket factory: every socket joins one room."""

    def __init__(self):
        self.room = set()

    def buildProtocol(self, request):
        """A FloorSocket for an upgraded request."""
        return FloorSocket(self.room)


def main():
    """Listen on 127.0.0.1:PORT (the first argument) until killed."""
    port = int(sys.argv[1])
    root = Resource()
    root.putChild(b"ws", WebSocketResource(FloorFactory()))
    site = Site(root)
    site.log = lambda request: None     # as the game's QuietSite
    reactor.listenTCP(port, site, interface="127.0.0.1", backlog=2048)
    print("web floor listening", flush=True)
    reactor.run()


if __name__ == "__main__":
    main()
