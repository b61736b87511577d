"""
Builder verbs: shaping the world from inside it.

All of these need the builder permission; the registry checks that in one
place before any of them runs.  Thing types for C{create} come from
IThingType plugins, so content authors add types without touching this file.
"""

import pprint

import attr
from twisted.plugin import IPlugin
from zope.interface import Attribute, Interface, implementer

from imaginary.interfaces import IContainer
from imaginary.simulation.containment import (the, 
    DIRECTIONS, Exit, canonicalDirection)
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.lighting import LocationLighting
from imaginary.simulation.thing import GENDERS, NOUN_FORMS, Thing
from imaginary.simulation.world import createRoom
from imaginary.language import sanitize
from imaginary.store import AND

from .base import Find, NEARBY, Verb, hasPermission, report, resolve


class IThingType(Interface):
    """A plugin that makes things of one kind for 'create'."""

    type = Attribute("The name builders type, e.g. 'torch'.")
    factory = Attribute(
        "A callable C{(store, name) -> Thing} that makes a new Thing of "
        "this type.")


@implementer(IPlugin, IThingType)
@attr.s(frozen=True)
class ThingType:
    """A thing type as a plugin object: a name and a factory."""

    type = attr.ib()
    factory = attr.ib()
    description = attr.ib(default="")


def thingTypes():
    """{name: IThingType} from every plugin."""
    from imaginary.plugin import defaultLoader
    return {t.type: t for t in defaultLoader().provided(IThingType)}




def _cleanName(name):
    name = " ".join(name.split())
    if not name or len(name) > 80 or not name.isprintable() or \
            sanitize(name) != name:
        raise ActionFailure.simple("A name must be 1 to 80 printable "
                                   "characters.")
    return name


class Dig(Verb):
    """
    dig <direction> <room name>: make a new room that way, with exits both
    ways.
    """

    names = ("dig",)
    syntax = ("dig {text}",)
    permission = "builder"

    def run(self, context, text):
        """
        Split C{text} into a direction and a room name, and make the room and
        the two exits.
        """
        direction, _, name = text.partition(" ")
        direction = canonicalDirection(direction)
        if direction not in DIRECTIONS:
            raise ActionFailure.simple(f"'{direction}' is not a direction.")
        name = _cleanName(name)
        here = context.actor.enclosingRoom()
        room = createRoom(context.store, name)
        Exit.link(here, room, direction)
        report(context, f"You dig {direction} and make {name}.")


class Bury(Verb):
    """bury <direction>: remove the exit that way (and its way back)."""

    names = ("bury",)
    syntax = ("bury {direction}",)
    permission = "builder"

    def run(self, context, direction):
        """
        Remove the exit C{direction} names from the actor's room, and the exit
        back.
        """
        direction = canonicalDirection(direction)
        here = context.actor.enclosingRoom()
        exit = context.store.findFirst(
            Exit, AND(Exit.fromLocation == here, Exit.name == direction))
        if exit is None:
            raise ActionFailure.simple("There is no exit that way.")
        exit.destroy()
        report(context, f"You bury the way {direction}.")


class Create(Verb):
    """
    create <type> named <name>: make a new thing and hold it. 'list thing
    types' shows the types. 'create the ...' makes a proper name.
    """

    names = ("create",)
    syntax = ("create {type} named {name}", "create {type} called {name}")
    permission = "builder"

    def run(self, context, type, name):
        """
        Make a thing of the type C{type} names, called C{name} ('the ...' makes
        a proper name).
        """
        words = type.split()
        proper = False
        if words and words[0].lower() in ("a", "an", "the"):
            proper = words[0].lower() == "the"
            words = words[1:]
        kind = " ".join(words).lower()
        types = thingTypes()
        if kind not in types:
            raise ActionFailure.simple(
                f"There is no thing type '{kind}'. Known types: "
                f"{', '.join(sorted(types))}.")
        thing = types[kind].factory(context.store, _cleanName(name))
        thing.kind = kind
        if proper:
            thing.proper = True
        # Portable things go into the builder's hands, fixtures into the room.
        from imaginary.interfaces import IActor
        carried = thing.portable and IActor(thing, None) is None
        where = context.actor if carried else context.actor.location
        thing.moveTo(where, force=True)
        context.remember([thing])
        report(context, f"You create {the(thing)}.")


class ListThingTypes(Verb):
    """list thing types: the types 'create' can make."""

    names = ("list",)
    syntax = ("list thing types",)
    permission = "builder"

    def run(self, context):
        """Tell the actor every thing type's name."""
        report(context, "Thing types: " + ", ".join(sorted(thingTypes())) +
              ".")


class Reload(Verb):
    """
    reload: pick up new and changed plugin files (thing types, verbs, NPC
    behaviours) without restarting. A plugin that fails is reported with its
    file and line, and its previous version stays active.
    """

    names = ("reload", "rebuild")
    syntax = ("reload|rebuild",)
    permission = "builder"

    def run(self, context):
        """
        Reload the plugin files, refresh the verbs, and report what loaded and
        what failed (file and line).
        """
        from imaginary.plugin import defaultLoader
        loader = defaultLoader()
        loaded, errors = loader.reload()
        if context.registry is not None:
            context.registry.refresh(loader)
        lines = [f"Reloaded {len(loaded)} plugin file(s)" +
                 (": " + ", ".join(n.rsplit(".", 1)[1] for n in loaded)
                  if loaded else "") + "."]
        lines += ["Failed: " + e.describe() for e in errors]
        report(context, "\n".join(lines))


class Describe(Verb):
    """describe <thing> as <text>: set a thing's description."""

    names = ("describe",)
    syntax = ("describe {target} as {text}",)
    permission = "builder"
    finds = {"target": Find(radius=NEARBY, reach=False)}

    def run(self, context, target, text):
        """Set the description of what C{target} names to C{text}."""
        [thing] = resolve(context, self.finds["target"], target)
        text = " ".join(sanitize(text).split())
        if len(text) > 2000:
            raise ActionFailure.simple(
                "A description may be at most 2000 characters long.")
        thing.description = text
        report(context, f"You describe {the(thing)}.")


class Name(Verb):
    """
    name <thing> to <new name>: rename a thing. Renaming a character needs
    admin permission and a name like an account's, unlike anyone else's.
    """

    names = ("name", "rename")
    syntax = ("name|rename {target} to|as {text}",)
    permission = "builder"
    finds = {"target": Find(radius=NEARBY, reach=False)}

    def run(self, context, target, text):
        """
        Rename what C{target} names to C{text} (a character's name is checked
        as an account's).
        """
        from imaginary.interfaces import IActor
        [thing] = resolve(context, self.finds["target"], target)
        old = the(thing)
        if IActor(thing, None) is not None:
            thing.name = characterName(context, thing, text)
        else:
            thing.name = _cleanName(text)
        report(context, f"You rename {old} to {thing.name}.")


def characterName(context, character, name):
    """
    The name C{character} (a player's or an NPC's body) may be renamed to,
    or ActionFailure: only admins rename characters, and a character's name
    follows the account naming rules (imaginary.accounts.checkName) and may
    not look like (nameKey) another character's, a room's, or the name of
    an account the character doesn't belong to.
    """
    from imaginary.accounts import (
        Account, AccountCharacter, NameRefused, checkName, nameKey)
    if not hasPermission(context.actor, "admin"):
        raise ActionFailure.simple(
            "You need admin permission to rename a character.")
    try:
        name = checkName(name, "character name")
    except NameRefused as e:
        raise ActionFailure.simple(str(e))
    store, key = context.store, nameKey(name)
    taken = ActionFailure.simple(f"The name '{name}' is taken.")
    for thing in store.query(Thing, Thing.proper == True):  # noqa: E712
        if thing is not character and nameKey(thing.name) == key:
            raise taken
    account = store.findFirst(Account, Account.nameKey == key)
    if account is not None and store.findFirst(AccountCharacter, AND(
            AccountCharacter.account == account,
            AccountCharacter.character == character)) is None:
        # Nobody plays under another player's account name.
        raise taken
    return name


_BOOLEANS = {"true": True, "yes": True, "on": True, "false": False,
             "no": False, "off": False}


class Set(Verb):
    """
    set <property> of <thing> to <value>: properties are gender (male, female,
    neuter, plural), proper (yes/no), noun (count: a coin; mass: some bread;
    plural: some trousers), weight, portable (yes/no) and capacity.
    """

    names = ("set",)
    syntax = ("set {property} of {target} to {value}",)
    permission = "builder"
    finds = {"target": Find(radius=NEARBY, reach=False)}

    def run(self, context, property, target, value):
        """
        Set C{property} of what C{target} names to C{value}, refusing a value
        that does not fit.
        """
        [thing] = resolve(context, self.finds["target"], target)
        prop, value = property.lower(), value.strip().lower()
        if prop == "gender":
            if value not in GENDERS:
                raise ActionFailure.simple(
                    "Gender must be male, female, neuter or plural.")
            thing.gender = GENDERS[value]
        elif prop == "noun":
            if value not in NOUN_FORMS:
                raise ActionFailure.simple(
                    "A noun is count (a coin, two coins), mass (some bread) "
                    "or plural (some trousers, two pairs of trousers).")
            thing.noun = value
        elif prop in ("proper", "portable"):
            if value not in _BOOLEANS:
                raise ActionFailure.simple(f"{prop} must be yes or no.")
            setattr(thing, prop, _BOOLEANS[value])
        elif prop in ("weight", "capacity"):
            if not value.isdigit() or int(value) > 10 ** 9:
                raise ActionFailure.simple(
                    f"{prop} must be a whole number from 0 to 1000000000.")
            if prop == "weight":
                thing.weight = int(value)
            else:
                container = IContainer(thing, None)
                if container is None:
                    raise ActionFailure.simple(
                        f"{the(thing).capitalize()} is not a container.")
                container.capacity = int(value)
        else:
            raise ActionFailure.simple(
                f"There is no property '{prop}'. Try gender, proper, noun, "
                f"weight, portable or capacity.")
        report(context, f"You set the {prop} of {the(thing)} to {value}.")


class Illuminate(Verb):
    """
    illuminate <candelas>: set the ambient light of this room (0 makes it
    dark).
    """

    names = ("illuminate",)
    syntax = ("illuminate {value}",)
    permission = "builder"

    def run(self, context, value):
        """Set the room's light to C{value} candelas (0 makes it dark)."""
        if not value.isdigit() or int(value) > 10 ** 6:
            raise ActionFailure.simple(
                "Give the light as a whole number of candelas, 0 to 1000000.")
        room = context.actor.enclosingRoom()
        lighting = context.store.findOrCreate(
            LocationLighting, room.powerUp, thing=room)
        lighting.candelas = int(value)
        report(context, f"You set the light here to {int(value)} candelas.")


class Teleport(Verb):
    """
    teleport to <room name>: go to any room. teleport <thing> to <room name>:
    send something there.
    """

    names = ("teleport",)
    syntax = ("teleport {target} to {destination}", "teleport to {destination}")
    permission = "builder"
    finds = {"target": Find(radius=NEARBY, reach=False)}

    def run(self, context, destination, target=None):
        """
        Move the actor (or what C{target} names) to the room C{destination}
        names.
        """
        actor = context.actor
        thing = actor
        if target is not None:
            [thing] = resolve(context, self.finds["target"], target)
        rooms = [t for t in context.store.query(
            Thing, Thing.name == destination.strip())
            if IContainer(t, None) is not None]
        if not rooms:
            raise ActionFailure.simple(f"There is no place called "
                                       f"'{destination.strip()}'.")
        thing.moveTo(rooms[0], force=True)
        who = "yourself" if thing is actor else the(thing)
        report(context, f"You teleport {who} to {rooms[0].name}.")


class Destroy(Verb):
    """destroy <thing>: remove a thing from the world for good."""

    names = ("destroy",)
    syntax = ("destroy {target}",)
    permission = "builder"
    finds = {"target": Find(radius=NEARBY, reach=False)}

    def run(self, context, target):
        """
        Destroy what C{target} names (not a character, nor the room the
        actor is in).
        """
        [thing] = resolve(context, self.finds["target"], target)
        if thing is context.actor or thing is context.actor.enclosingRoom():
            raise ActionFailure.simple("You can't destroy that from here.")
        from imaginary.interfaces import IActor
        if IActor(thing, None) is not None:
            raise ActionFailure.simple("Characters can't be destroyed.")
        if thing.location is None:
            _checkRoomMayGo(context, thing)
        name = the(thing)
        thing.destroy()
        report(context, f"You destroy {name}.")


def _checkRoomMayGo(context, room):
    """
    Refuse to destroy a room (a thing with no location) the world needs or
    someone would be stranded by: its contents would fall into the void.
    The world's origin (where new characters start) and recovery room stay;
    a room with a character in it, playing or resting, at any depth (on a
    chair, in a wardrobe), stays until they leave.
    """
    from imaginary.interfaces import IActor
    from imaginary.simulation.world import ImaginaryWorld
    world = context.world
    if world is None:
        world = context.store.findFirst(ImaginaryWorld)
    what = f"{the(room, True)} can't be destroyed"
    if world is not None:
        if room is world.origin:
            raise ActionFailure.simple(
                f"{what}: it is where new characters start.")
        if room is world.recoveryLocation():
            raise ActionFailure.simple(
                f"{what}: it is where the defeated recover.")
    pending, seen = [room], set()
    while pending:
        for thing in pending.pop().contents():
            if thing.storeID in seen:
                continue
            seen.add(thing.storeID)
            if IActor(thing, None) is not None:
                raise ActionFailure.simple(f"{what}: {the(thing)} is in it.")
            pending.append(thing)


class Scrutinize(Verb):
    """scrutinize <thing>: show everything the store holds about it."""

    names = ("scrutinize",)
    syntax = ("scrutinize {target}",)
    permission = "builder"
    finds = {"target": Find(radius=NEARBY, reach=False)}

    def run(self, context, target):
        """
        Tell the actor the attributes of what C{target} names and of its
        powerups.
        """
        [thing] = resolve(context, self.finds["target"], target)
        lines = [f"{thing!r}", pprint.pformat(thing.persistentValues())]
        for powerup in _powerups(thing):
            lines.append(f"{powerup!r}: "
                         f"{pprint.pformat(powerup.persistentValues())}")
        report(context, "\n".join(lines))


def _powerups(thing):
    from imaginary.store.powerups import _PowerupConnector
    seen = []
    for connector in thing.store.query(
            _PowerupConnector, _PowerupConnector.item == thing.storeID):
        if connector.powerup not in seen:
            seen.append(connector.powerup)
    return seen

