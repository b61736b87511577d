"""
The world: where newcomers start, where the defeated recover, and who is on.

ImaginaryWorld is a single item per store.  It creates characters (a Thing
with a body, an inventory and a wardrobe) and rooms, and keeps the list of
connected characters in memory only.
"""

from imaginary.language import sentence
from imaginary.store import CASCADE, NULLIFY, Item, inmemory, reference

from .actor import Actor
from .channels import joinDefaultChannels
from .containment import Container
from .events import Event
from .garments import Wearer
from .thing import Thing

CHARACTER_WEIGHT = 100
CHARACTER_CAPACITY = 50
ROOM_CAPACITY = 100000


def createRoom(store, name, description="", proper=True):
    """A room: a non-portable Thing with a roomy Container."""
    room = Thing(store=store, name=name, description=description,
                 proper=proper, portable=False, weight=0)
    Container.createFor(room, capacity=ROOM_CAPACITY)
    return room


class ImaginaryWorld(Item):
    """The store's world: origin and recovery rooms, connected players."""

    typeName = "imaginary_world"
    schemaVersion = 1

    origin = reference(reftype=Thing)
    recovery = reference(reftype=Thing)
    connected = inmemory()

    def activate(self):
        """
        Start with nobody connected (the store calls this on load; who is
        connected is not stored).
        """
        self.connected = []

    @classmethod
    def get(cls, store):
        """The world item of C{store} (created with a first room if none)."""
        world = store.findFirst(cls)
        if world is None:
            def create():
                room = createRoom(store, "The Place",
                                  "An empty place, waiting to be built.")
                return cls(store=store, origin=room, recovery=room)
            world = store.transact(create)
        return world

    def recoveryLocation(self):
        """Where defeated characters are brought back."""
        return self.recovery or self.origin

    def createCharacter(self, name, gender, description=""):
        """A new character in the origin room."""
        store = self.store

        def create():
            body = Thing(store=store, name=name, description=description,
                         proper=True, gender=gender, weight=CHARACTER_WEIGHT)
            Container.createFor(
                body, capacity=CHARACTER_CAPACITY,
                contentsTemplate="{box:pronoun} {box:be} carrying {things}.")
            Actor.createFor(body)
            Wearer.createFor(body)
            body.moveTo(self.origin, force=True)
            joinDefaultChannels(body)
            return body
        return store.transact(create)

    def loggedIn(self, character):
        """Note that C{character} is being played."""
        if character not in self.connected:
            self.connected.append(character)

    def loggedOut(self, character):
        """Note that C{character} is no longer being played."""
        if character in self.connected:
            self.connected.remove(character)

    def enterPlay(self, character):
        """
        C{character} comes into the game: back where it left (or, if that
        place is gone, the origin), told to the room.  Call inside an
        event transaction (runEventTransaction).
        """
        self.loggedIn(character)
        resting = self.store.findFirst(
            RestingPlace, RestingPlace.character == character)
        if resting is not None:
            place = resting.place if resting.place is not None \
                else self.origin
            resting.deleteFromStore()
            character.moveTo(place, force=True)
        elif character.location is None:
            character.moveTo(self.origin, force=True)
        Event(location=character.location, actor=character,
              otherMessage=sentence("{actor} {actor:appear}.",
                                    actor=character),
              data={"arrived": character}).broadcast()

    def leavePlay(self, character):
        """
        C{character}'s player has gone: it fades from view and is nowhere
        until it comes back, so nobody can touch it meanwhile.  Call
        inside an event transaction.
        """
        self.loggedOut(character)
        rest(character)


def rest(character, quietly=False):
    """
    Take C{character} out of the world, remembering where it was (once:
    a character already resting keeps its place).
    """
    place = character.location
    if place is None:
        return
    if not quietly:
        # "left", as for walking out: front ends drop the character from
        # the room's people (IRC's &here sends a PART).
        Event(location=place, actor=character,
              otherMessage=sentence("{actor} {actor:fade} from view.",
                                    actor=character),
              data={"left": character}).broadcast()
    store = character.store
    resting = store.findFirst(RestingPlace,
                              RestingPlace.character == character)
    if resting is None:
        RestingPlace(store=store, character=character, place=place)
    else:
        resting.place = place
    character.moveTo(None, force=True)


class RestingPlace(Item):
    """Where a character out of play comes back (it is nowhere meanwhile)."""

    typeName = "imaginary_resting_place"
    schemaVersion = 1

    character = reference(reftype=Thing, whenDeleted=CASCADE,
                          allowNone=False)
    place = reference(reftype=Thing, whenDeleted=NULLIFY)
