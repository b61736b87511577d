"""Transcript tests for the content that ships as plugins (plugins/)."""

from twisted.internet.task import Clock
from zope.interface.verify import verifyObject

from imaginary.interfaces import IActor, IContainer
from imaginary.simulation.containment import Exit
from imaginary.simulation.thing import Thing
from imaginary.simulation.world import createRoom
from imaginary.store import IScheduler, Store
from transcript import Player, Transcript


def hall(t):
    """A room north of the test location."""
    def make():
        room = createRoom(t.store, "Hall")
        Exit.link(t.room, room, "north")
        return room
    return t.store.transact(make)


def test_torch_lights_the_dark():
    t = Transcript()
    t.check("create torch named torch", actor=["You create the torch."])
    t.check("illuminate 0", actor=["You set the light here to 0 candelas."])
    t.check("look", actor=["It's too dark to see."])
    t.check("light torch", actor=["You light the torch."],
            observer=["Alice lights a torch."])
    t.check("look", actor=["[ Test Location ]", "Location for testing.",
                           "Here, you see Bob."])
    t.check("light torch", actor=["It is already lit."])
    t.check("extinguish torch", actor=["You extinguish the torch."],
            observer=["Alice extinguishes a torch."])
    t.check("look", actor=["It's too dark to see."])


def test_chair_holds_you_until_you_stand():
    t = Transcript()
    hall(t)
    t.check("create chair named chair", actor=["You create the chair."])
    t.check("sit in chair", actor=["You sit in the chair."],
            observer=["Alice sits in a chair."])
    chair = t.store.findUnique(Thing, Thing.name == "chair")
    assert t.actor.thing.location is chair
    t.check("north", actor=["You can't go anywhere while you're sitting "
                            "down. Stand up first."])
    assert t.actor.thing.location is chair
    t.check("stand", actor=["You stand up."], observer=["Alice stands up."])
    assert t.actor.thing.location is t.room
    t.check("stand", actor=["You're already standing."])
    t.check("north", actor=["[ Hall ]", "Exits: south."],
            observer=["Alice leaves to the north."])


def test_glass_box_is_seen_not_reached():
    t = Transcript()
    t.check("create glass box named case", actor=["You create the case."])
    def fill():
        case = t.store.findUnique(Thing, Thing.name == "case")
        Thing(store=t.store, name="relic", location=case)
        case.location = t.room
    t.store.transact(fill)
    t.check("look at case", actor=["case",
                                   "Clear glass, sealed on every side.",
                                   "It contains a relic."])
    t.check("take relic", actor=["You can't reach through the case."])
    # Sealed means no lid: it neither opens nor unlocks.
    t.check("open case", actor=[
        "The case is sealed on every side; there is no lid to open or "
        "close."])
    t.check("close case", actor=[
        "The case is sealed on every side; there is no lid to open or "
        "close."])
    t.check("take relic", actor=["You can't reach through the case."])
    relic = t.store.findUnique(Thing, Thing.name == "relic")
    assert relic.location.name == "case"


def test_squeaky_toy():
    t = Transcript()
    t.check("create squeaky toy named duck", actor=["You create the duck."])
    t.check("squeeze duck", actor=["You squeeze the duck. Squeak!"],
            observer=["Alice squeezes a duck. Squeak!"])
    t.check("squeeze me", actor=["Nothing happens."])


def test_mouse_squeaks_at_arrivals():
    t = Transcript()
    hall(t)
    t.check("create mouse named mouse", actor=["You create the mouse."])
    t.check("north", actor=["[ Hall ]", "Exits: south."],
            observer=["Alice leaves to the north."])
    t.check("south", actor=["[ Test Location ]", "Location for testing.",
                            "Exits: north.",
                            "Here, you see Bob and a mouse.",
                            "The mouse squeaks."],
            observer=["Alice arrives from the north.", "The mouse squeaks."])


def test_quiz_mouse_salutes_right_answers_and_bites_wrong_or_slow():
    import imaginary.plugins.mice as mice
    t = Transcript()
    hall(t)
    clock = Clock()
    IScheduler(t.store).startService(clock)
    t.check("create quiz mouse named professor",
            actor=["You create the professor."])
    mice.rng.seed(3)
    word = mice.random.Random(3).choice(mice.WORDS)
    t.actor.do("north")
    t.actor.output()
    t.observer.output()
    t.check("south", actor=["[ Test Location ]", "Location for testing.",
                            "Exits: north.",
                            "Here, you see Bob and a professor.",
                            f"The professor says, '{word}?'"],
            observer=["Alice arrives from the north.",
                      f"The professor says, '{word}?'"])
    t.check(f"say {word[::-1]}", actor=[f"You say, '{word[::-1]}'",
                                        "The professor salutes you."],
            observer=[f"Alice says, '{word[::-1]}'",
                      "The professor salutes Alice."])
    t.actor.do("north")
    t.actor.do("south")
    t.actor.output()
    t.observer.output()
    t.check("say wrong", actor=["You say, 'wrong'",
                                "The professor bites you!"],
            observer=["Alice says, 'wrong'", "The professor bites Alice!"])
    t.actor.do("north")
    t.actor.do("south")
    t.actor.output()
    t.observer.output()
    clock.advance(mice.QUIZ_SECONDS + 1)
    assert t.actor.output() == ["The professor bites you for being slow!"]


def test_vending_machine_after_the_fifth_coin():
    t = Transcript()
    t.check("create vending machine named machine",
            actor=["You create the machine."])
    for n in range(5):
        t.check("create thing named coin", actor=["You create the coin."])
        if n < 4:
            t.check("put coin in machine",
                    actor=["You put the coin in the machine."],
                    observer=["Alice puts a coin in a machine."])
    t.check("put coin in machine",
            actor=["You put the coin in the machine.",
                   "The machine clunks and drops a chocolate bar."],
            observer=["Alice puts a coin in a machine.",
                      "The machine clunks and drops a chocolate bar."])
    # The slot is the machine's IContainer: looking in reads what that
    # interface declares (this crashed while the slot lacked some of it).
    slot = IContainer(t.store.findUnique(Thing, Thing.name == "machine"))
    assert verifyObject(IContainer, slot)
    t.check("look at machine",
            actor=["machine", "Put 5 coins in for a snack."])
    # Paid is paid: the coins are spent, not kept where hands can reach.
    assert t.store.query(Thing, Thing.name == "coin").count() == 0
    t.check("put coin in machine", actor=["You don't have that."])
    t.check("create thing named coin", actor=["You create the coin."])
    t.check("put coin in machine",
            actor=["You put the coin in the machine."],
            observer=["Alice puts a coin in a machine."])
    t.check("get coin from machine", actor=["You don't see that here."])
    t.check("get coin", actor=["You don't see that here."])
    assert t.store.query(Thing, Thing.name == "coin").count() == 0
    bar = t.store.findUnique(Thing, Thing.name == "chocolate bar")
    assert bar.location is t.room
    t.check("create thing named pebble", actor=["You create the pebble."])
    t.check("put pebble in machine",
            actor=["The machine only takes coins."])


def test_tether_stops_you_leaving():
    t = Transcript()
    hall(t)
    t.check("create tether post named post", actor=["You create the post."])
    t.check("tie me to post", actor=["You tie yourself to the post."],
            observer=["Alice ties herself to a post."])
    t.check("north", actor=["The rope tying you to the post pulls you up "
                            "short. Untie yourself first."])
    assert t.actor.thing.location is t.room
    t.check("untie", actor=["You untie yourself."],
            observer=["Alice unties herself."])
    t.check("north", actor=["[ Hall ]", "Exits: south."],
            observer=["Alice leaves to the north."])


def test_clothes_layer_and_food_is_eaten():
    t = Transcript()
    for kind in ("shirt", "coat", "apple"):
        t.check(f"create {kind} named {kind}", actor=[f"You create the {kind}."])
    t.check("wear coat", actor=["You put on the coat."],
            observer=["Alice puts on a coat."])
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
    t.check("equipment", actor=["You are wearing a coat and a shirt."])
    body = IActor(t.actor.thing)
    t.store.transact(setattr, body, "stamina", 50)
    t.check("eat apple", actor=["You eat the apple."],
            observer=["Alice eats an apple."])
    assert body.stamina == 60
    assert t.store.findFirst(Thing, Thing.name == "apple") is None


def test_guard_greets_and_remembers_across_restart(tmp_path):
    path = str(tmp_path / "guard.store")
    t = Transcript(store=Store(path))
    hall(t)
    t.check("create guard named Gerald", actor=["You create Gerald."])
    t.actor.do("north")
    t.actor.output()
    t.observer.output()
    t.check("south", actor=["[ Test Location ]", "Location for testing.",
                            "Exits: north.", "Here, you see Bob and Gerald.",
                            "Gerald says, 'Hello, Alice!'"],
            observer=["Alice arrives from the north.",
                      "Gerald says, 'Hello, Alice!'"])
    t.store.close()
    store = Store(path)
    from imaginary.simulation.world import ImaginaryWorld
    world = ImaginaryWorld.get(store)
    alice = store.findUnique(Thing, Thing.name == "Alice")
    gerald = store.findUnique(Thing, Thing.name == "Gerald")
    player = Player.__new__(Player)
    from transcript import Collector, registry
    from imaginary.verbs.base import Context
    from imaginary.verbs.runner import installCommandRunner
    # The runner is the opener's to install, on every store opened.
    installCommandRunner(store, registry())
    player.thing, player.collector = alice, Collector()
    IActor(alice).setEphemeralIntelligence(player.collector)
    player.context = Context(actor=alice, world=world, registry=registry(),
                             session=player.collector)
    player.do("north")
    player.output()
    player.do("south")
    assert player.output()[-1] == "Gerald says, 'Welcome back, Alice!'"
    # The beat resumes after the restart: due wake-ups run at start.
    start = gerald.location
    clock = Clock()
    clock.advance(10 ** 10)
    IScheduler(store).startService(clock)
    clock.advance(0)
    assert gerald.location is not start
    store.close()
