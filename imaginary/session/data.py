"""
Out-of-band data at the seam: plain values under GMCP package names.

Verbs attach facts to their events (C{data={"room": room}}), and those
facts are live store Items.  Front ends must never hold an Item (it may be
deleted, it belongs to the store's thread of changes, and a websocket
can't send one), and some facts are meant for NPC minds only ("said").  C{outOfBand} turns an event's facts into a tuple of
C{(package, value)} pairs of JSON-ready values, once per event however
many sessions receive it; every front end then carries them its own way
(GMCP over telnet, JSON over a websocket, nothing over IRC or SSH).
"""

from imaginary.interfaces import IActor
from imaginary.simulation.containment import Exit

# Keys of event.data that front ends may see, and how each is made plain.
# Anything else ("said"...) is for minds, not for front ends ("arrived"
# is for both: minds get the Item, front ends Room.AddPlayer).


def roomInfo(room):
    """Room.Info: the room's number, name and exits (name -> number)."""
    exits = {e.name: e.toLocation.storeID for e in room.store.query(
        Exit, Exit.fromLocation == room, sort=Exit.storeID.ascending)}
    return (("Room.Info", {"num": room.storeID, "name": room.name,
                           "exits": exits}),)


def vitals(body):
    """Char.Vitals and Char.Status for an Actor."""
    return (("Char.Vitals", {"hp": body.hitpoints, "maxhp": body.maxHitpoints,
                             "sp": body.stamina, "maxsp": body.maxStamina}),
            ("Char.Status", {"level": body.level, "xp": body.experience}))


def channelText(message):
    """
    Comm.Channel.Text: a line said on a channel (already plain).  The
    channel is "say" for speech in the room, "tell" for a tell (with
    "to", the recipient's name) or an in-game channel's name; "emote" is
    true when the text is an action ("waves") rather than words.
    """
    value = {"channel": str(message.get("channel", "")),
             "talker": str(message.get("talker", "")),
             "text": str(message.get("text", ""))}
    if message.get("emote"):
        value["emote"] = True
    if message.get("to"):
        value["to"] = str(message["to"])
    return (("Comm.Channel.Text", value),)


def inventory(items):
    """Char.Items.Inv: what the character carries."""
    return (("Char.Items.Inv", {"items": [
        {"id": thing.storeID, "name": thing.name} for thing in items]}),)


def roomItems(things):
    """
    Char.Items.List (location "room"): what the character sees lying in
    the room (the GMCP name MUD clients know for it); a web client
    completes these names on Tab.
    """
    return (("Char.Items.List", {"location": "room", "items": [
        {"id": thing.storeID, "name": thing.name} for thing in things]}),)


def _isPlayer(thing):
    return thing.proper and IActor(thing, None) is not None


def roomSeen(things):
    """
    What the character sees in the room: Char.Items.List, and the
    characters among it as Room.Players (IRE's GMCP package: a list of
    {"name", "fullname"}); the IRC front end makes &here's names of it.
    """
    players = [{"name": t.name, "fullname": t.name} for t in things
               if _isPlayer(t)]
    return roomItems(things) + (("Room.Players", players),)


def playerArrived(thing):
    """Room.AddPlayer: a character came into the room."""
    if not _isPlayer(thing):
        return ()
    return (("Room.AddPlayer", {"name": thing.name,
                                "fullname": thing.name}),)


def playerLeft(thing):
    """Room.RemovePlayer: a character left the room (IRE: its name)."""
    return (("Room.RemovePlayer", thing.name),) if _isPlayer(thing) else ()


CONVERTERS = {
    "room": roomInfo,
    "vitals": vitals,
    "channel": channelText,
    "inventory": inventory,
    "seen": roomSeen,
    "arrived": playerArrived,
    "left": playerLeft,
}

_last = [None, ()]      # [the last event's data dict, its conversion]


def outOfBand(data):
    """
    C{((package, value), ...)} for an event's C{data} dict.  The last
    result is kept: one event reaches many sessions in a row.
    """
    if not data:
        return ()
    if _last[0] is data:
        return _last[1]
    result = ()
    for key, value in data.items():
        convert = CONVERTERS.get(key)
        if convert is not None and value is not None:
            result += convert(value)
    _last[0], _last[1] = data, result
    return result
