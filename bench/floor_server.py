"""
The floor for the load benchmark: a bare Twisted line server that does the
least a chat server can.

It mimics the login conversation just enough for the load generator
(three prompts, any answers; the third answer is "<name> <room>"), then
echoes ``say X`` to the sender ("You say, 'X'") and broadcasts it to the
others in the same room ("<name> says, 'X'").  TCP_NODELAY is on.  What it
manages per second is what Python and Twisted can do on this machine at
that moment, so the benchmark prints Imaginary's figures as ratios to it.

    python bench/floor_server.py PORT
"""

import os
import socket
import sys

from twisted.internet import reactor
from twisted.internet.protocol import Factory
from twisted.protocols.basic import LineReceiver

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from imaginary.testing import (  # noqa: E402
    GAME_PROMPT, loginSteps)

# The game's returning-login prompts, in order.
PROMPTS = [prompt.encode() for prompt, _ in loginSteps("", "", "")]


class FloorProtocol(LineReceiver):
    delimiter = b"\r\n"

    def connectionMade(self):
        self.transport.setTcpNoDelay(True)
        self.step = 0
        self.name = None
        self.room = None
        self.transport.write(PROMPTS[0])

    def lineReceived(self, line):
        line = line.rstrip(b"\r")
        if self.step < 3:
            if self.step == 2:
                name, _, room = line.partition(b" ")
                self.name, self.room = name, room
                self.factory.rooms.setdefault(room, set()).add(self)
                self.transport.write(b"You are " + name + b".\r\n" +
                                     GAME_PROMPT.encode())
            else:
                self.transport.write(PROMPTS[self.step + 1])
            self.step += 1
            return
        if line.startswith(b"say "):
            text = line[4:]
            self.transport.write(b"You say, '" + text + b"'\r\n> ")
            heard = self.name + b" says, '" + text + b"'\r\n"
            for other in self.factory.rooms.get(self.room, ()):
                if other is not self:
                    other.transport.write(heard)
        else:
            self.transport.write(b"> ")

    def connectionLost(self, reason):
        if self.room is not None:
            self.factory.rooms.get(self.room, set()).discard(self)


class FloorFactory(Factory):
    protocol = FloorProtocol

    def __init__(self):
        self.rooms = {}


def main():
    port = int(sys.argv[1])
    reactor.listenTCP(port, FloorFactory(), interface="127.0.0.1",
                      backlog=2048)
    print("floor listening", flush=True)
    reactor.run()


if __name__ == "__main__":
    socket.setdefaulttimeout(None)
    main()
