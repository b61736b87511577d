"""
The telnet front end: a thin adapter from MudTelnetProtocol to the
session layer's line dialogue.

Output Spans are rendered to ANSI at the colour depth the client announced
(none when it announced nothing), wrapped to its NAWS width; out-of-band
data (already plain, under GMCP package names) goes out as GMCP to
clients that asked for the package.
"""

from twisted.internet.protocol import ServerFactory
from zope.interface import implementer

from imaginary.language import columns, renderANSI, wrapANSI
from imaginary.session import IFrontEnd, LineDialogue

from .telnet import MudTelnetProtocol, MudTelnetTransport, toWire


@implementer(IFrontEnd)
class TelnetFrontEnd:
    """IFrontEnd over one telnet connection."""

    kind = "telnet"

    def __init__(self, server, protocol):
        self.protocol = protocol
        peer = protocol.transport.getPeer()
        self.address = getattr(peer, "host", str(peer))
        self.traffic = protocol.transport   # its byte counts (admin page)
        self.session = LineDialogue(server, self)
        self.session.start()

    # handler side (called by MudTelnetProtocol)

    def lineReceived(self, line):
        """A line the player typed, to the session."""
        self.session.lineReceived(line)

    def connectionLost(self):
        """The connection is gone: the session is told."""
        self.session.connectionLost()

    # IFrontEnd: out-of-band data goes out only as GMCP, once the client
    # turned it on (the protocol sets this when it does).
    wantsData = False

    @property
    def width(self):
        """IFrontEnd: the client's window width (NAWS; 80 until it says)."""
        return self.protocol.width

    def sendSpan(self, span):
        """
        IFrontEnd: styled text, rendered for the client's colours and width
        (once per turn for everyone who shares both).
        """
        protocol = self.protocol
        colours, width = protocol.colours, protocol.width
        last = _last
        protocol.sendWire(last[3] if last[0] is span and last[1] == colours
                          and last[2] == width
                          else _wire(span, colours, width))

    def sendData(self, package, data):
        """GMCP, when the client asked for the package."""
        if self.protocol.wantsGMCP(package):
            self.protocol.sendGMCP(package, data)

    def sendPrompt(self, text):
        """IFrontEnd: a prompt (marked with EOR or GA)."""
        self.protocol.sendPrompt(text)

    def setPasswordMode(self, hidden):
        """IFrontEnd: hide (or show again) what the player types."""
        self.protocol.setPasswordMode(hidden)

    def disconnect(self):
        """IFrontEnd: close the connection."""
        self.protocol.disconnect()


_recent = {}      # (id(span), colours, width) -> (span, bytes)
# The last of them, [span, colours, width, bytes]: a room's listeners are
# told one after another, so most look no further than this.
_last = [None, None, None, b""]


def _wire(span, colours, width):
    """
    The telnet bytes for a span: ANSI at the client's colour depth,
    wrapped, IAC doubled, CRLF line ends.  The bystanders of an event are
    sent the very same Span one after another (the actor's own line in
    between), so the last few results are kept.
    """
    key = (id(span), colours, width)
    hit = _recent.get(key)
    if hit is not None and hit[0] is span:
        _last[:] = span, colours, width, hit[1]
        return hit[1]
    text = renderANSI(span, colours)
    if colours is None and len(text) <= width and "\n" not in text and (
            text.isascii() or columns(text) <= width):
        # One short line, no colours: the words and CR LF (sanitized text
        # holds no CR, and UTF-8 no 0xFF byte: no IAC to double).
        data = text.encode("utf-8") + b"\r\n"
    else:
        data = toWire((wrapANSI(text, width) + "\n").encode("utf-8"))
    if len(_recent) >= 16:
        _recent.clear()
    _recent[key] = (span, data)
    _last[:] = span, colours, width, data
    return data


class TelnetFactory(ServerFactory):
    """Makes a telnet transport + MUD protocol + session per connection."""

    noisy = False       # no "Starting factory" line: the server says it

    def __init__(self, server):
        self.server = server

    def buildProtocol(self, addr):
        """
        A telnet transport for one connection, with its protocol and front end.
        """
        server = self.server
        transport = MudTelnetTransport(
            MudTelnetProtocol,
            lambda protocol: TelnetFrontEnd(server, protocol),
            mssp=server.mssp)
        transport.factory = self
        return transport
