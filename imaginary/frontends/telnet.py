"""
Telnet for MUD clients: option negotiation, input limits, compression.

C{MudTelnetTransport} (a Twisted C{TelnetTransport}) parses the telnet
stream and compresses output with MCCP2 once the client agrees.
C{MudTelnetProtocol} sits on it and speaks the options MUD clients expect:

  - ECHO (hide passwords; sent as a plain request and never left waiting on
    Twisted's negotiation state: a client that answers late or not at all
    must never be left with its typing hidden, or a password shown), SGA
    when the client asks for it (not offered: offered, it puts plain telnet
    into character mode, where the client shows Enter as ^M and backspace
    reaches the server as a byte), EOR (a mark after every prompt, or GA for
    clients that refuse EOR), NAWS (the window width, for wrapping),
    TTYPE with MTTS (client name and colour capability), CHARSET (UTF-8),
    BINARY (asked: else GNU telnet sends "Ü"'s byte 0x9c as a command),
    MCCP2, MSSP (server status for MUD lists) and GMCP (JSON messages).

A client that answers none of these still gets a plain, working session:
nothing waits for an answer.  Input is bounded: its byte rate (reading
pauses), a line over C{MAX_LINE_BYTES}, a burst over the flood limit,
invalid UTF-8, and endless subnegotiations each get a clear message (or are
cleaned) rather than growing memory or reaching the game.  Output to a
client that stops reading is bounded too: past C{MAX_OUTPUT_BYTES} queued,
the connection is aborted (not closed politely: that would wait for the
queue to drain, which a client that stopped reading never lets happen).

The protocol knows nothing about the game.  It hands decoded lines to its
C{handler} (C{lineReceived(text)}, C{connectionLost()}) and offers
C{sendText}, C{sendPrompt}, C{sendGMCP} and C{setPasswordMode}.
"""

import functools
import json
import time
import zlib

from twisted.conch.telnet import (
    ECHO, GA, IAC, NAWS, SGA, TelnetProtocol, TelnetTransport)
from twisted.logger import Logger

from .clientinfo import colourDepth, mccpCompressor, msspPayload
from .limits import (
    MAX_LINE_BYTES, MAX_OUTPUT_BYTES, TOO_LONG, FloodGate, InputThrottle,
    screenLine)
from .sockets import outbox, turnNagleOff

log = Logger()

BINARY = b"\x00"
TTYPE = b"\x18"
EOR = b"\x19"
EOR_MARK = b"\xef"
CHARSET = b"\x2a"
MSSP = b"\x46"
MCCP2 = b"\x56"
GMCP = b"\xc9"

TTYPE_IS, TTYPE_SEND = b"\x00", b"\x01"
CHARSET_REQUEST, CHARSET_ACCEPTED, CHARSET_REJECTED = b"\x01", b"\x02", b"\x03"

MAX_SUBNEGOTIATION_BYTES = 8192
DEFAULT_WIDTH = 80

OFFERED_LOCAL = (EOR, MCCP2, MSSP, GMCP, CHARSET)
ACCEPTED_REMOTE = (NAWS, TTYPE, CHARSET, BINARY)


# What may follow IAC in the data stream: EOR, NOP, DM, BRK, IP, AO, AYT,
# EC, EL, GA, SB, WILL, WONT, DO, DONT and IAC itself.
_AFTER_IAC = frozenset(range(0xf1, 0x100)) | {0xef}


def toWire(data):
    """Application bytes as telnet sends them: IAC doubled, CRLF ends."""
    return data.replace(b"\xff", b"\xff\xff").replace(
        b"\r\n", b"\n").replace(b"\n", b"\r\n")


@functools.lru_cache(maxsize=64)
def _promptWire(text, eor):
    # A prompt's bytes with its mark: every command ends with one of a few.
    return toWire(text.encode("utf-8")) + (IAC + EOR_MARK if eor else IAC + GA)


class MudTelnetTransport(TelnetTransport):
    """TelnetTransport with MCCP2 output and bounded subnegotiations."""

    compressor = None
    # Bytes on the wire each way and when the client last sent any, for
    # the admin page (TelnetFrontEnd.traffic).
    bytesIn = bytesOut = 0
    lastInput = None

    def connectionMade(self):
        """
        Note the time (for idle checks), bound the input's byte rate and
        start the telnet machinery.
        """
        self.lastInput = time.monotonic()
        self.throttle = InputThrottle(self.transport)
        TelnetTransport.connectionMade(self)

    def _write(self, data):
        if self.compressor is not None:
            data = self.compressor.compress(data) + self.compressor.flush(
                zlib.Z_SYNC_FLUSH)
        self.bytesOut += len(data)
        outbox.write(self.transport, data)

    def write(self, data):
        """Application data out: IAC doubled, CRLF ends, MCCP2 once on."""
        self._write(toWire(data))

    def startCompression(self):
        """Send the MCCP2 start marker; everything after is compressed."""
        outbox.write(self.transport, IAC + b"\xfa" + MCCP2 + IAC + b"\xf0")
        self.compressor = mccpCompressor()

    def stopCompression(self):
        """End the compressed stream (Z_FINISH); back to plain telnet."""
        if self.compressor is not None:
            outbox.write(self.transport, self.compressor.flush(zlib.Z_FINISH))
            self.compressor = None

    def loseConnection(self):
        """Close once what this turn wrote has gone out (see sockets)."""
        outbox.flush(self.transport)
        self.transport.loseConnection()

    heldCR = False      # the last packet's data ended with a CR

    def dataReceived(self, data):
        """
        Bytes in: counted, rate-limited (limits.InputThrottle) and cleaned,
        parsed by Twisted's telnet, with an endless subnegotiation dropped
        past C{MAX_SUBNEGOTIATION_BYTES}.
        """
        n = len(data)
        self.bytesIn += n
        self.lastInput = time.monotonic()
        self.throttle.received(n)
        if self.state == "data" and 0xff not in data:
            # Plain text (most packets: a line typed): Twisted's parser would
            # walk it byte by byte only to hand it on whole, as this does.
            # (The IAC byte as an int: "b'\xff' in data" first tries the
            # bytes as an index, raising and clearing a TypeError each
            # time, ten times the cost.)
            data = self._lineEnds(data, True)
            if data:
                self.protocol.dataReceived(data)
            return
        data = self._clean(data)
        # Twisted buffers a subnegotiation until IAC SE: bound it.
        TelnetTransport.dataReceived(self, data)
        if len(getattr(self, "commands", ())) > MAX_SUBNEGOTIATION_BYTES:
            log.info("dropping an endless telnet subnegotiation")
            self.commands = []
            self.state = "data"

    def _clean(self, data):
        """
        Prepare a packet for Twisted's parser, which has two defects for
        a game: (1) an "IAC <byte>" that names no telnet command (an IAC
        SE outside a subnegotiation, IAC followed by a plain byte) makes
        it raise, dropping the connection and the rest of the packet, so
        such pairs are removed (RFC 854 says to ignore them); (2) it holds
        a CR that ends a packet until the next byte comes, but a person
        in character mode pressed Enter and waits, and it reads "CR CR"
        as one line end.  So in the data between commands every line end
        (CR LF, CR NUL, a bare CR, LF) becomes one LF here, and an LF or
        NUL that completes a CR from the previous packet is dropped.
        """
        state = self.state
        if state == "data" and 0xff not in data:     # (see dataReceived)
            return self._lineEnds(data, True)       # the common case
        i = 0
        inSB = state.startswith("subnegotiation")
        if state == "escaped" and data:
            if data[0] not in _AFTER_IAC:
                self.state, data = "data", data[1:]
            else:
                inSB = data[0] == 0xfa
                i = 2 if 0xfb <= data[0] <= 0xfe else 1
        elif state == "command":
            i = 1                               # the option byte
        elif state == "subnegotiation-escaped" and data:
            inSB, i = data[0] != 0xf0, 1
        if i or inSB:
            self.heldCR = False
        out = bytearray(data[:i])
        n = len(data)
        while i < n:
            j = data.find(b"\xff", i)
            end = n if j < 0 else j
            if inSB:
                out += data[i:end]
            else:
                out += self._lineEnds(data[i:end], atEnd=end == n)
            if j < 0:
                break
            if j + 1 >= n:
                out += data[j:]                 # IAC ends the packet
                break
            self.heldCR = False
            command = data[j + 1]
            if inSB:
                inSB = command != 0xf0          # IAC SE ends it
                size = 2
            elif command == 0xfa:               # IAC SB
                inSB, size = True, 2
            elif 0xfb <= command <= 0xfe:       # WILL WONT DO DONT <opt>
                size = 3
            elif command in _AFTER_IAC:
                size = 2
            else:
                i = j + 2                       # unknown: dropped
                continue
            out += data[j:j + size]
            i = j + size
        return bytes(out)

    def _lineEnds(self, chunk, atEnd):
        """Data between commands, with every line end made one LF."""
        if self.heldCR:
            if chunk[:1] in (b"\n", b"\0"):
                chunk = chunk[1:]
            self.heldCR = False
        crs = chunk.count(b"\r")
        if not crs:
            return chunk
        if crs == 1 and chunk.endswith(b"\r\n"):
            return chunk[:-2] + b"\n"      # one line typed, CR LF
        self.heldCR = atEnd and chunk.endswith(b"\r")
        return chunk.replace(b"\r\n", b"\n").replace(
            b"\r\0", b"\n").replace(b"\r", b"\n")

    def telnet_DO(self, option):
        # ECHO is the protocol's own business (setPasswordMode): a client's
        # DO ECHO is the answer to our WILL ECHO, not a new negotiation.
        """
        A client's DO: negotiated as Twisted does, except ECHO, which answers
        our own WILL ECHO.
        """
        if option != ECHO:
            TelnetTransport.telnet_DO(self, option)

    def telnet_DONT(self, option):
        """A client's DONT: as for L{telnet_DO}, ECHO is ours."""
        if option != ECHO:
            TelnetTransport.telnet_DONT(self, option)

    def sendEcho(self, hidden):
        """IAC WILL ECHO (we echo: the client stops) or IAC WONT ECHO."""
        self._write(IAC + (b"\xfb" if hidden else b"\xfc") + ECHO)

    def connectionLost(self, reason):
        """Drop the compressor, then let Twisted's telnet finish."""
        self.compressor = None
        self.throttle.stop()
        TelnetTransport.connectionLost(self, reason)


class MudTelnetProtocol(TelnetProtocol):
    """
    The MUD side of a telnet connection.  C{handlerFactory(protocol)}
    makes the object that receives lines (the session layer).
    """

    def __init__(self, handlerFactory, mssp=None):
        self.handlerFactory = handlerFactory
        self.mssp = mssp or (lambda: {})
        self.handler = None
        self.width = DEFAULT_WIDTH
        self.height = 24
        self.clientName = None
        self.terminalTypes = []
        self.mtts = 0
        # None, "16", "256" or "truecolour", from MTTS and TTYPE.
        self.colours = None
        self.charset = "utf-8"
        self._charsetRequested = False
        self.gmcpSupports = set()
        self.gmcpEnabled = False
        self.eorEnabled = False
        self.passwordMode = False
        self._buffer = b""
        self._discarding = False
        self._flood = FloodGate()
        self._cutOff = False        # aborted for not reading

    # -- connection ------------------------------------------------------------

    def connectionMade(self):
        """
        Turn Nagle off, offer the options MUD clients expect (EOR, MCCP2,
        MSSP, GMCP, CHARSET; asking for NAWS, TTYPE, CHARSET), and make the
        handler.
        """
        transport = self.transport
        turnNagleOff(transport.transport)
        for option in OFFERED_LOCAL:
            transport.will(option).addErrback(lambda f: None)
        for option in ACCEPTED_REMOTE:
            transport.do(option).addErrback(lambda f: None)
        self.handler = self.handlerFactory(self)

    def connectionLost(self, reason):
        """Tell the handler, once."""
        handler, self.handler = self.handler, None
        if handler is not None:
            handler.connectionLost()

    # -- option negotiation ----------------------------------------------------

    def enableLocal(self, option):
        """
        ITelnetProtocol: whether we agree to an option on our side, starting
        what it needs (compression, EOR marks, GMCP, the MSSP table).
        """
        if option == MCCP2:
            self.transport.startCompression()
            log.info("MCCP2 compression started for {address}",
                     address=getattr(self.transport.getPeer(), "host", "?"))
            return True
        if option == EOR:
            self.eorEnabled = True
            return True
        if option == MSSP:
            from twisted.internet import reactor
            reactor.callLater(0, self._sendMSSP)
            return True
        if option == GMCP:
            self._setGMCP(True)
            return True
        if option == CHARSET:
            self._requestCharset()
            return True
        return option in (SGA, BINARY)

    def disableLocal(self, option):
        """
        ITelnetProtocol: stop an option on our side (compression, EOR marks,
        GMCP).
        """
        if option == MCCP2:
            self.transport.stopCompression()
        elif option == EOR:
            self.eorEnabled = False
        elif option == GMCP:
            self._setGMCP(False)

    def _setGMCP(self, enabled):
        # The handler's wantsData follows: read for every event told, it
        # is an attribute, not a question asked each time.
        self.gmcpEnabled = enabled
        if self.handler is not None:
            self.handler.wantsData = enabled

    def enableRemote(self, option):
        """
        ITelnetProtocol: whether we let the client turn an option on (and ask
        for the terminal type or the charset when it does).
        """
        if option == TTYPE:
            self._askTerminalType()
            return True
        if option == CHARSET:
            self._requestCharset()
            return True
        return option in ACCEPTED_REMOTE

    def _requestCharset(self):
        # RFC 2066: once either side agreed to CHARSET, ask for UTF-8 (once).
        if not self._charsetRequested:
            self._charsetRequested = True
            self.transport.requestNegotiation(CHARSET, CHARSET_REQUEST +
                                              b";UTF-8")

    def disableRemote(self, option):
        """
        ITelnetProtocol: nothing to undo when the client turns an option off.
        """
        pass

    def unhandledSubnegotiation(self, command, data):
        """
        A subnegotiation: the window size (NAWS), terminal type (TTYPE, MTTS),
        charset or GMCP; a malformed one is ignored.
        """
        payload = b"".join(data)
        try:
            if command == NAWS:
                self._naws(payload)
            elif command == TTYPE:
                self._ttype(payload)
            elif command == CHARSET:
                self._charset(payload)
            elif command == GMCP:
                self._gmcp(payload)
        except Exception:
            log.failure("bad telnet subnegotiation {command!r}",
                        command=command)

    def unhandledCommand(self, command, argument):
        """Other telnet commands (GA, NOP, ...) mean nothing to the game."""
        pass

    def _naws(self, payload):
        if len(payload) != 4:
            return
        width = payload[0] * 256 + payload[1]
        height = payload[2] * 256 + payload[3]
        # 0x0 (as plain telnet under expect sends) means "unknown".
        self.width = width if 20 <= width <= 1000 else DEFAULT_WIDTH
        self.height = height if height else 24

    def _askTerminalType(self):
        self.transport.requestNegotiation(TTYPE, TTYPE_SEND)

    def _ttype(self, payload):
        if not payload.startswith(TTYPE_IS):
            return
        value = payload[1:].decode("ascii", "replace")[:64]
        if value in self.terminalTypes or len(self.terminalTypes) >= 4:
            return
        self.terminalTypes.append(value)
        if len(self.terminalTypes) == 1:
            self.clientName = value
        if value.upper().startswith("MTTS "):
            try:
                self.mtts = int(value[5:])
            except ValueError:
                pass
        else:
            self._askTerminalType()
        # Worked out as the client tells it, not per line sent.
        self.colours = colourDepth(self.mtts, self.terminalTypes)

    def _charset(self, payload):
        if payload.startswith(CHARSET_ACCEPTED):
            self.charset = "utf-8"

    def _gmcp(self, payload):
        text = payload.decode("utf-8", "replace")
        package, _, body = text.partition(" ")
        package = package.lower()
        try:
            data = json.loads(body) if body.strip() else None
        except ValueError:
            return
        if package == "core.hello" and isinstance(data, dict):
            self.clientName = str(data.get("client", ""))[:64] or \
                self.clientName
        elif package in ("core.supports.set", "core.supports.add") and \
                isinstance(data, list):
            if package.endswith("set"):
                self.gmcpSupports = set()
            for entry in data[:64]:
                if isinstance(entry, str) and entry.split():
                    # "Room.Info 1" asks for part of the Room package.
                    name = entry.split()[0].lower()
                    self.gmcpSupports.update((name, name.split(".")[0]))
        elif package == "core.supports.remove" and isinstance(data, list):
            for entry in data[:64]:
                if isinstance(entry, str) and entry.split():
                    self.gmcpSupports.discard(entry.split()[0].lower())
        elif package == "core.ping":
            self.sendGMCP("Core.Ping", None)

    def _sendMSSP(self):
        if self.transport is None:
            return
        self.transport.requestNegotiation(MSSP, msspPayload(self.mssp()))

    # -- input -------------------------------------------------------------

    def dataReceived(self, data):
        """
        Application bytes: cut into lines (any line end), each bounded, flood-
        checked, decoded as UTF-8 and handed to the handler.
        """
        if data and data.find(b"\n") == len(data) - 1 and \
                not self._buffer and not self._discarding:
            self._line(data[:-1])     # one whole line: the common case
            return
        self._buffer += data
        while True:
            # The transport has turned every network line end (CR LF, CR
            # NUL, a bare CR, LF) into one LF: each LF ends one line.
            end = self._buffer.find(b"\n")
            if end < 0:
                break
            raw, self._buffer = self._buffer[:end], self._buffer[end + 1:]
            if self._discarding:
                self._discarding = False
                continue
            self._line(raw)
            if self.transport is None:
                return
        if len(self._buffer) > MAX_LINE_BYTES:
            self._buffer = b""
            if not self._discarding:
                self._discarding = True
                self.sendText(TOO_LONG)

    def _line(self, raw):
        if self.passwordMode:
            # The client echoed nothing, not even the Enter: end the line
            # it typed on, or the answer would follow the prompt there.
            self.sendWire(b"\r\n")
        if len(raw) > MAX_LINE_BYTES:
            self.sendText(TOO_LONG)
            return
        text = screenLine(self._flood, raw, self.sendText)
        if text is not None and self.handler is not None:
            self.handler.lineReceived(text)

    # -- output ------------------------------------------------------------

    def write(self, data):
        """Write bytes, closing a client that has stopped reading."""
        self.sendWire(toWire(data))

    def sendWire(self, data):
        """Write bytes already in telnet form (see toWire)."""
        transport = self.transport      # (every line told comes here)
        if transport is None:
            return
        tcp = transport.transport
        if tcp._tempDataLen or tcp.dataBuffer or \
                transport.compressor is not None:
            if tcp._tempDataLen + len(tcp.dataBuffer) > MAX_OUTPUT_BYTES:
                self._stoppedReading()
            else:
                transport._write(data)
            return
        # (transport._write's case with nothing queued and no compression)
        transport.bytesOut += len(data)
        outbox.write(tcp, data)

    def _stoppedReading(self):
        """
        The client let more than MAX_OUTPUT_BYTES pile up: abort the TCP
        connection.  loseConnection() would wait for the queue to drain,
        which never happens, while the session and the buffers live on;
        the abort ends it now (connectionLost follows from the reactor).
        Every later write until then comes here too: said once.
        """
        if self._cutOff:
            return
        self._cutOff = True
        log.info("closing a telnet client that stopped reading")
        self.transport.transport.abortConnection()

    def sendText(self, text):
        """Send text (already rendered for this client), then a newline."""
        self.write(text.encode("utf-8") + b"\n")

    def sendPrompt(self, text):
        """Send a prompt, marked with EOR (or GA) for the client."""
        # One write: the prompt and its mark travel together.
        self.sendWire(_promptWire(text, self.eorEnabled))

    def sendGMCP(self, package, data):
        """Send a GMCP message if the client enabled GMCP."""
        if not self.gmcpEnabled or self.transport is None:
            return
        body = package if data is None else package + " " + json.dumps(data)
        self.transport.requestNegotiation(GMCP, body.encode("utf-8"))

    def wantsGMCP(self, package):
        """Whether the client asked for a GMCP package (e.g. 'room')."""
        return self.gmcpEnabled and (package.split(".")[0].lower() in
                                     self.gmcpSupports)

    def setPasswordMode(self, hidden):
        """
        Ask the client to stop (or resume) echoing typed input.  Sent as
        a plain WILL/WONT ECHO each time: Twisted's negotiation would
        refuse a WONT while a late client's answer to the WILL is still
        due (its typing then stays hidden for good), and a WILL after a
        WONT the client never answered (the next password then shows).
        """
        if hidden == self.passwordMode or self.transport is None:
            return
        self.passwordMode = hidden
        self.transport.sendEcho(hidden)

    def disconnect(self):
        """Close the connection after sending what is queued."""
        if self.transport is not None:
            self.transport.stopCompression()
            self.transport.loseConnection()

