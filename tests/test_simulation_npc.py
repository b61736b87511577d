"""
Tests for imaginary.simulation.npc: minds act through the ICommandRunner
installed on their store, and a store without one doesn't crash them.
"""

from twisted.logger import capturedLogs

from imaginary.interfaces import ICommandRunner
from imaginary.simulation.npc import Mind
from imaginary.simulation.thing import Thing
from imaginary.store import CASCADE, Item, reference

from transcript import Transcript


class ParrotMind(Mind, Item):
    """A mind that does nothing by itself: the tests make it act."""

    typeName = "test_npc_parrot_mind"
    thing = reference(reftype=Thing, whenDeleted=CASCADE)


def parrot(t):
    """Bob's body gets a parrot mind (his player stays attached)."""
    return t.store.transact(ParrotMind.animate, t.observer.thing)


def test_a_mind_acts_through_its_stores_runner():
    t = Transcript()
    mind = parrot(t)
    assert mind.actNow("say pieces of eight") is True
    assert t.actor.output() == ["Bob says, 'pieces of eight'"]


def test_a_mind_without_a_runner_warns_and_does_nothing():
    t = Transcript()
    mind = parrot(t)
    t.store.inMemoryPowerUp(None, ICommandRunner)
    with capturedLogs() as logs:
        assert mind.actNow("say pieces of eight") is False
    assert t.actor.output() == []
    [warning] = [e for e in logs if e["log_level"].name == "warn"]
    assert "has no ICommandRunner" in warning["log_format"]
    assert warning["mind"] == "ParrotMind"
    assert warning["line"] == "say pieces of eight"
