"""
Where the slow commands of a load run come from: a probe around the
benchmark's server.

It runs the server module in this process with four recorders:

  - every telnet packet handled (``MudTelnetTransport.dataReceived``): when
    it arrived at the protocol and how long handling it took, which for a
    ``say`` is the command and every delivery made ready;
  - every outbox flush (``Outbox.flushAll``): when, how long, how many
    connections: the sends of a turn;
  - every garbage collection (``gc.callbacks``): generation and pause;
  - the reactor's lag: a timer asked to run every 5 ms, and how late it ran;
  - every store transaction that changed something (the store's
    generation moved: every cache keyed on it, the room's listeners and
    remembered sentences among them, starts again).

A command's time from the line reaching the protocol to its last byte
sent is its handling plus the flush after it.  The report puts the
slowest 1% of those beside what happened during them.

    python bench/tail_probe.py OUT.json -m imaginary.cli serve ...
    python bench/tail_probe.py --report OUT.json

load_bench.py runs its server this way with ``--probe OUT.json``.
"""

import atexit
import bisect
import gc
import json
import os
import runpy
import statistics
import sys
import time

LAG_INTERVAL = 0.005


class Probe:
    """The recorders; C{write} dumps them as JSON."""

    def __init__(self):
        self.packets = []       # (start, seconds)
        self.flushes = []       # (start, seconds, connections)
        self.collections = []   # (start, seconds, generation)
        self.lags = []          # (when, seconds late)
        self.writes = []        # (start, seconds) of transactions that wrote
        self._gcStart = None

    def install(self):
        """Wrap the hooks (imports the server's modules first)."""
        from imaginary.frontends import sockets, telnet
        clock = time.perf_counter
        packets, flushes = self.packets, self.flushes

        received = telnet.MudTelnetTransport.dataReceived

        def dataReceived(transport, data):
            start = clock()
            try:
                return received(transport, data)
            finally:
                packets.append((start, clock() - start))
        telnet.MudTelnetTransport.dataReceived = dataReceived

        flushAll = sockets.Outbox.flushAll

        def flush(outbox):
            start, count = clock(), len(outbox._pending)
            try:
                return flushAll(outbox)
            finally:
                flushes.append((start, clock() - start, count))
        sockets.Outbox.flushAll = flush
        gc.callbacks.append(self._gc)

        from imaginary.store.transaction import Transactions
        transact, writes = Transactions.transact, self.writes

        def transacting(store, f, *a, **kw):
            if store._txn is not None:
                return transact(store, f, *a, **kw)
            start, generation = clock(), store.generation
            try:
                return transact(store, f, *a, **kw)
            finally:
                if store.generation != generation:
                    writes.append((start, clock() - start))
        Transactions.transact = transacting

        from twisted.internet import reactor
        reactor.callWhenRunning(self._tick, reactor, clock() + LAG_INTERVAL)

    def _gc(self, phase, info):
        if phase == "start":
            self._gcStart = time.perf_counter()
        elif self._gcStart is not None:
            self.collections.append((self._gcStart,
                                     time.perf_counter() - self._gcStart,
                                     info["generation"]))
            self._gcStart = None

    def _tick(self, reactor, due):
        now = time.perf_counter()
        self.lags.append((now, max(0.0, now - due)))
        reactor.callLater(LAG_INTERVAL, self._tick, reactor,
                          now + LAG_INTERVAL)

    def write(self, path):
        """Dump everything recorded."""
        with open(path, "w") as f:
            json.dump({"packets": self.packets, "flushes": self.flushes,
                       "collections": self.collections,
                       "lags": self.lags, "writes": self.writes}, f)


def _pct(values, p):
    values = sorted(values)
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def _ms(seconds):
    return f"{seconds * 1000:.2f}"


def report(path):
    """Print the breakdown of a probe file (the load window only)."""
    with open(path) as f:
        data = json.load(f)
    packets, flushes = data["packets"], data["flushes"]
    if not packets:
        print("no packets recorded")
        return
    # The talking: from the first packet of the busiest stretch on.  The
    # logins come first; skip the first fifth of the packets with them.
    packets = packets[len(packets) // 5:]
    start = packets[0][0]
    flushes = [f for f in flushes if f[0] >= start]
    collections = [c for c in data["collections"] if c[0] >= start]
    lags = [lag for lag in data["lags"] if lag[0] >= start]
    writes = [w for w in data.get("writes", ()) if w[0] >= start]
    flushStarts = [f[0] for f in flushes]
    commands = []
    for begin, handled in packets:
        i = bisect.bisect_left(flushStarts, begin + handled)
        sent = flushes[i][0] + flushes[i][1] - begin - handled \
            if i < len(flushes) else 0.0
        commands.append((handled + sent, begin, handled, sent))
    totals = [c[0] for c in commands]
    print(f"packets handled: {len(commands)}; to last byte sent (ms): "
          f"p50 {_ms(_pct(totals, 50))}, p99 {_ms(_pct(totals, 99))}, "
          f"max {_ms(max(totals))}")
    print(f"  handling alone: p50 {_ms(_pct([c[2] for c in commands], 50))},"
          f" p99 {_ms(_pct([c[2] for c in commands], 99))}")
    print(f"flushes: {len(flushes)}, p50 {_ms(_pct([f[1] for f in flushes], 50))}"
          f" ms, p99 {_ms(_pct([f[1] for f in flushes], 99))} ms, "
          f"connections per flush p50 "
          f"{_pct([f[2] for f in flushes], 50)}")
    byGen = {}
    for _, pause, generation in collections:
        byGen.setdefault(generation, []).append(pause)
    for generation in sorted(byGen):
        pauses = byGen[generation]
        print(f"gc generation {generation}: {len(pauses)} collections, "
              f"median {_ms(statistics.median(pauses))} ms, max "
              f"{_ms(max(pauses))} ms, total {_ms(sum(pauses))} ms")
    print(f"reactor lag (a {LAG_INTERVAL * 1000:.0f} ms timer): p50 "
          f"{_ms(_pct([lag[1] for lag in lags], 50))} ms, p99 "
          f"{_ms(_pct([lag[1] for lag in lags], 99))} ms, max "
          f"{_ms(max([lag[1] for lag in lags], default=0))} ms")
    print(f"store transactions that wrote: {len(writes)}, total "
          f"{_ms(sum(w[1] for w in writes))} ms")
    slow = sorted(commands, reverse=True)[:max(1, len(commands) // 100)]
    withGC = withWrite = 0
    for total, begin, handled, sent in slow:
        end = begin + total
        if any(c[0] < end and c[0] + c[1] > begin for c in collections):
            withGC += 1
        if any(w[0] < end and w[0] + w[1] > begin for w in writes):
            withWrite += 1
    print(f"slowest 1% ({len(slow)} packets, from "
          f"{_ms(slow[-1][0])} ms): a collection during {withGC}, a store "
          f"write during {withWrite}; "
          f"handling {_ms(statistics.mean(s[2] for s in slow))} ms and "
          f"flush wait {_ms(statistics.mean(s[3] for s in slow))} ms on "
          f"average")


def main(argv):
    if argv[0] == "--report":
        report(argv[1])
        return
    out, flag, module, rest = argv[0], argv[1], argv[2], argv[3:]
    if flag != "-m":
        raise SystemExit("usage: tail_probe.py OUT -m MODULE [ARGS]")
    sys.argv = [module] + rest
    sys.path.insert(0, os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    probe = Probe()
    probe.install()
    atexit.register(probe.write, out)
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
