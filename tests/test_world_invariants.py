"""
The default world plays fair under any sequence of commands: hypothesis
types random player commands as two players (Alice and Bob) while a third
(Dave) is away, and after every step checks what must always hold:

- nothing comes from nothing: the count of every kind of thing stays the
  same, except through the designed sources (coins spent in the vending
  machine, which drops a chocolate bar for five; food eaten);
- nothing is inside itself, and everything not a room is somewhere
  (except a character out of play);
- a character out of play is never changed by another;
- no "Something went wrong" ever reaches a player.
"""

import collections

from hypothesis import HealthCheck, given, settings, strategies as st

from imaginary.interfaces import IActor
from imaginary.shipped import defaultWorld
from imaginary.simulation.events import runEventTransaction
from imaginary.simulation.thing import Thing
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import Store
from imaginary.verbs.runner import installCommandRunner
from transcript import Player, registry

NAMES = ["coin", "coins", "bread", "loaf of bread", "apple", "torch",
         "key", "iron key", "chair", "shirt", "trousers", "coat", "hat",
         "relic", "case", "machine", "duck", "mouse", "gate", "professor",
         "Gerald", "alice", "bob", "dave", "all", "everything", "it",
         "second coin", "chocolate bar", "post"]
PEOPLE = ["alice", "bob", "dave", "Gerald", "mouse", "professor"]
MOVES = ["n", "s", "e", "w", "u", "d", "in", "out", "north", "south",
         "east", "west", "up", "down"]
FOOD = {"loaf of bread", "apple", "chocolate bar"}

name = st.sampled_from(NAMES)
person = st.sampled_from(PEOPLE)
command = st.one_of(
    st.sampled_from(MOVES + ["look", "inventory", "i", "score", "who",
                             "get all", "drop all", "wear all",
                             "equipment", "channels", "ooc hello",
                             "say hi", ":waves", "mail"]),
    st.builds("take {}".format, name),
    st.builds("drop {}".format, name),
    st.builds("look at {}".format, name),
    st.builds("eat {}".format, name),
    st.builds("wear {}".format, name),
    st.builds("remove {}".format, name),
    st.builds("open {}".format, name),
    st.builds("close {}".format, name),
    st.builds("light {}".format, name),
    st.builds("take {} from {}".format, name, name),
    st.builds("put {} in {}".format, name, name),
    st.builds("give {} to {}".format, name, person),
    st.builds("hit {}".format, person),
    st.builds("unlock {} with {}".format, name, name),
    st.builds("whisper {} psst".format, person),
)
turn = st.tuples(st.sampled_from([0, 1]), command)


def counts(store):
    """How many things of each name there are."""
    return collections.Counter(t.name for t in store.query(Thing))


def snapshot(thing):
    """What another player could change about a character."""
    body = IActor(thing)
    return (thing.location, sorted(t.storeID for t in thing.contents()),
            body.hitpoints, body.stamina)


def checkPlace(store):
    for thing in store.query(Thing):
        seen = set()
        where = thing
        while where is not None:
            assert where.storeID not in seen, f"{thing.name} is in a loop"
            seen.add(where.storeID)
            where = where.location


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(turn, min_size=1, max_size=25))
def test_the_default_world_plays_fair(turns):
    store = Store()
    installCommandRunner(store, registry())
    defaultWorld().build(store)
    world = ImaginaryWorld.get(store)
    players = [Player(world, "Alice"), Player(world, "Bob")]
    dave = Player(world, "Dave")
    # Dave has a coin and leaves the game with it.
    coin = store.findFirst(Thing, Thing.name == "coin")
    store.transact(coin.moveTo, dave.thing, True)
    runEventTransaction(store, world.leavePlay, dave.thing)
    away = snapshot(dave.thing)
    first = before = counts(store)
    made = 0            # chocolate bars the machine made so far
    for who, line in turns:
        players[who].do(line)
        for player in players + [dave]:
            said = player.output()
            assert not any("Something went wrong" in s for s in said), (
                line, said)
        now = counts(store)
        for thing, count in (now - before).items():
            # Only the machine makes anything: a bar for five coins.
            assert thing == "chocolate bar", (line, thing, count)
            made += count
        for thing, count in (before - now).items():
            assert thing == "coin" or thing in FOOD, (line, thing, count)
        # Every coin gone was paid into the machine: five per bar, and at
        # most four towards the next.
        spent = first["coin"] - now["coin"]
        assert 0 <= spent - 5 * made <= 4, (line, spent, made)
        before = now
        checkPlace(store)
        assert snapshot(dave.thing) == away, line
