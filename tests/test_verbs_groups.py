"""Transcript tests for imaginary.verbs.groups (the group verb)."""

import pytest

from imaginary.simulation import channels
from imaginary.simulation import groups as model
from imaginary.simulation.world import createRoom
from imaginary.store import Store
from transcript import Player, R, Transcript


@pytest.fixture
def t():
    """Alice (a builder) and Bob in a room; Carol somewhere else."""
    store = Store()
    store.transact(channels.ensureDefaultChannel, store)
    t = Transcript(store)
    t.carol = Player(t.world, "Carol")
    far = store.transact(createRoom, store, "Far Away")
    store.transact(t.carol.thing.moveTo, far)
    _flush(t)
    return t


def _flush(t):
    """Forget what everyone was told so far."""
    for player in (t.actor, t.observer, getattr(t, "carol", None)):
        if player is not None:
            player.output()


def _snapshot(store):
    """Every group item, as comparable tuples (to check that a refusal
    changed nothing)."""
    return (
        sorted((g.handle, g.name) for g in store.query(model.Group)),
        sorted((m.group.handle, m.member.name, m.role, m.showWhereabouts)
               for m in store.query(model.GroupMember)),
        sorted((i.group.handle, i.invitee.name)
               for i in store.query(model.GroupInvite)),
        sorted((e.group.handle, e.serial, e.text)
               for e in store.query(model.JournalEntry)))


def test_found_invite_accept_and_talk(t):
    t.check("group", actor=[
        "You are not in a group. 'group create <name>' founds one."])
    t.check("group create The Lantern Society", actor=[
        "You found The Lantern Society (handle: lantern-society). Its "
        "notice board is here. Its members talk with 'lantern-society "
        "<text>'; 'group invite <character>' brings others in."],
        observer=["Alice pins up a notice board: The Lantern Society."])
    t.check("group invite Bob", actor=["You invite Bob to The Lantern "
                                       "Society."],
            observer=["Alice invites you to join The Lantern Society. Type "
                      "'group accept lantern-society' or 'group decline "
                      "lantern-society'."])
    t.check("group", by=t.observer, actor=[
        "Alice invited you to The Lantern Society (lantern-society): "
        "'group accept lantern-society' or 'group decline "
        "lantern-society'."])
    t.check("group accept", by=t.observer, actor=[
        "You join The Lantern Society. Talk to its members with "
        "'lantern-society <text>'."],
        observer=["[lantern-society] Bob joins The Lantern Society."])
    t.check("lantern-society hello", actor=[
        "[lantern-society] You say, 'hello'"],
        observer=["[lantern-society] Alice says, 'hello'"])
    t.check("group members", actor=[
        "Members of The Lantern Society:",
        "  Alice (founder, playing now)",
        "  Bob (member, playing now)"])
    t.check("group", by=t.observer, actor=[
        "Your groups:",
        "  The Lantern Society (lantern-society): member, 2 members"])
    t.check("group info", actor=[
        "The Lantern Society (handle: lantern-society)",
        R(r"  Founded by Alice on \d{4}-\d\d-\d\d\."),
        "  Home: Test Location.",
        "  2 members; its channel is lantern-society."])


def test_the_board_shows_the_group_and_its_journal_to_members(t):
    t.actor.do("group create Owls = owls")
    t.actor.do("group journal We met at the well; the bucket was gone.")
    _flush(t)
    t.check("look at board", by=t.observer, actor=[
        "notice board of Owls",
        "A board of cork in a dark frame, where Owls pin their notices.",
        "Pinned to it: the members of Owls: Alice."])
    t.check("look at board", actor=[
        "notice board of Owls",
        "A board of cork in a dark frame, where Owls pin their notices.",
        "Pinned to it: the members of Owls: Alice. The latest journal "
        "entry, by Alice: \"We met at the well; the bucket was gone.\""])
    t.check("take board", by=t.observer, actor=[
        "The notice board of Owls cannot be moved."])


def test_journal_is_dated_and_signed(t):
    t.actor.do("group create Owls = owls")
    _flush(t)
    t.check("group journal", actor=[
        "Owls' journal is empty. Write in it with 'group journal <text>'."])
    t.check("group journal First night.", actor=[
        "You write in Owls' journal (entry 1)."])
    t.check("group journal   Second   night. ", actor=[
        "You write in Owls' journal (entry 2)."])
    t.check("group journal", actor=[
        "Owls' journal, newest first (times UTC):",
        R(r"  \[\d{4}-\d\d-\d\d \d\d:\d\d\] Alice: Second night\."),
        R(r"  \[\d{4}-\d\d-\d\d \d\d:\d\d\] Alice: First night\.")])


def test_refusals_say_why_and_change_nothing(t):
    store = t.store
    t.actor.do("group create Owls = owls")
    _flush(t)
    before = _snapshot(store)
    cases = [
        (t.actor, "group create Owls Two = owls", [
            "The handle 'owls' is taken; choose another: 'group create Owls "
            "Two = <handle>'."]),
        (t.actor, "group create Night = ooc", [
            "There is a channel called 'ooc' already; choose another "
            "handle: 'group create Night = <handle>'."]),
        (t.actor, "group create Night = journal", [
            "'journal' is a word of the group command; choose another "
            "handle."]),
        (t.actor, "group create Night = invite", [
            "'invite' is a word of the group command; choose another "
            "handle."]),
        (t.actor, "group create Night = look", [
            "The handle 'look' is a command; choose another: 'group create "
            "Night = <handle>'."]),
        # A handle made from the name is checked too ("say hello" would
        # never reach a group called Say).
        (t.actor, "group create Say", [
            "The handle 'say' is a command; choose another: 'group create "
            "Say = <handle>'."]),
        (t.actor, "group create  The  Quit ", [
            "The handle 'quit' is a command; choose another: 'group create "
            "The Quit = <handle>'."]),
        (t.actor, "group leave now", ["Usage: group leave"]),
        (t.actor, "group owls disband xyz", ["Usage: group disband"]),
        (t.actor, "group create X", [
            "A group's name is 2 to 40 printable characters."]),
        (t.actor, "group create !!!", [
            "Give the group a handle too: 'group create !!! = <handle>' (2 "
            "to 20 letters, digits or '-')."]),
        (t.actor, "group frobnicate", [
            "Usage: group; group create <name> [= <handle>]; group invite "
            "<character>; group accept [<group>]; group decline "
            "[<group>]; group leave; group info [<group>]; group members; "
            "group journal [<text>]; group whereabouts show|hide; group "
            "post <subject> = <text>; group mail on|off; group disband."]),
        (t.actor, "group invite Nobody", [
            "There is no character called 'Nobody'."]),
        (t.actor, "group invite Alice", ["You are in Owls already."]),
        (t.actor, "group whereabouts maybe", [
            "Usage: group whereabouts show|hide"]),
        (t.observer, "group members", [
            "You are not in a group. 'group create <name>' founds one."]),
        (t.observer, "group owls members", [
            "You are not in a group called 'owls'. Type 'group' for "
            "yours."]),
        (t.observer, "group info owls", [
            "You are not in a group called 'owls'. Type 'group' for "
            "yours."]),
        (t.observer, "group accept", ["You have no invitation to a group."]),
        (t.observer, "group decline owls", [
            "You have no invitation to a group called 'owls'."]),
        (t.observer, "group owls disband", [
            "You are not in a group called 'owls'. Type 'group' for "
            "yours."]),
        (t.actor, "group journal " + "x" * 2001, [
            "That is too long for one entry (2001 characters; at most "
            "2000)."]),
    ]
    for who, line, expected in cases:
        t.check(line, by=who, actor=expected)
        assert _snapshot(store) == before, line
    # A group nobody has reads the same as one a non-member can't see.
    t.check("group nothere members", by=t.observer, actor=[
        "You are not in a group called 'nothere'. Type 'group' for yours."])


def test_invitations_twice_and_in_several_groups(t):
    t.actor.do("group create Owls = owls")
    t.actor.do("group create Larks = larks")
    _flush(t)
    t.check("group members", actor=[
        "You are in 2 groups (owls, larks); say which: 'group <group> "
        "members ...'."])
    t.check("group owls invite bob", actor=["You invite Bob to Owls."],
            observer=["Alice invites you to join Owls. Type 'group accept "
                      "owls' or 'group decline owls'."])
    t.check("group owls invite Bob", actor=[
        "Bob is invited to Owls already."])
    t.actor.do("group larks invite Bob")
    _flush(t)
    t.check("group accept", by=t.observer, actor=[
        "You are invited to 2 groups (owls, larks); say which: 'group "
        "accept <group>'."])
    t.check("group decline", by=t.observer, actor=[
        "You are invited to 2 groups (owls, larks); say which: 'group "
        "decline <group>'."])
    t.check("group decline larks", by=t.observer, actor=[
        "You decline the invitation to Larks."],
        observer=["Bob declines the invitation to Larks."])
    t.check("group accept owls", by=t.observer, actor=[
        "You join Owls. Talk to its members with 'owls <text>'."],
        observer=["[owls] Bob joins Owls."])
    t.check("group owls invite Bob", actor=["Bob is in Owls already."])
    # The group may come before any action, info too.
    t.check("group owls info", by=t.observer, actor=[
        "Owls (handle: owls)",
        R(r"  Founded by Alice on \d{4}-\d\d-\d\d\."),
        "  Home: Test Location.",
        "  2 members; its channel is owls."])


def test_invite_reaches_a_character_not_in_play_later(t):
    t.actor.do("group create Owls = owls")
    _flush(t)
    t.world.loggedOut(t.carol.thing)
    t.check("group invite Carol", actor=["You invite Carol to Owls."])
    assert t.carol.output() == []
    t.world.loggedIn(t.carol.thing)
    t.check("group", by=t.carol, actor=[
        "Alice invited you to Owls (owls): 'group accept owls' or 'group "
        "decline owls'."])


def test_limits_set_by_the_operator(t):
    def limits():
        config = model.settings(t.store)
        config.maxGroups = 1
        config.maxMembers = 2
    t.store.transact(limits)
    t.observer.do("group create Owls = owls")
    _flush(t)
    t.check("group create Larks = larks", by=t.observer, actor=[
        "You are in 1 group already, the most one character may be in; "
        "leave one first."])
    t.observer.do("group invite Alice")
    t.observer.do("group invite Carol")
    t.actor.do("group accept")
    _flush(t)
    t.check("group accept", by=t.carol, actor=[
        "Owls has 2 members, the most a group may have."])
    t.check("group invite Carol", by=t.observer, actor=[
        "Carol is invited to Owls already."])
    # Admins are not limited in the groups they are in (Alice is only a
    # builder: she is).
    t.check("group create Larks = larks", actor=[
        "You are in 1 group already, the most one character may be in; "
        "leave one first."])


def test_leave_hands_on_the_founding_and_the_last_disbands(t):
    store = t.store
    t.actor.do("group create Owls = owls")
    t.actor.do("group invite Bob")
    t.observer.do("group accept")
    _flush(t)
    t.check("group leave", actor=["You leave Owls."],
            observer=["[owls] Alice leaves Owls. Bob is its founder now."])
    assert channels.findChannel(store, "owls").membership(
        t.actor.thing) is None
    t.check("group members", by=t.observer, actor=[
        "Members of Owls:", "  Bob (founder, playing now)"])
    t.check("group leave", by=t.observer, actor=[
        "You leave Owls, its last member, and it is no more."],
        observer=["The notice board of Owls is taken down."])
    assert list(store.query(model.Group)) == []
    assert channels.findChannel(store, "owls") is None
    assert [th for th in t.room.contents() if "board" in th.name] == []


def test_disband_by_founder_or_admin_only(t):
    t.observer.do("group create Owls = owls")
    t.observer.do("group invite Alice")
    t.actor.do("group accept")
    _flush(t)
    t.check("group disband", actor=[
        "Only Owls' founder or an admin may disband it."])
    t.check("group disband", by=t.observer, actor=["You disband Owls."],
            observer=["[owls] Bob disbands Owls.",
                      "The notice board of Owls is taken down."])
    assert list(t.store.query(model.JournalEntry)) == []
    assert model.findGroup(t.store, "owls") is None


def test_an_admin_may_disband_a_group_it_is_not_in(t):
    from imaginary.simulation.permissions import grant
    t.observer.do("group create Owls = owls")
    _flush(t)
    t.store.transact(grant, t.carol.thing, "admin")
    _flush(t)
    t.check("group owls disband", by=t.carol, actor=["You disband Owls."],
            observer=["The notice board of Owls is taken down."])
    assert model.findGroup(t.store, "owls") is None


def test_whereabouts_choice_is_each_members(t):
    t.actor.do("group create Owls = owls")
    _flush(t)
    record = model.findGroup(t.store, "owls").membership(t.actor.thing)
    assert record.showWhereabouts is False
    t.check("group whereabouts show", actor=[
        "Owls' page will show where you are and whether you are playing."])
    assert record.showWhereabouts is True
    t.check("group owls whereabouts hide", actor=[
        "Owls' page will not show where you are or whether you are "
        "playing."])
    assert record.showWhereabouts is False


def test_groups_survive_a_restart(tmp_path):
    path = str(tmp_path / "world.axiom")
    store = Store(path)
    store.transact(channels.ensureDefaultChannel, store)
    t = Transcript(store)
    t.actor.do("group create Owls = owls")
    t.actor.do("group journal Kept.")
    t.actor.do("group invite Bob")
    _flush(t)
    store.close()
    store = Store(path)
    group = model.findGroup(store, "owls")
    assert group.name == "Owls"
    assert [c.name for c in group.characters()] == ["Alice"]
    assert [e.text for e in group.journal()] == ["Kept."]
    assert [i.invitee.name for i in store.query(model.GroupInvite)] == ["Bob"]
    assert group.board.location is group.home
    store.close()


def _mailDomain(store, relay=None):
    from imaginary.mail import model as mail
    store.transact(lambda: (
        setattr(mail.settings(store), "domain", "game.example"),
        setattr(mail.settings(store), "relayHost", relay)))


def test_group_post_reaches_the_members_mailboxes(t):
    from imaginary.mail import lists, model as mail
    _mailDomain(t.store)
    t.actor.do("group create Owls = owls")
    t.actor.do("group invite Bob")
    t.observer.do("group accept")
    _flush(t)
    t.check("group post The well = Meet at dusk; bring rope.", actor=[
        "You post 'The well' to Owls' list (owls@lists.game.example); 1 "
        "other member will find it in their mail."],
        observer=["You have new mail from Alice: '[owls] The well' (type "
                  "'mail read 1')."])
    t.check("mail read 1", by=t.observer, actor=[
        "Message 1 from Alice <owls@lists.game.example>",
        R(r"Date: \d{4}-\d\d-\d\d \d\d:\d\d UTC"),
        "Subject: [owls] The well", "", "Meet at dusk; bring rope."])
    # A reply from the mailbox goes to the list and threads.
    t.check("mail reply 1 = Rope it is.", by=t.observer, actor=[
        "You post 'Re: The well' to Owls' list "
        "(owls@lists.game.example)."],
        observer=["You have new mail from Bob: 'Re: [owls] The well' "
                  "(type 'mail read 1')."])
    [thread] = lists.threads(model.findGroup(t.store, "owls"))
    assert [p.author for p in thread] == ["Alice", "Bob"]
    t.check("mail send owls@lists.game.example Lanterns = Two each.",
            actor=["You post 'Lanterns' to Owls' list "
                   "(owls@lists.game.example)."],
            observer=["You have new mail from Alice: '[owls] Lanterns' "
                      "(type 'mail read 2')."])
    assert mail.mailboxOf(t.actor.thing).unread() == 1
    t.check("group info", actor=[
        "Owls (handle: owls)",
        R(r"  Founded by Alice on \d{4}-\d\d-\d\d\."),
        "  Home: Test Location.",
        "  2 members; its channel is owls.",
        "  Its list: owls@lists.game.example ('group post <subject> = "
        "<text>')."])


def test_group_post_refusals(t):
    from imaginary.mail import lists
    _mailDomain(t.store)
    t.actor.do("group create Owls = owls")
    _flush(t)
    for line in ("group post", "group post The well", "group post = text",
                 "group post The well =  "):
        t.check(line, actor=["Usage: group post <subject> = <text>"])
    t.check("group owls post Hi = there", by=t.carol, actor=[
        "You are not in a group called 'owls'. Type 'group' for yours."])
    t.check("mail send owls@lists.game.example Hi = there", by=t.carol,
            actor=["owls@lists.game.example is a members-only list; only "
                   "its members may post to it, from the game or from the "
                   "address their account verified."])
    t.check("mail send bats@lists.game.example Hi = there", by=t.carol,
            actor=["There is no list with the address "
                   "bats@lists.game.example."])
    assert list(t.store.query(lists.ListPost)) == []


def test_group_mail_on_and_off(t):
    from imaginary.mail import listmail
    from listkit import makePlayer
    _mailDomain(t.store)
    t.actor.do("group create Owls = owls")
    _flush(t)
    group = model.findGroup(t.store, "owls")
    t.check("group mail", actor=["Usage: group mail on|off"])
    t.check("group mail maybe", actor=["Usage: group mail on|off"])
    t.check("group mail on", actor=[
        "List mail goes to your account's verified address, with game "
        "mail on, and you have none: 'account email <address>' gives one."])
    makePlayer(t.actor.thing, "alice@player.example")
    t.check("group mail on", actor=[
        "This game sends no mail outside it (no relay is configured)."])
    assert listmail.subscription(group, t.actor.thing).mail is False
    _mailDomain(t.store, relay="127.0.0.1")
    t.check("group owls mail on", actor=[
        "Owls' list posts will reach alice@player.example as well as your "
        "mailbox in the game; 'group mail off' stops them."])
    assert listmail.subscription(group, t.actor.thing).mail is True
    t.check("group mail off", actor=[
        "Owls' list posts will reach only your mailbox in the game."])
    assert listmail.subscription(group, t.actor.thing).mail is False


def test_the_groups_channel_is_secret_to_others_and_open_to_members(t):
    t.actor.do("group create Owls = owls")
    t.actor.do("group invite Bob")
    t.observer.do("group accept")
    _flush(t)
    nothing = "There is no channel called 'owls'. Type 'channels' for the list."
    for line, said in [("owls hi", "I don't know how to 'owls'. Type "
                                   "'actions' for a list."),
                       ("join owls", nothing), ("channel who owls", nothing),
                       ("channel history owls", nothing)]:
        t.check(line, by=t.carol, actor=[said])
    # A member who left the group's channel may come back to it.
    t.check("leave owls", by=t.observer, actor=["You leave owls."])
    t.check("join owls", by=t.observer, actor=[
        "You join owls. Talk with 'owls <text>'."])
    t.check("owls back", by=t.observer, actor=["[owls] You say, 'back'"],
            observer=["[owls] Bob says, 'back'"])


def test_a_long_subject_is_refused_and_the_board_comes_down(t):
    t.actor.do("group create Owls = owls")
    _flush(t)
    t.check("group post " + "s" * 201 + " = text", actor=[
        "A subject is at most 200 characters long (that one is 201); put "
        "the rest after the '='."])
    t.check("group disband", actor=["You disband Owls."],
            observer=["The notice board of Owls is taken down."])
    t.actor.do("group create Larks = larks")
    _flush(t)
    t.check("group leave", actor=[
        "You leave Larks, its last member, and it is no more."],
        observer=["The notice board of Larks is taken down."])
