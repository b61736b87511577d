"""
Factories for the basic kinds of thing (used by 'create' and by worlds).

Each factory composes a Thing with enhancements; none subclasses Thing.
"""

from .actor import Food
from .containment import Container, Key
from .lighting import LightSource
from .thing import Thing


def plainThing(store, name, description=""):
    """A portable thing with no behaviour."""
    return Thing(store=store, name=name, description=description)


def box(store, name, description="", capacity=10, closed=False,
        transparent=False):
    """A container that opens and closes."""
    thing = Thing(store=store, name=name, description=description, weight=2)
    Container.createFor(thing, capacity=capacity, closed=closed,
                        transparent=transparent)
    return thing


def key(store, name, description=""):
    """A key."""
    thing = Thing(store=store, name=name, description=description)
    Key.createFor(thing)
    return thing


def food(store, name, description="", nourishment=10):
    """Something to eat."""
    thing = Thing(store=store, name=name, description=description)
    Food.createFor(thing, nourishment=nourishment)
    return thing


def lamp(store, name, description="", candelas=80, lit=True):
    """Something that gives light."""
    thing = Thing(store=store, name=name, description=description)
    LightSource.createFor(thing, candelas=candelas, lit=lit)
    return thing
