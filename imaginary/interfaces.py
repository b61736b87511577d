"""
The interfaces at the boundaries of the simulation.

Each simulation (containment, sight and light, clothing, bodies) is a set of
powerups that provide some of these.  Code never asks "is this a box?"; it
adapts: ``IContainer(thing, None)``.  The Idea graph asks every powerup on a
thing for links (ILinkContributor) and annotations (ILinkAnnotator), and
retrievers read annotations by interface (IDistance, IObstruction, ...).
"""

from zope.interface import Attribute, Interface


class IThing(Interface):
    """A physical object: rooms, players and items alike."""

    name = Attribute("The thing's name.")
    location = Attribute("The Thing containing this one, or None.")


class ILinkContributor(Interface):
    """A powerup that adds links from its thing's Idea."""

    def links():
        """Yield Link objects whose source is the thing's Idea."""


class ILinkAnnotator(Interface):
    """A powerup that adds annotations to its thing's outgoing links."""

    def annotationsFor(link, idea):
        """Yield annotations for one link leaving C{idea}."""


class IDescriptionContributor(Interface):
    """A powerup that adds lines to its thing's description."""

    descriptionOrder = Attribute(
        "An int: contributions are shown in ascending order.")

    def contributeDescription(observer, paths):
        """Return a Span (or None) for C{observer}."""


class IMovementRestriction(Interface):
    """A powerup that may veto its thing's movement."""

    def movementRestrictedBy(thing, destination):
        """Return None to allow, or an ActionFailure message (a str)."""


class IContainer(Interface):
    """Something that holds things (rooms, boxes, characters)."""

    closed = Attribute("Whether it is closed.")
    capacity = Attribute("Total weight it can hold.")

    def add(thing):
        """Check that C{thing} may be put inside; raise ActionFailure if not."""


class IExit(Interface):
    """A one-way passage from one room to another."""


class IDoor(Interface):
    """A door on an exit pair: open/closed, maybe locked."""


class IKey(Interface):
    """A thing that locks and unlocks doors and containers."""


class ILightSource(Interface):
    """Something that gives light while lit."""

    candelas = Attribute("How much light it gives when lit.")


class IClothing(Interface):
    """A garment."""


class IClothingWearer(Interface):
    """Something that wears garments."""


class IActor(Interface):
    """A body that acts: hit points, stamina, level."""


class IFood(Interface):
    """Something that can be eaten."""


class IEventObserver(Interface):
    """Receives events from its surroundings."""

    def prepare(event):
        """Return a zero-argument callable to deliver the event later."""


class IWhyNot(Interface):
    """An objection collected during a graph search."""

    def tellMeWhyNot():
        """The reason, as a str for the searcher."""


class IDistance(Interface):
    """A link annotation giving the link's length in metres."""

    distance = Attribute("A float.")


class IObstruction(Interface):
    """A link annotation that may stop reaching along a path."""

    def obstructionFor(path, index):
        """Return an IWhyNot if this annotation blocks reach, else None."""


class IElectromagneticMedium(Interface):
    """A link annotation that may stop sight along a path."""

    def isOpaque(path, index, observer):
        """Whether sight stops here."""


class ILitLink(Interface):
    """A link annotation about light."""

    def isLit(path, index, observer):
        """Whether the link's target is lit for the observer."""

    def whyNotLit():
        """An IWhyNot explaining the darkness."""


class INameable(Interface):
    """A link annotation giving the target another name from here."""

    def knownAs(name, observer):
        """Whether C{name} refers to the link's target from here."""


class ISittable(Interface):
    """Furniture one can sit in."""


class IPermissions(Interface):
    """Which permission levels a character holds (player, builder, admin)."""

    def has(level):
        """Whether the character holds at least C{level}."""


class IOpenable(Interface):
    """Something that opens, closes and perhaps locks (boxes, doors)."""

    closed = Attribute("Whether it is closed.")
    locked = Attribute("Whether it is locked.")

    def setClosed(closed):
        """Open or close it; raise ActionFailure when that is impossible."""

    def setLocked(locked, key):
        """Lock or unlock it with C{key}; raise ActionFailure if refused."""


class ICommandRunner(Interface):
    """
    How NPC minds act: runs a line of input as a body, through the parser
    and verbs players use.  The simulation declares it and looks it up on
    the body's store (``ICommandRunner(store, None)``); the verbs layer
    implements it (imaginary.verbs.runner), and whoever opens a world
    installs one per store as an in-memory powerup.
    """

    def run(body, line):
        """
        Run C{line} (a str, as a player would type it) as C{body} (a Thing
        with an Actor) now, in its own event transaction.  What it does
        reaches observers as a player's action would; a refusal is told
        only to a session, which an NPC has none of.  Nothing raises.
        Returns True when a verb ran successfully.
        """
