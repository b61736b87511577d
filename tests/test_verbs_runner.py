"""
Tests for imaginary.verbs.runner: the verbs layer's ICommandRunner, which
NPC minds act through, installed per store by whoever opens the world.
"""

from zope.interface.verify import verifyObject

from imaginary.interfaces import ICommandRunner
from imaginary.store import Store
from imaginary.verbs.base import VerbRegistry
from imaginary.verbs.runner import RegistryRunner, installCommandRunner
from imaginary.verbs.talk import Say

from transcript import Transcript, registry


def test_the_runner_provides_the_interface_and_is_found_on_its_store():
    store = Store()
    runner = installCommandRunner(store, registry())
    assert verifyObject(ICommandRunner, runner)
    assert ICommandRunner(store) is runner
    # Per store: another store has none until its opener installs one.
    assert ICommandRunner(Store(), None) is None


def test_the_runner_acts_as_the_body_through_its_registry():
    t = Transcript()
    onlySay = VerbRegistry()
    onlySay.add(Say)
    runner = RegistryRunner(onlySay)
    assert runner.run(t.observer.thing, "say I run") is True
    assert t.actor.output() == ["Bob says, 'I run'"]
    assert t.observer.output() == ["You say, 'I run'"]
    # Only the runner's registry counts: this one knows no 'look'.
    assert runner.run(t.observer.thing, "look") is False
    assert t.actor.output() == []


def test_the_runner_times_each_command_by_its_verb():
    from imaginary.session.metrics import NO_VERB, CommandMetrics
    t = Transcript()
    onlySay = VerbRegistry()
    onlySay.add(Say)
    metrics = CommandMetrics()
    runner = RegistryRunner(onlySay, metrics)
    assert runner.run(t.observer.thing, "say timed") is True
    assert runner.run(t.observer.thing, "look") is False
    assert {name: timings.count for name, timings in metrics.byVerb()} == {
        "say": 1, NO_VERB: 1}
    assert [(s["verb"], s["line"]) for s in sorted(
        metrics.slowest(), key=lambda s: s["line"])] == [
        (NO_VERB, "look"), ("say", "say timed")]
