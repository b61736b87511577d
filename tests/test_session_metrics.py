"""
imaginary.session.metrics: percentiles from the fixed histogram, the
bounded slowest list and reactor lag, and commands timed by a real
server's character sessions and NPC runner.
"""

import math
import random

import pytest
from twisted.internet import task

from imaginary.interfaces import ICommandRunner
from imaginary.session import IPlayer
from imaginary.session.login import TokenCredentials
from imaginary.session.metrics import (
    CEILING, FLOOR, MAX_BUCKETS, MAX_LINE, NO_VERB, CommandMetrics,
    ReactorLag, Timings)
from imaginary.simulation.thing import Thing
from imaginary.verbs.base import Context
from imaginary.verbs.core import Look
from imaginary.verbs.talk import Say

from sessionkit import (  # noqa
    RecordingFrontEnd, fastHashes, newAccount, server, wait)


def exactPercentile(values, p):
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * p / 100.0)) - 1]


def test_percentiles_are_never_below_and_at_most_4_percent_above():
    rng = random.Random(11)
    for sample in ([rng.lognormvariate(-7, 1.5) for _ in range(5000)],
                   [0.001] * 99 + [2.0],
                   [rng.uniform(0.0005, 0.0007) for _ in range(3)]):
        timings = Timings()
        for value in sample:
            timings.add(value)
        assert timings.count == len(sample)
        assert timings.max == max(sample)
        assert math.isclose(timings.total, sum(sample))
        for p in (1, 50, 90, 99, 99.9, 100):
            exact = exactPercentile(sample, p)
            estimate = timings.percentile(p)
            assert exact <= estimate <= exact * 2 ** (1 / 16), (p, exact)
    assert Timings().percentile(50) == 0.0


def test_the_histogram_stays_bounded_whatever_it_is_given():
    timings = Timings()
    rng = random.Random(3)
    for _ in range(20000):
        timings.add(10 ** rng.uniform(-12, 8))
    timings.add(0.0)
    assert len(timings.buckets) <= MAX_BUCKETS < 600
    assert timings.count == 20001
    # Out of range values are counted at the ends, not lost.
    assert FLOOR <= timings.percentile(0.001) <= FLOOR * 2 ** (1 / 16)
    assert timings.percentile(100) == timings.max > CEILING


def test_as_dict_in_milliseconds():
    timings = Timings()
    for ms in (1, 2, 3, 100):
        timings.add(ms / 1000.0)
    facts = timings.asDict()
    assert facts["count"] == 4 and facts["maxMs"] == 100.0
    assert facts["meanMs"] == 26.5
    assert 2.0 <= facts["p50Ms"] <= 2.0 * 2 ** (1 / 16)
    assert facts["p99Ms"] == 100.0


def test_the_slowest_twenty_are_kept_slowest_first():
    metrics = CommandMetrics()
    actor = Thing(name="Alice")
    say, other = Context(actor=actor), Context(actor=actor)
    say.verb = Say
    rng = random.Random(5)
    times = [rng.random() for _ in range(1000)]
    for i, seconds in enumerate(times):
        metrics.commandRan(say if i % 2 else other, f"line {i}", seconds)
    slowest = metrics.slowest()
    assert len(slowest) == 20 == len(metrics._slowest)
    assert [s["ms"] for s in slowest] == [
        round(t * 1000, 3) for t in sorted(times, reverse=True)[:20]]
    for entry in slowest:
        i = int(entry["line"].split()[1])
        assert entry["verb"] == ("say" if i % 2 else NO_VERB)
        assert entry["who"] == "Alice"
    assert {name: t.count for name, t in metrics.byVerb()} == {
        "say": 500, NO_VERB: 500}
    metrics.commandRan(say, "say " + "x" * 1000, 5.0)
    assert metrics.slowest()[0]["line"] == ("say " + "x" * 1000)[:MAX_LINE]


def test_reactor_lag_is_how_late_the_timer_ran():
    clock = task.Clock()
    lag = ReactorLag(clock, interval=0.5, samples=4)
    lag.start()
    clock.advance(0.5)
    assert list(lag.recent) == [0.0]
    clock.advance(0.7)          # due at 1.0, ran at 1.2
    assert lag.recent[-1] == pytest.approx(0.2)
    clock.advance(0.3)          # due at 1.5, on time
    assert lag.recent[-1] == 0.0
    clock.advance(2.3)          # due at 2.0, ran at 3.8; the next at 4.0
    assert lag.recent[-1] == pytest.approx(1.8)
    clock.advance(0.2)
    assert lag.recent[-1] == 0.0
    for _ in range(10):
        clock.advance(0.5)
    assert len(lag.recent) == 4     # bounded
    facts = lag.asDict()
    assert facts["maxMs"] == 1800.0 and facts["recentMaxMs"] == 0.0
    assert facts["samples"] == 4
    lag.stop()
    assert not clock.getDelayedCalls()


def test_a_real_server_times_players_and_npcs_commands(server):
    newAccount(server, "alice")
    credentials = TokenCredentials(server.tokens.issue("alice"), "10.0.0.1")
    avatar = wait(server.portal.login(credentials, None, IPlayer))[1]
    avatar.createCharacter("Alice", "female")
    attachment = avatar.play("Alice", RecordingFrontEnd())
    commands = server.metrics.commands
    before = {name: t.count for name, t in commands.byVerb()}
    attachment.submitNow("look")
    wait(attachment.submit("say queued"))
    attachment.submitNow("frobnicate <b>")
    # An NPC's command, through the runner the server installed.
    ICommandRunner(server.store).run(attachment.character, "say as a mind")
    after = {name: t.count for name, t in commands.byVerb()}
    assert after[Look.names[0]] - before.get(Look.names[0], 0) == 1
    assert after["say"] - before.get("say", 0) == 2
    assert after[NO_VERB] - before.get(NO_VERB, 0) == 1
    lines = {s["line"]: s for s in commands.slowest()}
    assert lines["frobnicate <b>"]["verb"] == NO_VERB
    assert lines["say as a mind"]["who"] == "Alice"
    assert all(s["ms"] > 0 for s in commands.slowest())
    attachment.detach()
