"""
Tests for imaginary.simulation.garments: garments and wearers provide what
IClothing and IClothingWearer declare.
"""

from zope.interface.verify import verifyObject

from imaginary.interfaces import (
    IClothing, IClothingWearer, IDescriptionContributor,
    IMovementRestriction)
from imaginary.language.grammar import FEMALE
from imaginary.simulation.garments import Garment
from imaginary.simulation.thing import Thing
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import Store


def test_garments_and_wearers_provide_their_interfaces():
    store = Store()
    alice = ImaginaryWorld.get(store).createCharacter("Alice", FEMALE)
    coat = Thing(store=store, name="coat")
    Garment.createFor(coat, garmentSlots=["chest"], bulk=3)
    coat.location = alice
    garment, wearer = IClothing(coat), IClothingWearer(alice)
    assert verifyObject(IClothing, garment)
    assert verifyObject(IMovementRestriction, garment)
    assert verifyObject(IClothingWearer, wearer)
    assert verifyObject(IDescriptionContributor, wearer)
    wearer.putOn(garment)
    assert (garment.wearer, garment.wearLevel) == (alice, 1)
    wearer.takeOff(garment)
    assert (garment.wearer, garment.wearLevel) == (None, 0)
