"""
Worlds as data: build a store's world from a JSON document, and export a
live world back to one.

The document keeps building in version control instead of trapped in a
database.  Its shape::

    {"origin": "square", "recovery": "inn",
     "rooms":  {"square": {"name": "Town Square", "description": "...",
                           "light": 0}},          # light: ambient candelas
     "doors":  {"gate": {"name": "iron gate", "locked": true, "key": "k1"}},
     "exits":  [{"from": "square", "to": "inn", "direction": "north",
                 "door": "gate"}],                # or "reverse" for named
     "things": [{"id": "k1", "type": "key", "name": "iron key",
                 "in": "square", "description": "...", "proper": false}]}

Things are made by their thing type (the same IThingType plugins builders
use with 'create'), so a world file stays short and content stays in
plugins.  A thing's "in" names a room or another thing.  Exporting writes
every room, exit, door and typed thing (characters are players' own and
are not part of the world).
"""

import json

from imaginary.interfaces import IActor, IContainer, IOpenable
from imaginary.simulation.containment import Door, Exit
from imaginary.simulation.lighting import LocationLighting
from imaginary.simulation.thing import NOUN_FORMS, Thing
from imaginary.simulation.world import ImaginaryWorld, createRoom
from imaginary.verbs.builder import thingTypes


class WorldFileError(ValueError):
    """A world document that can't be built; the message says where."""


def build(store, document):
    """Build the world described by C{document} (a dict) into C{store}."""
    return store.transact(_build, store, document)


def _build(store, doc):
    rooms = {}
    for key, spec in doc.get("rooms", {}).items():
        room = createRoom(store, spec["name"], spec.get("description", ""),
                          proper=spec.get("proper", True))
        if "light" in spec:
            LocationLighting.createFor(room, candelas=int(spec["light"]))
        rooms[key] = room
    types = thingTypes()
    things = {}
    for spec in doc.get("things", []):
        kind = spec["type"]
        if kind not in types:
            raise WorldFileError(f"thing {spec.get('id')!r} has unknown type "
                                 f"{kind!r}; known: {sorted(types)}")
        thing = types[kind].factory(store, spec["name"])
        thing.kind = kind
        for attribute in ("description", "proper", "portable", "weight"):
            if attribute in spec:
                setattr(thing, attribute, spec[attribute])
        if "noun" in spec:
            if spec["noun"] not in NOUN_FORMS:
                raise WorldFileError(
                    f"thing {spec.get('id')!r} has noun {spec['noun']!r}; "
                    f"a noun is one of {list(NOUN_FORMS)}")
            thing.noun = spec["noun"]
        things[spec.get("id", f"#{len(things)}")] = (thing, spec)
    for key, (thing, spec) in things.items():
        where = spec.get("in")
        if where is not None:
            holder = rooms.get(where) or things.get(where, (None,))[0]
            if holder is None:
                raise WorldFileError(f"thing {key!r} is in unknown "
                                     f"{where!r}")
            thing.location = holder
        openable = IOpenable(thing, None)
        if "closed" in spec and openable is not None and \
                openable.closed != spec["closed"]:
            # (A sealed case is closed already, and can't be told.)
            openable.closed = spec["closed"]
    doors = {}
    for key, spec in doc.get("doors", {}).items():
        door = Thing(store=store, name=spec["name"], portable=False,
                     description=spec.get("description", ""))
        lockKey = None
        if spec.get("key"):
            if spec["key"] not in things:
                raise WorldFileError(f"door {key!r} has unknown key "
                                     f"{spec['key']!r}")
            lockKey = things[spec["key"]][0]
        Door.createFor(door, closed=spec.get("closed", True),
                       locked=spec.get("locked", False), lockKey=lockKey)
        doors[key] = door
    for spec in doc.get("exits", []):
        for end in ("from", "to"):
            if spec[end] not in rooms:
                raise WorldFileError(f"exit {spec} names unknown room "
                                     f"{spec[end]!r}")
        door = doors.get(spec["door"]) if spec.get("door") else None
        Exit.link(rooms[spec["from"]], rooms[spec["to"]], spec["direction"],
                  reverse=spec.get("reverse"),
                  distance=float(spec.get("distance", 1.0)), door=door)
        if door is not None and door.location is None:
            door.location = rooms[spec["from"]]
    try:
        origin = rooms[doc["origin"]]
        recovery = rooms[doc.get("recovery", doc["origin"])]
    except KeyError as e:
        raise WorldFileError(f"origin/recovery names unknown room {e}")
    return ImaginaryWorld(store=store, origin=origin, recovery=recovery)


def load(store, path):
    """Build the world in the JSON file at C{path}."""
    with open(path, encoding="utf-8") as f:
        return build(store, json.load(f))


def _isRoom(thing):
    return (thing.location is None and IContainer(thing, None) is not None
            and IActor(thing, None) is None)


def export(store):
    """The world of C{store} as a document (a dict) that build() accepts."""
    world = ImaginaryWorld.get(store)
    roomKeys, doc = {}, {"rooms": {}, "doors": {}, "exits": [],
                         "things": []}
    doorThings = {d.thing.storeID: d for d in store.query(Door)}
    for thing in store.query(Thing, sort=Thing.storeID.ascending):
        if _isRoom(thing) and thing.storeID not in doorThings:
            key = f"r{thing.storeID}"
            roomKeys[thing.storeID] = key
            spec = {"name": thing.name, "description": thing.description}
            if not thing.proper:
                spec["proper"] = False
            lighting = store.findFirst(LocationLighting,
                                       LocationLighting.thing == thing)
            if lighting is not None:
                spec["light"] = lighting.candelas
            doc["rooms"][key] = spec
    for thing in store.query(Thing, Thing.kind != None,  # noqa: E711
                             sort=Thing.storeID.ascending):
        spec = {"id": f"t{thing.storeID}", "type": thing.kind,
                "name": thing.name, "description": thing.description,
                "proper": thing.proper, "portable": thing.portable,
                "weight": thing.weight}
        if thing.noun != "count":
            spec["noun"] = thing.noun
        where = thing.location
        if where is not None:
            if where.storeID not in roomKeys and where.kind is None:
                continue  # carried by a character: the player's, not ours
            spec["in"] = roomKeys.get(where.storeID, f"t{where.storeID}")
        openable = IOpenable(thing, None)
        if openable is not None:
            spec["closed"] = openable.closed
        doc["things"].append(spec)
    for door in doorThings.values():
        spec = {"name": door.thing.name, "description":
                door.thing.description, "closed": door.closed,
                "locked": door.locked}
        if door.lockKey is not None:
            spec["key"] = f"t{door.lockKey.storeID}"
        doc["doors"][f"d{door.thing.storeID}"] = spec
    done = set()
    for exit in store.query(Exit, sort=Exit.storeID.ascending):
        if exit.storeID in done:
            continue
        sibling = exit.sibling
        if sibling is not None:
            done.add(sibling.storeID)
        spec = {"from": roomKeys.get(exit.fromLocation.storeID),
                "to": roomKeys.get(exit.toLocation.storeID),
                "direction": exit.name}
        if sibling is not None:
            spec["reverse"] = sibling.name
        if exit.distance != 1.0:
            spec["distance"] = exit.distance
        if exit.door is not None:
            spec["door"] = f"d{exit.door.storeID}"
        doc["exits"].append(spec)
    doc["origin"] = roomKeys.get(world.origin.storeID)
    doc["recovery"] = roomKeys.get(world.recoveryLocation().storeID)
    return doc


def dump(store, path):
    """Write the world of C{store} to the JSON file at C{path}."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(export(store), f, indent=2, ensure_ascii=False)
        f.write("\n")
