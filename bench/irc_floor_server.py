"""
The floor for the IRC benchmark: a bare Twisted IRC-style broadcast
server that does the least an IRC server can for bench/irc_bench.py.

It takes any PASS, NICK and USER, answers 001, and relays every
``PRIVMSG &here :text`` to everyone connected, the sender included (as
echo-message would), as ``:nick!u@h PRIVMSG &here :text``.  No login, no
game, no tags.  What it manages is what Python and Twisted do on this
machine at that moment, so the benchmark prints Imaginary's figures as
ratios to it.

    python bench/irc_floor_server.py PORT
"""

import socket
import sys

from twisted.internet import reactor
from twisted.internet.protocol import Factory
from twisted.protocols.basic import LineOnlyReceiver


class FloorIRC(LineOnlyReceiver):
    """One client: registration by NICK, then PRIVMSGs broadcast."""

    delimiter = b"\r\n"
    MAX_LENGTH = 8192

    def connectionMade(self):
        self.transport.setTcpNoDelay(True)
        self.nick = None

    def lineReceived(self, line):
        command, _, rest = line.partition(b" ")
        command = command.upper()
        if command == b"NICK":
            self.nick = rest.strip()
        elif command == b"USER":
            self.factory.clients.add(self)
            self.transport.write(b":floor 001 " + self.nick +
                                 b" :Welcome\r\n")
        elif command == b"PRIVMSG" and self.nick:
            target, _, text = rest.partition(b" :")
            message = (b":" + self.nick + b"!u@h PRIVMSG " + target +
                       b" :" + text + b"\r\n")
            for client in self.factory.clients:
                client.transport.write(message)
        elif command == b"PING":
            self.transport.write(b":floor PONG floor " + rest + b"\r\n")

    def connectionLost(self, reason):
        self.factory.clients.discard(self)


class FloorFactory(Factory):
    """Everyone connected is in one room."""

    protocol = FloorIRC

    def __init__(self):
        self.clients = set()


def main():
    port = int(sys.argv[1])
    reactor.listenTCP(port, FloorFactory(), interface="127.0.0.1",
                      backlog=2048)
    print("floor listening", flush=True)
    reactor.run()


if __name__ == "__main__":
    socket.setdefaulttimeout(None)
    main()
