"""
How NPC minds act: the verbs layer's ICommandRunner.

A mind (imaginary.simulation.npc) types commands as its body, through the
same parser and verbs as players.  The simulation layer can't import the
verbs (they stand on it), so it declares what it needs, ICommandRunner, and
finds it on the body's store; whoever opens a world installs one with
C{installCommandRunner} (the server in C{ImaginaryServer.open}, the test
helpers in tests/transcript.py).  The runner is an in-memory powerup of
the store: it is never saved and lives exactly as long as the Store object.
"""

from time import perf_counter

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
    # What times every command (the server's metrics: anything with a
    # commandRan(context, line, seconds) method), or None.
    metrics = attr.ib(default=None)

    def run(self, body, line):
        """Run C{line} as C{body}; True when a verb ran successfully."""
        context = Context(actor=body, world=ImaginaryWorld.get(body.store),
                          registry=self.registry)
        metrics = self.metrics
        if metrics is None:
            return execute(context, line)
        started = perf_counter()
        try:
            return execute(context, line)
        finally:
            metrics.commandRan(context, line, perf_counter() - started)


def installCommandRunner(store, registry, metrics=None):
    """
    Have the minds in C{store} act through C{registry} (the same registry
    players use, so a plugin reload reaches NPCs too), their commands
    timed by C{metrics} if given.  Returns the runner.
    """
    runner = RegistryRunner(registry, metrics)
    store.inMemoryPowerUp(runner, ICommandRunner)
    return runner
