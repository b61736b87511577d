"""
Things, and the Enhancement mixin that gives them behaviour.

A Thing is every physical object: rooms, players, lamps.  A Thing itself
only knows its name, description, weight, portability, grammatical gender
and location.  Everything else (holding things, giving light, being worn,
acting) is an *enhancement*: a small powerup Item that points at its Thing
and is installed on it for some interfaces.  Behaviour therefore composes:
a lit lantern you can put things in is a Thing with a LightSource and a
Container, and no class knows about that combination.
"""

from zope.interface import implementer

from imaginary.interfaces import (
    IContainer, IMovementRestriction, IThing)
from imaginary.language.grammar import FEMALE, MALE, NEUTER, PLURAL
from imaginary.language.folding import foldName
from imaginary.store import (
    Item, NULLIFY, boolean, inmemory, integer, reference,
    registerAttributeCopyingUpgrader, text)

from .failure import ActionFailure

GENDERS = {"male": MALE, "female": FEMALE, "neuter": NEUTER,
           "plural": PLURAL, "they": PLURAL, "it": NEUTER}


@implementer(IThing)
class Thing(Item):
    """
    A physical object in the world: a room, a person, a torch.

    A Thing is a name, a description and a place; everything else it does
    comes from enhancements installed on it as powerups (a
    L{Container<imaginary.simulation.containment.Container>}, a
    L{LightSource<imaginary.simulation.lighting.LightSource>}, an
    L{Actor<imaginary.simulation.actor.Actor>}), found by adapting it to
    an interface: C{IContainer(thing, None)}.
    """

    typeName = "imaginary_thing"
    schemaVersion = 2

    name = text(allowNone=False, indexed=True)
    """What players call it ("torch", "Town Square", "Alice")."""
    description = text(default="")
    """What C{look at} shows of it."""
    weight = integer(default=1, allowNone=False)
    """How much of a container's capacity it takes."""
    portable = boolean(default=True, allowNone=False)
    """Whether it can be picked up and carried."""
    proper = boolean(default=False, allowNone=False)
    """Whether its name is a proper noun ("Alice", never "a Alice")."""
    gender = integer(default=NEUTER, allowNone=False)
    """MALE, FEMALE, NEUTER or PLURAL (imaginary.language), for pronouns."""
    location = reference(whenDeleted=NULLIFY)
    """The Thing it is in (a room, a box, a person), or None for a room."""
    kind = text(default=None,
                doc="the thing type it was made from (for world export)")
    """The thing type it was made from, for world export (or None)."""
    noun = text(default="count", allowNone=False)
    """Its name's noun form, for articles and counts: C{"count"} (a coin,
    two coins), C{"mass"} (some bread, never "a bread" or "two breads") or
    C{"plural"} (plural only: some trousers, two pairs of trousers)."""

    _idea = inmemory()

    def activate(self):
        """Start with no Idea cached (the store calls this on load)."""
        self._idea = None

    @property
    def idea(self):
        """This thing's node in the Idea graph (built once per load)."""
        if self._idea is None:
            from .idea import Idea
            self._idea = Idea(self)
        return self._idea

    @property
    def isPerson(self):
        """Whether a person (player or NPC) animates this thing."""
        from imaginary.interfaces import IActor
        return IActor(self, None) is not None

    def knownTo(self, observer, name):
        """
        Whether C{observer} would call this thing C{name}: the whole name or
        any one word of it (ignoring case and accents), or "me"/"self" for
        oneself.
        """
        name = foldName(" ".join(name.split()))
        if not name:
            return False
        if observer is self and name in ("me", "self", "myself"):
            return True
        # Folded as players compare names: "ilkay" finds İlkay.
        mine = foldName(self.name)
        if name == mine:
            return True
        words = mine.split()
        if name in words:
            return True
        # A multi-word name matches a suffix of ours: "gold coin" for
        # "small gold coin".
        return " ".join(words[-len(name.split()):]) == name

    def contents(self):
        """The things directly inside this one, in storeID order."""
        return list(self.store.query(Thing, Thing.location == self,
                                     sort=Thing.storeID.ascending))

    def enclosingRoom(self):
        """The outermost location (the room), or self if unlocated."""
        where, seen = self, set()
        while where.location is not None and where.storeID not in seen:
            seen.add(where.storeID)
            where = where.location
        return where

    def isInside(self, other):
        """Whether this thing is (transitively) inside C{other}."""
        where, seen = self.location, set()
        while where is not None and where.storeID not in seen:
            if where is other:
                return True
            seen.add(where.storeID)
            where = where.location
        return False

    def checkMove(self, where):
        """
        Raise ActionFailure (with a reason) if this can't move to where;
        returns where's IContainer (None for nowhere).
        """
        if where is self or (where is not None and where.isInside(self)):
            raise ActionFailure.simple(
                "A thing cannot contain itself in euclidean space.")
        if not self.portable:
            raise ActionFailure.simple(
                f"{_capitalised(self)} cannot be moved.")
        for restriction in self.powerupsFor(IMovementRestriction):
            why = restriction.movementRestrictedBy(self, where)
            if why is not None:
                raise ActionFailure.simple(why)
        if where is not None:
            container = IContainer(where, None)
            if container is None:
                raise ActionFailure.simple(
                    f"{_capitalised(where)} cannot hold things.")
            container.checkFits(self)
            return container
        return None

    def moveTo(self, where, force=False):
        """
        Move into C{where} (a Thing with a Container, or None), after every
        check: not into itself, only if portable, only if no movement
        restriction objects and the container accepts it.  C{force} skips
        portability and restrictions (builders' teleport, recovery).
        """
        if where is self.location:
            return
        container = None
        if force:
            if where is self or (where is not None and where.isInside(self)):
                raise ActionFailure.simple(
                    "A thing cannot contain itself in euclidean space.")
        else:
            container = self.checkMove(where)
        self.location = where
        # A container may act on what it was given, once it is inside (a
        # coin slot keeps the coin: paid is paid).  Optional: most have no
        # received().
        received = getattr(container, "received", None)
        if received is not None:
            received(self)

    def destroy(self):
        """
        Remove this thing from the world: its contents fall to its
        location, and its enhancements (CASCADE references) go with it.
        """
        for thing in self.contents():
            thing.location = self.location
        self.deleteFromStore()


def _capitalised(thing):
    if thing.proper:
        return thing.name
    return "The " + thing.name


NOUN_FORMS = ("count", "mass", "plural")


def _nounFromGender(thing):
    """
    Version 1 had no noun form: a thing named in the plural was given the
    plural gender ("trousers"), so that is the plural-only form now; the
    rest are count nouns (a builder sets a mass noun with C{set}).
    """
    if thing.gender == PLURAL and not thing.proper:
        thing.noun = "plural"


registerAttributeCopyingUpgrader(Thing, 1, 2, postCopy=_nounFromGender)


class Enhancement:
    """
    Mixin for powerup Items that add behaviour to a Thing.  The class must
    declare C{thing = reference(reftype=Thing, whenDeleted=CASCADE)} and
    C{powerupInterfaces}.
    """

    __slots__ = ()

    @classmethod
    def createFor(cls, thing, **kw):
        """Create this enhancement for C{thing} and install it."""
        enhancement = cls(store=thing.store, thing=thing, **kw)
        thing.powerUp(enhancement)
        return enhancement
