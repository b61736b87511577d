"""
A telnet client over a raw socket, for tests where the bytes are the point.

It answers the server's option offers the way a given MUD client would
(agreeing only to the options it was told to), answers TTYPE and NAWS,
decompresses MCCP2, and records text, GMCP messages and prompt marks
(EOR/GA) in the order they came.  Written for tests, not for players.
"""

import json
import socket
import time
import zlib

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
GA, EOR_MARK = 249, 239
ECHO, SGA, TTYPE, EOR, NAWS, CHARSET = 1, 3, 24, 25, 31, 42
MSSP, MCCP2, GMCP = 70, 86, 201


class RawTelnet:
    """
    C{accept}: options the server may enable (we answer DO);
    C{offer}: options we enable when asked (we answer WILL);
    C{ttypes}: what we answer to successive TTYPE SEND requests;
    C{size}: (width, height) sent with NAWS.
    """

    def __init__(self, port, accept=(), offer=(), ttypes=(), size=(80, 24),
                 recvBuffer=None, source="127.0.0.1"):
        self.sock = socket.socket()
        if recvBuffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                                 recvBuffer)
        self.sock.bind((source, 0))
        self.sock.connect(("127.0.0.1", port))
        self.accept, self.offer = set(accept), set(offer)
        self.ttypes, self.ttypeIndex = list(ttypes), 0
        self.size = size
        self.zlib = None
        self.compressedBytes = 0
        self.uncompressedBytes = 0  # what those bytes held (GMCP too)
        self.pending = b""
        self.text = bytearray()
        self.gmcp = []          # (package, data)
        self.subnegotiations = []   # (option, payload), every one seen
        self.marks = 0          # EOR or GA seen
        self.echoHidden = False
        self.closed = False

    # -- sending ---------------------------------------------------------

    def send(self, data):
        self.sock.settimeout(30)
        self.sock.sendall(data)

    def line(self, text):
        self.send(text.encode("utf-8").replace(b"\xff", b"\xff\xff")
                  + b"\r\n")

    def sendGMCP(self, package, data=None):
        body = package if data is None else package + " " + json.dumps(data)
        self.send(bytes([IAC, SB, GMCP]) + body.encode() + bytes([IAC, SE]))

    # -- receiving -------------------------------------------------------

    def pump(self, timeout=0.05):
        """Read what has arrived (waiting up to C{timeout} for the first)."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (socket.timeout, BlockingIOError):
            return False
        except ConnectionError:
            data = b""
        if not data:
            self.closed = True
            return False
        if self.zlib is not None:
            self.compressedBytes += len(data)
            data = self.zlib.decompress(data)
            self.uncompressedBytes += len(data)
        self.pending += data
        self._parse()
        return True

    def _parse(self):
        buf = self.pending
        i = 0
        while i < len(buf):
            byte = buf[i]
            if byte != IAC:
                end = buf.find(bytes([IAC]), i)
                end = len(buf) if end < 0 else end
                self.text += buf[i:end]
                i = end
                continue
            if i + 1 >= len(buf):
                break
            command = buf[i + 1]
            if command == IAC:
                self.text.append(IAC)
                i += 2
            elif command in (WILL, WONT, DO, DONT):
                if i + 2 >= len(buf):
                    break
                self._negotiate(command, buf[i + 2])
                i += 3
            elif command == SB:
                end = buf.find(bytes([IAC, SE]), i)
                if end < 0:
                    break
                option, payload = buf[i + 2], buf[i + 3:end]
                i = end + 2
                if option == MCCP2:
                    # Everything after the marker is one zlib stream.
                    self.zlib = zlib.decompressobj()
                    rest = buf[i:]
                    self.compressedBytes += len(rest)
                    buf = self.zlib.decompress(rest)
                    self.uncompressedBytes += len(buf)
                    i = 0
                    continue
                self._subnegotiation(option, payload.replace(b"\xff\xff",
                                                             b"\xff"))
            else:
                if command in (GA, EOR_MARK):
                    self.marks += 1
                    self.text += b"<MARK>"
                i += 2
        self.pending = buf[i:]

    def _negotiate(self, command, option):
        if command == WILL:
            ok = option in self.accept
            self.send(bytes([IAC, DO if ok else DONT, option]))
            if option == ECHO:
                self.echoHidden = ok
        elif command == WONT:
            if option == ECHO:
                self.echoHidden = False
        elif command == DO:
            ok = option in self.offer
            self.send(bytes([IAC, WILL if ok else WONT, option]))
            if ok and option == NAWS:
                w, h = self.size
                self.send(bytes([IAC, SB, NAWS, w >> 8, w & 255, h >> 8,
                                 h & 255, IAC, SE]))

    def _subnegotiation(self, option, payload):
        self.subnegotiations.append((option, payload))
        if option == CHARSET and payload[:1] == b"\x01":
            self.send(bytes([IAC, SB, CHARSET, 2]) + b"UTF-8" +
                      bytes([IAC, SE]))
        if option == TTYPE and payload[:1] == b"\x01" and self.ttypes:
            name = self.ttypes[min(self.ttypeIndex, len(self.ttypes) - 1)]
            self.ttypeIndex += 1
            self.send(bytes([IAC, SB, TTYPE, 0]) + name.encode() +
                      bytes([IAC, SE]))
        elif option == GMCP:
            package, _, body = payload.decode("utf-8").partition(" ")
            self.gmcp.append((package, json.loads(body) if body else None))

    def expect(self, wanted, timeout=10.0):
        """Wait until C{wanted} (str) is in the text; returns the text."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.shown()
            if wanted in shown:
                return shown
            if self.closed or time.monotonic() > deadline:
                raise AssertionError(f"{wanted!r} not seen; got:\n{shown}")
            self.pump(0.1)

    def shown(self):
        return self.text.decode("utf-8", "replace")

    def take(self):
        """The text so far, forgetting it."""
        shown = self.shown()
        self.text = bytearray()
        return shown

    def close(self):
        self.sock.close()
