"""
Handling things: give, open, close, lock, unlock, wear, remove, equipment,
eat.  Each asks the simulation (Container, Door, Wearer, Food) to act and
reports the result as one event.
"""

from imaginary.interfaces import (
    IActor, IClothing, IClothingWearer, IFood, IKey, IOpenable)
from imaginary.language import ItemList, sentence
from imaginary.simulation.events import Event
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.garments import wornBy

from imaginary.simulation.containment import the

from .base import Find, HERE, Verb, resolve
from .core import inventoryChanged


def _bystanders(template, **roles):
    s = sentence(template, **roles)
    return dict(actorMessage=s, otherMessage=s)


class Give(Verb):
    """give <thing> to <someone>: hand something you carry to someone."""

    names = ("give",)
    syntax = ("give {target} to {recipient}",)
    # Seen, not reached: what you give must be in your hands anyway, and
    # run() says so when it isn't (even when someone else carries it).
    finds = {"target": Find(radius=HERE, reach=False,
                            notFound="You don't have that."),
             "recipient": Find(interface=IActor, radius=HERE,
                               notFound="There is nobody like that here.")}

    def run(self, context, target, recipient):
        """
        Move C{target} from the actor to the person C{recipient} names, telling
        the room.
        """
        actor = context.actor
        [thing] = resolve(context, self.finds["target"], target)
        [body] = resolve(context, self.finds["recipient"], recipient)
        person = body.thing
        if thing.location is not actor:
            raise ActionFailure.simple(f"You aren't holding {the(thing)}.")
        if person is actor:
            raise ActionFailure.simple("You already have it.")
        thing.moveTo(person)
        context.remember([thing])
        s = sentence("{actor} {actor:give} {thing} to {person}.",
                     actor=actor, thing=thing, person=person)
        Event(location=actor.location, actor=actor, target=person, tool=thing,
              actorMessage=s, targetMessage=s, otherMessage=s).broadcast()
        inventoryChanged(actor)
        inventoryChanged(person)


class _OpenClose(Verb):
    closing = False
    finds = {"target": Find(interface=IOpenable, radius=HERE,
                            notFound="You don't see anything like that to "
                                     "open or close.")}

    def run(self, context, target):
        actor = context.actor
        [openable] = resolve(context, self.finds["target"], target)
        openable.setClosed(self.closing)
        verb = "close" if self.closing else "open"
        context.remember([openable.thing])
        Event(location=actor.location, actor=actor, target=openable.thing,
              **_bystanders("{actor} {actor:" + verb + "} {thing}.",
                            actor=actor, thing=openable.thing)).broadcast()


class Open(_OpenClose):
    """open <thing>: open a container or a door."""

    names = ("open",)
    syntax = ("open {target}",)


class Close(_OpenClose):
    """
    close <thing> (or: shut): close a container or a door (not a person or a
    room).
    """

    names = ("close", "shut")
    syntax = ("close|shut {target}",)
    closing = True


class _LockUnlock(Verb):
    locking = False
    slotWords = {"tool": "key"}
    finds = {"target": Find(interface=IOpenable, radius=HERE,
                            notFound="You don't see anything like that with "
                                     "a lock."),
             "tool": Find(interface=IKey, radius=HERE,
                          notFound="You don't have a key like that.")}

    def run(self, context, target, tool=None):
        actor = context.actor
        [openable] = resolve(context, self.finds["target"], target)
        if tool is None:
            # "unlock gate": with the key you carry that fits, if any.
            fitting = [t for t in actor.contents()
                       if t is openable.lockKey and IKey(t, None)]
            if openable.lockKey is None:
                raise ActionFailure.simple(
                    f"{the(openable.thing, True)} has no lock.")
            if not fitting:
                raise ActionFailure.simple(
                    f"You carry no key that fits {the(openable.thing)}.")
            key = IKey(fitting[0])
        else:
            [key] = resolve(context, self.finds["tool"], tool)
        if key.thing.location is not actor:
            raise ActionFailure.simple(
                f"You need to be holding {the(key.thing)}.")
        openable.setLocked(self.locking, key.thing)
        verb = "lock" if self.locking else "unlock"
        Event(location=actor.location, actor=actor, target=openable.thing,
              tool=key.thing,
              **_bystanders("{actor} {actor:" + verb + "} {thing} with "
                            "{key}.", actor=actor, thing=openable.thing,
                            key=key.thing)).broadcast()


class Lock(_LockUnlock):
    """
    lock <thing> with <key>: lock a closed door or container; 'lock <thing>'
    uses the key you carry that fits.
    """

    names = ("lock",)
    syntax = ("lock {target} with {tool}", "lock {target}")
    locking = True


class Unlock(_LockUnlock):
    """
    unlock <thing> with <key>: unlock a door or container; 'unlock <thing>'
    uses the key you carry that fits.
    """

    names = ("unlock",)
    syntax = ("unlock {target} with {tool}", "unlock {target}")


class Wear(Verb):
    """
    wear <garment>: put on something you carry, over what you already wear (a
    bulkier layer can't go under a thinner one).
    """

    names = ("wear", "don")
    syntax = ("wear|don {target}",)
    finds = {"target": Find(interface=IClothing, radius=HERE, many=True,
                            notFound="You don't have anything like that to "
                                     "wear.",
                            fits=lambda actor, thing: thing is not None
                            and thing.location is actor)}

    def run(self, context, target):
        """
        Put the garment C{target} names on the actor, over what is worn in its
        slots.
        """
        actor = context.actor
        wearer = IClothingWearer(actor, None)
        if wearer is None:
            raise ActionFailure.simple("You can't wear clothes.")
        garments = resolve(context, self.finds["target"], target)
        if len(garments) > 1:
            # "wear all": what you carry and don't wear yet, the thinnest
            # first, so every layer goes on over the one beneath.
            garments = sorted(
                (g for g in garments if g.wearer is None
                 and g.thing.location is actor),
                key=lambda g: (g.bulk, g.thing.storeID))
            if not garments:
                raise ActionFailure.simple(
                    "You carry nothing you aren't wearing already.")
        for garment in garments:
            wearer.putOn(garment)
            Event(location=actor.location, actor=actor,
                  target=garment.thing,
                  **_bystanders("{actor} {actor:put} on {thing}.",
                                actor=actor, thing=garment.thing)
                  ).broadcast()
        context.remember([g.thing for g in garments])


class Remove(Verb):
    """
    remove <garment> (or: take off <garment>): take off something you wear;
    what is worn over it must come off first.
    """

    names = ("remove", "doff", "take off")
    syntax = ("remove|doff {target}", "take off {target}")
    finds = {"target": Find(interface=IClothing, radius=HERE, many=True,
                            notFound="You aren't wearing that.",
                            fits=lambda actor, thing: thing is not None
                            and thing.location is actor)}

    def run(self, context, target):
        """
        Take off the garment C{target} names (not one something else is worn
        over).
        """
        actor = context.actor
        wearer = IClothingWearer(actor, None)
        if wearer is None:
            raise ActionFailure.simple("You aren't wearing anything.")
        garments = resolve(context, self.finds["target"], target)
        if len(garments) > 1:
            # "remove all": what you wear, the outermost layer first.
            garments = sorted((g for g in garments if g.wearer is actor),
                              key=lambda g: -g.wearLevel)
            if not garments:
                raise ActionFailure.simple("You aren't wearing anything.")
        for garment in garments:
            wearer.takeOff(garment)
            Event(location=actor.location, actor=actor,
                  target=garment.thing,
                  **_bystanders("{actor} {actor:take} off {thing}.",
                                actor=actor, thing=garment.thing)
                  ).broadcast()
        context.remember([g.thing for g in garments])


class Equipment(Verb):
    """equipment (or: eq): list what you are wearing."""

    names = ("equipment", "eq")
    syntax = ("equipment|eq",)

    def run(self, context):
        """Tell the actor what they are wearing."""
        actor = context.actor
        worn = [g.thing for g in reversed(wornBy(actor))]
        if worn:
            message = sentence("{actor} {actor:be} wearing {things:indefinite}.",
                               actor=actor, things=ItemList(worn))
        else:
            message = sentence("{actor} {actor:be} wearing nothing.",
                               actor=actor)
        Event(location=None, actor=actor, actorMessage=message).broadcast()


class Eat(Verb):
    """eat <food>: eat something you carry or see; it restores stamina."""

    names = ("eat",)
    syntax = ("eat {target}",)
    finds = {"target": Find(interface=IFood, radius=HERE,
                            notFound="You don't have anything like that to "
                                     "eat.")}

    def run(self, context, target):
        """Eat the food C{target} names: it is used up and restores stamina."""
        actor = context.actor
        [food] = resolve(context, self.finds["target"], target)
        thing = food.thing
        body = IActor(actor, None)
        if body is not None:
            body.stamina = min(body.maxStamina,
                               body.stamina + food.nourishment)
        Event(location=actor.location, actor=actor, target=thing,
              **_bystanders("{actor} {actor:eat} {thing}.", actor=actor,
                            thing=thing)).broadcast()
        thing.destroy()

