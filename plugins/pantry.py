"""Food: bread and apples to eat."""

from imaginary.simulation.factories import food
from imaginary.verbs.builder import ThingType


def bread(store, name):
    """A loaf of bread called C{name}, to eat."""
    return food(store, name, "A crusty loaf.", nourishment=20)


def apple(store, name):
    """An apple called C{name}, to eat."""
    return food(store, name, "A crisp red apple.", nourishment=10)


breadType = ThingType("bread", bread, "a loaf of bread")
appleType = ThingType("apple", apple, "an apple")
