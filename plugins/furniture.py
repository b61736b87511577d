"""
Furniture: a chair you sit in.  Sitting moves you into the chair; while
seated you can't walk away (a movement restriction on your body that
only lets you move into the chair or back to the chair's room).
"""

from zope.interface import implementer

from imaginary.interfaces import IMovementRestriction, ISittable
from imaginary.language import sentence
from imaginary.simulation.containment import Container
from imaginary.simulation.events import Event
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.thing import Enhancement, Thing
from imaginary.store import CASCADE, Item, reference
from imaginary.verbs.base import Find, Verb, VerbSource, resolve
from imaginary.verbs.builder import ThingType


@implementer(ISittable)
class Chair(Enhancement, Item):
    """Makes a thing something to sit in."""

    typeName = "plugin_chair"
    powerupInterfaces = (ISittable,)
    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)


@implementer(IMovementRestriction)
class Seated(Enhancement, Item):
    """On a sitting body: refuses movement other than standing up."""

    typeName = "plugin_seated"
    powerupInterfaces = (IMovementRestriction,)
    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    chair = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)

    def movementRestrictedBy(self, thing, destination):
        """IMovementRestriction: a seated body can't walk off; it has to
        stand first.
        """
        if destination is self.chair.location:
            return None
        return "You can't go anywhere while you're sitting down. Stand up first."


def chair(store, name):
    """A chair called C{name}: something to sit in."""
    thing = Thing(store=store, name=name, portable=False, weight=10,
                  description="A wooden chair.")
    Container.createFor(thing, capacity=150)
    Chair.createFor(thing)
    return thing


def _say(context, template, **roles):
    line = sentence(template, actor=context.actor, **roles)
    Event(location=context.actor.location, actor=context.actor,
          actorMessage=line, otherMessage=line).broadcast()


class Sit(Verb):
    """sit in <chair>: sit down. 'stand' gets you up again."""
    names = ("sit",)
    syntax = ("sit in|on {target}", "sit {target}")
    finds = {"target": Find(interface=ISittable)}

    def run(self, context, target):
        """Sit the actor in the chair C{target} names."""
        actor = context.actor
        [seat] = resolve(context, self.finds["target"], target)
        if actor.location is seat.thing:
            raise ActionFailure("You're already sitting there.")
        actor.moveTo(seat.thing)
        Seated.createFor(actor, chair=seat.thing)
        _say(context, "{actor} {actor:sit} in {chair}.", chair=seat.thing)


class Stand(Verb):
    """stand (up): get up from where you are sitting."""
    names = ("stand",)
    syntax = ("stand", "stand up")

    def run(self, context):
        """Get the actor up from where it sits."""
        actor = context.actor
        seated = actor.store.findFirst(Seated, Seated.thing == actor)
        if seated is None:
            raise ActionFailure("You're already standing.")
        chairThing = seated.chair
        seated.deleteFromStore()
        actor.moveTo(chairThing.location)
        _say(context, "{actor} {actor:stand} up.")


chairType = ThingType("chair", chair, "a chair to sit in")
furnitureVerbs = VerbSource("furniture", [Sit, Stand])
