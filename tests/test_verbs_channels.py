"""Transcript tests for imaginary.verbs.channels."""

import pytest

from imaginary.simulation import channels as model
from imaginary.simulation.world import createRoom
from imaginary.store import Store
from transcript import Player, R, Transcript


@pytest.fixture
def t():
    """Alice (a builder) and Bob in a room; a default channel made first,
    so both joined it when they were created."""
    store = Store()
    store.transact(model.ensureDefaultChannel, store)
    return Transcript(store)


def test_everyone_starts_on_the_default_channel(t):
    t.check("channels", actor=[
        "Channels:",
        "  ooc (public, 2 members, you are on it): Out-of-character talk "
        "for everyone in the game."])
    t.check("channel who ooc", actor=["On ooc: Alice, Bob."])


def test_talk_by_name_and_with_chat_reaches_members_anywhere(t):
    far = t.store.transact(createRoom, t.store, "Far Away")
    t.store.transact(t.observer.thing.moveTo, far)
    t.observer.output()
    t.check("ooc hello all", actor=["[ooc] You say, 'hello all'"],
            observer=["[ooc] Alice says, 'hello all'"])
    t.check("chat ooc hi", actor=["[ooc] You say, 'hi'"],
            observer=["[ooc] Alice says, 'hi'"])
    t.check("OOC :waves.", actor=["[ooc] Alice waves."],
            observer=["[ooc] Alice waves."])
    t.check("ooc :waves", by=t.observer, actor=["[ooc] Bob waves"],
            observer=["[ooc] Bob waves"])


def test_channel_line_is_data_for_front_ends(t):
    t.actor.do("ooc hello")
    t.actor.do("ooc :bows")
    said = [e.data["channel"] for e in t.observer.collector.events
            if e is not None and e.data and "channel" in e.data]
    assert said == [
        {"channel": "ooc", "talker": "Alice", "text": "hello"},
        {"channel": "ooc", "talker": "Alice", "text": "bows",
         "emote": True}]


def test_refusals_change_nothing(t):
    t.check("chat nowhere hi", actor=[
        "There is no channel called 'nowhere'. Type 'channels' for the "
        "list."])
    t.check("nowhere hi", actor=[
        "I don't know how to 'nowhere'. Type 'actions' for a list."])
    t.check("ooc", actor=[
        "Say what on ooc? 'ooc <text>' talks, 'ooc :<action>' emotes."])
    t.check("ooc " + "x" * 1001, actor=[
        "That is too long to say at once (1001 characters; at most 1000)."])
    t.check("leave ooc", actor=["You leave ooc."])
    t.check("leave ooc", actor=["You are not on ooc."])
    t.check("ooc hi", actor=["You are not on ooc; type 'join ooc' first."])
    t.check("join ooc", actor=["You join ooc. Talk with 'ooc <text>'."])
    t.check("join ooc", actor=["You are already on ooc."])
    t.check("channel history ooc", actor=[
        "Nothing has been said on ooc yet."])


def test_history_is_kept_and_bounded(t):
    for n in range(1, 4):
        t.actor.do(f"ooc line {n}")
    t.observer.do("ooc :nods")
    t.actor.output()
    t.observer.output()
    t.check("channel history ooc 2", actor=[
        "Last 2 lines on ooc (times UTC):",
        R(r"  \[\d{4}-\d\d-\d\d \d\d:\d\d\] Alice: line 3"),
        R(r"  \[\d{4}-\d\d-\d\d \d\d:\d\d\] Bob nods")])
    t.check("channel history ooc 0", actor=[
        "The number of lines is 1 to 200."])
    channel = model.findChannel(t.store, "ooc")
    for n in range(250):
        t.store.transact(model.record, channel, "Carol", f"spam {n}")
    kept = list(t.store.query(model.ChannelLine,
                              model.ChannelLine.channel == channel))
    assert model.HISTORY_KEPT <= len(kept) < model.HISTORY_KEPT + 50
    assert channel.history(1)[0].said == "spam 249"


def test_private_channels_need_an_invitation(t):
    t.check("channel create cafe private", actor=[
        "You create the private channel cafe, and you are on it."])
    t.check("channels", by=t.observer, actor=[
        "Channels:",
        "  ooc (public, 2 members, you are on it): Out-of-character talk "
        "for everyone in the game."])
    # To anyone not on it or invited, a private channel isn't there.
    for line, said in [
            ("join cafe", "There is no channel called 'cafe'. Type "
                          "'channels' for the list."),
            ("channel who cafe", "There is no channel called 'cafe'. Type "
                                 "'channels' for the list."),
            ("channel history cafe", "There is no channel called 'cafe'. "
                                     "Type 'channels' for the list."),
            ("channel destroy cafe", "There is no channel called 'cafe'. "
                                     "Type 'channels' for the list."),
            ("chat cafe hi", "There is no channel called 'cafe'. Type "
                             "'channels' for the list."),
            ("cafe hi", "I don't know how to 'cafe'. Type 'actions' for a "
                        "list.")]:
        t.check(line, by=t.observer, actor=[said])
    t.check("channel invite cafe bob", actor=["You invite Bob to cafe."],
            observer=["Alice invites you to cafe: type 'join cafe'."])
    t.check("join cafe", by=t.observer, actor=[
        "You join cafe. Talk with 'cafe <text>'."])
    t.check("cafe psst", by=t.observer, actor=["[cafe] You say, 'psst'"],
            observer=["[cafe] Bob says, 'psst'"])
    t.check("channel who cafe", actor=["On cafe: Alice (owner), Bob."])


def test_owners_run_their_channels(t):
    t.actor.do("channel create cafe")
    t.actor.output()
    t.check("channel mute cafe bob", actor=["Bob is not on cafe."])
    t.observer.do("join cafe")
    t.observer.output()
    t.check("channel mute cafe bob", actor=["You mute Bob on cafe."],
            observer=["Alice mutes you on cafe."])
    t.check("cafe hi", by=t.observer, actor=["You are muted on cafe."])
    t.check("channel unmute cafe bob", actor=["You unmute Bob on cafe."],
            observer=["Alice unmutes you on cafe."])
    t.check("channel describe cafe Coffee and gossip.", actor=[
        "cafe is now described as: Coffee and gossip."])
    t.check("channel kick cafe bob", actor=["You put Bob off cafe."],
            observer=["Alice put you off cafe."])
    t.check("channel kick cafe alice", actor=[
        "A channel's owner can't be kicked off it."])
    t.check("channel destroy cafe", by=t.observer, actor=[
        "Only cafe's owner or an admin may do that."])
    t.check("channel destroy cafe", actor=["You destroy cafe."])
    assert model.findChannel(t.store, "cafe") is None
    assert t.store.query(model.ChannelMember).count() == 2
    t.check("channel destroy ooc", actor=[
        "Only ooc's owner or an admin may do that."])


def test_names_and_limits_on_making_channels(t):
    t.check("channel create look", actor=[
        "'look' is a command; choose another name."])
    t.check("channel create 9lives", actor=[
        "A channel's name is 2 to 20 letters, digits or '-', starting "
        "with a letter."])
    t.check("channel create ooc", actor=[
        "There is already a channel called 'ooc'."])
    t.check("channel create cafe secret", actor=[
        "A channel is 'public' or 'private'."])
    for name in ("one", "two", "three"):
        t.observer.do(f"channel create {name}")
    t.observer.output()
    t.check("channel create four", by=t.observer, actor=[
        "You own 3 channels already; destroy one first."])
    t.check("channel", actor=[R(r"Usage: channel who <channel>; .*")])


def test_admin_may_destroy_any_but_the_default(t):
    carol = Player(t.world, "Carol", level="admin")
    t.actor.do("channel create cafe")
    carol.do("channel destroy cafe")
    assert carol.output() == ["You destroy cafe."]
    carol.do("channel destroy ooc")
    assert carol.output() == [
        "ooc is the game's own channel; it can't be destroyed."]


def test_characters_made_before_channels_join_once(t):
    """A world from before channels: its characters join the new channel,
    and making it again (every start) changes nothing."""
    store = Store()
    old = Transcript(store)
    store.transact(model.ensureDefaultChannel, store,
                   [old.actor.thing, old.observer.thing])
    old.actor.do("leave ooc")
    store.transact(model.ensureDefaultChannel, store,
                   [old.actor.thing, old.observer.thing])
    channel = model.findChannel(store, "ooc")
    assert [m.name for m in channel.members()] == ["Bob"]
