"""
A wandering guard: walks a beat on a persistent timer and greets players
by name, remembering (in the store, across restarts) whom it has met.
"""

import random

from imaginary.language.grammar import MALE
from imaginary.simulation.actor import Actor
from imaginary.simulation.containment import Container, Exit
from imaginary.simulation.npc import Mind, arrivalOf
from imaginary.simulation.thing import Thing
from imaginary.store import CASCADE, Item, integer, reference, textlist
from imaginary.verbs.builder import ThingType

rng = random.Random()


class GuardMind(Mind, Item):
    """Walks every C{interval} seconds; greets arrivals."""

    typeName = "plugin_guard_mind"
    thing = reference(reftype=Thing, whenDeleted=CASCADE)
    interval = integer(default=60, allowNone=False)
    known = textlist(default=[], allowNone=False)

    def observe(self, event, message):
        """Greet whoever arrives: by name, and "welcome back" to those it
        has met.
        """
        arrived = arrivalOf(event)
        if arrived is None or arrived is self.thing or not arrived.proper:
            return
        if arrived.name in self.known:
            self.act(f"say Welcome back, {arrived.name}!")
        else:
            self.store.transact(self._remember, arrived.name)
            self.act(f"say Hello, {arrived.name}!")

    def _remember(self, name):
        self.known = self.known + [name]

    def start(self):
        """Begin the beat (the schedule then keeps itself going)."""
        self.wakeAfter(self.interval)

    def run(self):
        """Walk one step of the beat, and come back in C{interval} seconds."""
        exits = list(self.store.query(
            Exit, Exit.fromLocation == self.thing.location,
            sort=Exit.storeID.ascending))
        if exits:
            self.act("go " + rng.choice(exits).name)
        from imaginary.simulation.npc import timeAfter
        return timeAfter(self, self.interval)


def guard(store, name):
    """A guard called C{name} who walks a beat and greets arrivals."""
    body = Thing(store=store, name=name, proper=True, gender=MALE,
                 weight=90, description="A guard in a dented helmet.")
    Container.createFor(body, capacity=20)
    Actor.createFor(body)
    GuardMind.animate(body).start()
    return body


guardType = ThingType("guard", guard, "a wandering guard who greets people")
