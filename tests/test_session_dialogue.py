"""
The line dialogue in memory: the exact lines a person sees, typing ahead
through the whole login, refusals that keep what was typed, the menu.
"""

from imaginary.session import LineDialogue

from sessionkit import (  # noqa
    RecordingFrontEnd, fastHashes, newAccount, server, settle, wait)

# Two lines: the banner goes out before a client tells its width.
BANNER = ["Welcome to Imaginary, a text adventure.",
          "Type 'new' to create an account."]
MENU_HELP = ("Type a character's name to play it, 'create <name> "
             "<male|female|neuter|plural>' to make one, 'delete <name>' to "
             "delete one, or 'quit'.")


def connect(server, address="127.0.0.1"):
    frontEnd = RecordingFrontEnd(address)
    dialogue = LineDialogue(server, frontEnd)
    frontEnd.dialogue = dialogue
    dialogue.start()
    return frontEnd, dialogue


def typed(dialogue, *lines):
    for line in lines:
        dialogue.lineReceived(line)


def until(frontEnd, line, limit=10.0):
    """Spin until C{line} has been sent (bcrypt runs in a thread)."""
    from twisted.internet import reactor
    deadline = reactor.seconds() + limit
    while line not in frontEnd.lines:
        assert reactor.seconds() < deadline, frontEnd.lines
        settle(0.01)


def test_typing_ahead_through_the_whole_login_loses_nothing(server):
    frontEnd, dialogue = connect(server)
    # Everything at once, as a client script sends it: no waiting for
    # prompts, while the password is being hashed in a thread.
    typed(dialogue, "new", "alice", "secret99", "secret99",
          "create Alice female", "say one", "say two", "quit")
    until(frontEnd, "Goodbye. Your character rests until you return.")
    lines = frontEnd.take()
    assert lines[:2] == BANNER
    lines = lines[1:]       # (counted from the banner's last line)
    assert lines[:12] == [
        BANNER[1],
        "PROMPT Account name (or 'new'): ",
        "PROMPT Choose an account name: ",
        "PROMPT Choose a password (6 or more characters): ",
        "PROMPT Type it again: ",
        "Account alice created.",
        "You have no characters yet.",
        MENU_HELP,
        "PROMPT Character: ",
        "Alice is born.",
        "You are Alice.",
        "[ Town Square ]"]
    room = lines[11:lines.index("PROMPT > ")]
    assert room[-2:] == ["Exits: north, east, west.",
                         "Here, you see two coins."]
    assert lines[11 + len(room):] == [
        "PROMPT > ", "You say, 'one'", "PROMPT > ", "You say, 'two'",
        "PROMPT > ", "Goodbye. Your character rests until you return."]
    assert frontEnd.disconnected


def test_a_wrong_password_asks_again_and_changes_nothing(server):
    newAccount(server, "alice", "secret99")
    frontEnd, dialogue = connect(server)
    typed(dialogue, "alice", "not-it-at-all")
    until(frontEnd, "PROMPT Account name (or 'new'): ")
    frontEnd.take()
    until(frontEnd, "PROMPT Account name (or 'new'): ")
    lines = frontEnd.take()
    assert lines == ["That account name and password don't match.",
                     "PROMPT Account name (or 'new'): "]
    assert not frontEnd.hidden
    assert dialogue.avatar is None


def test_passwords_are_hidden_while_typed(server):
    frontEnd, dialogue = connect(server)
    typed(dialogue, "new", "alice")
    assert frontEnd.hidden
    typed(dialogue, "secret99", "secret99")
    until(frontEnd, "Account alice created.")
    assert not frontEnd.hidden


def test_a_refused_new_name_keeps_the_dialogue_where_it_was(server):
    newAccount(server, "alice", "secret99")
    frontEnd, dialogue = connect(server)
    frontEnd.take()
    typed(dialogue, "new", "Alice", "x1", "bob")
    assert frontEnd.take() == [
        "PROMPT Choose an account name: ",
        "The name 'Alice' is taken.",
        "PROMPT Choose an account name: ",
        "An account name may hold only letters, with single spaces, "
        "hyphens or apostrophes between them; digit one is not allowed.",
        "PROMPT Choose an account name: ",
        "PROMPT Choose a password (6 or more characters): "]


def test_the_menu_creates_deletes_and_refuses_clearly(server):
    newAccount(server, "alice", "secret99")
    frontEnd, dialogue = connect(server)
    typed(dialogue, "alice", "secret99")
    until(frontEnd, "PROMPT Character: ")
    frontEnd.take()
    typed(dialogue, "create Bo")
    assert frontEnd.take()[:1] == [
        "Usage: create <name> <male|female|neuter|plural>"]
    typed(dialogue, "Nobody")
    assert frontEnd.take()[:1] == ["You have no character by that name."]
    typed(dialogue, "create Bo male", "quit")
    until(frontEnd, "Goodbye. Your character rests until you return.")
    frontEnd2, dialogue2 = connect(server)
    typed(dialogue2, "alice", "secret99")
    until(frontEnd2, "PROMPT Character: ")
    assert "Your characters: Bo." in frontEnd2.lines
    settle()        # the first connection's close
    frontEnd2.take()
    typed(dialogue2, "delete bo")
    assert frontEnd2.take() == [
        "PROMPT Type Bo again to delete it for good (anything else keeps "
        "it): "]
    typed(dialogue2, "no")
    assert frontEnd2.take()[:2] == ["Bo is kept.", "Your characters: Bo."]
    # Bo founded a group Carol is in, and is all of another: deleting Bo
    # hands the first to Carol and ends the second.
    from imaginary.language.grammar import FEMALE
    from imaginary.simulation import groups
    from imaginary.simulation.thing import Thing
    store = server.store
    bo = store.findUnique(Thing, Thing.name == "Bo")
    carol = server.world.createCharacter("Carol", FEMALE)
    owls = store.transact(groups.createGroup, bo, "Owls", "owls")
    store.transact(groups.addMember, owls, carol)
    store.transact(groups.createGroup, bo, "Alone", "alone")
    typed(dialogue2, "delete Bo", "BO")
    assert frontEnd2.take()[1:3] == ["Bo is deleted.",
                                     "You have no characters yet."]
    assert [(r.member, r.role) for r in owls.members()] == [
        (carol, "founder")]
    assert groups.findGroup(store, "alone") is None


def test_changing_the_password_while_playing(server):
    newAccount(server, "alice", "secret99")
    frontEnd, dialogue = connect(server)
    typed(dialogue, "alice", "secret99", "create Alice female", "password",
          "not-it")
    until(frontEnd, "That is not your password. Your password is "
                    "unchanged.")
    assert "PROMPT Current password: " in frontEnd.lines
    typed(dialogue, "password", "secret99", "short")
    until(frontEnd, "A password must be at least 6 characters long. Your "
                    "password is unchanged.")
    typed(dialogue, "password", "secret99", "better-secret",
          "better-secrat")
    until(frontEnd, "The passwords differ. Your password is unchanged.")
    typed(dialogue, "password", "secret99", "better-secret",
          "better-secret")
    until(frontEnd, "Your password is changed.")
    assert not frontEnd.hidden
    typed(dialogue, "quit")
    frontEnd2, dialogue2 = connect(server)
    typed(dialogue2, "alice", "better-secret")
    until(frontEnd2, "Your characters: Alice.")


def test_account_names_the_login_prompt_uses_are_refused(server):
    frontEnd, dialogue = connect(server)
    frontEnd.take()
    typed(dialogue, "new", "New")
    assert frontEnd.take() == [
        "PROMPT Choose an account name: ",
        "'New' means something at the login prompt; choose another "
        "account name.",
        "PROMPT Choose an account name: "]


def test_characters_are_found_by_name_as_players_write_it(server):
    newAccount(server, "alice", "secret99")
    frontEnd, dialogue = connect(server)
    typed(dialogue, "alice", "secret99", "create Işıl female", "quit")
    until(frontEnd, "Goodbye. Your character rests until you return.")
    settle()
    frontEnd, dialogue = connect(server)
    typed(dialogue, "alice", "secret99", "isil")
    until(frontEnd, "You are Işıl.")


def test_nobody_plays_under_another_players_account_name(server):
    newAccount(server, "boss", "secret99")
    newAccount(server, "bobby", "secret99")
    frontEnd, dialogue = connect(server)
    typed(dialogue, "bobby", "secret99")
    until(frontEnd, "PROMPT Character: ")
    frontEnd.take()
    typed(dialogue, "create Boss male")
    assert frontEnd.take()[0] == "The name 'Boss' is taken."
    # Nor under a look-alike of one, or of another character's name.
    typed(dialogue, "create BOSS male")
    assert frontEnd.take()[0] == "The name 'BOSS' is taken."
    typed(dialogue, "create Bob male")
    frontEnd.take()
    typed(dialogue, "quit")
    frontEnd, dialogue = connect(server)
    typed(dialogue, "boss", "secret99")
    until(frontEnd, "PROMPT Character: ")
    frontEnd.take()
    typed(dialogue, "create B\u1d0fb male")
    assert frontEnd.take()[0] == (
        "The name 'B\u1d0fb' looks too much like 'Bob', which is taken.")


def test_two_channels_of_one_ssh_login_end_separately(server):
    # SSH hands every channel of a connection the same avatar.
    from imaginary.session import IPlayer
    from imaginary.session.login import TokenCredentials
    newAccount(server, "alice", "secret99")
    avatar = wait(server.portal.login(
        TokenCredentials(server.tokens.issue("alice")), None, IPlayer))[1]
    avatar.createCharacter("Alice", "female")
    avatar.createCharacter("Bella", "female")
    channels = []
    for name in ("Alice", "Bella"):
        frontEnd = RecordingFrontEnd()
        dialogue = LineDialogue(server, frontEnd)
        frontEnd.dialogue = dialogue
        dialogue.startAuthenticated(avatar)
        typed(dialogue, name)
        channels.append((frontEnd, dialogue))
    (first, one), (second, two) = channels
    typed(one, "quit")
    settle()
    second.take()
    typed(two, "say still here")
    assert second.take() == ["You say, 'still here'", "PROMPT > "]


def test_a_login_decided_after_the_connection_went_does_nothing(server):
    newAccount(server, "alice", "secret99")
    frontEnd, dialogue = connect(server)
    typed(dialogue, "alice", "secret99")
    dialogue.connectionLost()       # while bcrypt is still checking
    settle(0.5)
    assert dialogue.state == "closed" and dialogue.avatar is None
    assert dialogue not in server.connections


def test_a_connection_that_never_logs_in_is_closed_after_the_grace_time(
        server):
    from twisted.internet.task import Clock
    server.reactor = clock = Clock()
    server.loginGrace = 120
    idle, _ = connect(server)
    playing, dialogue = connect(server)
    typed(dialogue, "new", "tam", "secret99", "secret99")
    until(playing, "PROMPT Character: ")
    clock.advance(119)
    assert not idle.disconnected
    clock.advance(1)
    assert idle.lines[-1] == "You took too long to log in; goodbye."
    assert idle.disconnected
    # Logged in in time: the timer was cancelled.
    assert not playing.disconnected and not clock.getDelayedCalls()
    # A connection that went away before its time leaves no timer behind.
    gone, dialogue = connect(server)
    dialogue.connectionLost()
    assert not clock.getDelayedCalls()
    assert server.loggingIn == {}


def test_too_many_connections_logging_in_from_one_address(server):
    from twisted.internet.task import Clock
    server.reactor = Clock()
    server.maxLoggingIn = 3
    first = [connect(server, "10.0.0.1") for _ in range(3)]
    refused, _ = connect(server, "10.0.0.1")
    assert refused.lines == ["Too many connections from your address are "
                             "logging in; try again later."]
    assert refused.disconnected
    elsewhere, _ = connect(server, "10.0.0.2")
    assert not elsewhere.disconnected
    # One logs in, one leaves: two more may start logging in.
    frontEnd, dialogue = first[0]
    typed(dialogue, "new", "tam", "secret99", "secret99")
    until(frontEnd, "PROMPT Character: ")
    first[1][1].connectionLost()
    assert not connect(server, "10.0.0.1")[0].disconnected
    assert not connect(server, "10.0.0.1")[0].disconnected
    assert connect(server, "10.0.0.1")[0].disconnected
    assert server.loggingIn == {"10.0.0.1": 3, "10.0.0.2": 1}


def test_arriving_players_hear_of_group_invitations(server):
    from imaginary.language.grammar import FEMALE
    from imaginary.simulation import groups
    from imaginary.simulation.thing import Thing
    newAccount(server, "alice", "secret99")
    frontEnd, dialogue = connect(server)
    typed(dialogue, "alice", "secret99", "create Alice female", "quit")
    until(frontEnd, "Goodbye. Your character rests until you return.")
    settle()
    store = server.store
    alice = store.findUnique(Thing, Thing.name == "Alice")
    mara = server.world.createCharacter("Mara", FEMALE)
    owls = store.transact(groups.createGroup, mara, "Owls", "owls")
    store.transact(groups.invite, owls, mara, alice)
    frontEnd, dialogue = connect(server)
    typed(dialogue, "alice", "secret99", "Alice")
    until(frontEnd, "You are invited to join Owls: 'group accept owls' or "
                    "'group decline owls'.")
