"""
Light: rooms that can be dark, and things that give light.

A room with a LocationLighting powerup annotates the links to its contents
with a light check.  The check passes while the room's ambient light plus
every lit LightSource in the room (carried, or lying in an open container)
is above zero.  CanSee turns a failed check into the objection "It's too
dark to see.", so every verb that needs sight fails the same way in the
dark without knowing about light at all.  Rooms without LocationLighting are
always lit.
"""

from zope.interface import implementer

from imaginary.interfaces import (
    IContainer, ILightSource, ILinkAnnotator, ILitLink)
from imaginary.store import CASCADE, Item, boolean, integer, reference

from .containment import Contains
from .idea import Objection
from .thing import Enhancement, Thing

TOO_DARK = Objection("It's too dark to see.")

# Light reaches out of at most this many levels of containers: a torch held
# by a player in the room (room > player > torch) lights the room.
LIGHT_DEPTH = 3


@implementer(ILitLink)
class LightCheck:
    """Annotation on a room's link to one of its contents."""

    __slots__ = ("lighting",)

    def __init__(self, lighting):
        self.lighting = lighting

    def isLit(self, path, index, observer):
        """ILitLink: whether the room the link leads into is lit."""
        return self.lighting.isLit()

    def whyNotLit(self):
        """ILitLink: the reason to give, C{TOO_DARK}."""
        return TOO_DARK


@implementer(ILinkAnnotator)
class LocationLighting(Enhancement, Item):
    """The ambient light of a room, in candelas (0: dark without a lamp)."""

    typeName = "imaginary_location_lighting"
    schemaVersion = 1
    powerupInterfaces = (ILinkAnnotator,)

    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    candelas = integer(default=100, allowNone=False)

    def annotationsFor(self, link, idea):
        """
        ILinkAnnotator: a L{LightCheck} on the links into this room's contents.
        """
        if idea.delegate is self.thing:
            for annotation in link.annotations:
                if isinstance(annotation, Contains):
                    yield LightCheck(self)
                    return

    def isLit(self):
        """Whether the room has any light."""
        return self.totalLight() > 0

    def totalLight(self):
        """Ambient light plus every reachable lit light source."""
        total = self.candelas
        level = [self.thing]
        for _ in range(LIGHT_DEPTH):
            nextLevel = []
            for holder in level:
                for thing in holder.contents():
                    source = ILightSource(thing, None)
                    if source is not None and source.lit:
                        total += source.candelas
                    container = IContainer(thing, None)
                    if container is None or not container.closed or \
                            container.transparent:
                        nextLevel.append(thing)
            level = nextLevel
        return total


def isDark(room):
    """Whether C{room} has lighting and no light."""
    lighting = room.store.findFirst(LocationLighting,
                                    LocationLighting.thing == room)
    return lighting is not None and not lighting.isLit()


@implementer(ILightSource)
class LightSource(Enhancement, Item):
    """Gives C{candelas} of light while C{lit}."""

    typeName = "imaginary_light_source"
    schemaVersion = 1
    powerupInterfaces = (ILightSource,)

    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    candelas = integer(default=80, allowNone=False)
    lit = boolean(default=True, allowNone=False)
