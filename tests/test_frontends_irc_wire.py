"""
IRC messages on the wire (imaginary.frontends.irc.wire), and hypothesis
over arbitrary lines sent to a real connection: nothing crashes, every
reply is a well-formed message, and numerics are ones we mean.
"""

from hypothesis import HealthCheck, given, settings, strategies as st

from imaginary.frontends.irc import wire
from imaginary.frontends.limits import FloodGate
from irckit import Client, playing
from sessionkit import fastHashes, newAccount, server  # noqa: F401


def test_parse_tags_source_params_and_trailing():
    m = wire.parse("@time=2026-01-01T00:00:00.000Z;a=b\\sc\\:d;flag "
                   ":nick!u@h privmsg  #chan   :hello  world ")
    assert m.command == "PRIVMSG"
    assert m.params == ("#chan", "hello  world ")
    assert m.tags == {"time": "2026-01-01T00:00:00.000Z", "a": "b c;d",
                      "flag": ""}
    assert m.source == "nick!u@h"
    assert wire.parse("NICK :") == wire.Message("NICK", ("",))
    assert wire.parse("   ") is None
    assert wire.parse("@only=tags") is None
    assert wire.parse(":source") is None
    assert wire.parse("CAP REQ :") == wire.Message("CAP", ("REQ", ""))


def test_format_adds_the_colon_only_where_needed():
    assert wire.format("AUTHENTICATE", "+") == b"AUTHENTICATE +\r\n"
    assert wire.format("PRIVMSG", "#a", "hi there", source="n!u@h") == \
        b":n!u@h PRIVMSG #a :hi there\r\n"
    assert wire.format("TOPIC", "&here", "") == b"TOPIC &here :\r\n"
    assert wire.format("X", ":colon") == b"X ::colon\r\n"
    # Line breaks never reach the wire (they would end the message).
    assert wire.format("NOTICE", "n", "a\r\nQUIT") == \
        b"NOTICE n :a  QUIT\r\n"
    tagged = wire.format("PING", "x", tags={"a": "b c;d\\", "f": None})
    assert tagged == b"@a=b\\sc\\:d\\\\;f PING x\r\n"
    assert wire.parse(tagged.decode().rstrip("\r\n")).tags == {
        "a": "b c;d\\", "f": ""}


def test_decode_never_fails():
    assert wire.decode("zoë".encode()) == "zoë"
    assert wire.decode("zoë".encode("latin-1")) == "zoë"
    assert wire.decode(b"a\x00b") == "ab"


def test_split_at_words_and_between_characters():
    assert wire.split("one two three", 8) == ["one two", "three"]
    assert wire.split("a\n\nb", 10) == ["a", "b"]
    assert wire.split("ééééé", 8) == ["éééé", "é"]
    for piece in wire.split("ü" * 1000, 301):
        assert len(piece.encode()) <= 301


def test_server_time_round_trip():
    value = wire.serverTime(1234567890.5)
    assert value == "2009-02-13T23:31:30.500Z"
    assert wire.parseServerTime(value) == 1234567890.5
    assert wire.parseServerTime("yesterday") is None
    assert wire.parseServerTime("2009-13-45T99:99:99Z") is None


def test_strip_formatting():
    assert wire.stripFormatting("\x02bold\x02 \x0304,05red\x03 \x1fu") == \
        "bold red u"


@given(st.text(max_size=2000), st.integers(min_value=8, max_value=600))
def test_split_keeps_every_word_within_the_room(text, room):
    pieces = wire.split(text, room)
    for piece in pieces:
        assert piece and len(piece.encode("utf-8")) <= room
        assert "\n" not in piece
    assert "".join("".join(pieces).split()) == "".join(text.split())


# Lines that look like IRC: a command (known or not) and parameters, or
# any bytes at all.
COMMANDS = ["PRIVMSG", "NOTICE", "JOIN", "PART", "NAMES", "WHO", "TOPIC",
            "MODE", "CAP", "AUTHENTICATE", "NICK", "USER", "PASS", "PING",
            "PONG", "CHATHISTORY", "LIST", "WHOIS", "AWAY", "ISON",
            "USERHOST", "KICK", "OPER", "123", ""]
TARGETS = ["&here", "#ooc", "#", "&", "*game", "Bob", "*", "", ":", "0",
           "#a,#b", "&here,*game"]
WORDS = st.text(alphabet=st.characters(blacklist_characters="\r\n\x00 "),
                max_size=12)
ircLines = st.one_of(
    st.binary(max_size=700).map(lambda b: b.replace(b"\n", b"")),
    st.tuples(st.sampled_from(COMMANDS), st.sampled_from(TARGETS),
              st.lists(WORDS, max_size=4), st.text(max_size=60)).map(
        lambda t: " ".join([t[0], t[1]] + t[2] + [":" + t[3]]).replace(
            "\n", " ").replace("\r", " ").encode("utf-8", "surrogatepass")))

# Numerics a reply may carry: anything else is a reply we didn't mean.
KNOWN = {"001", "002", "003", "004", "005", "221", "302", "303", "305",
         "306", "311", "315", "318", "321", "322", "323", "324", "331",
         "332", "352", "353", "366", "368", "375", "372", "376", "401",
         "403", "409", "410", "411", "412", "417", "421", "431", "432",
         "451", "461", "462", "464", "482", "501", "502", "900", "903",
         "904", "905", "906", "907", "908"}


def checkReplies(client):
    for line in client.take():
        assert line.message is not None, line
        if line.command.isdigit():
            assert line.command in KNOWN, line
        body = line.text.split(" ", 1)[1] if line.text.startswith("@") \
            else line.text
        assert len(body.encode("utf-8")) + 2 <= wire.MAX_MESSAGE, line
        assert "Something went wrong" not in line.text, line


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(ircLines, min_size=1, max_size=6))
def test_arbitrary_lines_before_registration(server, lines):
    client = Client(server)
    for raw in lines:
        client.feed(raw + b"\r\n")
        checkReplies(client)
    client.drop()


def test_arbitrary_lines_while_playing(server):
    newAccount(server, "alice")
    client = playing(server, "alice", "Alice",
                     caps=("sasl", "server-time", "message-tags", "batch",
                           "echo-message", "draft/chathistory"))
    client.protocol.gate = FloodGate(rate=1e9, burst=1e9)

    @settings(max_examples=300, deadline=None)
    @given(st.lists(ircLines, min_size=1, max_size=4))
    def play(lines):
        for raw in lines:
            if raw.upper().lstrip().startswith((b"QUIT", b"PRIVMSG *GAME")):
                continue    # leaving, or game commands (quit, shutdown...)
            client.feed(raw + b"\r\n")
            checkReplies(client)
        assert not client.closed
    play()
