"""
What the server measures about itself, for the operator's page (/admin).

C{ServerMetrics} is one server's: per-verb command timings, the slowest
commands, and the reactor's lag.  Everything here has a fixed memory cost
whatever the uptime:

  - C{Timings} is a histogram with logarithmic buckets (C{SUBBUCKETS} per
    doubling, each 2 ** (1/16) times the last, so a percentile read from it
    is at most 4.4% above the true value, and never below it; the slowest
    list and the largest are exact) between C{FLOOR} and C{CEILING}
    seconds: at most C{MAX_BUCKETS} buckets per verb, and there are as
    many verbs as the registry has;
  - the slowest C{SLOWEST} commands are a min-heap: a command that is not
    among them costs one comparison;
  - the reactor's lag keeps its last C{LAG_SAMPLES} samples and the
    largest ever.

Recording a command is on every command's path (CharacterSession and the
NPCs' RegistryRunner call C{commandRan}), so it does little: a dict
lookup, a logarithm and a few additions (under half a microsecond).
"""

import collections
import heapq
import math
import time
from math import log2 as _log2

from twisted.internet import task

SLOWEST = 20            # commands kept in the slowest list
SUBBUCKETS = 16         # histogram buckets per doubling of a time
FLOOR = 1e-6            # times below this (seconds) count as this...
CEILING = 1e4           # ...and above this as this
LAG_INTERVAL = 0.5      # seconds between reactor lag samples
LAG_SAMPLES = 120       # samples kept (a minute at LAG_INTERVAL)
MAX_LINE = 200          # characters of a slow command's line kept
NO_VERB = "(no verb)"   # the name lines that ran no verb are counted under


# Bucket i holds the times t with i <= log2(t) * SUBBUCKETS + _OFFSET < i + 1;
# the offset keeps indexes positive, so int() rounds them down.
_OFFSET = 1024


def _bucket(seconds):
    """The histogram bucket of a time (in range): equal ratios apart."""
    return int(math.log2(seconds) * SUBBUCKETS + _OFFSET)


def _bucketTop(index):
    """The largest time that falls in bucket C{index}."""
    return 2.0 ** ((index + 1 - _OFFSET) / SUBBUCKETS)


_TOP_BUCKET = _bucket(CEILING)
MAX_BUCKETS = _TOP_BUCKET - _bucket(FLOOR) + 1


class Timings:
    """
    Counts, total, largest and a fixed histogram of one kind of timing,
    with percentiles read from the histogram.
    """

    __slots__ = ("count", "total", "max", "buckets")

    def __init__(self):
        self.count = 0
        self.total = 0.0
        self.max = 0.0
        self.buckets = {}       # bucket index -> count

    def add(self, seconds):
        """Record one timing, in seconds."""
        self.count += 1
        self.total += seconds
        if seconds > self.max:
            self.max = seconds
        if not FLOOR <= seconds <= CEILING:
            seconds = FLOOR if seconds < FLOOR else CEILING
        # _bucket, inlined: this runs for every command.
        index = int(_log2(seconds) * SUBBUCKETS + _OFFSET)
        buckets = self.buckets
        buckets[index] = buckets.get(index, 0) + 1

    def percentile(self, p):
        """
        The time (seconds) that C{p} percent of the timings are at most:
        the top of the bucket where that rank falls, never more than the
        largest timing seen.  0.0 when nothing was recorded.
        """
        if not self.count:
            return 0.0
        rank = max(1, math.ceil(self.count * p / 100.0))
        seen = 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            if seen >= rank:
                if index == _TOP_BUCKET:
                    return self.max     # it holds everything above CEILING
                return min(_bucketTop(index), self.max)
        return self.max

    def asDict(self):
        """JSON-ready: count, and p50, p99, max and mean in milliseconds."""
        return {"count": self.count,
                "p50Ms": _ms(self.percentile(50)),
                "p99Ms": _ms(self.percentile(99)),
                "maxMs": _ms(self.max),
                "meanMs": _ms(self.total / self.count if self.count else 0)}


def _ms(seconds):
    return round(seconds * 1000.0, 3)


class CommandMetrics:
    """Per-verb timings of every command since start, and the slowest."""

    def __init__(self, keep=SLOWEST):
        self.keep = keep
        self.verbs = {}         # verb name -> Timings
        # verb (or None) -> its Timings in verbs.  A plugin reload makes
        # new verb classes: their old ones stay here, a few per reload.
        self._byVerb = {}
        self._slowest = []      # min-heap of (seconds, n, verb, line, who, at)
        self._threshold = -1.0  # what a command must exceed to be kept
        self._n = 0

    def commandRan(self, context, line, seconds):
        """
        A command ran for C{seconds}: C{context} is the verbs' Context it
        ran in (its C{verb} is the verb that parsed the line, or None),
        C{line} what was typed.
        """
        verb = context.verb
        timings = self._byVerb.get(verb)
        if timings is None:
            timings = self._timingsOf(verb)
        timings.add(seconds)
        if seconds > self._threshold:
            self._remember(seconds, verb, line, context.actor)

    def _timingsOf(self, verb):
        # Once per verb: the name is looked up here, not per command.
        name = verb.names[0] if verb is not None and verb.names else NO_VERB
        timings = self.verbs.get(name)
        if timings is None:
            timings = self.verbs[name] = Timings()
        self._byVerb[verb] = timings
        return timings

    def _remember(self, seconds, verb, line, actor):
        # Only the few commands that make the list pay for this: the
        # names are copied (the heap must not keep a Thing alive) and the
        # line cut short.
        slowest = self._slowest
        self._n += 1
        name = verb.names[0] if verb is not None and verb.names else NO_VERB
        entry = (seconds, self._n, name, line[:MAX_LINE],
                 getattr(actor, "name", None), time.time())
        if len(slowest) < self.keep:
            heapq.heappush(slowest, entry)
        else:
            heapq.heapreplace(slowest, entry)
        if len(slowest) == self.keep:
            # From now on a command must beat the fastest kept to get in.
            self._threshold = slowest[0][0]

    def slowest(self):
        """The slowest commands, slowest first, as JSON-ready dicts."""
        return [{"verb": verb, "line": line, "who": who, "ms": _ms(seconds),
                 "at": at}
                for seconds, _, verb, line, who, at
                in sorted(self._slowest, reverse=True)]

    def byVerb(self):
        """[(verb name, Timings)], the most used first."""
        return sorted(self.verbs.items(),
                      key=lambda item: (-item[1].count, item[0]))


class ReactorLag:
    """
    How late the reactor runs a timer: a LoopingCall every C{interval}
    seconds notes how long after its due time it ran.  A reactor busy
    with a long command (or a blocking call) runs it late by that much.
    """

    def __init__(self, clock, interval=LAG_INTERVAL, samples=LAG_SAMPLES):
        self.clock = clock
        self.interval = interval
        self.recent = collections.deque(maxlen=samples)
        self.max = 0.0
        self._loop = None
        self._due = None

    def start(self):
        """Start sampling."""
        if self._loop is None:
            self._loop = task.LoopingCall(self._sample)
            self._loop.clock = self.clock
            self._loop.start(self.interval, now=False)

    def stop(self):
        """Stop sampling (what was measured is kept)."""
        loop, self._loop = self._loop, None
        if loop is not None and loop.running:
            loop.stop()

    def _sample(self):
        now = self.clock.seconds()
        loop = self._loop
        due = self._due
        if due is None:
            # The first call was due one interval after the start.
            due = loop.starttime + self.interval
        lag = max(0.0, now - due)
        self.recent.append(lag)
        if lag > self.max:
            self.max = lag
        # LoopingCall schedules its next call at the next multiple of the
        # interval after its start (skipping any that were missed): that
        # is when the next sample is due.
        elapsed = now - loop.starttime
        self._due = loop.starttime + (
            math.floor(elapsed / self.interval) + 1) * self.interval

    def asDict(self):
        """JSON-ready: recent max and p99, and the max since start (ms)."""
        recent = sorted(self.recent)
        p99 = recent[max(0, math.ceil(len(recent) * 0.99) - 1)] \
            if recent else 0.0
        return {"intervalSeconds": self.interval,
                "samples": len(recent),
                "recentMaxMs": _ms(recent[-1] if recent else 0.0),
                "recentP99Ms": _ms(p99),
                "maxMs": _ms(self.max)}


class Traffic:
    """
    A connection's byte counts and when it last sent something, for a
    front end whose own objects can't carry them (SSH's channels).
    """

    __slots__ = ("bytesIn", "bytesOut", "lastInput")

    def __init__(self):
        self.bytesIn = 0
        self.bytesOut = 0
        self.lastInput = time.monotonic()


class ServerMetrics:
    """One server's measurements: commands and the reactor's lag."""

    def __init__(self, clock):
        self.commands = CommandMetrics()
        self.lag = ReactorLag(clock)
        self.commandRan = self.commands.commandRan

    def start(self):
        """Start what samples over time (the reactor lag)."""
        self.lag.start()

    def stop(self):
        """Stop sampling."""
        self.lag.stop()
