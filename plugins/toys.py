"""A glass box (contents seen, not reached) and a squeaky toy."""

from zope.interface import Interface, implementer

from imaginary.language import sentence
from imaginary.simulation.events import Event
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.thing import Enhancement, Thing
from imaginary.simulation.things import box
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


def glassBox(store, name):
    """A closed, transparent box: you see what is inside but can't reach it."""
    return box(store, name, "Clear glass, sealed on every side.",
               capacity=20, closed=True, transparent=True)


def squeakyToy(store, name):
    thing = Thing(store=store, name=name,
                  description="A rubber duck. It looks squeezable.")
    Squeaker.createFor(thing)
    return thing


class Squeeze(Verb):
    names = ("squeeze",)
    syntax = ("squeeze {target}",)
    help = "squeeze <thing>: squeeze it (some things squeak)."
    finds = {"target": Find()}

    def run(self, context, target):
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
