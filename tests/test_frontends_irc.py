"""
The IRC front end's protocol on a StringTransport, over a real server in
memory: registration (CAP, SASL, PASS, the welcome), the limits, and the
game as IRC (&here, *game, tells, #channels, moves, history, resuming).
"""

import time

from twisted.internet.task import Clock
from zope.interface.verify import verifyObject

from imaginary.frontends.irc import protocol as ircprotocol
from imaginary.frontends.irc import wire
from imaginary.frontends.limits import TOO_FAST
from imaginary.session import IFrontEnd
from imaginary.session.login import LoginThrottled
from irckit import Client, playing, register, sasl, settleIRC
from sessionkit import fastHashes, newAccount, server  # noqa: F401

ALL = ("sasl", "server-time", "message-tags", "echo-message", "batch",
       "draft/chathistory")


def commands(lines):
    return [line.command for line in lines]


def test_registration_with_cap_302_and_sasl(server):
    newAccount(server, "alice")
    client = Client(server)
    client.send("CAP LS 302")
    [ls] = client.take()
    assert ls.params[:2] == ("*", "LS")
    offered = ls.params[2].split()
    assert "sasl=PLAIN" in offered and "server-time" in offered
    client.send("NICK Alice", "USER alice 0 * :Alice A")
    assert client.take() == []      # CAP negotiation holds registration
    client.send("CAP REQ :sasl batch", "AUTHENTICATE PLAIN")
    assert [line.text for line in client.take()] == [
        ":imaginary CAP Alice ACK :sasl batch", "AUTHENTICATE +"]
    client.send("AUTHENTICATE " + sasl("alice"), "CAP END")
    lines = client.untilCommand("376")
    numerics = [c for c in commands(lines) if c.isdigit()]
    assert numerics == ["900", "903", "001", "002", "003", "004", "005",
                        "375", "372", "372", "372", "372", "376"]
    isupport = next(line for line in lines if line.command == "005")
    for token in ("CHANTYPES=#&", "PREFIX=(o)@", "NETWORK=Imaginary",
                  "CASEMAPPING=ascii", "UTF8ONLY"):
        assert token in isupport.params
    # No character yet: how to make one.
    [notice] = client.until(lambda line: line.command == "NOTICE")[-1:]
    assert notice.source.startswith("*game!")
    assert "create NAME" in notice.params[1]
    client.send("PRIVMSG *game :create Alice female")
    lines = client.until(lambda line: line.command == "366")
    join = next(line for line in lines if line.command == "JOIN")
    assert join.params == ("&here",) and join.source.startswith("Alice!")
    topic = next(line for line in lines if line.command == "332")
    assert topic.params[1:] == ("&here", "Town Square (exits: north, east, "
                                         "west)")
    player = client.protocol.player
    assert verifyObject(IFrontEnd, player)
    assert player.kind == "irc"


def test_cap_without_302_and_unknown_capabilities(server):
    client = Client(server)
    client.send("CAP LS")
    [ls] = client.take()
    assert "sasl" in ls.params[2].split()
    assert "=" not in ls.params[2]
    client.send("CAP REQ :sasl no-such-cap")
    [nak] = client.take()
    assert nak.params[1:] == ("NAK", "sasl no-such-cap")
    client.send("CAP LIST")
    assert client.take()[0].params[1:] == ("LIST", "")
    client.send("CAP FROB")
    assert client.take()[0].command == "410"


def test_wrong_password_is_904_and_throttled(server):
    newAccount(server, "alice")
    texts = []
    for attempt in range(6):
        client = Client(server)
        lines = register(client, "alice", "Alice", password="wrong")
        [failed] = [line for line in lines if line.command == "904"]
        texts.append(failed.params[-1])
        assert "001" not in commands(lines)
        client.drop()
    assert "don't match" in texts[0]
    assert str(LoginThrottled(1)).split(";")[0] in texts[-1]
    # The throttle is the shared one: telnet's count is the same count.
    assert server.throttle.waitFor("127.0.0.1", "alice") > 0


def test_pass_fallback_and_no_login(server):
    newAccount(server, "alice")
    client = Client(server)
    client.send("PASS alice:secret99", "NICK Alice", "USER x 0 * :x")
    lines = client.untilCommand("376")
    assert "001" in commands(lines) and "904" not in commands(lines)
    # PASS with the account named by USER.
    other = Client(server)
    other.send("PASS secret99", "NICK Alice", "USER alice 0 * :x")
    assert "001" in commands(other.untilCommand("376"))
    wrong = Client(server)
    wrong.send("PASS alice:nope", "NICK Alice", "USER x 0 * :x")
    lines = wrong.untilCommand("ERROR")
    assert "464" in commands(lines) and wrong.closed
    nobody = Client(server)
    nobody.send("NICK Alice", "USER x 0 * :x")
    [error] = nobody.untilCommand("ERROR")
    assert "SASL" in error.params[0] and nobody.closed


def test_sasl_edge_cases(server):
    client = Client(server)
    client.send("AUTHENTICATE EXTERNAL")
    assert commands(client.take()) == ["908", "904"]
    client.send("AUTHENTICATE PLAIN", "AUTHENTICATE *")
    assert commands(client.take()) == ["AUTHENTICATE", "906"]
    client.send("AUTHENTICATE PLAIN", "AUTHENTICATE !!notbase64")
    assert commands(client.take()) == ["AUTHENTICATE", "904"]
    client.send("AUTHENTICATE PLAIN")
    client.take()
    for _ in range(11):
        client.send("AUTHENTICATE " + "A" * 400)
    assert commands(client.take()) == ["905"]


def test_unregistered_and_unknown_commands(server):
    client = Client(server)
    client.send("PRIVMSG &here :hi", "FROBNICATE x", "123", "PING :tok")
    lines = client.take()
    assert [(line.command, line.params[1:]) for line in lines[:3]] == [
        ("451", ("You have not registered",)),
        ("421", ("FROBNICATE", "Unknown command")),
        ("421", ("123", "Unknown command"))]
    assert lines[3].command == "PONG" and lines[3].params[-1] == "tok"
    client.send("NICK #bad", "NICK")
    assert commands(client.take()) == ["432", "431"]


def test_too_long_lines_and_split_characters(server):
    newAccount(server, "alice")
    alice = playing(server, "alice", "Zoë", caps=("sasl", "echo-message"))
    alice.send("PRIVMSG &here :" + "x" * 600)
    assert commands(alice.take()) == ["417"]
    # A line that never ends is dropped as it comes, then lines go on.
    alice.feed(b"PRIVMSG &here :" + b"y" * 20000)
    alice.feed(b"y" * 20000 + b"\r\n")
    assert commands(alice.take()) == ["417"]
    # A character cut between two reads, then Latin-1.
    said = "PRIVMSG &here :caf\u00e9 \u00fcber".encode("utf-8")
    cut = said.index(b"\xc3") + 1
    alice.feed(said[:cut])
    alice.feed(said[cut:] + b"\r\n")
    alice.send("PRIVMSG &here :na\xefve".encode("latin-1"))
    lines = alice.until(lambda line: "na" in line.text)
    texts = [line.params[-1] for line in lines if line.command == "PRIVMSG"]
    assert texts == ["café über", "naïve"]
    assert not alice.closed


def test_long_output_is_split_at_words_within_512_bytes(server):
    newAccount(server, "alice")
    alice = playing(server, "alice", "Alice",
                    caps=("sasl", "echo-message", "server-time"))
    # The longest line a client may send; our echo of it, with a longer
    # source in front, can't be one message.
    command = "PRIVMSG &here :"
    words = " ".join(f"wörd{i}" for i in range(70))
    words = words.encode()[:510 - len(command)].decode("utf-8", "ignore")
    words = words.rstrip(" ")
    alice.send(command + words)
    settleIRC()
    lines = [line for line in alice.take() if line.command == "PRIVMSG"]
    assert len(lines) == 2
    for line in lines:
        # The limit is on the message without its tags.
        body = line.text.split(" ", 1)[1] if line.text[0] == "@" else \
            line.text
        assert len(body.encode("utf-8")) + 2 <= wire.MAX_MESSAGE
    assert " ".join(line.params[-1] for line in lines) == words
    # A NOTICE of any length too, at spaces.
    alice.protocol.serviceNotice("z" * 700 + " end")
    pieces = [line.params[-1] for line in alice.take()]
    # A word longer than a message is cut between characters.
    assert len(pieces) == 2 and "".join(pieces) == "z" * 700 + " end"


def test_ping_pong_and_ping_timeout(server):
    clock = Clock()
    client = Client(server, clock=clock)
    client.send("PING :abc")
    assert client.take()[0].text == ":imaginary PONG imaginary abc"
    clock.advance(ircprotocol.PING_SECONDS)
    [ping] = client.take()
    assert ping.command == "PING"
    client.send("PONG :imaginary")
    clock.advance(ircprotocol.PING_SECONDS * 1.5)
    assert not client.closed        # the PONG counted as life
    client.take()
    clock.advance(ircprotocol.PING_SECONDS * 2)
    lines = client.take()
    assert lines[-1].command == "ERROR" and "Ping timeout" in \
        lines[-1].params[0]
    assert client.closed


def test_flood_gate_drops_and_warns_once(server):
    client = Client(server)
    client.send(*["PING :x"] * 100)
    lines = client.take()
    pongs = [line for line in lines if line.command == "PONG"]
    warnings = [line for line in lines if line.command == "NOTICE"]
    assert 30 <= len(pongs) < 100
    assert [w.params[-1] for w in warnings] == [TOO_FAST]


def test_a_client_that_stops_reading_is_dropped(server, monkeypatch):
    monkeypatch.setattr(ircprotocol, "MAX_OUTPUT_BYTES", 10000)
    client = Client(server)
    client.protocol.pauseProducing()
    for _ in range(200):
        client.protocol.serviceNotice("a line of output " * 4)
    assert client.transport.disconnected     # aborted, not closed politely
    assert len(client.transport.value()) < 1000


def test_talking_in_here_tells_and_echo_message(server):
    newAccount(server, "alice")
    newAccount(server, "bob")
    alice = playing(server, "alice", "Alice", caps=ALL)
    bob = playing(server, "bob", "Bob")
    # Bob arrived in Alice's &here.
    settleIRC()
    assert [(line.command, line.source.split("!")[0]) for line in
            alice.take() if line.command == "JOIN"] == [("JOIN", "Bob")]
    alice.send("PRIVMSG &here :hello bob", "PRIVMSG &here :\x01ACTION "
               "waves\x01")
    settleIRC()
    theirs = [line for line in bob.take() if line.command in ("PRIVMSG",
                                                              "NOTICE")]
    assert [(line.source.split("!")[0], line.params) for line in theirs] == [
        ("Alice", ("&here", "hello bob")),
        ("Alice", ("&here", "\x01ACTION waves\x01"))]
    # Alice asked for echo-message: her lines come back, with their time.
    mine = [line for line in alice.take() if line.command == "PRIVMSG"]
    assert [line.params for line in mine] == [
        ("&here", "hello bob"), ("&here", "\x01ACTION waves\x01")]
    assert all("time" in line.tags for line in mine)
    # Bob didn't: what he sends is not sent back to him.
    bob.send("PRIVMSG &here :hi", "PRIVMSG Alice :psst")
    settleIRC()
    assert [line for line in bob.take() if line.command == "PRIVMSG"] == []
    heard = [(line.source.split("!")[0], line.params)
             for line in alice.take() if line.command == "PRIVMSG"]
    assert heard == [("Bob", ("&here", "hi")), ("Bob", ("Alice", "psst"))]
    # A say typed as a game command is shown, as Bob's own line.
    bob.send("PRIVMSG *game :say typed")
    settleIRC()
    assert [(line.source.split("!")[0], line.params) for line in bob.take()
            if line.command == "PRIVMSG"] == [("Bob", ("&here", "typed"))]
    # Everything else is a NOTICE from *game; an unknown nick is refused
    # by the game, in words.
    bob.send("PRIVMSG *game :inventory", "PRIVMSG Nobody :hello")
    settleIRC()
    notices = [line for line in bob.take() if line.command == "NOTICE"]
    assert notices and all(n.source.startswith("*game!") for n in notices)
    assert "nobody called 'Nobody'" in notices[-1].params[-1]


def test_moving_changes_topic_and_names_in_one_batch(server):
    newAccount(server, "alice")
    newAccount(server, "bob")
    alice = playing(server, "alice", "Alice", caps=ALL)
    bob = playing(server, "bob", "Bob", caps=ALL)
    bob.send("NAMES &here")
    assert bob.take()[0].params[-1] == "Bob Alice"
    alice.take()
    bob.send("PRIVMSG *game :north")
    settleIRC()
    lines = bob.take()
    batch = [line for line in lines if "batch" in line.tags]
    assert [(line.command, line.params[-1]) for line in batch] == [
        ("TOPIC", "The Wayside Inn (exits: south, down)"),
        ("PART", "not in view")]
    opened = [line for line in lines if line.command == "BATCH"]
    assert [b.params[0][0] for b in opened] == ["+", "-"]
    assert opened[0].params[1] == "imaginary.game/move"
    # No JOIN or PART of our own: &here stays joined.
    assert not [line for line in lines if line.command in ("JOIN", "PART")
                and line.source.startswith("Bob!")]
    # Alice saw Bob leave &here.
    [part] = [line for line in alice.take() if line.command == "PART"]
    assert part.source.startswith("Bob!")
    alice.send("PRIVMSG *game :north")
    settleIRC()
    assert [(line.command, line.source.split("!")[0]) for line in
            bob.take() if line.command == "JOIN"] == [("JOIN", "Alice")]
    alice.send("WHO &here", "TOPIC &here")
    lines = alice.take()
    assert sorted(line.params[5] for line in lines
                  if line.command == "352") == ["Alice", "Bob"]
    assert lines[-1].command == "332"


def test_channels_join_talk_and_part(server):
    newAccount(server, "alice")
    newAccount(server, "bob")
    alice = playing(server, "alice", "Alice", caps=ALL)
    bob = playing(server, "bob", "Bob")
    settleIRC()
    alice.take()        # Bob arriving
    # Everyone is on the game's public channel: a line there joins the
    # client to it on the way, even when the line itself isn't echoed.
    bob.send("PRIVMSG #ooc :hello all")
    settleIRC()
    lines = bob.take()
    assert [(line.command, line.params[0]) for line in lines] == [
        ("JOIN", "#ooc"), ("353", "Bob"), ("366", "Bob")]
    lines = alice.take()
    assert [(line.command, line.params[0]) for line in lines][:2] == [
        ("JOIN", "#ooc"), ("353", "Alice")]
    said = [line for line in lines if line.command == "PRIVMSG"]
    assert [(s.source.split("!")[0], s.params) for s in said] == [
        ("Bob", ("#ooc", "hello all"))]
    alice.send("PRIVMSG #ooc :\x01ACTION bows\x01")
    settleIRC()
    assert [line.params for line in bob.take()
            if line.command == "PRIVMSG"] == [("#ooc", "\x01ACTION bows\x01")]
    # PART is the game's leave; the PART comes once the game agreed.
    bob.send("PART #ooc")
    settleIRC()
    lines = bob.take()
    assert ("PART", ("#ooc",)) in [(line.command, line.params)
                                   for line in lines]
    bob.send("JOIN #ooc")
    settleIRC()
    assert ("JOIN", ("#ooc",)) in [(line.command, line.params)
                                   for line in bob.take()]
    # A client joining a channel its character is on already (every
    # character is on #ooc; an autojoin does this) is told it is in.
    newAccount(server, "carol")
    carol = playing(server, "carol", "Carol")
    settleIRC()
    carol.take()
    carol.send("JOIN #ooc")
    settleIRC()
    assert [(line.command, line.params) for line in carol.take()
            if line.command == "JOIN"] == [("JOIN", ("#ooc",))]
    bob.take()          # Carol appearing in the room
    # Unknown channels: the game says so, as a NOTICE.
    bob.send("JOIN #nosuchchannel", "JOIN &elsewhere")
    settleIRC()
    lines = bob.take()
    assert "JOIN" not in commands(lines) and "403" in commands(lines)
    assert any(line.command == "NOTICE" for line in lines)


def test_chathistory_and_resuming_with_the_original_times(server):
    newAccount(server, "alice")
    newAccount(server, "bob")
    alice = playing(server, "alice", "Alice", caps=ALL)
    bob = playing(server, "bob", "Bob")
    bob.send("PRIVMSG &here :first")
    settleIRC()
    alice.take()
    alice.send("CHATHISTORY LATEST &here * 10")
    lines = alice.take()
    assert lines[0].command == "BATCH" and lines[0].params[1:] == (
        "chathistory", "&here")
    said = [line for line in lines if line.command == "PRIVMSG"]
    assert said[-1].params == ("&here", "first")
    assert said[-1].tags["msgid"].isdigit() and "time" in said[-1].tags
    assert all(line.tags.get("batch") == lines[0].params[0][1:]
               for line in said)
    msgid = int(said[-1].tags["msgid"])
    alice.send(f"CHATHISTORY BEFORE &here msgid={msgid} 10")
    assert "first" not in [line.params[-1] for line in alice.take()]
    alice.send("CHATHISTORY AROUND &here * 10", "CHATHISTORY LATEST")
    assert [line.params[:2] for line in alice.take()] == [
        ("CHATHISTORY", "INVALID_PARAMS"),
        ("CHATHISTORY", "NEED_MORE_PARAMS")]
    # Alice's connection drops; Bob talks; she comes back.
    alice.drop()
    assert server.sessions      # lingering, not gone
    time.sleep(0.01)
    bob.send("PRIVMSG &here :while you were out")
    settleIRC()
    said = time.time()
    time.sleep(0.05)
    again = playing(server, "alice", "Alice", caps=ALL, create=False,
                    resumes=alice.protocol.resumes)
    lines = again.seen
    missed = [line for line in lines if line.command == "PRIVMSG"]
    assert [line.params for line in missed] == [("&here",
                                                 "while you were out")]
    when = wire.parseServerTime(missed[0].tags["time"])
    assert when <= said
    assert any("While you were away" in line.params[-1] for line in lines
               if line.command == "NOTICE")


def test_quit_leaves_at_once_and_a_drop_lingers(server):
    newAccount(server, "alice")
    alice = playing(server, "alice", "Alice")
    alice.send("QUIT :bye")
    assert alice.take()[-1].command == "ERROR" and alice.closed
    alice.drop()
    assert not server.sessions
    again = playing(server, "alice", "Alice", create=False)
    again.drop()
    assert len(server.sessions) == 1


def test_plain_mode_and_colours(server):
    newAccount(server, "alice")
    alice = playing(server, "alice", "Alice")
    alice.send("PRIVMSG *game :look")
    settleIRC()
    assert any("\x03" in line.text for line in alice.take())
    alice.send("MODE Alice +P")
    assert alice.take()[0].params[-1] == "+iP"
    alice.send("PRIVMSG *game :look")
    settleIRC()
    lines = alice.take()
    assert lines and not any("\x03" in line.text or "\x0f" in line.text
                             for line in lines)


def test_nick_is_the_character_and_the_server_can_close_it(server):
    newAccount(server, "alice")
    alice = playing(server, "alice", "Alice")
    alice.avatar = alice.protocol.avatar
    alice.send("NICK Someone")
    assert alice.take()[0].command == "432"
    assert server.disconnectAccount(alice.protocol.account, "Banned.") == 1
    lines = alice.take()
    assert lines[0].params[-1] == "Banned." and lines[-1].command == "ERROR"
    assert alice.closed


def test_input_byte_rate_is_bounded_by_pausing_the_socket(server):
    # The byte rate telnet and SSH have (limits.InputThrottle): past the
    # burst, the server stops reading the client until the rate allows.
    clock = Clock()
    client = Client(server, clock=clock)
    throttle = client.protocol.throttle
    chunk = b"PING :" + b"x" * 500 + b"\r\n"
    sent = 0
    while client.transport.producerState == "producing" and \
            sent < 10 * throttle.burst:
        client.feed(chunk * 100)
        sent += len(chunk) * 100
    assert client.transport.producerState == "paused"
    assert throttle.burst <= sent < throttle.burst + len(chunk) * 200
    clock.advance(sent / throttle.rate)
    assert client.transport.producerState == "producing"
    client.drop()
    assert throttle.transport is None       # nothing left to resume


def test_someone_leaving_the_game_parts_here(server):
    """
    A player who quits fades from view: &here loses them at once (a PART,
    and NAMES no longer lists them), as when they walk out.
    """
    newAccount(server, "alice")
    newAccount(server, "bob")
    alice = playing(server, "alice", "Alice", caps=ALL)
    bob = playing(server, "bob", "Bob", caps=ALL)
    alice.take()
    alice.send("NAMES &here")
    assert alice.take()[0].params[-1] == "Alice Bob"
    bob.send("QUIT :bye")
    bob.drop()          # the connection closes after the QUIT
    settleIRC()
    lines = alice.take()
    assert [(line.command, line.source.split("!")[0], line.params[-1])
            for line in lines if line.command in ("PART", "NOTICE")] == [
        ("NOTICE", "*game", "\x02\x0306Bob\x0f fades from view."),
        ("PART", "Bob", "left")]
    alice.send("NAMES &here")
    assert alice.take()[0].params[-1] == "Alice"
