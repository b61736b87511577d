"""
The interfaces at the boundaries of the simulation.

Each simulation (containment, sight and light, clothing, bodies) is a set of
powerups that provide some of these.  Code never asks "is this a box?"; it
adapts: C{IContainer(thing, None)}.  The Idea graph asks every powerup on a
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
    """
    Something that holds things (rooms, boxes, characters).  What it holds
    are the Things whose C{location} is C{thing}; sight, light and
    descriptions read the attributes below.
    """

    thing = Attribute("The Thing that holds the contents.")
    closed = Attribute("Whether it is closed (nothing goes in or out, and "
                       "sight stops at it unless it is transparent).")
    transparent = Attribute("Whether sight and light pass through it when "
                            "closed (a glass case).")
    capacity = Attribute("Total weight it can hold.")
    contentsTemplate = Attribute(
        "A sentence template for the line listing its contents, with the "
        "roles {box} and {things}, or None for the usual one.")

    def checkFits(thing):
        """
        Check that C{thing} may be put inside; raise ActionFailure if not.
        A container may also define C{received(thing)} (not required, so
        not declared here): called once C{thing} is inside after an
        ordinary (not forced) move, to act on it.
        """


class IExit(Interface):
    """A one-way passage from one room to another."""


class IDoor(Interface):
    """A door on an exit pair: open/closed, maybe locked."""


class IKey(Interface):
    """A thing that locks and unlocks doors and containers."""


class ILightSource(Interface):
    """Something that gives light while lit."""

    thing = Attribute("The Thing that gives the light.")
    candelas = Attribute("How much light it gives when lit.")
    lit = Attribute("Whether it gives light now.")


class IClothing(Interface):
    """
    A garment, worn in layers: a garment covers the slots it names, over
    anything less bulky already worn there.
    """

    thing = Attribute("The Thing that is worn.")
    garmentSlots = Attribute("The slots it covers (a list of str: "
                             "'chest', 'legs'...).")
    bulk = Attribute("How bulky it is (an int): only a bulkier garment "
                     "goes over it.")
    wearer = Attribute("The Thing wearing it, or None.")
    wearLevel = Attribute("Its layer while worn (1 is the innermost), "
                          "0 when not worn.")


class IClothingWearer(Interface):
    """Something that wears garments."""

    thing = Attribute("The Thing that wears them.")

    def putOn(garment):
        """
        Wear C{garment} (an IClothing the wearer holds) over what is worn;
        raise ActionFailure saying why not.
        """

    def takeOff(garment):
        """
        Take off C{garment}, unless something worn over it covers it;
        raise ActionFailure saying why not.
        """


class IActor(Interface):
    """
    A body that acts: a Thing's vitals and its mind.  The mind is either
    ephemeral (a connected player's session, in memory only) or enduring
    (a persistent NPC intelligence, see imaginary.simulation.npc); events
    the body observes reach it, the session first.
    """

    thing = Attribute("The Thing this is the body of.")
    hitpoints = Attribute("Current hit points (an int, 0 means defeated).")
    maxHitpoints = Attribute("Hit points when fully healed (an int).")
    stamina = Attribute("Current stamina, spent by effort (an int).")
    maxStamina = Attribute("Stamina when fully rested (an int).")
    strength = Attribute("How hard it hits (an int).")
    experience = Attribute("Experience points earned (an int).")
    level = Attribute("The level its experience gives (an int from 1; "
                      "read-only).")
    enduringIntelligence = Attribute(
        "The persistent mind (an Item with observe(event, message)) that "
        "acts for an NPC, or None.")

    def setEphemeralIntelligence(intelligence):
        """
        Attach a connected session (anything with C{send(span, event)}) as
        this body's mind, or detach it with None.  While attached, the
        body's events are sent to it after each transaction commits.
        """

    def getEphemeralIntelligence():
        """The attached session, or None."""

    def condition():
        """A phrase for its health ("lightly wounded"), for descriptions."""


class IFood(Interface):
    """Something that can be eaten."""

    thing = Attribute("The Thing that is eaten (and then destroyed).")
    nourishment = Attribute("Stamina it gives back (an int).")


class IEventObserver(Interface):
    """
    Receives events from its surroundings: every observer within earshot
    of an event's location is asked to prepare it inside the event's
    transaction, and the deliveries run after the commit, so nobody is
    told about something that was rolled back.
    """

    listener = Attribute(
        "None, or what hears this observer's share of every event it is a "
        "bystander to (one the message does not name): an object with "
        "send(span, event), told the bystanders' one rendering after the "
        "commit without prepare being asked (a connected player's "
        "session).  A crowded room's line is then one call per listener.")

    def prepare(event):
        """
        Return a zero-argument callable to deliver C{event} later, or None
        when this observer has nothing to do with it.  Asked for every event
        in range, except those a C{listener} hears as a bystander.
        """


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

    level = Attribute("The level held: one of simulation.permissions.LEVELS.")

    def has(level):
        """
        Whether the character holds at least C{level} ("player" <
        "builder" < "admin").
        """


class IOpenable(Interface):
    """Something that opens, closes and perhaps locks (boxes, doors)."""

    thing = Attribute("The Thing that opens (the box, the door).")
    closed = Attribute("Whether it is closed.")
    locked = Attribute("Whether it is locked.")
    lockKey = Attribute("The key Thing that fits its lock, or None when it "
                        "has no lock.")

    def setClosed(closed):
        """Open or close it; raise ActionFailure when that is impossible."""

    def setLocked(locked, key):
        """Lock or unlock it with C{key}; raise ActionFailure if refused."""


class ICommandRunner(Interface):
    """
    How NPC minds act: runs a line of input as a body, through the parser
    and verbs players use.  The simulation declares it and looks it up on
    the body's store (C{ICommandRunner(store, None)}); the verbs layer
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
