"""
Clothing: garments worn in layers over body slots.

A Garment covers some slots ("chest", "left arm") with some bulk.  Putting
one on is refused when any slot's top layer is as bulky or bulkier (a shirt
over a coat); taking one off is refused while anything worn later covers one
of its slots.  A worn garment stays in its wearer's inventory, but the
link from wearer to garment is annotated as worn: descriptions show it as
clothing rather than as something carried, and it cannot be dropped or
given away until it is removed (a movement restriction).
"""

from zope.interface import implementer

from imaginary.interfaces import (
    IClothing, IClothingWearer, IDescriptionContributor,
    IMovementRestriction)
from imaginary.store import (
    CASCADE, NULLIFY, Item, integer, reference, text, textlist)

from .containment import the
from .failure import ActionFailure
from .thing import Enhancement, Thing


@implementer(IClothing, IMovementRestriction)
class Garment(Enhancement, Item):
    """Something worn: slots covered, bulk, and who wears it (if anyone)."""

    typeName = "imaginary_garment"
    schemaVersion = 1
    powerupInterfaces = (IClothing, IMovementRestriction)

    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    garmentSlots = textlist(default=[], allowNone=False)
    bulk = integer(default=1, allowNone=False)
    garmentDescription = text(default="")
    wearer = reference(reftype=Thing, whenDeleted=NULLIFY)
    wearLevel = integer(default=0, allowNone=False)

    def movementRestrictedBy(self, thing, destination):
        """
        IMovementRestriction: a garment being worn moves only with its wearer
        (it must be taken off first).
        """
        if self.wearer is not None and destination is not self.wearer:
            return (f"{the(self.thing, True)} is being worn; it must be "
                    f"taken off first.")
        return None


def wornBy(wearer):
    """The garments C{wearer} has on, outermost last."""
    return list(wearer.store.query(Garment, Garment.wearer == wearer,
                                   sort=Garment.wearLevel.ascending))


def uncovered(garments):
    """
    The garments (as from wornBy, innermost first) that show: those with
    a slot that nothing worn over them covers.  Shirt and underwear under
    a coat and trousers don't show.
    """
    shown = []
    for garment in garments:
        over = set()
        for other in garments:
            if other.wearLevel > garment.wearLevel:
                over.update(other.garmentSlots)
        if not set(garment.garmentSlots) <= over:
            shown.append(garment)
    return shown


@implementer(IClothingWearer, IDescriptionContributor)
class Wearer(Enhancement, Item):
    """Lets a thing (a body) wear garments."""

    typeName = "imaginary_wearer"
    schemaVersion = 1
    powerupInterfaces = (IClothingWearer, IDescriptionContributor)
    descriptionOrder = 40

    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)

    def _top(self, slot):
        top = None
        for garment in wornBy(self.thing):
            if slot in garment.garmentSlots:
                top = garment
        return top

    def putOn(self, garment):
        """Wear C{garment} over whatever is already worn."""
        if garment.wearer is self.thing:
            raise ActionFailure.simple(
                f"You are already wearing {the(garment.thing)}.")
        if garment.thing.location is not self.thing:
            raise ActionFailure.simple(
                f"You need to be holding {the(garment.thing)} to wear it.")
        level = 0
        for slot in garment.garmentSlots:
            top = self._top(slot)
            if top is None:
                continue
            if top.bulk >= garment.bulk:
                raise ActionFailure.simple(
                    f"{the(top.thing, True)} you are wearing is too bulky "
                    f"for you to wear {the(garment.thing)} over it.")
            level = max(level, top.wearLevel)
        garment.wearer = self.thing
        garment.wearLevel = level + 1

    def takeOff(self, garment):
        """Remove C{garment}, unless something worn covers it."""
        if garment.wearer is not self.thing:
            raise ActionFailure.simple(
                f"You aren't wearing {the(garment.thing)}.")
        slots = set(garment.garmentSlots)
        for other in wornBy(self.thing):
            if other is garment or other.wearLevel <= garment.wearLevel:
                continue
            if slots & set(other.garmentSlots):
                raise ActionFailure.simple(
                    f"You cannot take off {the(garment.thing)} because you "
                    f"are wearing {the(other.thing)}.")
        garment.wearer = None
        garment.wearLevel = 0

    def contributeDescription(self, observer, paths):
        """
        IDescriptionContributor: what the wearer has on, as C{observer} may see
        it (others see only uncovered garments).
        """
        from imaginary.language import ItemList, sentence
        garments = wornBy(self.thing)
        if observer is not self.thing:
            # Others see what isn't covered by something worn over it.
            garments = uncovered(garments)
        worn = [g.thing for g in garments]
        if not worn:
            return None
        return sentence("{wearer:pronoun} {wearer:be} wearing {clothes}.",
                        wearer=self.thing,
                        clothes=ItemList(list(reversed(worn)))).render(observer)
