"""Tests for imaginary.store.scheduler: the persistent scheduler."""

import pytest
from epsilon.extime import Time
from twisted.internet.task import Clock

from imaginary.store import (
    IScheduler, Item, Store, StoreFull, integer, text)
from imaginary.store.errors import SQLError


class Ticker(Item):
    typeName = "sched_ticker"
    runs = integer(default=0)
    every = integer(default=0)
    explode = integer(default=0)

    def run(self):
        self.runs += 1
        if self.explode:
            raise RuntimeError("boom")
        if self.every:
            return Time.fromPOSIXTimestamp(
                IScheduler(self.store).now().asPOSIXTimestamp() + self.every)
        return None


def at(seconds):
    return Time.fromPOSIXTimestamp(seconds)


def test_same_scheduler_each_time():
    store = Store()
    assert IScheduler(store) is IScheduler(store)


def test_runs_at_the_time_and_reschedules():
    store = Store()
    clock = Clock()
    clock.advance(1000)
    scheduler = IScheduler(store)
    scheduler.startService(clock)
    once = Ticker(store=store)
    repeat = Ticker(store=store, every=10)
    scheduler.schedule(once, at(1005))
    scheduler.schedule(repeat, at(1001))
    clock.advance(1)
    assert (once.runs, repeat.runs) == (0, 1)
    clock.advance(4)
    assert once.runs == 1
    clock.advance(10)
    assert repeat.runs == 2
    assert scheduler.scheduledTimes(once) == []
    assert [t.asPOSIXTimestamp() for t in scheduler.scheduledTimes(repeat)] \
        == [1025.0]   # ran at 1015 (the clock jumped), next in 10
    scheduler.unscheduleAll(repeat)
    clock.advance(100)
    assert repeat.runs == 2


def test_a_failing_run_is_dropped_and_others_run():
    store = Store()
    clock = Clock()
    scheduler = IScheduler(store)
    scheduler.startService(clock)
    bad = Ticker(store=store, explode=1)
    good = Ticker(store=store)
    scheduler.schedule(bad, at(1))
    scheduler.schedule(good, at(2))
    clock.advance(5)
    assert good.runs == 1
    assert bad.runs == 0    # its change rolled back with the failure
    assert scheduler.scheduledTimes(bad) == []


def test_events_survive_restart_and_overdue_ones_run_at_start(tmp_path):
    path = str(tmp_path / "s")
    store = Store(path)
    clock = Clock()
    IScheduler(store).startService(clock)
    t = Ticker(store=store)
    sid = t.storeID
    IScheduler(store).schedule(t, at(50))
    IScheduler(store).unscheduleFirst(Ticker(store=store))
    store.close()
    store = Store(path)
    later = Clock()
    later.advance(500)      # the server was down past the due time
    IScheduler(store).startService(later)
    later.advance(0)
    assert store.getItemByID(sid).runs == 1
    store.close()


# -- a store that cannot write: retried with backoff, never stopped ---------

class Ballast(Item):
    typeName = "sched_ballast"
    payload = text()


class Diarist(Item):
    """An NPC's routine that writes down what it did each time it runs."""
    typeName = "sched_diarist"
    runs = integer(default=0)

    def run(self):
        self.runs += 1
        Ballast(store=self.store, payload=f"day {self.runs}: " + "x" * 3000)
        return Time.fromPOSIXTimestamp(
            IScheduler(self.store).now().asPOSIXTimestamp() + 10)


def fill(store):
    """
    Make the store's file unable to grow (SQLite's max_page_count, the
    same SQLITE_FULL a full disk gives) and fill what room is left to the
    last bytes.  Returns a function that gives the room back.
    """
    Ballast(store=store)
    conn = store._conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    for size in (2000, 200, 20, 0):
        with pytest.raises(StoreFull):
            for n in range(10000):
                store.transact(Ballast, store=store, payload="x" * size)

    def room():
        conn.execute(f"PRAGMA max_page_count = {pages * 100}")
    return room


def step(clock, n):
    """Advance the clock to its next pending call, C{n} times."""
    for _ in range(n):
        [call] = clock.getDelayedCalls()
        clock.advance(call.getTime() - clock.seconds())


def test_a_full_store_delays_a_routine_and_it_goes_on_after(tmp_path):
    """
    An NPC's routine falls due while the disk is full: its transaction is
    refused, so is recording the failure; the scheduler keeps the event
    and tries again later, 1 s then doubling (to a cap), and once there
    is room the routine runs and goes on recurring.  Nothing is recorded
    as a failure: nothing was wrong with the routine.
    """
    store = Store(str(tmp_path / "s"))
    clock = Clock()
    clock.advance(1000)
    scheduler = IScheduler(store)
    scheduler.startService(clock)
    routine = Diarist(store=store)
    bystander = Diarist(store=store)
    scheduler.schedule(routine, at(1005))
    scheduler.schedule(bystander, at(1006))
    room = fill(store)
    tries = []
    realRun = Diarist.run

    def counted(self):
        tries.append((self.storeID, clock.seconds()))
        return realRun(self)
    Diarist.run = counted
    try:
        clock.advance(10)                 # both due; both refused
        assert routine.runs == bystander.runs == 0
        assert scheduler.running
        assert scheduler.scheduledTimes(routine) == [at(1005)]
        step(clock, 5)
        mine = [t for sid, t in tries if sid == routine.storeID]
        assert [b - a for a, b in zip(mine, mine[1:])] == [1, 2, 4, 8, 16]
        step(clock, 10)                   # the cap: a try every 5 minutes
        mine = [t for sid, t in tries if sid == routine.storeID]
        assert [b - a for a, b in zip(mine, mine[1:])][-3:] == [300] * 3
        room()
        step(clock, 1)
        assert routine.runs == bystander.runs == 1
        clock.advance(10)
        assert routine.runs == bystander.runs == 2
        assert scheduler.failures() == []
    finally:
        Diarist.run = realRun
    store.close()


def test_a_failure_that_cannot_be_recorded_is_recorded_later(tmp_path):
    """
    A call raises (its own fault) while the disk is full: the record
    can't be written either, so the event stays and is tried again; once
    there is room the failure is recorded once and the event is gone.
    """
    store = Store(str(tmp_path / "s"))
    clock = Clock()
    scheduler = IScheduler(store)
    scheduler.startService(clock)
    bad = Ticker(store=store, explode=1)
    scheduler.schedule(bad, at(1))
    room = fill(store)
    clock.advance(2)
    step(clock, 3)              # tried at 2, 3, 5 and 9: refused each time
    assert clock.seconds() == 9
    assert scheduler.scheduledTimes(bad) == [at(1)]
    room()
    step(clock, 1)
    [failure] = scheduler.failures()
    assert failure.runnable is bad and "boom" in failure.traceback
    assert scheduler.scheduledTimes(bad) == []
    store.close()


def test_an_unexpected_error_in_a_tick_does_not_stop_the_scheduler():
    """
    Even a failure outside any call (the store refusing a read) leaves the
    scheduler armed: it looks again later.
    """
    store = Store()
    clock = Clock()
    scheduler = IScheduler(store)
    scheduler.startService(clock)
    t = Ticker(store=store)
    scheduler.schedule(t, at(5))
    realQuery = store.query
    broken = [True]

    def query(*a, **kw):
        if broken[0]:
            raise SQLError("the database refused a read: disk I/O error")
        return realQuery(*a, **kw)
    store.query = store.findFirst = query
    clock.advance(6)
    assert t.runs == 0 and scheduler.running
    broken[0] = False
    clock.advance(300)
    assert t.runs == 1


def test_scheduling_on_a_full_store_fails_the_callers_transaction(tmp_path):
    """
    schedule() inside a command's transaction on a full store: the refusal
    is the command's (its transaction fails whole), not swallowed by the
    scheduler's own retrying, and the scheduler stays armed.
    """
    store = Store(str(tmp_path / "s"))
    clock = Clock()
    scheduler = IScheduler(store)
    scheduler.startService(clock)
    early = Ticker(store=store)
    scheduler.schedule(early, at(50))
    late = Ticker(store=store)
    room = fill(store)

    def command():
        late.runs = 7
        Ballast(store=store, payload="y" * 3000)
        scheduler.schedule(late, at(100))
    with pytest.raises(StoreFull):
        store.transact(command)
    assert late.runs == 0
    room()
    assert scheduler.scheduledTimes(late) == []
    clock.advance(60)
    assert early.runs == 1
    store.close()
