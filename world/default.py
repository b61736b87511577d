"""
The default world, built into an empty store on first start.

A few rooms for now; the full default world (two areas, a locked door, a
dark cellar, content plugins) arrives with the world-content work.
"""

from imaginary.simulation.containment import Exit
from imaginary.simulation.lighting import LocationLighting
from imaginary.simulation.things import box, lamp, plainThing
from imaginary.simulation.world import ImaginaryWorld, createRoom


def build(store):
    """Create the default world in C{store}; returns the ImaginaryWorld."""
    square = createRoom(
        store, "Town Square",
        "Cobbles and a dry fountain. New here? Type 'look', 'help', "
        "'actions', or walk with 'north', 'east', 'down'.")
    inn = createRoom(store, "The Wayside Inn",
                     "A warm room that smells of bread. The square is south.")
    garden = createRoom(store, "Herb Garden",
                        "Rows of herbs. The square is west.")
    cellar = createRoom(store, "Cellar", "Damp stone and old barrels.")
    LocationLighting.createFor(cellar, candelas=0)
    Exit.link(square, inn, "north")
    Exit.link(square, garden, "east")
    Exit.link(square, cellar, "down")
    chest = box(store, "wooden chest", "A sturdy wooden chest.",
                capacity=20)
    chest.location = inn
    chest.portable = False
    lantern = lamp(store, "brass lantern", "It glows warmly.")
    lantern.location = garden
    plainThing(store, "old coin", "A coin worn smooth.").location = cellar
    return ImaginaryWorld(store=store, origin=square, recovery=inn)
