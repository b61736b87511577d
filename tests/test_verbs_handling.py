"""Transcript tests for imaginary.verbs.handling."""

from imaginary.interfaces import IActor
from imaginary.simulation.containment import Container
from imaginary.simulation.garments import Garment
from imaginary.simulation.thing import Thing
from imaginary.simulation.factories import box, food, key
from transcript import Transcript


def held(t, factory, *a, **kw):
    def make():
        thing = factory(t.store, *a, **kw)
        thing.location = t.actor.thing
        return thing
    return t.store.transact(make)


def test_give():
    t = Transcript()
    lamp = held(t, lambda store, name: Thing(store=store, name=name), "lamp")
    t.check("give lamp to bob", actor=["You give the lamp to Bob."],
            observer=["Alice gives a lamp to you."])
    assert lamp.location is t.observer.thing
    t.check("give lamp to bob", actor=["You aren't holding the lamp."])


def test_open_close_lock_unlock():
    t = Transcript()
    chest = held(t, box, "chest")
    t.store.transact(setattr, chest, "location", t.room)
    brass = held(t, key, "brass key")
    iron = held(t, key, "iron key")
    t.check("lock chest with brass key", actor=["The chest has no lock."])
    lock = t.store.findUnique(Container, Container.thing == chest)
    t.store.transact(setattr, lock, "lockKey", brass)
    t.check("open chest", actor=["The chest is already open."])
    t.check("lock chest with brass key",
            actor=["You must close the chest first."])
    t.check("close chest", actor=["You close the chest."],
            observer=["Alice closes a chest."])
    t.check("close chest", actor=["The chest is already closed."])
    t.check("lock chest with iron key",
            actor=["The iron key doesn't fit the chest."])
    t.check("lock chest with brass key",
            actor=["You lock the chest with the brass key."],
            observer=["Alice locks a chest with a brass key."])
    t.check("open chest", actor=["The chest is locked."])
    t.store.transact(setattr, brass, "location", t.room)
    t.check("unlock chest with brass key",
            actor=["You need to be holding the brass key."])
    t.store.transact(setattr, brass, "location", t.actor.thing)
    t.check("unlock chest with brass key",
            actor=["You unlock the chest with the brass key."],
            observer=["Alice unlocks a chest with a brass key."])
    t.check("open chest", actor=["You open the chest."],
            observer=["Alice opens a chest."])
    assert iron.location is t.actor.thing


def garment(t, name, slots, bulk):
    def make(store, n):
        thing = Thing(store=store, name=n)
        Garment.createFor(thing, garmentSlots=slots, bulk=bulk)
        return thing
    return held(t, make, name)


def test_wear_remove_equipment():
    t = Transcript()
    shirt = garment(t, "shirt", ["chest", "back"], 2)
    coat = garment(t, "coat", ["chest", "back", "left arm"], 4)
    t.check("equipment", actor=["You are wearing nothing."])
    t.check("wear coat", actor=["You put on the coat."],
            observer=["Alice puts on a coat."])
    t.check("wear coat", actor=["You are already wearing the coat."])
    t.check("wear shirt", actor=["The coat you are wearing is too bulky for "
                                 "you to wear the shirt over it."])
    t.check("remove coat", actor=["You take off the coat."],
            observer=["Alice takes off a coat."])
    t.check("wear shirt", actor=["You put on the shirt."],
            observer=["Alice puts on a shirt."])
    t.check("wear coat", actor=["You put on the coat."],
            observer=["Alice puts on a coat."])
    t.check("take off shirt", actor=["You cannot take off the shirt because "
                                     "you are wearing the coat."])
    t.check("drop coat", actor=["The coat is being worn; it must be taken "
                                "off first."])
    assert coat.location is t.actor.thing
    t.check("eq", actor=["You are wearing a coat and a shirt."])
    t.check("look at alice", actor=[
        "Alice", "You are in perfect health.",
        "You are wearing a coat and a shirt."])
    t.check("i", actor=["You are carrying nothing."])
    assert shirt.location is t.actor.thing


def test_eat():
    t = Transcript()
    held(t, food, "apple", nourishment=15)
    body = IActor(t.actor.thing)
    t.store.transact(setattr, body, "stamina", 50)
    t.check("eat apple", actor=["You eat the apple."],
            observer=["Alice eats an apple."])
    assert body.stamina == 65
    assert t.store.findFirst(Thing, Thing.name == "apple") is None
    t.check("eat bob", actor=["You don't have anything like that to eat."])


def test_bodies_and_rooms_are_not_opened_or_closed():
    # Issue 18, item 3: 'close Alice' hid her inventory, 'close here'
    # locked everyone in the start room in and out.
    from test_verbs_base import dump
    t = Transcript()
    before = dump(t.store)
    for doer in (t.observer, t.actor):
        for line, answer in [
                ("close alice", "Alice can't be opened or closed."),
                ("close bob", "Bob can't be opened or closed."),
                ("close me", f"{doer.thing.name} can't be opened or closed."),
                ("shut here", "Test Location can't be opened or closed."),
                ("open here", "Test Location can't be opened or closed."),
                ("open bob", "Bob can't be opened or closed.")]:
            t.check(line, by=doer, actor=[answer])
            assert dump(t.store) == before, line
    for thing in (t.room, t.actor.thing, t.observer.thing):
        assert t.store.findUnique(Container,
                                  Container.thing == thing).closed is False


def test_a_room_closed_before_the_fix_can_be_opened():
    t = Transcript()
    lid = t.store.findUnique(Container, Container.thing == t.room)
    t.store.transact(setattr, lid, "closed", True)
    t.check("open here", by=t.observer, actor=["You open Test Location."],
            observer=["Bob opens Test Location."])
    assert lid.closed is False


def test_others_see_only_clothes_that_are_not_covered():
    """Coat over shirt, trousers over underwear: others see the coat, the
    trousers and the hat; the wearer knows all five."""
    from transcript import defaultWorldPlayers
    alice, bob = defaultWorldPlayers("Alice", "Bob")
    for line in ("e", "n", "take all", "wear all", "s", "take all",
                 "wear all"):
        alice.do(line)
    bob.do("e")
    bob.output()
    bob.do("look at alice")
    assert bob.output()[-1] == \
        "She is wearing a wool coat, some trousers, and a hat."
    alice.output()
    alice.do("look at me")
    assert alice.output()[-1] == ("You are wearing a wool coat, some "
                                  "trousers, a hat, some underwear, and a "
                                  "linen shirt.")


def test_unlock_with_the_key_you_carry_and_look_in():
    """'unlock gate' uses the key that fits; 'look in case' looks."""
    from transcript import defaultWorldPlayers
    [alice] = defaultWorldPlayers("Alice")
    for line in ("w", "n"):
        alice.do(line)
    alice.output()
    alice.do("unlock gate")
    assert alice.output() == ["You carry no key that fits the iron gate."]
    for line in ("s", "e", "n", "light torch", "take torch", "d",
                 "take key", "u", "s", "w", "n"):
        alice.do(line)
    alice.output()
    alice.do("unlock gate")
    assert alice.output() == ["You unlock the iron gate with the iron key."]
    alice.do("lock gate")
    assert alice.output() == ["You lock the iron gate with the iron key."]
    for line in ("s", "e", "e", "s"):
        alice.do(line)
    alice.output()
    alice.do("look in case")
    assert alice.output() == [
        "glass case", "Clear glass, sealed on every side.",
        "It contains a silver relic."]
