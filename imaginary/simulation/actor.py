"""
Bodies: actors that act and observe, and food they eat.

An Actor powerup makes a Thing a person: hit points, stamina, strength,
experience and level, and a mind.  The mind is either *ephemeral* (a
connected player's session, in memory only) or *enduring* (a persistent
NPC intelligence item).  Events reach the mind through C{prepare}, which
renders the event for this body and returns the delivery to run after the
verb's transaction commits.
"""

import math
from functools import partial

from zope.interface import implementer

from imaginary.interfaces import (
    IActor, IDescriptionContributor, IEventObserver, IFood,
    IMovementRestriction)
from imaginary.store import (
    CASCADE, NULLIFY, Item, inmemory, integer, reference)

from .thing import Enhancement, Thing

# Actors with a connected session, kept alive (see setEphemeralIntelligence).
_attached = {}

CONDITIONS = ((1.0, "in perfect health"), (0.75, "lightly wounded"),
              (0.5, "wounded"), (0.25, "badly wounded"),
              (0.0, "near death"))


@implementer(IActor, IEventObserver, IDescriptionContributor,
             IMovementRestriction)
class Actor(Enhancement, Item):
    """A body with vitals and a mind."""

    typeName = "imaginary_actor"
    schemaVersion = 1
    powerupInterfaces = (IActor, IEventObserver, IDescriptionContributor,
                         IMovementRestriction)
    descriptionOrder = 30

    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    hitpoints = integer(default=100, allowNone=False)
    maxHitpoints = integer(default=100, allowNone=False)
    stamina = integer(default=100, allowNone=False)
    maxStamina = integer(default=100, allowNone=False)
    strength = integer(default=10, allowNone=False)
    experience = integer(default=0, allowNone=False)
    enduringIntelligence = reference(whenDeleted=NULLIFY)

    # IEventObserver: the connected session (None when nobody plays).
    listener = inmemory()
    _body = inmemory()      # self.thing, kept: every event asks for it

    def activate(self):
        """
        Start with no intelligence or body cached (the store calls this on
        load).
        """
        self.listener = None
        self._body = None

    @property
    def level(self):
        """Level grows with the logarithm of experience."""
        return 1 + int(math.log2(1 + self.experience))

    def setEphemeralIntelligence(self, intelligence):
        """
        Attach a connected session (or None to detach).  While a session is
        attached the Actor item is kept in memory: the store's identity map
        is weak, and an evicted, reloaded Actor would have lost its session.
        """
        self.listener = intelligence
        if intelligence is None:
            _attached.pop(id(self), None)
        else:
            _attached[id(self)] = self

    def getEphemeralIntelligence(self):
        """The connected session, or None."""
        return self.listener

    def prepare(self, event):
        """
        IEventObserver: what C{event} does for this body's player or mind;
        returns a callable run after the transaction commits, or None.
        """
        session = self.listener
        if session is not None:
            # A player: (most events) one message, sent after the commit.
            # (An Actor's thing never changes; deleting it deletes us.)
            body = self._body
            if body is None:
                body = self._body = self.thing
            message = event.messageFor(body)
            if message is None and event.data is None:
                return None
            # (A partial, not a lambda: one Python frame less per player
            # told, and a room can hold a hundred.)
            return partial(session.send, message, event)
        brain = self.enduringIntelligence
        if brain is None:
            return None
        message = event.messageFor(self.thing)
        observe = getattr(brain, "observe", None)
        if observe is None:
            return None
        # (A partial, not a lambda: a closure here would make this method
        # build three cells on every call, a player's too.)
        return partial(observe, event, message)

    def condition(self):
        """A word for the body's health."""
        ratio = self.hitpoints / max(1, self.maxHitpoints)
        for threshold, word in CONDITIONS:
            if ratio >= threshold:
                return word
        return CONDITIONS[-1][1]

    def contributeDescription(self, observer, paths):
        """
        IDescriptionContributor: the body's condition as a sentence for
        C{observer} ("She is in good health.").
        """
        from imaginary.language import sentence
        return sentence("{body:pronoun} {body:be} " + self.condition() + ".",
                        body=self.thing).render(observer)

    def movementRestrictedBy(self, thing, destination):
        # Nobody carries people around: a body moves only into places.
        """
        IMovementRestriction: why C{thing} can't be moved into C{destination}
        (nobody carries a person), or None.
        """
        if destination is not None and IActor(destination, None) is not None:
            from .containment import the
            return f"{the(thing, True)} can't be carried."
        return None


@implementer(IFood)
class Food(Enhancement, Item):
    """Something edible: eating it restores stamina and uses it up."""

    typeName = "imaginary_food"
    schemaVersion = 1
    powerupInterfaces = (IFood,)

    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    nourishment = integer(default=10, allowNone=False)
