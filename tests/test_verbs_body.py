"""Transcript tests for imaginary.verbs.body: fighting, death, score."""

from imaginary.interfaces import IActor
from imaginary.simulation.containment import Exit
from imaginary.simulation.thing import Thing
from imaginary.simulation.world import createRoom
from imaginary.verbs import body as bodyVerbs
from transcript import Transcript


def test_hit_costs_stamina_and_does_damage():
    t = Transcript()
    bodyVerbs.dice.seed(1)
    alice, bob = IActor(t.actor.thing), IActor(t.observer.thing)
    t.check("hit bob", actor=["You hit Bob."], observer=["Alice hits you."])
    assert alice.stamina < 100 and bob.hitpoints < 100
    t.check("attack me", actor=["Hitting yourself would be silly."])
    t.check("hit lamp", actor=["There is nobody like that here."])


def test_defeat_drops_things_and_recovers_elsewhere():
    t = Transcript()

    def build():
        chapel = createRoom(t.store, "Chapel")
        Exit.link(t.room, chapel, "south")
        t.world.recovery = chapel
        Thing(store=t.store, name="purse", location=t.observer.thing)
        return chapel
    chapel = t.store.transact(build)
    bob = IActor(t.observer.thing)
    t.store.transact(setattr, bob, "hitpoints", 1)
    t.check("hit bob", actor=["You hit Bob.", "Bob is defeated!"],
            observer=["Alice hits you.", "You are defeated!",
                      "You wake up, sore but alive."])
    assert t.observer.thing.location is chapel
    assert t.observer.thing.store is not None
    assert bob.hitpoints == bob.maxHitpoints
    purse = t.store.findUnique(Thing, Thing.name == "purse")
    assert purse.location is t.room
    assert IActor(t.actor.thing).experience == 1


def test_too_tired_to_fight():
    t = Transcript()
    t.store.transact(setattr, IActor(t.actor.thing), "stamina", 0)
    t.check("hit bob", actor=["You are too tired to fight."])
    assert IActor(t.observer.thing).hitpoints == 100


def test_score():
    t = Transcript()
    t.check("score", actor=["Level 1, experience 0.",
                            "Hit points 100/100, stamina 100/100, "
                            "strength 10."])
