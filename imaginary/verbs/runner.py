"""
How NPC minds act: the verbs layer's ICommandRunner.

A mind (imaginary.simulation.npc) types commands as its body, through the
same parser and verbs as players.  The simulation layer can't import the
verbs (they stand on it), so it declares what it needs, ICommandRunner, and
finds it on the body's store; whoever opens a world installs one with
``installCommandRunner`` (the server in ``ImaginaryServer.open``, the test
helpers in tests/transcript.py).  The runner is an in-memory powerup of
the store: it is never saved and lives exactly as long as the Store object.
"""

import attr
from zope.interface import implementer

from imaginary.interfaces import ICommandRunner
from imaginary.simulation.world import ImaginaryWorld

from .base import Context, execute


@implementer(ICommandRunner)
@attr.s(frozen=True)
class RegistryRunner:
    """Runs a body's commands through C{registry}, a VerbRegistry."""

    registry = attr.ib()

    def run(self, body, line):
        """Run C{line} as C{body}; True when a verb ran successfully."""
        context = Context(actor=body, world=ImaginaryWorld.get(body.store),
                          registry=self.registry)
        return execute(context, line)


def installCommandRunner(store, registry):
    """
    Have the minds in C{store} act through C{registry} (the same registry
    players use, so a plugin reload reaches NPCs too).  Returns the runner.
    """
    runner = RegistryRunner(registry)
    store.inMemoryPowerUp(runner, ICommandRunner)
    return runner
