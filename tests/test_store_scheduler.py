"""Tests for imaginary.store.scheduler: the persistent scheduler."""

from epsilon.extime import Time
from twisted.internet.task import Clock

from imaginary.store import IScheduler, Item, Store, integer


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
