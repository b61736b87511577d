"""
Tests for imaginary.simulation.lighting: light sources provide what
ILightSource declares.
"""

from zope.interface.verify import verifyObject

from imaginary.interfaces import ILightSource
from imaginary.simulation.lighting import LightSource
from imaginary.simulation.factories import lamp
from imaginary.store import Store


def test_a_lamp_provides_ilightsource():
    thing = lamp(Store(), "lamp", candelas=40, lit=False)
    source = ILightSource(thing)
    assert isinstance(source, LightSource)
    assert verifyObject(ILightSource, source)
    assert (source.thing, source.candelas, source.lit) == (thing, 40, False)
