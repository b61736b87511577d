"""
Tests for imaginary.simulation.actor: bodies provide what IActor (and the
other interfaces they are installed for) declare, and food IFood.
"""

from zope.interface.verify import verifyObject

from imaginary.interfaces import (
    IActor, IDescriptionContributor, IEventObserver, IFood,
    IMovementRestriction)
from imaginary.language.grammar import FEMALE
from imaginary.simulation.actor import Actor, Food
from imaginary.simulation.factories import food
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import Store


def character():
    store = Store()
    world = ImaginaryWorld.get(store)
    return world.createCharacter("Alice", FEMALE)


def test_an_actor_provides_its_interfaces():
    body = IActor(character())
    assert isinstance(body, Actor)
    for interface in (IActor, IEventObserver, IDescriptionContributor,
                      IMovementRestriction):
        assert verifyObject(interface, body)


def test_the_mind_and_the_vitals_iactor_declares():
    body = IActor(character())
    session = object()
    body.setEphemeralIntelligence(session)
    assert body.getEphemeralIntelligence() is session
    body.setEphemeralIntelligence(None)
    assert body.getEphemeralIntelligence() is None
    assert body.enduringIntelligence is None
    assert body.level == 1
    body.experience = 7         # level grows with log2(1 + experience)
    assert body.level == 4
    assert body.condition() == "in perfect health"
    body.hitpoints = body.maxHitpoints // 2
    assert body.condition() == "wounded"


def test_food_provides_ifood():
    apple = food(Store(), "apple", nourishment=12)
    eaten = IFood(apple)
    assert isinstance(eaten, Food)
    assert verifyObject(IFood, eaten)
    assert eaten.thing is apple and eaten.nourishment == 12
