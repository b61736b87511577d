"""Transcript tests for imaginary.verbs.core: look, go, take, drop, put,
inventory, and target resolution (ambiguity, ordinals, all, it/them)."""

from imaginary.simulation.containment import Door, Exit
from imaginary.simulation.thing import Thing
from imaginary.simulation.factories import box, key
from imaginary.simulation.world import createRoom
from transcript import Transcript


def things(t, *names, where=None):
    def make():
        return [Thing(store=t.store, name=n, location=where or t.room)
                for n in names]
    return t.store.transact(make)


def test_look_around_and_at():
    t = Transcript()
    things(t, "lamp")
    t.check("look", actor=["[ Test Location ]", "Location for testing.",
                           "Here, you see Bob and a lamp."])
    t.check("l", actor=["[ Test Location ]", "Location for testing.",
                        "Here, you see Bob and a lamp."])
    t.check("look at lamp", actor=["lamp"])
    t.check("x bob", actor=["Bob", "He is in perfect health."],
            observer=["Alice looks at you."])
    t.check("examine unicorn", actor=["You don't see that."])


def test_go_every_direction_and_refusals():
    t = Transcript()
    ways = {"north": "n", "south": "s", "east": "e", "west": "w",
            "northeast": "ne", "northwest": "nw", "southeast": "se",
            "southwest": "sw", "up": "u", "down": "d", "in": "in",
            "out": "out"}

    def dig():
        rooms = {}
        for way in ways:
            rooms[way] = createRoom(t.store, f"Room {way}")
            Exit.link(t.room, rooms[way], way)
        portal = createRoom(t.store, "Portal Room")
        Exit.link(t.room, portal, "portal", reverse="back")
        return rooms, portal
    rooms, portal = t.store.transact(dig)
    from imaginary.simulation.containment import DIRECTIONS
    for way, short in ways.items():
        back = DIRECTIONS[way]
        t.actor.do(short)
        assert t.actor.thing.location is rooms[way], way
        assert t.actor.output()[0] == f"[ Room {way} ]"
        t.actor.do(back)
        t.actor.output()
        t.observer.output()
    t.check("go portal", actor=["[ Portal Room ]", "Exits: back."],
            observer=["Alice leaves through the portal."])
    t.check("back", actor=["I don't know how to 'back'. Did you mean "
                           "'attack'?"])
    t.check("go back", actor=[
        "[ Test Location ]", "Location for testing.",
        "Exits: north, south, east, west, northeast, northwest, southeast, "
        "southwest, up, down, in, out, portal.", "Here, you see Bob."],
        observer=["Alice arrives from the portal."])


def test_go_nowhere_and_shut_doors():
    t = Transcript()
    t.check("north", actor=["You can't go that way."])

    def build():
        hall = createRoom(t.store, "Hall")
        door = Thing(store=t.store, name="oak door", portable=False,
                     location=t.room)
        Door.createFor(door, closed=True)
        Exit.link(t.room, hall, "north", door=door)
        return hall
    hall = t.store.transact(build)
    t.check("north", actor=["The way is shut."])
    assert t.actor.thing.location is t.room
    t.check("open door", actor=["You open the oak door."],
            observer=["Alice opens an oak door."])
    t.check("north", actor=["[ Hall ]", "Exits: south."],
            observer=["Alice leaves to the north."])
    assert t.actor.thing.location is hall


def test_take_drop_put_inventory():
    t = Transcript()
    things(t, "lamp")
    chest = t.store.transact(lambda: box(t.store, "chest"))
    t.store.transact(setattr, chest, "location", t.room)
    t.check("take lamp", actor=["You take the lamp."],
            observer=["Alice takes a lamp."])
    t.check("take lamp", actor=["You already have the lamp."])
    t.check("inventory", actor=["You are carrying a lamp."])
    t.check("put lamp in chest", actor=["You put the lamp in the chest."],
            observer=["Alice puts a lamp in a chest."])
    t.check("i", actor=["You are carrying nothing."])
    t.check("take lamp from chest", actor=["You take the lamp from the "
                                           "chest."],
            observer=["Alice takes a lamp from a chest."])
    t.check("drop lamp", actor=["You drop the lamp."],
            observer=["Alice drops a lamp."])
    lamp = t.store.findUnique(Thing, Thing.name == "lamp")
    assert lamp.location is t.room
    t.check("drop lamp", actor=["You don't have that."])


def test_take_refusals():
    t = Transcript()
    t.check("take me", actor=["You cannot take yourself."])
    t.check("take here", actor=["You can't take Test Location: you are "
                                "in it."])
    t.check("take bob", actor=["Bob can't be carried."])
    [statue] = things(t, "statue")
    t.store.transact(setattr, statue, "portable", False)
    t.check("take statue", actor=["The statue cannot be moved."])
    [anvil] = things(t, "anvil")
    t.store.transact(setattr, anvil, "weight", 1000)
    t.check("take anvil", actor=["The anvil does not fit in Alice."])
    assert anvil.location is t.room


def test_put_refusals():
    t = Transcript()
    chest = t.store.transact(lambda: box(t.store, "chest", closed=True))
    t.store.transact(setattr, chest, "location", t.actor.thing)
    [coin] = things(t, "coin", where=t.actor.thing)
    t.check("put chest in chest", actor=[
        "A thing cannot contain itself in euclidean space."])
    t.check("put coin in chest", actor=["The chest is closed."])
    assert coin.location is t.actor.thing
    t.check("put coin in bob", actor=["You can't put things in people; "
                                      "try 'give coin to Bob'."])


def test_ambiguity_ordinals_all_and_pronouns():
    t = Transcript()
    things(t, "gold coin", "copper coin")
    t.check("take coin", actor=["Which coin do you mean: the gold coin or "
                                "the copper coin?"])
    t.check("take second coin", actor=["You take the copper coin."],
            observer=["Alice takes a copper coin."])
    t.check("drop it", actor=["You drop the copper coin."],
            observer=["Alice drops a copper coin."])
    t.check("get coin 2", actor=["You take the copper coin."],
            observer=["Alice takes a copper coin."])
    t.check("get coin 5", actor=["There aren't 5 of those here."])
    t.check("get all", actor=["You take the gold coin."],
            observer=["Alice takes a gold coin."])
    t.check("drop all coins", actor=["You drop the gold coin.",
                                     "You drop the copper coin."],
            observer=["Alice drops a gold coin.",
                      "Alice drops a copper coin."])
    t.check("take them", actor=["You take the gold coin.",
                                "You take the copper coin."],
            observer=["Alice takes a gold coin.",
                      "Alice takes a copper coin."])
    t.check("look at me", actor=[
        "Alice", "You are carrying a gold coin and a copper coin.",
        "You are in perfect health."])


def test_get_all_from_a_container():
    t = Transcript()
    chest = t.store.transact(lambda: box(t.store, "chest"))
    t.store.transact(setattr, chest, "location", t.room)
    things(t, "ruby", "pearl", where=chest)
    t.check("get all from chest", actor=["You take the ruby from the chest.",
                                         "You take the pearl from the "
                                         "chest."],
            observer=["Alice takes a ruby from a chest.",
                      "Alice takes a pearl from a chest."])
    t.check("get all from chest", actor=["There is nothing to take."])


def test_keys_are_things_too():
    t = Transcript()
    t.store.transact(lambda: setattr(key(t.store, "brass key"), "location",
                                     t.room))
    t.check("take key", actor=["You take the brass key."],
            observer=["Alice takes a brass key."])


def resting(t, name):
    """A third character, made and then logged out (resting in the room)."""
    from transcript import Player
    player = Player(t.world, name)
    t.world.loggedOut(player.thing)
    return player


def test_nobody_takes_what_another_character_carries():
    # Issue 18, item 2: another's inventory is not a container to reach
    # into, online or resting; give is how things change hands.
    from test_verbs_base import dump
    t = Transcript()
    alice, bob = t.actor.thing, t.observer.thing
    carol = resting(t, "Carol").thing
    [coin] = things(t, "coin", where=alice)
    [bag] = t.store.transact(lambda: [box(t.store, "bag")])
    t.store.transact(setattr, bag, "location", alice)
    [ring] = things(t, "ring", where=bag)
    [map] = things(t, "map", where=carol)
    before = dump(t.store)
    for line, answer in [
            ("take coin from alice",
             "You can't take things from Alice; she can give them to you."),
            ("get all from alice",
             "You can't take things from Alice; she can give them to you."),
            ("take map from carol",
             "You can't take things from Carol; she can give them to you."),
            ("take coin", "Alice is carrying the coin."),
            ("get ring", "Alice is carrying the ring."),
            ("take ring from bag", "Alice is carrying the bag."),
            ("take map", "Carol is carrying the map."),
            ("take all", "There is nothing to take."),
            ("get all maps", "Carol is carrying the map."),
            ("open bag", "Alice is carrying the bag."),
            ("put coin in bag", "Alice is carrying the bag.")]:
        t.check(line, by=t.observer, actor=[answer])
        assert dump(t.store) == before, line
    assert (coin.location, ring.location, map.location) == (alice, bag, carol)
    # 'take all' takes only what lies about, never from people.
    [pebble] = things(t, "pebble")
    t.check("take all", by=t.observer, actor=["You take the pebble."],
            observer=["Bob takes a pebble."])
    assert pebble.location is bob and coin.location is alice
    # Giving still works.
    t.check("give coin to bob", actor=["You give the coin to Bob."],
            observer=["Alice gives a coin to you."])
    assert coin.location is bob


def test_builders_may_take_from_a_character():
    # The builders' way to recover things: 'take X from <character>'.
    t = Transcript()
    bob = t.observer.thing
    [coin] = things(t, "coin", where=bob)
    t.check("take coin", actor=["Bob is carrying the coin."])
    t.check("take coin from bob", actor=["You take the coin from Bob."],
            observer=["Alice takes a coin from you."])
    assert coin.location is t.actor.thing


def test_an_ambiguity_question_can_be_answered():
    """
    "Which iron do you mean?" is answered by the next line (a name, "the
    gate", a number or an ordinal); anything else is a command of its own.
    """
    from transcript import defaultWorldPlayers
    [alice] = defaultWorldPlayers("Alice")

    def ask():
        alice.do("look at iron")
        assert alice.output() == [
            "Which iron do you mean: the iron key or the iron gate?"]
    # The cellar key and the gatehouse gate: bring the key to the gate.
    for line in ("n", "light torch", "take torch", "d", "take key", "u",
                 "s", "w", "n"):
        alice.do(line)
    alice.output()
    for answer, shown in (("gate", "iron gate"), ("the gate", "iron gate"),
                          ("2", "iron gate"), ("the second", "iron gate"),
                          ("key", "iron key"), ("the first one",
                                                "iron key")):
        ask()
        alice.do(answer)
        assert alice.output()[0] == shown, answer
    ask()
    alice.do("say gate")
    assert alice.output() == ["You say, 'gate'"]
    alice.do("gate")
    # No question open: just a word, and no builder's verb suggested.
    assert alice.output() == [
        "I don't know how to 'gate'. Type 'actions' for a list."]


def test_take_and_drop_choose_what_they_can_apply_to():
    from transcript import defaultWorldPlayers
    [alice] = defaultWorldPlayers("Alice")
    alice.do("take coin")
    alice.output()
    alice.do("take coin")
    assert alice.output() == ["You take the coin."]
    alice.do("drop coins")
    assert alice.output() == ["You drop the coin.", "You drop the coin."]
    alice.do("get coins")
    assert alice.output() == ["You take the coin.", "You take the coin."]
    for line in ("e", "n", "take all", "wear all"):
        alice.do(line)
    assert alice.output()[-3:] == ["You put on the underwear.",
                                   "You put on the linen shirt.",
                                   "You put on the trousers."]
    alice.do("drop all")
    assert alice.output() == ["You drop the coin.", "You drop the coin.",
                              "You drop the coin."]
    alice.do("remove all")
    assert alice.output() == ["You take off the trousers.",
                              "You take off the linen shirt.",
                              "You take off the underwear."]


def test_names_compare_as_players_type_them():
    """Turkish dotted and dotless i, and accents: 'look at ilkay' finds
    İlkay, 'look at ışık' and 'look at isik' find Işık, 'zoe' finds Zoë."""
    from transcript import Transcript
    t = Transcript()
    for name in ("İlkay", "Işık", "Zoë"):
        t.actor.do(f"create thing named {name}")
    t.actor.output()
    for typed, found in (("ilkay", "İlkay"), ("İLKAY", "İlkay"),
                         ("ışık", "Işık"), ("isik", "Işık"),
                         ("IŞIK", "Işık"), ("zoe", "Zoë"), ("ZOË", "Zoë")):
        t.actor.do(f"look at {typed}")
        assert t.actor.output()[0] == found, typed
