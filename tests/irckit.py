"""
Helpers for the IRC front end's tests: an IRCConnection on a
StringTransport over a real in-memory server (sessionkit), typed at with
whole or cut-up lines and read back as parsed messages.
"""

import base64
import time

from twisted.internet import reactor
from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport

from imaginary.frontends.irc import wire
from imaginary.frontends.irc.protocol import IRCConnection

PASSWORD = "secret99"


class Line:
    """One line we were sent: its text and the parsed message."""

    def __init__(self, text):
        self.text = text
        self.message = wire.parse(text)
        self.command = self.message.command if self.message else None
        self.params = self.message.params if self.message else ()
        self.tags = self.message.tags if self.message else {}
        self.source = self.message.source if self.message else None

    def __repr__(self):
        return repr(self.text)


class Client:
    """A fake IRC client on a StringTransport, over C{server}."""

    def __init__(self, server, address="127.0.0.1", clock=None,
                 resumes=None):
        self.transport = StringTransport(
            peerAddress=IPv4Address("TCP", address, 40000))
        self.protocol = IRCConnection(server, clock=clock, resumes=resumes)
        self.protocol.makeConnection(self.transport)
        self.seen = []
        self.raw = b""
        self._left = []     # lines read past what until() looked for

    def send(self, *lines):
        """Lines (str or bytes), each with its CRLF, in one read each."""
        for line in lines:
            if isinstance(line, str):
                line = line.encode("utf-8")
            self.protocol.dataReceived(line + b"\r\n")

    def feed(self, data):
        """Raw bytes, as one read."""
        self.protocol.dataReceived(data)

    def take(self):
        """Lines sent since the last take (parsed)."""
        data = self.transport.value()
        self.transport.clear()
        self.raw += data
        lines = [Line(t.decode("utf-8")) for t in data.split(b"\r\n") if t]
        self.seen.extend(lines)
        left, self._left = self._left, []
        return left + lines

    def until(self, predicate, timeout=10.0):
        """Spin the reactor until a line satisfies C{predicate}."""
        got = []
        deadline = time.monotonic() + timeout
        while True:
            lines = self.take()
            for i, line in enumerate(lines):
                got.append(line)
                if predicate(line):
                    self._left = lines[i + 1:]
                    return got
            if time.monotonic() > deadline:
                raise AssertionError(f"not seen in time; got {got!r}")
            reactor.iterate(0.005)

    def untilCommand(self, command, timeout=10.0):
        """Spin until a line with C{command} arrives; all lines so far."""
        return self.until(lambda line: line.command == command, timeout)

    def drop(self):
        """The network went away (no QUIT)."""
        self.protocol.connectionLost(None)

    @property
    def closed(self):
        return self.transport.disconnecting


def sasl(account, password=PASSWORD):
    """The AUTHENTICATE payload for SASL PLAIN."""
    return base64.b64encode(
        b"\0" + account.encode() + b"\0" + password.encode()).decode()


def register(client, account, nick, caps=("sasl",), password=PASSWORD):
    """Register with SASL; returns every line up to the MOTD's end."""
    client.send("CAP LS 302", f"NICK {nick}", f"USER {account} 0 * :Real",
                "CAP REQ :" + " ".join(caps), "AUTHENTICATE PLAIN",
                "AUTHENTICATE " + sasl(account, password), "CAP END")
    return client.until(lambda line: line.command in ("376", "904",
                                                      "ERROR"))


def playing(server, account, nick, caps=("sasl",), create=True, **kw):
    """A client logged in and playing C{nick} (made if need be)."""
    client = Client(server, **kw)
    register(client, account, nick, caps)
    if create:
        client.send(f"PRIVMSG *game :create {nick} female")
    client.until(lambda line: line.command == "366" and
                 line.params[1] == "&here")
    settleIRC()
    client.take()
    return client


def settleIRC(seconds=0.05):
    """Let the reactor run the held-span flushes (callLater(0))."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        reactor.iterate(0.005)


# -- against the real server (a subprocess) --------------------------------

class RawIRC:
    """An IRC client on a real socket, for end-to-end tests."""

    def __init__(self, port, tls=None):
        """C{tls}: an ssl.SSLContext to speak TLS with, or None."""
        import socket
        self.sock = socket.create_connection(("127.0.0.1", port), 5)
        if tls is not None:
            self.sock = tls.wrap_socket(self.sock,
                                        server_hostname="127.0.0.1")
        self.sock.settimeout(0.05)
        self.buffer = b""
        self.lines = []         # every Line received
        self.read = 0           # lines already looked at by expect()
        self.closed = False

    def send(self, *lines):
        """Lines (str or bytes), each with CRLF, in one write."""
        self.write(b"".join((line.encode("utf-8") if isinstance(line, str)
                             else line) + b"\r\n" for line in lines))

    def write(self, data):
        """Bytes as they are."""
        self.sock.sendall(data)

    def pump(self, seconds=0.05):
        """Read what arrives for up to C{seconds}."""
        import socket
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.closed:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                data = b""
            if not data:
                self.closed = True
                break
            self.buffer += data
            *whole, self.buffer = self.buffer.split(b"\r\n")
            self.lines.extend(Line(t.decode("utf-8", "replace"))
                              for t in whole if t)

    def expect(self, predicate, timeout=10.0):
        """The lines up to the first new one satisfying C{predicate}."""
        deadline = time.monotonic() + timeout
        while True:
            while self.read < len(self.lines):
                self.read += 1
                if predicate(self.lines[self.read - 1]):
                    return self.lines[:self.read]
            if time.monotonic() > deadline or self.closed:
                raise AssertionError(
                    f"not seen in time; got {self.lines[-30:]!r}")
            self.pump()

    def expectCommand(self, command, timeout=10.0):
        """The first new line with C{command}."""
        return self.expect(lambda line: line.command == command,
                           timeout)[-1]

    def register(self, account, nick, caps=("sasl",), password=PASSWORD):
        """CAP LS 302, SASL PLAIN, NICK, USER, CAP END."""
        self.send("CAP LS 302", f"NICK {nick}", f"USER {account} 0 * :R",
                  "CAP REQ :" + " ".join(caps), "AUTHENTICATE PLAIN",
                  "AUTHENTICATE " + sasl(account, password), "CAP END")

    def close(self):
        """Close the socket."""
        self.sock.close()


def makeAccounts(store, names, password=PASSWORD):
    """Accounts made with the command line, before the server starts."""
    import os
    import subprocess
    import sys
    folder = os.path.dirname(store)
    passwordFile = os.path.join(folder, "password")
    with open(passwordFile, "w") as f:
        f.write(password + "\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, IMAGINARY_BCRYPT_ROUNDS="4")
    for name in names:
        subprocess.run([sys.executable, "-m", "imaginary.cli", "account",
                        "create", name, "--password-file", passwordFile,
                        "--store", store], cwd=root, env=env, check=True,
                       capture_output=True, timeout=60)


def startIRCServer(store, accounts=(), env=None, tls=None):
    """
    The real server with --irc on a free port; (server, ircPort).
    C{tls}: (certificate file, key file) to listen with TLS.
    """
    import socket
    from liveserver import Server, freePort
    makeAccounts(store, accounts)
    port = freePort()
    endpoint = f"tcp:{port}:interface=127.0.0.1"
    if tls is not None:
        endpoint = (f"ssl:{port}:privateKey={tls[1]}:certKey={tls[0]}:"
                    f"interface=127.0.0.1")
    server = Server(store, env=env, options=["--irc", endpoint]).start()
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return server, port
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(server.stop())
            time.sleep(0.05)
