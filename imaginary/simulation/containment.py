"""
Containment: things inside things, exits between rooms, doors and keys.

Containment is just C{Thing.location}; this module turns it into Idea
links.  Every thing links up to its location (C{ContainedBy}); a Container
links down to its contents (C{Contains}) and across to the rooms its exits
lead to (C{ExitLink}).

A closed container draws a boundary: links that *cross* it (from outside to
a content, or from inside out to the world) carry a C{ClosedBoundary}
annotation.  Whether a link crosses depends on how the path arrived, so the
annotation looks at the previous link: the same lid hides a box's contents
from the room and the room from the box's contents, while things inside a
closed box still perceive one another.  A transparent container (a glass
box) lets sight through and stops only reach.
"""

from zope.interface import implementer

from imaginary.interfaces import (
    IActor, IContainer, IDescriptionContributor, IDistance, IDoor,
    IElectromagneticMedium, IExit, IKey, ILinkContributor, INameable,
    IObstruction, IOpenable)
from imaginary.store import (
    AND, CASCADE, NULLIFY, Item, boolean, compoundIndex, ieee754_double, integer,
    reference, text)

from .failure import ActionFailure
from .idea import Link, Objection
from .thing import Enhancement, Thing


def the(thing, capital=False):
    """'the lamp' / 'Alice': a definite noun phrase for messages."""
    if thing.proper:
        return thing.name
    return ("The " if capital else "the ") + thing.name


@implementer(IDistance)
class ContainedBy:
    """Annotation on a thing's link up to its location (distance 0)."""

    __slots__ = ("thing", "container")
    distance = 0.0

    def __init__(self, thing, container):
        self.thing = thing
        self.container = container


@implementer(IDistance)
class Contains:
    """Annotation on a container's link down to one of its contents."""

    __slots__ = ("container",)
    distance = 0.0

    def __init__(self, container):
        self.container = container


@implementer(IElectromagneticMedium, IObstruction)
class ClosedBoundary:
    """
    The closed lid (or wall) of a container, on a link that may cross it.
    C{outward} links lead from the container to the world outside; the
    others lead from the container to its contents.
    """

    __slots__ = ("container", "outward")

    def __init__(self, container, outward):
        self.container = container
        self.outward = outward

    def crosses(self, path, index):
        """Whether the path passes through the boundary at this link."""
        box = self.container.thing
        cameFromInside = False
        if index > 0:
            for annotation in path.links[index - 1].annotations:
                if isinstance(annotation, ContainedBy) and (
                        annotation.container is box):
                    cameFromInside = True
                    break
        return cameFromInside if self.outward else not cameFromInside

    def isOpaque(self, path, index, observer):
        """
        Whether the closed lid hides what is past it on C{path} at C{index} (it
        does unless the container is transparent).
        """
        return (not self.container.transparent) and self.crosses(path, index)

    def obstructionFor(self, path, index):
        """
        IObstruction: why reach stops at the closed lid (closed, or glass), or
        None when C{path} does not cross it.
        """
        if not self.crosses(path, index):
            return None
        if self.container.transparent:
            return Objection(f"You can't reach through "
                             f"{the(self.container.thing)}.")
        return Objection(f"{the(self.container.thing, True)} is closed.")


@implementer(IObstruction)
class Held:
    """
    A person's hold on what they carry, on the links from a body (a thing
    with an IActor) to its contents.  Another person's inventory is not a
    container to reach into: a path that enters it from outside is refused
    ("Alice is carrying the coin."); the holder, and anything inside the
    holder, reach their own things as before.  Sight is not affected.
    Things change hands by being given.
    """

    __slots__ = ("person",)

    def __init__(self, person):
        self.person = person

    def obstructionFor(self, path, index):
        """
        IObstruction: why what this person holds can't be reached by someone
        else along C{path}, or None.
        """
        person = self.person
        origin = path.links[0].source.delegate
        if origin is person or origin.isInside(person):
            return None
        if index > 0:
            for annotation in path.links[index - 1].annotations:
                if isinstance(annotation, ContainedBy) and (
                        annotation.container is person):
                    return None
        # What the path ends at: carried in a bag, it is still carried.
        return Objection(f"{the(person, True)} is carrying "
                         f"{the(path.target)}.")


class LocationLink:
    """Every thing's link up to its location (not a powerup: all have it)."""

    __slots__ = ("thing",)

    def __init__(self, thing):
        self.thing = thing

    def links(self):
        """
        ILinkContributor: the link from the thing to its location (marked by a
        closed container's boundary).
        """
        thing = self.thing
        where = thing.location
        if where is None:
            return
        annotations = (ContainedBy(thing, where),)
        container = IContainer(thing, None)
        if container is not None and container.closed:
            annotations += (ClosedBoundary(container, True),)
        yield Link(thing.idea, where.idea, annotations)


class DoorSide:
    """An Idea for the far side of a door: the door, with no links on."""

    __slots__ = ("delegate",)

    def __init__(self, door):
        self.delegate = door

    def links(self):
        """ILinkContributor: none; a door only annotates its exit's link."""
        return ()


class _OpenableMixin:
    """Open/close/lock behaviour shared by containers and doors."""

    __slots__ = ()

    def setClosed(self, closed):
        if closed == self.closed:
            state = "closed" if closed else "open"
            raise ActionFailure.simple(
                f"{the(self.thing, True)} is already {state}.")
        if not closed and self.locked:
            raise ActionFailure.simple(f"{the(self.thing, True)} is locked.")
        self.closed = closed

    def setLocked(self, locked, key):
        if self.lockKey is None:
            raise ActionFailure.simple(
                f"{the(self.thing, True)} has no lock.")
        if key is not self.lockKey:
            raise ActionFailure.simple(
                f"{the(key, True)} doesn't fit {the(self.thing)}.")
        if locked == self.locked:
            state = "locked" if locked else "unlocked"
            raise ActionFailure.simple(
                f"{the(self.thing, True)} is already {state}.")
        if locked and not self.closed:
            raise ActionFailure.simple(
                f"You must close {the(self.thing)} first.")
        self.locked = locked


@implementer(IContainer, ILinkContributor, IDescriptionContributor,
             IOpenable)
class Container(Enhancement, _OpenableMixin, Item):
    """
    Lets a thing hold others, up to C{capacity} total weight.  Rooms,
    characters and boxes all have one.  C{contentsTemplate} phrases the
    description line, a sentence with the roles C{{box}} (the holder) and
    C{{things}} (the list), e.g. "{box:pronoun} {box:be} carrying {things}."
    """

    typeName = "imaginary_container"
    schemaVersion = 1
    powerupInterfaces = (IContainer, ILinkContributor,
                         IDescriptionContributor, IOpenable)
    descriptionOrder = 50

    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    capacity = integer(default=100, allowNone=False)
    closed = boolean(default=False, allowNone=False)
    transparent = boolean(default=False, allowNone=False)
    locked = boolean(default=False, allowNone=False)
    lockKey = reference(reftype=Thing, whenDeleted=NULLIFY)
    contentsTemplate = text(default=None)

    def hasLid(self):
        """
        Whether this container is something to open and close: a box or a
        wardrobe is; a body (a thing with an Actor) and a room (a thing
        with no location) are not: closing them would hide a person's
        things from their holder, or lock everyone in or out of a place.
        """
        thing = self.thing
        return thing.location is not None and IActor(thing, None) is None

    def setClosed(self, closed):
        """
        Close (or open) the lid; raises L{ActionFailure} for a container
        without one.
        """
        if not self.hasLid() and (closed or not self.closed):
            # Opening one that was closed anyway (before this rule, or by a
            # world file) mends it; nothing else is done to a lidless one.
            raise ActionFailure.simple(
                f"{the(self.thing, True)} can't be opened or closed.")
        _OpenableMixin.setClosed(self, closed)

    def checkFits(self, thing):
        """
        Check that C{thing} may go in (the lid open, the capacity not
        exceeded); raises L{ActionFailure} saying why not.  The caller moves
        it.
        """
        if self.closed:
            raise ActionFailure.simple(f"{the(self.thing, True)} is closed.")
        load = self.store.sum(Thing.weight, Thing.location == self.thing)
        if load + thing.weight > self.capacity:
            raise ActionFailure.simple(
                f"{the(thing, True)} does not fit in {the(self.thing)}.")

    def links(self):
        """
        ILinkContributor: links to the contents (marked by the lid when closed,
        and as held for a person) and to the exits of a room.
        """
        box = self.thing
        source = box.idea
        inward = (Contains(self),)
        if IActor(box, None) is not None:
            inward += (Held(box),)
        if self.closed:
            inward += (ClosedBoundary(self, False),)
        for content in box.contents():
            yield Link(source, content.idea, inward)
        outward = (ClosedBoundary(self, True),) if self.closed else ()
        for exit in self.store.query(Exit, Exit.fromLocation == box,
                                     sort=Exit.storeID.ascending):
            yield Link(source, exit.toLocation.idea,
                       (ExitLink(exit),) + outward)
            door = exit.door
            if door is not None and door.location is not box:
                # The far side of a door that stands in the next room: it
                # can be seen and handled from here, but nothing beyond it
                # is reached through it (events, searches stop at it).
                yield Link(source, DoorSide(door), (Contains(self),) + outward)

    def contributeDescription(self, observer, paths):
        # The description module lists contents itself, from the paths, so
        # that what is hidden (worn, dark, closed) stays hidden.
        """
        IDescriptionContributor: nothing; the description lists contents itself
        from what the observer can see.
        """
        return None


DIRECTIONS = {
    "north": "south", "south": "north", "east": "west", "west": "east",
    "northeast": "southwest", "southwest": "northeast",
    "northwest": "southeast", "southeast": "northwest",
    "up": "down", "down": "up", "in": "out", "out": "in",
}

DIRECTION_ALIASES = {
    "n": "north", "s": "south", "e": "east", "w": "west",
    "ne": "northeast", "nw": "northwest", "se": "southeast",
    "sw": "southwest", "u": "up", "d": "down",
}


def canonicalDirection(word):
    """'n' -> 'north'; other words unchanged (lowercased)."""
    word = word.strip().lower()
    return DIRECTION_ALIASES.get(word, word)


@implementer(IDistance, INameable, IObstruction, IElectromagneticMedium)
class ExitLink:
    """Annotation on a room's link through an exit to the next room."""

    __slots__ = ("exit",)

    def __init__(self, exit):
        self.exit = exit

    @property
    def distance(self):
        """How far the exit goes (the exit's C{distance})."""
        return self.exit.distance

    def knownAs(self, name, observer):
        """Whether C{name} names this exit's direction ("n" names north)."""
        return canonicalDirection(name) == self.exit.name.lower()

    def _doorShut(self):
        door = self.exit.door
        if door is None:
            return False
        openable = IOpenable(door, None)
        return openable is not None and openable.closed

    def obstructionFor(self, path, index):
        """
        IObstruction: "The way is shut." when a closed door is on the exit,
        else None.
        """
        if self._doorShut():
            return Objection("The way is shut.")
        return None

    def isOpaque(self, path, index, observer):
        """Whether a closed door hides the room beyond."""
        return self._doorShut()


@implementer(IExit)
class Exit(Item):
    """
    A one-way passage named by a direction (or any word: "portal"); made in
    pairs by C{Exit.link}, each the other's sibling.
    """

    typeName = "imaginary_exit"
    schemaVersion = 1

    fromLocation = reference(reftype=Thing, whenDeleted=CASCADE,
                             allowNone=False)
    toLocation = reference(reftype=Thing, whenDeleted=CASCADE,
                           allowNone=False)
    name = text(allowNone=False)
    sibling = reference(whenDeleted=NULLIFY)
    distance = ieee754_double(default=1.0, allowNone=False)
    door = reference(reftype=Thing, whenDeleted=NULLIFY)
    compoundIndex(fromLocation, name)

    @classmethod
    def link(cls, a, b, direction, reverse=None, distance=1.0, door=None):
        """
        Join rooms C{a} and C{b}: C{a} --direction--> C{b} and back by the
        opposite direction (or C{reverse} for named exits).
        """
        direction = canonicalDirection(direction)
        if reverse is None:
            if direction not in DIRECTIONS:
                raise ActionFailure.simple(
                    f"'{direction}' is not a direction; name the way back "
                    f"too.")
            reverse = DIRECTIONS[direction]
        for room, way in ((a, direction), (b, reverse)):
            existing = a.store.findFirst(
                cls, AND(cls.fromLocation == room, cls.name == way))
            if existing is not None:
                raise ActionFailure.simple(
                    f"There is already an exit {way} from {the(room)}.")
        forth = cls(store=a.store, fromLocation=a, toLocation=b,
                    name=direction, distance=distance, door=door)
        back = cls(store=a.store, fromLocation=b, toLocation=a, name=reverse,
                   distance=distance, door=door, sibling=forth)
        forth.sibling = back
        return forth

    def destroy(self):
        """Remove this exit and its sibling."""
        sibling = self.sibling
        self.deleteFromStore()
        if sibling is not None:
            sibling.deleteFromStore()


@implementer(IDoor, IOpenable)
class Door(Enhancement, _OpenableMixin, Item):
    """A door thing on an exit pair: open or closed, maybe locked."""

    typeName = "imaginary_door"
    schemaVersion = 1
    powerupInterfaces = (IDoor, IOpenable)

    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    closed = boolean(default=True, allowNone=False)
    locked = boolean(default=False, allowNone=False)
    lockKey = reference(reftype=Thing, whenDeleted=NULLIFY)


@implementer(IKey)
class Key(Enhancement, Item):
    """Marks a thing as a key (what it opens is named by the lock)."""

    typeName = "imaginary_key"
    schemaVersion = 1
    powerupInterfaces = (IKey,)

    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
