"""
Tests for imaginary.simulation.containment: containers, doors, exits and
keys provide what their interfaces declare.
"""

from zope.interface.verify import verifyObject

from imaginary.interfaces import (
    IContainer, IDescriptionContributor, IDoor, IExit, IKey,
    ILinkContributor, IOpenable)
from imaginary.simulation.containment import Container, Door, Exit
from imaginary.simulation.thing import Thing
from imaginary.simulation.factories import box, key
from imaginary.simulation.world import createRoom
from imaginary.store import Store


def test_a_container_provides_its_interfaces():
    chest = box(Store(), "chest", closed=True, transparent=True)
    container = IContainer(chest)
    assert isinstance(container, Container)
    for interface in (IContainer, ILinkContributor, IDescriptionContributor,
                      IOpenable):
        assert verifyObject(interface, container)
    assert IOpenable(chest) is container
    assert container.thing is chest
    assert container.closed and container.transparent
    assert container.contentsTemplate is None


def test_doors_exits_and_keys_provide_theirs():
    store = Store()
    hall = createRoom(store, "Hall", "")
    yard = createRoom(store, "Yard", "")
    door = Thing(store=store, name="door", portable=False)
    Door.createFor(door)
    brass = key(store, "brass key")
    IOpenable(door).lockKey = brass
    exit = Exit.link(hall, yard, "north", door=door)
    assert verifyObject(IExit, exit)
    openable = IOpenable(door)
    assert isinstance(openable, Door) and IDoor(door) is openable
    assert verifyObject(IOpenable, openable)
    assert verifyObject(IDoor, openable)
    assert openable.thing is door and openable.lockKey is brass
    assert verifyObject(IKey, IKey(brass))
