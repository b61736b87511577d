"""Transcript tests for imaginary.verbs.talk."""

from imaginary.simulation.containment import Exit
from imaginary.simulation.world import createRoom
from transcript import Player, Transcript


def test_say_and_quote():
    t = Transcript()
    t.check("say hello there", actor=["You say, 'hello there'"],
            observer=["Alice says, 'hello there'"])
    t.check("'hi", actor=["You say, 'hi'"], observer=["Alice says, 'hi'"])
    t.check("say", actor=["That doesn't make sense. Try: say <text>."])


def test_emote_and_pose():
    t = Transcript()
    t.check("emote waves.", actor=["Alice waves."],
            observer=["Alice waves."])
    t.check(":grins", actor=["Alice grins"], observer=["Alice grins"])
    t.check("pose bows.", actor=["Alice bows."], observer=["Alice bows."])


def test_speech_is_sanitized():
    t = Transcript()
    t.check("say \x1b[31mred\x1b[0m \x07bell", actor=["You say, 'red bell'"],
            observer=["Alice says, 'red bell'"])


def test_tell_anywhere_and_unknown_players():
    t = Transcript()
    far = t.store.transact(createRoom, t.store, "Far Away")
    carol = Player(t.world, "Carol")
    t.store.transact(carol.thing.moveTo, far)
    carol.output()
    t.check("tell carol psst", actor=["You tell Carol, 'psst'"])
    assert carol.output() == ["Alice tells you, 'psst'"]
    t.check("tell nobody hi", actor=["There is nobody called 'nobody' "
                                     "playing right now."])
    t.check("tell alice hi", actor=["You mutter to yourself."])


def test_whisper_in_the_room():
    t = Transcript()
    carol = Player(t.world, "Carol")
    carol.output()
    t.actor.output()
    t.observer.output()
    t.check("whisper bob the password is swordfish",
            actor=["You whisper to Bob, 'the password is swordfish'"],
            observer=["Alice whispers to you, 'the password is swordfish'"])
    assert carol.output() == ["Alice whispers something to Bob."]


def test_shout_carries_to_adjacent_rooms():
    t = Transcript()

    def build():
        north = createRoom(t.store, "North Room")
        beyond = createRoom(t.store, "Beyond")
        Exit.link(t.room, north, "north")
        Exit.link(north, beyond, "north")
        return north, beyond
    north, beyond = t.store.transact(build)
    near = Player(t.world, "Nina")
    far = Player(t.world, "Fred")
    t.store.transact(near.thing.moveTo, north)
    t.store.transact(far.thing.moveTo, beyond)
    near.output()
    far.output()
    t.actor.output()
    t.observer.output()
    t.check("shout help", actor=["You shout, 'help'"],
            observer=["Alice shouts, 'help'"])
    assert near.output() == ["Someone shouts from the south, 'help'"]
    assert far.output() == []


def test_who():
    t = Transcript()
    t.check("who", actor=["Players online:", "  Alice", "  Bob",
                          "2 players online."])
