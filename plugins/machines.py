"""
A vending machine (drops a snack after the fifth coin) and a tether (a
post you are tied to: you can't walk further than its rope allows).
"""

from zope.interface import implementer

from imaginary.interfaces import IContainer, IMovementRestriction
from imaginary.language import sentence
from imaginary.simulation.containment import Container, the
from imaginary.simulation.events import (
    Event, afterDeliveries, runEventTransaction)
from imaginary.simulation.thing import Enhancement, Thing
from imaginary.simulation.factories import food
from imaginary.store import CASCADE, Item, integer, reference, text
from imaginary.verbs.base import Find, Verb, VerbSource, resolve
from imaginary.verbs.builder import ThingType
from imaginary.simulation.failure import ActionFailure  # noqa: I001

PRICE = 5


@implementer(IContainer)
class CoinSlot(Enhancement, Item):
    """Accepts coins; after PRICE of them, drops a snack into the room."""

    typeName = "plugin_coin_slot"
    powerupInterfaces = ((IContainer, 10),)
    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    coins = integer(default=0, allowNone=False)
    product = text(default="chocolate bar", allowNone=False)
    # What IContainer declares: looking at the machine reads these from
    # the slot, the machine's highest-priority IContainer.
    closed = False
    transparent = False
    capacity = 1000
    contentsTemplate = None

    def checkFits(self, thing):
        """IContainer: only coins go in."""
        if "coin" not in thing.name.lower():
            raise ActionFailure(f"{the(self.thing, True)} only takes coins.")

    def received(self, coin):
        """
        A coin went in: it is paid, gone from the world (nobody can take
        it back out), and the fifth buys a snack.
        """
        coin.location = None
        self.coins += 1
        store = self.store

        def spent():
            if not coin._deleted:
                coin.deleteFromStore()
            if dispense:
                self._dispense()
        dispense = self.coins >= PRICE
        if dispense:
            self.coins = 0
        # After "You put the coin in..." has been seen (it names the coin).
        afterDeliveries(lambda: runEventTransaction(store, spent))

    def _dispense(self):
        machine = self.thing
        snack = food(self.store, self.product, "Sweet and sticky.")
        snack.location = machine.location
        Event(location=machine.location,
              otherMessage=sentence("{machine:definite} {machine:clunk} and "
                                    "{machine:drop} {snack}.",
                                    machine=machine, snack=snack)
              ).broadcast()


def vendingMachine(store, name):
    """A vending machine called C{name}: five coins in its slot buy a snack."""
    machine = Thing(store=store, name=name, portable=False, weight=200,
                    description=f"Put {PRICE} coins in for a snack.")
    Container.createFor(machine, capacity=1000)
    CoinSlot.createFor(machine)
    return machine


@implementer(IMovementRestriction)
class Tied(Enhancement, Item):
    """On a body tied to a post: it can't leave the post's room."""

    typeName = "plugin_tied"
    powerupInterfaces = (IMovementRestriction,)
    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    post = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)

    def movementRestrictedBy(self, thing, destination):
        """IMovementRestriction: a body tied to a post can't walk away."""
        if destination is None or destination is self.post.location or \
                destination.isInside(self.post.location):
            return None
        return (f"The rope tying you to {the(self.post)} pulls you up short. "
                f"Untie yourself first.")


class Tie(Verb):
    """
    tie me to <post>: tie yourself to a post (you can't walk away). untie: free
    yourself.
    """
    names = ("tie", "untie")
    syntax = ("tie me to {target}", "tie myself to {target}", "untie me",
              "untie myself", "untie")
    finds = {"target": Find()}

    def run(self, context, target=None):
        """Tie the actor to the post C{target} names, or untie it."""
        actor = context.actor
        tied = actor.store.findFirst(Tied, Tied.thing == actor)
        if target is None:
            if tied is None:
                raise ActionFailure("You aren't tied to anything.")
            tied.deleteFromStore()
            line = sentence("{actor} {actor:untie} {actor:reflexive}.",
                            actor=actor)
        else:
            [post] = resolve(context, self.finds["target"], target)
            if tied is not None:
                raise ActionFailure("You are already tied up.")
            if post.portable:
                raise ActionFailure(f"{the(post, True)} would just come "
                                    f"along with you.")
            Tied.createFor(actor, post=post)
            line = sentence("{actor} {actor:tie} {actor:reflexive} to "
                            "{post}.", actor=actor, post=post)
        Event(location=actor.location, actor=actor, actorMessage=line,
              otherMessage=line).broadcast()


def tetherPost(store, name):
    """A post called C{name} to tie oneself to."""
    return Thing(store=store, name=name, portable=False, weight=100,
                 description="A stout post with a long rope.")


vendingType = ThingType("vending machine", vendingMachine,
                        "a machine that sells snacks for coins")
postType = ThingType("tether post", tetherPost, "a post to tie yourself to")
machineVerbs = VerbSource("machines", [Tie])
