"""
Transcript tests: a command in, the exact lines each observer sees out.

    t = Transcript()
    t.check("take lamp",
            actor=["You take the lamp."],
            observer=["Alice takes a lamp."])

Expected lines are literal text, or ``R(pattern)`` for a regular expression
matched against the whole line.  A missing or an extra line fails.  Output
is rendered as plain text (no styles), one list entry per line.
"""

import itertools
import re

import attr

from imaginary.interfaces import IActor
from imaginary.language import renderPlain
from imaginary.language.grammar import FEMALE, MALE
from imaginary.simulation.permissions import grant
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import Store
from imaginary.verbs.base import Context, VerbRegistry, execute
from imaginary.verbs.runner import installCommandRunner

_registry = []


def registry():
    """The verb registry built from the plugins (once per test run)."""
    if not _registry:
        _registry.append(VerbRegistry.fromPlugins())
    return _registry[0]


@attr.s(frozen=True)
class R:
    """An expected line given as a regular expression."""

    pattern = attr.ib()


class Collector:
    """A session stand-in that records what its character is told."""

    def __init__(self):
        self.lines = []
        self.events = []

    def send(self, span, event):
        self.events.append(event)
        if span is not None:
            self.lines.extend(renderPlain(span).split("\n"))

    def take(self):
        lines, self.lines = self.lines, []
        return lines


class Player:
    """A character driven by commands, with its output collected."""

    def __init__(self, world, name, gender=FEMALE, level="player"):
        self.world = world
        self.thing = world.createCharacter(name, gender)
        self.collector = Collector()
        IActor(self.thing).setEphemeralIntelligence(self.collector)
        world.loggedIn(self.thing)
        if level != "player":
            world.store.transact(grant, self.thing, level)
        self.context = Context(actor=self.thing, world=world,
                               registry=registry(), session=self.collector)

    def do(self, line):
        """Run one command; return True if it succeeded."""
        return execute(self.context, line)

    def output(self):
        """The lines received since last asked."""
        return self.collector.take()


def matchLines(who, got, expected):
    """Assert that received lines match expected ones, line by line."""
    for i, (line, want) in enumerate(itertools.zip_longest(got, expected)):
        ok = False
        if line is not None and want is not None:
            line = line.rstrip()
            if isinstance(want, R):
                ok = re.fullmatch(want.pattern, line) is not None
            else:
                ok = line == want.rstrip()
        if not ok:
            raise AssertionError(
                f"{who} line {i}: got {line!r}, expected {want!r}\n"
                f"  all received: {got!r}\n  all expected: {expected!r}")


class Transcript:
    """
    A room ("Test Location") with an actor (Alice, female, a builder) and
    an observer (Bob, male, a player) standing in it.
    """

    def __init__(self, store=None, actorLevel="builder"):
        self.store = store if store is not None else Store()
        # NPC minds act through the same verbs as the players.
        installCommandRunner(self.store, registry())
        self.world = ImaginaryWorld.get(self.store)
        self.room = self.world.origin
        self.store.transact(self._setUpRoom)
        self.actor = Player(self.world, "Alice", FEMALE, actorLevel)
        self.observer = Player(self.world, "Bob", MALE)
        self.actor.output()
        self.observer.output()

    def _setUpRoom(self):
        self.room.name = "Test Location"
        self.room.description = "Location for testing."

    def check(self, command, actor=(), observer=(), by=None):
        """Run C{command} (as the actor unless C{by} is given) and match."""
        doer = by if by is not None else self.actor
        doer.do(command)
        matchLines("actor", doer.output(), list(actor))
        other = self.observer if doer is self.actor else self.actor
        matchLines("observer", other.output(), list(observer))


def defaultWorldPlayers(*names):
    """
    The shipped default world in a new in-memory store, with a player per
    name (in the Town Square): transcripts of what a player meets there.
    """
    from imaginary.shipped import defaultWorld
    store = Store()
    installCommandRunner(store, registry())
    defaultWorld().build(store)
    world = ImaginaryWorld.get(store)
    players = [Player(world, name) for name in names]
    for player in players:
        player.output()
    return players
