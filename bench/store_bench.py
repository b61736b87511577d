#!/usr/bin/env python
"""
Benchmark imaginary.store against a raw-sqlite3 baseline, in one run.

    .venv/bin/python bench/store_bench.py [--n 50000] [--repeat 5]
                                          [--json out.json] [--quick]
                                          [--only a,c] [--profile]

Operations (each repetition of each one uses fresh temporary directories):

  a  create N items (indexed text, integer, reference to the previous item)
     in one transaction;
  b  open the store in a NEW PROCESS and load every item by query; only
     open+load is timed, inside the child, and reported on its stdout;
  c  K findUnique lookups on the indexed text, random keys, outside any
     transaction (autocommit reads), nothing holding the items;
  d  K single-attribute updates, each its own durable transaction; then
     the store is reopened in a new process and every update is checked;
  e  M powerup lookups IBenchPowerup(item) on a strongly held item.

The baseline is plain ``sqlite3`` with the same tables, indexes and pragmas
(see ``Baseline``).  Each repetition runs both sides back to back (which
goes first alternates), and its ratio ours/baseline is taken from that
pair, so the machine's drift between repetitions cancels out; the table
gives the median rates and the median ratio with its [min-max] spread over
``--repeat`` runs.  Targets (median ratio, ours / baseline): >= 0.75 on a,
>= 0.9 on b, >= 2/3 on c and d, >= 1 on e.  A miss is reported, never
turned into a non-zero exit status.

See docs/store-benchmark.md.
"""

import argparse
import datetime
import gc
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import weakref

from zope.interface import Interface

from imaginary.store import Item, Store, integer, reference, text

HERE = os.path.abspath(__file__)


# -- the schema, for our store ----------------------------------------------


class IBenchPowerup(Interface):
    """The interface powerup lookups adapt to."""


class BenchThing(Item):
    typeName = "store_bench_thing"
    schemaVersion = 1
    name = text(indexed=True)
    value = integer()
    ref = reference()          # indexed=True by default (deletion rules)


class BenchPowerup(Item):
    typeName = "store_bench_powerup"
    schemaVersion = 1
    level = integer(default=0)


def openOurs(path):
    return Store(path)


def createOurs(store, n):
    def make():
        items = []
        prev = None
        for i in range(n):
            prev = BenchThing(store=store, name=f"thing-{i}", value=i,
                              ref=prev)
            items.append(prev)
        return items
    return store.transact(make)


# -- the baseline -----------------------------------------------------------


class BaseThing:
    __slots__ = ("oid", "name", "value", "ref", "_store", "__weakref__")

    def __init__(self, store, oid, name, value, ref):
        self._store = store
        self.oid = oid
        self.name = name
        self.value = value
        self.ref = ref

    def __conform__(self, interface):
        return self._store.powerupFor(self.oid, interface)


class BasePowerup:
    __slots__ = ("oid", "level", "__weakref__")

    def __init__(self, oid, level=0):
        self.oid = oid
        self.level = level


_BASE_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS things (oid INTEGER PRIMARY KEY, "
    "name TEXT COLLATE NOCASE, value INTEGER, ref INTEGER)",
    "CREATE INDEX IF NOT EXISTS things_name ON things (name)",
    # Our store indexes every reference column by default, so does this.
    "CREATE INDEX IF NOT EXISTS things_ref ON things (ref)",
    "CREATE TABLE IF NOT EXISTS powerup_links (oid INTEGER PRIMARY KEY, "
    "item INTEGER NOT NULL, interface TEXT NOT NULL, "
    "powerup INTEGER NOT NULL, priority INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS powerup_links_item_interface "
    "ON powerup_links (item, interface)",
]


class Baseline:
    """
    Raw sqlite3, written the way one would by hand: rows become __slots__
    objects held in a weak identity map; one INSERT per object with an
    explicit id; BEGIN IMMEDIATE / UPDATE / COMMIT per update; a powerup
    lookup is one SELECT plus a dict lookup of the cached powerup object.
    The connection is set up exactly as imaginary.store.Store sets up its
    own (Store._connect and Store._configure).
    """

    def __init__(self, path):
        os.makedirs(path, exist_ok=True)
        dbfile = os.path.join(path, "db.sqlite")
        conn = sqlite3.connect(dbfile, isolation_level=None, timeout=0.2,
                               check_same_thread=False)
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        self.conn = conn
        self.cache = weakref.WeakValueDictionary()
        self.powerups = {}          # oid -> powerup object (held)
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
        if "things" in tables:
            self.nextID = (conn.execute(
                "SELECT max(oid) FROM things").fetchone()[0] or 0) + 1
        else:
            self.nextID = 1

    def _schema(self):
        for ddl in _BASE_SCHEMA:
            self.conn.execute(ddl)

    def close(self):
        self.conn.close()
        self.conn = None

    def transact(self, f, *a):
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = f(*a)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    def create(self, n):
        def make():
            self._schema()
            execute = self.conn.execute
            cache = self.cache
            sql = "INSERT INTO things (oid, name, value, ref) VALUES (?, ?, ?, ?)"
            items = []
            prev = None
            for i in range(n):
                oid = self.nextID
                self.nextID = oid + 1
                obj = BaseThing(self, oid, f"thing-{i}", i,
                                prev.oid if prev is not None else None)
                execute(sql, (oid, obj.name, obj.value, obj.ref))
                cache[oid] = obj
                items.append(obj)
                prev = obj
            return items
        return self.transact(make)

    def _load(self, row):
        oid = row[0]
        obj = self.cache.get(oid)
        if obj is None:
            obj = BaseThing(self, oid, row[1], row[2], row[3])
            self.cache[oid] = obj
        return obj

    def loadAll(self):
        load = self._load
        return [load(row) for row in self.conn.execute(
            "SELECT oid, name, value, ref FROM things").fetchall()]

    def findUnique(self, name):
        rows = self.conn.execute(
            "SELECT oid, name, value, ref FROM things WHERE name = ? LIMIT 2",
            (name,)).fetchall()
        if len(rows) != 1:
            raise LookupError(f"{len(rows)} things named {name!r}")
        return self._load(rows[0])

    def setValue(self, obj, value):
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("UPDATE things SET value = ? WHERE oid = ?",
                         (value, obj.oid))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        obj.value = value

    def installPowerup(self, target, powerup, interface, priority=0):
        def install():
            self.conn.execute(
                "INSERT INTO powerup_links (item, interface, powerup, "
                "priority) VALUES (?, ?, ?, ?)",
                (target.oid, interface.__identifier__, powerup.oid, priority))
        self.transact(install)
        self.powerups[powerup.oid] = powerup

    def powerupFor(self, oid, interface):
        row = self.conn.execute(
            "SELECT powerup FROM powerup_links WHERE item = ? AND "
            "interface = ? ORDER BY priority DESC",
            (oid, interface.__identifier__)).fetchone()
        if row is None:
            return None
        return self.powerups[row[0]]


# -- child processes ---------------------------------------------------------


def _childProfile(enabled):
    if not enabled:
        return None
    import cProfile
    return cProfile.Profile()


def _printProfile(profile, label):
    if profile is None:
        return
    import io
    import pstats
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(25)
    sys.stderr.write(f"\n===== profile: {label} (tottime) =====\n")
    sys.stderr.write(out.getvalue())


def child(argv):
    """Entry point of a child process: print one JSON object on stdout."""
    kind, path = argv[0], argv[1]
    profile = _childProfile("--profile" in argv)
    gc.collect()
    if kind == "load-ours":
        if profile:
            profile.enable()
        t0 = time.perf_counter()
        store = openOurs(path)
        items = list(store.query(BenchThing))
        t1 = time.perf_counter()
        if profile:
            profile.disable()
        _printProfile(profile, "b ours (child)")
        ok = all(type(i) is BenchThing for i in items)
        store.close()
        print(json.dumps({"seconds": t1 - t0, "count": len(items), "ok": ok}))
    elif kind == "load-base":
        t0 = time.perf_counter()
        base = Baseline(path)
        items = base.loadAll()
        t1 = time.perf_counter()
        base.close()
        print(json.dumps({"seconds": t1 - t0, "count": len(items),
                          "ok": True}))
    elif kind in ("verify-ours", "verify-base"):
        with open(argv[2]) as f:
            expected = {int(k): v for k, v in json.load(f).items()}
        if kind == "verify-ours":
            store = openOurs(path)
            found = {i.storeID: i.value for i in store.query(BenchThing)}
            store.close()
        else:
            base = Baseline(path)
            found = {o.oid: o.value for o in base.loadAll()}
            base.close()
        missing = [k for k, v in expected.items() if found.get(k) != v]
        print(json.dumps({"ok": not missing, "mismatches": len(missing),
                          "count": len(found)}))
    else:
        raise SystemExit(f"unknown child kind {kind!r}")


def runChild(*args, profile=False):
    cmd = [sys.executable, HERE, "--child"] + [str(a) for a in args]
    if profile:
        cmd.append("--profile")
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{done.stderr}")
    if done.stderr:
        sys.stderr.write(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the operations ----------------------------------------------------------


class Timer:
    """Times one region; optionally profiles it with cProfile."""

    def __init__(self, profile=False, label=""):
        self.profile = profile
        self.label = label
        self.seconds = None

    def __enter__(self):
        gc.collect()
        if self.profile:
            import cProfile
            self._prof = cProfile.Profile()
            self._prof.enable()
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._t0
        if self.profile:
            self._prof.disable()
            _printProfile(self._prof, self.label)
        return False


def _fixture(tmp, side, n):
    """A closed store (or baseline database) holding n things; its path."""
    path = os.path.join(tmp, side)
    if side == "ours":
        store = openOurs(path)
        createOurs(store, n)
        store.close()
    else:
        base = Baseline(path)
        base.create(n)
        base.close()
    return path


def opCreate(side, tmp, cfg, profile):
    path = os.path.join(tmp, side)
    n = cfg.n
    if side == "ours":
        store = openOurs(path)
        with Timer(profile, "a ours") as t:
            items = createOurs(store, n)
        assert len(items) == n and items[-1].ref is items[-2]
        store.close()
    else:
        base = Baseline(path)
        with Timer() as t:
            items = base.create(n)
        assert len(items) == n and items[-1].ref == items[-2].oid
        base.close()
    return n, t.seconds


def opLoad(side, tmp, cfg, profile):
    path = _fixture(tmp, side, cfg.n)
    gc.collect()
    kind = "load-ours" if side == "ours" else "load-base"
    result = runChild(kind, path, profile=profile and side == "ours")
    assert result["ok"] and result["count"] == cfg.n, result
    return cfg.n, result["seconds"]


def opFind(side, tmp, cfg, profile):
    path = _fixture(tmp, side, cfg.n)
    rng = random.Random(cfg.seed)
    keys = [f"thing-{rng.randrange(cfg.n)}" for _ in range(cfg.lookups)]
    if side == "ours":
        store = openOurs(path)
        find = store.findUnique
        with Timer(profile, "c ours") as t:
            for key in keys:
                find(BenchThing, BenchThing.name == key)
        last = store.findUnique(BenchThing, BenchThing.name == keys[-1])
        assert last.name == keys[-1]
        store.close()
    else:
        base = Baseline(path)
        find = base.findUnique
        with Timer() as t:
            for key in keys:
                find(key)
        assert base.findUnique(keys[-1]).name == keys[-1]
        base.close()
    return len(keys), t.seconds


def opUpdate(side, tmp, cfg, profile):
    path = _fixture(tmp, side, cfg.n)
    rng = random.Random(cfg.seed + 1)
    picks = [(rng.randrange(cfg.n), rng.randrange(10 ** 9))
             for _ in range(cfg.updates)]
    expected = {}
    if side == "ours":
        store = openOurs(path)
        items = list(store.query(BenchThing, sort=BenchThing.storeID.ascending))
        work = [(items[i], v) for i, v in picks]
        for item, v in work:
            expected[item.storeID] = v
        transact = store.transact
        with Timer(profile, "d ours") as t:
            for item, v in work:
                transact(setattr, item, "value", v)
        store.close()
    else:
        base = Baseline(path)
        items = sorted(base.loadAll(), key=lambda o: o.oid)
        work = [(items[i], v) for i, v in picks]
        for obj, v in work:
            expected[obj.oid] = v
        setValue = base.setValue
        with Timer() as t:
            for obj, v in work:
                setValue(obj, v)
        base.close()
    del items, work
    expectFile = os.path.join(tmp, f"expected-{side}.json")
    with open(expectFile, "w") as f:
        json.dump(expected, f)
    kind = "verify-ours" if side == "ours" else "verify-base"
    result = runChild(kind, path, expectFile)
    if not result["ok"]:
        raise AssertionError(f"{side}: {result['mismatches']} updates lost "
                             f"after reopening")
    return len(picks), t.seconds


def opPowerup(side, tmp, cfg, profile):
    path = os.path.join(tmp, side)
    m = cfg.powerups
    if side == "ours":
        store = openOurs(path)
        target = BenchThing(store=store, name="target", value=0)
        powerup = BenchPowerup(store=store)
        target.powerUp(powerup, IBenchPowerup)
        assert IBenchPowerup(target) is powerup
        with Timer(profile, "e ours") as t:
            for _ in range(m):
                IBenchPowerup(target)
        assert IBenchPowerup(target) is powerup
        del target, powerup
        store.close()
    else:
        base = Baseline(path)
        target, = base.create(1)
        powerup = BasePowerup(base.nextID)
        base.nextID += 1
        base.installPowerup(target, powerup, IBenchPowerup)
        assert IBenchPowerup(target) is powerup
        with Timer() as t:
            for _ in range(m):
                IBenchPowerup(target)
        assert IBenchPowerup(target) is powerup
        base.close()
    return m, t.seconds


OPERATIONS = [
    # key, label, function, target ratio (ours / baseline)
    ("a", "create items, one transaction", opCreate, 0.75),
    ("b", "open + load all (new process)", opLoad, 0.9),
    ("c", "findUnique, indexed text", opFind, 2 / 3),
    ("d", "update, one commit each", opUpdate, 2 / 3),
    ("e", "powerup lookup IFoo(item)", opPowerup, 1.0),
]


def measure(op, cfg):
    key, label, fn, target = op
    secs = {"ours": [], "baseline": []}
    count = None
    if cfg.profile:
        # An extra run of our side under cProfile; its time is not used.
        tmp = tempfile.mkdtemp(prefix=f"store-bench-{key}-")
        try:
            fn("ours", tmp, cfg, True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    for r in range(cfg.repeat):
        # Alternate which side goes first, to spread the noise evenly.
        order = ["ours", "baseline"] if r % 2 == 0 else ["baseline", "ours"]
        for side in order:
            tmp = tempfile.mkdtemp(prefix=f"store-bench-{key}-")
            try:
                count, s = fn(side, tmp, cfg, False)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            secs[side].append(s)
    ours = count / statistics.median(secs["ours"])
    base = count / statistics.median(secs["baseline"])
    # One ratio per repetition, from the pair run back to back.
    ratios = [b / o for o, b in zip(secs["ours"], secs["baseline"])]
    ratio = statistics.median(ratios)
    return {
        "op": key, "label": label, "count": count,
        "ours_ops_per_s": ours, "baseline_ops_per_s": base,
        "ours_us_per_op": 1e6 / ours, "baseline_us_per_op": 1e6 / base,
        "ratio": ratio, "ratios": ratios, "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "target": target, "pass": ratio >= target,
        "ours_seconds": secs["ours"], "baseline_seconds": secs["baseline"],
    }


def _fmtRate(x):
    return f"{x:,.0f}"


def printTable(results, cfg):
    print()
    print(f"imaginary.store vs raw sqlite3  (N={cfg.n:,}, lookups={cfg.lookups:,},"
          f" updates={cfg.updates:,}, powerups={cfg.powerups:,}, "
          f"median of {cfg.repeat}; ratio = median of per-run ratios)")
    head = (f"{'op':<3} {'operation':<32} {'ours ops/s':>12} {'base ops/s':>12}"
            f" {'ours us':>9} {'base us':>9} {'ratio':>6} {'[min-max]':>11}"
            f"  {'target':>6}  result")
    print(head)
    print("-" * len(head))
    for r in results:
        print(f"{r['op']:<3} {r['label']:<32} {_fmtRate(r['ours_ops_per_s']):>12}"
              f" {_fmtRate(r['baseline_ops_per_s']):>12}"
              f" {r['ours_us_per_op']:>9.2f} {r['baseline_us_per_op']:>9.2f}"
              f" {r['ratio']:>6.2f} "
              f"{'[%.2f-%.2f]' % (r['ratio_min'], r['ratio_max']):>11}"
              f"  >={r['target']:<4.2f}  "
              f"{'PASS' if r['pass'] else 'MISS'}")
    misses = [r["op"] for r in results if not r["pass"]]
    print()
    print("all targets met" if not misses else
          f"targets missed: {', '.join(misses)} (informational)")


def parseArgs(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=None,
                   help="items created/loaded (default 50000; quick 2000)")
    p.add_argument("--lookups", type=int, default=None,
                   help="findUnique calls (default 10000; quick 500)")
    p.add_argument("--updates", type=int, default=None,
                   help="update transactions (default 10000; quick 500)")
    p.add_argument("--powerups", type=int, default=None,
                   help="powerup lookups (default 100000; quick 5000)")
    p.add_argument("--repeat", type=int, default=None,
                   help="runs per measurement; the median is reported "
                        "(default 5; quick 1)")
    p.add_argument("--json", metavar="FILE", help="also write results here")
    p.add_argument("--quick", action="store_true",
                   help="tiny sizes, for a CI smoke run")
    p.add_argument("--only", default="abcde",
                   help="which operations, e.g. 'a,c' (default all)")
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument("--profile", action="store_true",
                   help="before the timed runs, run our side of each "
                        "operation once under cProfile (untimed) and print "
                        "the top functions on stderr")
    cfg = p.parse_args(argv)
    quick = cfg.quick
    for name, full, small in (("n", 50000, 2000), ("lookups", 10000, 500),
                              ("updates", 10000, 500),
                              ("powerups", 100000, 5000),
                              ("repeat", 5, 1)):
        if getattr(cfg, name) is None:
            setattr(cfg, name, small if quick else full)
    if cfg.n < 2 or min(cfg.lookups, cfg.updates, cfg.powerups,
                        cfg.repeat) < 1:
        p.error("sizes must be positive (and --n at least 2)")
    return cfg


def main(argv):
    cfg = parseArgs(argv)
    wanted = set(cfg.only.replace(",", ""))
    results = []
    started = time.perf_counter()
    for op in OPERATIONS:
        if op[0] not in wanted:
            continue
        print(f"running {op[0]}: {op[1]} ...", file=sys.stderr, flush=True)
        results.append(measure(op, cfg))
    printTable(results, cfg)
    print(f"(took {time.perf_counter() - started:.1f}s)")
    if cfg.json:
        doc = {
            "date": datetime.date.today().isoformat(),
            "python": sys.version.split()[0],
            "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "config": {k: getattr(cfg, k) for k in
                       ("n", "lookups", "updates", "powerups", "repeat",
                        "seed", "quick")},
            "results": results,
        }
        with open(cfg.json, "w") as f:
            json.dump(doc, f, indent=2)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
    else:
        sys.exit(main(sys.argv[1:]))
