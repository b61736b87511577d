"""
One session per character: several connections at once, numbered outputs
and replay, one command queue, settled(), the takeover policy, and
arriving and leaving once per character.
"""

import json

from zope.interface.verify import verifyObject

from imaginary.session import IFrontEnd, IPlayer, Refused
from imaginary.session import character as charactermodule
from imaginary.session.login import TokenCredentials
from imaginary.simulation.description import placeContents

from sessionkit import (  # noqa
    RecordingFrontEnd, fastHashes, newAccount, server, settle, wait)


def avatarFor(server, name):
    """The IPlayer avatar of account C{name} (made if needed)."""
    from imaginary.accounts import findAccount
    if findAccount(server.store, name) is None:
        newAccount(server, name)
    credentials = TokenCredentials(server.tokens.issue(name), "10.0.0.1")
    return wait(server.portal.login(credentials, None, IPlayer))[1]


def played(server, account="alice", character="Alice", resumable=False,
           **kw):
    avatar = avatarFor(server, account)
    if character not in [c.name for c in avatar.characters()]:
        avatar.createCharacter(character, "female")
    frontEnd = RecordingFrontEnd(**kw)
    assert verifyObject(IFrontEnd, frontEnd)
    return avatar, frontEnd, avatar.play(character, frontEnd, resumable)


def test_two_connections_play_one_character(server):
    avatar, web, first = played(server)
    _, telnet, second = played(server)
    assert first.session is second.session
    assert web.take()[-1] == ("Alice is now also played from another "
                              "connection (127.0.0.1).")
    telnet.take()
    wait(second.submit("say from telnet"))
    wait(first.submit("say from the web"))
    for frontEnd in (web, telnet):
        assert frontEnd.take() == ["You say, 'from telnet'",
                                   "You say, 'from the web'"]
    # The character is in the world once.
    assert server.world.connected.count(first.character) == 1
    first.detach()
    assert server.sessionFor(first.character) is second.session
    second.detach()
    assert server.sessionFor(second.character) is None
    assert first.character not in server.world.connected


def test_a_bystander_sees_one_line_however_many_connections(server):
    _, web, first = played(server)
    _, telnet, second = played(server)
    _, bob, bobs = played(server, "bobby", "Bob")
    for frontEnd in (web, telnet, bob):
        frontEnd.take()
    wait(bobs.submit("say hello"))
    assert web.take() == telnet.take() == ["Bob says, 'hello'"]


def test_outputs_are_numbered_and_replayed_without_loss(server):
    _, frontEnd, attachment = played(server, resumable=True)
    session = attachment.session
    start = session.seq
    for n in range(5):
        wait(attachment.submit(f"say line {n}"))
    assert session.seq == start + 5
    again = attachment.replay(start + 2)
    assert [o.seq for o in again] == [start + 3, start + 4, start + 5]
    from imaginary.language import renderPlain
    assert [renderPlain(o.span) for o in again] == [
        "You say, 'line 2'", "You say, 'line 3'", "You say, 'line 4'"]
    assert attachment.replay(session.seq) == []


def test_a_replay_that_no_longer_reaches_back_says_so(server, monkeypatch):
    monkeypatch.setattr(charactermodule, "REPLAY_OUTPUTS", 3)
    _, frontEnd, attachment = played(server, resumable=True)
    session = attachment.session
    start = session.seq
    for n in range(6):
        wait(attachment.submit(f"say {n}"))
    # The buffer holds 3 outputs: asking from further back is a gap.
    assert attachment.replay(start) is None
    assert [o.seq for o in attachment.replay(session.seq - 3)] == [
        session.seq - 2, session.seq - 1, session.seq]


def test_settled_fires_after_the_command_and_the_reactions(server):
    _, frontEnd, attachment = played(server)
    frontEnd.take()
    done = attachment.submit("north")
    assert wait(attachment.session.settled()) is None
    assert done.called
    assert "[ The Wayside Inn ]" in frontEnd.lines[0]


def test_commands_from_two_connections_run_in_arrival_order(server):
    _, web, first = played(server)
    _, telnet, second = played(server)
    web.take()
    results = [first.submit("say a"), second.submit("say b"),
               first.submit("say c")]
    wait(first.session.settled())
    assert all(d.called for d in results)
    assert web.take() == ["You say, 'a'", "You say, 'b'", "You say, 'c'"]


def test_takeover_closes_the_older_connection(server):
    server.policy = "takeover"
    _, old, first = played(server)
    _, new, second = played(server)
    assert old.lines[-1] == ("You have logged in from elsewhere; closing "
                             "this connection.")
    assert old.disconnected and not first.attached
    assert second.session.attachments == [second]
    assert server.world.connected.count(second.character) == 1


def test_out_of_band_data_is_plain_and_named_like_gmcp(server):
    _, frontEnd, attachment = played(server)
    frontEnd.data[:] = []
    wait(attachment.submit("look"))
    wait(attachment.submit("score"))
    packages = [package for package, _ in frontEnd.data]
    assert packages == ["Room.Info", "Char.Items.List", "Room.Players",
                        "Char.Vitals", "Char.Status"]
    # Nobody else is in the square (IRC's &here is made of this).
    assert dict(frontEnd.data)["Room.Players"] == []
    # What lies in the square, for a client's completion of names.
    seen = dict(frontEnd.data)["Char.Items.List"]
    assert seen["location"] == "room"
    assert seen["items"] and [item["name"] for item in seen["items"]] == [
        t.name for t in placeContents(attachment.character,
                                      attachment.character.location)]
    room = dict(frontEnd.data)["Room.Info"]
    assert room["name"] == "Town Square"
    assert sorted(room["exits"]) == ["east", "north", "west"]
    assert dict(frontEnd.data)["Char.Vitals"] == {
        "hp": 100, "maxhp": 100, "sp": 100, "maxsp": 100}
    # Plain values only: it survives JSON unchanged.
    assert json.loads(json.dumps(frontEnd.data)) == [
        list(pair) for pair in frontEnd.data]


def test_facts_for_npc_minds_never_reach_front_ends(server):
    _, alice, mine = played(server)
    _, bob, bobs = played(server, "bobby", "Bob")
    alice.data[:] = []
    wait(bobs.submit("say hi"))        # "said": a fact for minds
    wait(bobs.submit("north"))         # "arrived" in the inn
    wait(bobs.submit("south"))
    packages = {package for package, _ in alice.data}
    # Arriving and leaving reach front ends as IRE's Room.AddPlayer and
    # Room.RemovePlayer (names only), never as the Item minds get.
    assert packages <= {"Comm.Channel.Text", "Room.AddPlayer",
                        "Room.RemovePlayer"}
    assert ("Room.RemovePlayer", "Bob") in alice.data
    assert ("Room.AddPlayer", {"name": "Bob", "fullname": "Bob"}) in \
        alice.data
    assert ("Comm.Channel.Text", {"channel": "say", "talker": "Bob",
                                  "text": "hi"}) in alice.data


def test_front_ends_that_take_no_data_are_not_sent_any(server):
    _, frontEnd, attachment = played(server, wantsData=False)
    frontEnd.data[:] = []
    wait(attachment.submit("look"))
    assert frontEnd.data == []


def test_a_banned_account_cannot_start_playing(server):
    avatar, frontEnd, attachment = played(server)
    attachment.detach()
    server.store.transact(setattr, avatar.account, "banned", True)
    try:
        avatar.play("Alice", RecordingFrontEnd())
    except Refused as e:
        assert str(e) == "This account is banned."
    else:
        raise AssertionError("a banned account played")


def test_inventory_goes_to_the_carrier_only(server):
    _, alice, mine = played(server)
    _, bob, bobs = played(server, "bobby", "Bob")
    alice.data[:] = []
    bob.data[:] = []
    wait(mine.submit("take all coins"))
    [(package, held)] = alice.data
    assert package == "Char.Items.Inv"
    assert sorted(item["name"] for item in held["items"]) == [
        "coin", "coin"]
    assert bob.data == []
    alice.data[:] = []
    wait(mine.submit("give coin to Bob"))
    given = [item for item in held["items"]
             if item not in alice.data[-1][1]["items"]]
    assert len(alice.data[-1][1]["items"]) == 1 and len(given) == 1
    assert bob.data == [("Char.Items.Inv", {"items": given})]


def test_a_dropped_connection_resumes_without_lost_lines(server):
    from twisted.internet import task
    server.reactor = clock = task.Clock()
    _, first, mine = played(server, resumable=True)
    _, bob, bobs = played(server, "bobby", "Bob")
    wait(mine.submit("say before"))
    seen = mine.session.seq
    mine.detach(linger=30)          # the connection dropped
    wait(bobs.submit("say while you were away"))
    clock.advance(20)
    assert server.sessionFor(mine.character) is mine.session
    _, second, again = played(server)
    assert again.session is mine.session
    missed = again.replay(seen)
    from imaginary.language import renderPlain
    assert [renderPlain(o.span) for o in missed] == [
        "Bob says, 'while you were away'"]
    clock.advance(60)               # the old linger was cancelled
    assert server.sessionFor(again.character) is again.session


def test_a_linger_that_runs_out_ends_the_session(server):
    from twisted.internet import task
    server.reactor = clock = task.Clock()
    _, frontEnd, attachment = played(server)
    character = attachment.character
    attachment.detach(linger=30)
    assert character in server.world.connected
    clock.advance(31)
    assert server.sessionFor(character) is None
    assert character not in server.world.connected


def test_only_a_resumable_front_end_makes_the_session_keep_outputs(server):
    _, frontEnd, attachment = played(server)
    wait(attachment.submit("say unkept"))
    assert attachment.session.outputs is None
    assert attachment.replay(attachment.session.seq - 1) is None
    assert attachment.replay(attachment.session.seq) == []
    _, web, resumer = played(server, resumable=True)
    wait(resumer.submit("say kept"))
    assert [o.seq for o in resumer.replay(resumer.session.seq - 1)] == [
        resumer.session.seq]


def test_a_command_runs_at_once_when_nothing_waits(server):
    _, frontEnd, attachment = played(server)
    frontEnd.take()
    assert attachment.submitNow("say now") is True
    assert frontEnd.take() == ["You say, 'now'"]
    assert attachment.submitNow("frobnicate") is False


def test_a_taken_over_connection_can_no_longer_type(server):
    server.policy = "takeover"
    _, old, first = played(server)
    _, new, second = played(server)
    new.take()
    assert first.submitNow("say from the old connection") is False
    assert wait(first.submit("say again")) is False
    assert new.take() == []


def test_numbers_from_an_earlier_session_are_not_replayed_as_nothing(server):
    _, frontEnd, attachment = played(server, resumable=True)
    for n in range(3):
        wait(attachment.submit(f"say {n}"))
    seen = attachment.session.seq
    attachment.detach()
    _, again, fresh = played(server, resumable=True)
    assert fresh.session.seq < seen
    assert fresh.replay(seen) is None


def test_a_character_out_of_play_is_out_of_reach(server):
    """
    When its player leaves, a character fades from view and is nowhere:
    nobody can see, hit or rob it; when the player is back it appears
    where it left, and the room is told both times.
    """
    _, alice, mine = played(server)
    wait(mine.submit("north"))
    _, bob, bobs = played(server, "bobby", "Bob")
    wait(bobs.submit("north"))
    character = mine.character
    inn = character.location
    assert inn.name == "The Wayside Inn"
    bob.take()
    mine.detach()
    settle()
    assert "Alice fades from view." in bob.take()
    assert character.location is None
    wait(bobs.submit("look"))
    assert not any("Alice" in line for line in bob.take())
    wait(bobs.submit("take bread"))
    bob.take()
    for line, refusal in (("hit alice", "There is nobody like that here."),
                          ("take all from alice", "You don't see that here."),
                          ("give bread to alice",
                           "There is nobody like that here."),
                          ("whisper alice psst",
                           "There is nobody like that here.")):
        wait(bobs.submit(line))
        assert bob.take() == [refusal], line
        assert character.location is None
    _, again, back = played(server)
    settle()
    assert "Alice appears." in bob.take()
    assert character.location is inn
    assert not any("appears" in line for line in again.take())


def test_a_dropped_link_keeps_the_character_a_while(server, monkeypatch):
    """
    A connection that drops (no quit) leaves the character in the game
    for the grace period; logging in again within it finds it there and
    the room is told nothing; after it, the character fades.
    """
    from imaginary.session import dialogue as dialoguemodule
    from imaginary.session import LineDialogue
    monkeypatch.setattr(dialoguemodule, "DROPPED_LINK_SECONDS", 0.3)
    _, bob, bobs = played(server, "bobby", "Bob")
    newAccount(server, "alice")
    frontEnd = RecordingFrontEnd()
    dialogue = LineDialogue(server, frontEnd)
    frontEnd.dialogue = dialogue
    dialogue.start()
    for line in ("alice", "secret99", "create Alice female", "Alice"):
        dialogue.lineReceived(line)
    for _ in range(400):
        if "Alice appears." in bob.lines:
            break
        settle(0.01)
    bob.take()
    dialogue.connectionLost()
    settle(0.1)
    assert bob.take() == []
    assert server.world.connected and any(
        c.name == "Alice" for c in server.world.connected)
    settle(0.4)
    assert "Alice fades from view." in bob.take()
    assert not any(c.name == "Alice" for c in server.world.connected)


def test_a_bystanders_lines_are_numbered_one_each(server):
    """Words with no data still number each output once."""
    _, bob, bobs = played(server, "bobby", "Bob")
    _, alice, alices = played(server)
    bob.take()
    start = bobs.session.seq
    for n in range(3):
        wait(alices.submit(f"say line {n}"))
    assert bob.take() == ["Alice says, 'line 0'", "Alice says, 'line 1'",
                          "Alice says, 'line 2'"]
    assert bobs.session.seq == start + 3


def test_the_connection_left_when_another_leaves_hears_the_room(server):
    """
    With one connection left (and no replay buffer) lines take the short
    way to it: to the one that stayed, never to the one that left.
    """
    _, web, first = played(server)
    _, telnet, second = played(server)
    _, bob, bobs = played(server, "bobby", "Bob")
    first.detach()
    for frontEnd in (web, telnet, bob):
        frontEnd.take()
    wait(bobs.submit("say still there?"))
    assert telnet.take() == ["Bob says, 'still there?'"]
    assert web.take() == []
    _, again, third = played(server)
    again.take()
    telnet.take()
    wait(bobs.submit("say and now?"))
    assert telnet.take() == again.take() == ["Bob says, 'and now?'"]
