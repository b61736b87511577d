"""
The default world, built into an empty store on first start.

The world itself is data: world/default.json (rooms, exits, doors and
things by thing type), built by imaginary.worldfile.  Edit the JSON to
change it; `imaginary world export` writes a live world back to that form.
"""

import os

from imaginary import worldfile

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "default.json")


def build(store):
    """Create the default world in C{store}; returns the ImaginaryWorld."""
    return worldfile.load(store, PATH)
