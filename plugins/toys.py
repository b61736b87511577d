"""A glass box (contents seen, not reached) and a squeaky toy."""

from zope.interface import Interface, implementer

from imaginary.interfaces import IOpenable
from imaginary.language import sentence
from imaginary.simulation.containment import the
from imaginary.simulation.events import Event
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.thing import Enhancement, Thing
from imaginary.simulation.factories import box
from imaginary.store import CASCADE, Item, reference, text
from imaginary.verbs.base import Find, Verb, VerbSource, resolve
from imaginary.verbs.builder import ThingType


class ISqueaky(Interface):
    """Something that makes a noise when squeezed."""


@implementer(ISqueaky)
class Squeaker(Enhancement, Item):
    """The noise a thing makes when squeezed."""

    typeName = "plugin_squeaker"
    powerupInterfaces = (ISqueaky,)
    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    noise = text(default="Squeak!", allowNone=False)


@implementer(IOpenable)
class Seal(Enhancement, Item):
    """
    No lid: a sealed case is closed for good.  Its IOpenable comes before
    the container's (priority 10), so 'open' and 'unlock' meet the seal.
    """

    typeName = "plugin_seal"
    schemaVersion = 1
    powerupInterfaces = ((IOpenable, 10),)
    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    closed = True
    locked = False
    lockKey = None

    def setClosed(self, closed):
        """A sealed case has no lid: opening or closing it is refused."""
        raise ActionFailure.simple(
            f"{the(self.thing, True)} is sealed on every side; there is "
            f"no lid to open or close.")

    def setLocked(self, locked, key):
        """A sealed case has no lock: locking or unlocking it is refused."""
        raise ActionFailure.simple(f"{the(self.thing, True)} has no lock.")


def glassBox(store, name):
    """A sealed, transparent box: you see what is inside but can't reach it."""
    thing = box(store, name, "Clear glass, sealed on every side.",
                capacity=20, closed=True, transparent=True)
    Seal.createFor(thing)
    return thing


def squeakyToy(store, name):
    """A squeaky toy called C{name}."""
    thing = Thing(store=store, name=name,
                  description="A rubber duck. It looks squeezable.")
    Squeaker.createFor(thing)
    return thing


class Squeeze(Verb):
    """squeeze <thing>: squeeze it (some things squeak)."""
    names = ("squeeze",)
    syntax = ("squeeze {target}",)
    finds = {"target": Find()}

    def run(self, context, target):
        """Squeeze what C{target} names (it squeaks if it can)."""
        [thing] = resolve(context, self.finds["target"], target)
        squeaker = ISqueaky(thing, None)
        if squeaker is None:
            raise ActionFailure("Nothing happens.")
        actor = context.actor
        line = sentence("{actor} {actor:squeeze} {toy}. " + squeaker.noise,
                        actor=actor, toy=thing)
        Event(location=actor.location, actor=actor, target=thing,
              actorMessage=line, otherMessage=line).broadcast()


glassBoxType = ThingType("glass box", glassBox, "a sealed glass case")
squeakyToyType = ThingType("squeaky toy", squeakyToy, "a toy that squeaks")
toyVerbs = VerbSource("toys", [Squeeze])
