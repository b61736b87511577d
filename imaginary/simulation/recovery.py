"""
Recovery: bodies get their breath and their health back over time.

A body below its maximum hit points or stamina gets a C{Recovery} item,
run by the store's persistent scheduler every C{RECOVERY_SECONDS}: each
run gives back C{STAMINA_STEP} stamina and C{HEALTH_STEP} hit points,
and when both are full the item deletes itself.  A body at full strength
has no item and costs nothing; one that is recovering keeps recovering
across a restart (the scheduler's events live in the store) and while its
player is away.  Whatever lowers a body's vitals calls C{needsRest}.
"""

from datetime import timedelta

from epsilon.extime import Time

from imaginary.interfaces import IActor
from imaginary.store import CASCADE, IScheduler, Item, reference

from .thing import Thing

RECOVERY_SECONDS = 30
STAMINA_STEP = 10       # empty to full (100) in five minutes
HEALTH_STEP = 5         # ten minutes for the whole of a body's health


class Recovery(Item):
    """A body getting its strength back, one scheduled step at a time."""

    typeName = "imaginary_recovery"
    schemaVersion = 1

    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)

    def run(self):
        """One step; the next step's Time, or None (and gone) when full."""
        body = IActor(self.thing, None)
        if body is None:
            self.deleteFromStore()
            return None
        body.stamina = min(body.maxStamina, body.stamina + STAMINA_STEP)
        body.hitpoints = min(body.maxHitpoints,
                             body.hitpoints + HEALTH_STEP)
        if isFull(body):
            self.deleteFromStore()
            return None
        return _next(self.store)


def isFull(body):
    """Whether an Actor has all its hit points and stamina."""
    return body.stamina >= body.maxStamina and \
        body.hitpoints >= body.maxHitpoints


def isRecovering(body):
    """Whether an Actor is getting its strength back now."""
    return body.store.findFirst(Recovery,
                                Recovery.thing == body.thing) is not None


def needsRest(body):
    """
    Note that C{body} (an Actor) may be below its best: start its
    recovery unless it is full or already recovering.  Inside the
    caller's transaction.
    """
    if isFull(body) or isRecovering(body):
        return
    store = body.store
    IScheduler(store).schedule(Recovery(store=store, thing=body.thing),
                               _next(store))


def _next(store):
    scheduler = IScheduler(store)
    now = getattr(scheduler, "now", None)
    base = now() if callable(now) else Time()
    return base + timedelta(seconds=RECOVERY_SECONDS)
