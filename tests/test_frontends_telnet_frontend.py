"""
The telnet front end over Twisted's StringTransport, on a real server in
memory: the bytes a client sees for the login conversation typed ahead in
character mode, and the session layer's plain data carried as GMCP.
"""

import json
import re

from hypothesis import given, settings, strategies as st
from twisted.internet.testing import StringTransport
from zope.interface.verify import verifyObject

from imaginary.frontends.telnet import toWire
from imaginary.frontends.telnet_frontend import (
    TelnetFactory, TelnetFrontEnd, _wire)
from imaginary.language import Span, renderANSI, wrapANSI
from imaginary.session import IFrontEnd

from sessionkit import fastHashes, server, settle  # noqa

IAC, SB, SE, DO = b"\xff", b"\xfa", b"\xf0", b"\xfd"
GMCP = b"\xc9"


class QueueingTransport(StringTransport):
    """StringTransport with the output buffers a TCP transport keeps."""

    _tempDataLen = 0
    dataBuffer = b""


def connect(server):
    transport = TelnetFactory(server).buildProtocol(None)
    tcp = QueueingTransport()
    transport.makeConnection(tcp)
    return transport, tcp


def text(tcp):
    """What a person would read: telnet commands removed, CRLF as LF."""
    data = re.sub(rb"\xff\xfa.*?\xff\xf0", b"", tcp.value(), flags=re.S)
    data = re.sub(rb"\xff[\xfb-\xfe].|\xff[\xef\xf9]", b"", data)
    return data.replace(b"\r\n", b"\n").decode("utf-8")


def gmcp(tcp):
    """The GMCP messages sent, as (package, data)."""
    found = []
    for body in re.findall(rb"\xff\xfa\xc9(.*?)\xff\xf0", tcp.value(),
                           flags=re.S):
        package, _, payload = body.decode("utf-8").partition(" ")
        found.append((package, json.loads(payload) if payload else None))
    return found


def until(tcp, marker, limit=200):
    for _ in range(limit):
        if marker in text(tcp):
            return
        settle(0.02)
    raise AssertionError(text(tcp))


def test_the_front_end_provides_IFrontEnd(server):
    transport, tcp = connect(server)
    frontEnd = transport.protocol.handler
    assert isinstance(frontEnd, TelnetFrontEnd)
    assert verifyObject(IFrontEnd, frontEnd)
    transport.loseConnection()


def test_a_login_typed_ahead_in_character_mode(server):
    transport, tcp = connect(server)
    # GNU telnet in character mode: a key at a time, Enter as CR NUL.
    for key in b"new\r\0alice\r\0":
        transport.dataReceived(bytes([key]))
    assert tcp.value().endswith(IAC + b"\xfb\x01" + b"Choose a password "
                                b"(6 or more characters): " + IAC + b"\xf9")
    transport.dataReceived(IAC + DO + b"\x01")   # the client stops echoing
    for key in b"secret99\r\0secret99\r\0":
        transport.dataReceived(bytes([key]))
    transport.dataReceived(b"create Alice female\r\0say hi\r\0")
    until(tcp, "You say, 'hi'")
    shown = text(tcp)
    assert shown.index("Choose an account name: ") < \
        shown.index("Account alice created.") < \
        shown.index("Alice is born.") < shown.index("You say, 'hi'")
    assert "One moment" not in shown
    # Once the account exists, typing is shown again (WONT ECHO).
    assert IAC + b"\xfc\x01" in tcp.value()
    transport.loseConnection()


def test_plain_data_goes_out_as_the_gmcp_packages_asked_for(server):
    transport, tcp = connect(server)
    transport.dataReceived(IAC + DO + GMCP)
    transport.dataReceived(IAC + SB + GMCP + b'Core.Supports.Set ["Room 1"]'
                           + IAC + SE)
    transport.dataReceived(b"new\r\nbobby\r\nsecret99\r\nsecret99\r\n"
                           b"create Bob male\r\nscore\r\n")
    until(tcp, "Level 1, experience 0.")
    messages = gmcp(tcp)
    rooms = [data for package, data in messages if package == "Room.Info"]
    assert rooms and rooms[0]["name"] == "Town Square"
    assert sorted(rooms[0]["exits"]) == ["east", "north", "west"]
    # Char was not asked for: no vitals, although score produced them.
    assert not [p for p, _ in messages if p.startswith("Char.")]
    transport.loseConnection()


# Words, and what likes to break them: IAC, escapes, controls, line ends.
# (No lone surrogates: every front end decodes what players type from
# UTF-8, replacing what is not.)
_letters = st.characters(blacklist_categories=("Cs",))
_leaf = st.lists(_letters | st.sampled_from(
    ["\xff", "\u00ff", "\x1b[31m", "\r", "\n", "\t", "\x00", " ", "ab",
     "日本語", "e\u0301"]),
    max_size=20).map("".join)
_spans = st.recursive(_leaf.map(lambda t: Span((t,))),
                      lambda kids: st.lists(kids | _leaf, max_size=4).map(
                          lambda children: Span(children)), max_leaves=8)


@settings(max_examples=400)
@given(_spans, st.integers(min_value=20, max_value=120))
def test_a_line_for_a_client_without_colours_is_the_general_rendering(
        span, width):
    # A short printable line skips the renderer, the wrapper and the IAC
    # doubling: the bytes must be theirs all the same.
    general = toWire((wrapANSI(renderANSI(span, None), width) + "\n")
                     .encode("utf-8"))
    assert _wire(span, None, width) == general


def test_the_client_is_asked_to_send_binary(server):
    # 8-bit input: GNU telnet sends UTF-8 as typed only in binary mode
    # (test_frontends_realclients types "Über" and "日本語" through it).
    transport, tcp = connect(server)
    assert IAC + DO + b"\x00" in tcp.value()
    tcp.clear()
    transport.dataReceived(IAC + b"\xfb\x00")      # WILL BINARY
    transport.dataReceived(IAC + DO + b"\x00")     # DO BINARY
    assert tcp.value() == IAC + b"\xfb\x00"        # agreed: WILL BINARY
    transport.loseConnection()


def test_one_line_to_clients_of_other_colours_and_widths(server):
    """
    A room's line is rendered once for each colour depth and width and
    the rendering reused for the next listener: each client still reads
    it as its own terminal needs, in whatever order they are told.
    """
    from imaginary.language import styled
    looks = [(None, 80), ("16", 80), (None, 24), (None, 80), ("256", 24)]
    clients = [connect(server) for _ in looks]
    for (transport, tcp), (colours, width) in zip(clients, looks):
        transport.protocol.colours, transport.protocol.width = colours, width
        tcp.clear()
    span = styled("Somebody says, '",
                  styled("a line long enough to wrap at 24 columns",
                         role="speech"), "'")
    for order in (clients, clients[::-1]):
        for transport, _ in order:
            transport.protocol.handler.sendSpan(span)
    for (transport, tcp), (colours, width) in zip(clients, looks):
        wire = toWire((wrapANSI(renderANSI(span, colours), width) + "\n")
                      .encode("utf-8"))
        assert tcp.value() == wire * 2, (colours, width)
