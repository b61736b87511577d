"""
The simulation: things, the Idea graph, containment, light, clothing,
bodies, events and NPC minds.

A L{Thing<imaginary.simulation.thing.Thing>} is only a name, a description
and a location; everything else it does comes from enhancements installed
on it as powerups.  docs/simulation.md describes the design and its costs.
"""
