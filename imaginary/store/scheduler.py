"""
A persistent scheduler: timed calls that survive restarts.

``IScheduler(store).schedule(item, when)`` records a TimedEvent.  When the
time comes the item's ``run()`` is called inside a store transaction; if it
returns an ``epsilon.extime.Time`` the item runs again then.  Events live in
the store, so they survive a restart, and events that fell due while the
server was down run as soon as the scheduler starts.  The scheduler is driven
by any ``IReactorTime`` (the reactor, or ``twisted.internet.task.Clock`` in
tests) and keeps at most one pending ``callLater``: for the earliest event.
"""

from epsilon.extime import Time
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.application.service import IService, IServiceCollection
from zope.interface import Interface, implementer

from .attributes import (
    CASCADE, inmemory, integer, reference, text, timestamp)
from .item import Item

log = Logger()


class IScheduler(Interface):
    """Runs items' C{run()} at given times, persistently."""

    def schedule(runnable, when):
        """Call C{runnable.run()} at C{when} (an epsilon Time)."""

    def unscheduleFirst(runnable):
        """Remove the earliest pending call of runnable."""

    def unscheduleAll(runnable):
        """Remove every pending call of runnable."""

    def scheduledTimes(runnable):
        """The Times at which runnable is due, earliest first."""


class TimedEvent(Item):
    """One pending call: at C{time}, run C{runnable}."""

    typeName = "imaginary_scheduler_timed_event"
    schemaVersion = 1

    time = timestamp(indexed=True, allowNone=False)
    runnable = reference(whenDeleted=CASCADE, allowNone=False)


class TimedEventFailureLog(Item):
    """
    A scheduled call that raised: what ran, when it was due, when it ran
    and the traceback.  Kept for operators (C{imaginary check} lists them);
    delete them once read.
    """

    typeName = "imaginary_scheduler_failure"
    schemaVersion = 1

    desiredTime = timestamp(allowNone=False)
    actualTime = timestamp(indexed=True, allowNone=False)
    # NULLIFY: the record outlives the runnable it describes.
    runnable = reference()
    # Text rather than Axiom's bytes: a traceback is text, and it is read.
    traceback = text(allowNone=False)


class _SchedulerDefaults:
    """
    What a Scheduler's replaceable attributes read until set: tests (and
    Axiom code) replace C{now} and C{callLater} on the scheduler to drive
    it with a fake clock; C{parent} and C{name} are IService's.
    """

    __slots__ = ()
    name = "imaginary-scheduler"
    parent = None

    def now(self):
        """The current time on the scheduler's clock."""
        if self.clock is None:
            return Time()
        return Time.fromPOSIXTimestamp(self.clock.seconds())

    def callLater(self, delay, f):
        """Call C{f} after C{delay} seconds on the scheduler's clock."""
        clock = self.clock
        if clock is None:
            from twisted.internet import reactor as clock
        return clock.callLater(delay, f)


@implementer(IScheduler, IService)
class Scheduler(Item, _SchedulerDefaults):
    """
    The store's scheduler (installed on first IScheduler(store)), and the
    store's service: C{IService(store)} is this scheduler, as Axiom users
    start it.
    """

    typeName = "imaginary_scheduler"
    schemaVersion = 1
    powerupInterfaces = (IScheduler,)

    eventsRun = integer(default=0, allowNone=False,
                        doc="how many calls have run, for operators")
    clock = inmemory()
    _call = inmemory()
    _started = inmemory()
    now = inmemory()
    callLater = inmemory()
    parent = inmemory()
    name = inmemory()

    def activate(self):
        self.clock = None
        self._call = None
        self._started = False

    @classmethod
    def installOn(cls, store):
        """Create a scheduler in C{store} and power the store up with it."""
        scheduler = cls(store=store)
        store.powerUp(scheduler, IScheduler)
        return scheduler

    # -- running (IService) ---------------------------------------------------

    def startService(self, clock=None):
        """
        Start running events, on C{clock} (default: the reactor, or the
        C{now}/C{callLater} set on this scheduler).
        """
        if clock is not None:
            self.clock = clock
        self._started = True
        self.store._schedulers.add(self)
        self._arm()

    def stopService(self):
        """Stop running events (they stay scheduled in the store)."""
        if self._call is not None and self._call.active():
            self._call.cancel()
        self._call = None
        self.clock = None
        self._started = False
        self.store._schedulers.discard(self)

    def privilegedStartService(self):
        """IService: nothing needs privileges."""

    def setServiceParent(self, parent):
        """IService: become a child of C{parent} (a service collection)."""
        if self.parent is not None:
            self.disownServiceParent()
        self.parent = parent
        IServiceCollection(parent).addService(self)

    def disownServiceParent(self):
        """IService: leave the parent service collection."""
        parent, self.parent = self.parent, None
        if parent is not None:
            return IServiceCollection(parent).removeService(self)

    @property
    def running(self):
        """Whether the scheduler is started."""
        return self._started

    def _arm(self):
        if not self._started or self.store is None or \
                self.store._conn is None:
            return
        first = self.store.findFirst(TimedEvent, sort=TimedEvent.time.ascending)
        if self._call is not None and self._call.active():
            self._call.cancel()
        self._call = None
        if first is None:
            return
        delay = (first.time.asPOSIXTimestamp() -
                 self.now().asPOSIXTimestamp())
        self._call = self.callLater(max(0.0, delay), self._tick)

    def _tick(self):
        self._call = None
        now = self.now()
        while self._started:
            event = self.store.findFirst(TimedEvent, TimedEvent.time <= now,
                                         sort=TimedEvent.time.ascending)
            if event is None:
                break
            self._runEvent(event)
        self._arm()

    def _runEvent(self, event):
        desired = event.time

        def run():
            runnable = event.runnable
            event.deleteFromStore()
            self.eventsRun += 1
            when = runnable.run()
            if when is not None:
                TimedEvent(store=self.store, time=when, runnable=runnable)
        try:
            self.store.transact(run)
        except Exception:
            self._failed(event, desired, Failure())

    def _failed(self, event, desired, failure):
        """
        A call raised (its transaction rolled back): record it, and give
        the runnable's C{timedEventErrorHandler(event, failure)} (Axiom's
        hook) the chance to react; what the hook returns, a Time or None,
        reschedules the runnable as run()'s return value would.
        """
        runnable = event.runnable
        log.failure("scheduled call of {runnable!r} failed", failure,
                    runnable=runnable)
        store = self.store
        handler = getattr(runnable, "timedEventErrorHandler", None)
        if handler is not None:
            def handle():
                when = handler(event, failure)
                if when is not None:
                    TimedEvent(store=store, time=when, runnable=runnable)
            try:
                store.transact(handle)
            except Exception:
                log.failure("the error handler of {runnable!r} failed",
                            runnable=runnable)

        def record():
            TimedEventFailureLog(store=store, desiredTime=desired,
                                 actualTime=self.now(), runnable=runnable,
                                 traceback=failure.getTraceback())
            if not event._deleted:
                event.deleteFromStore()
        store.transact(record)

    def failures(self):
        """The recorded failures of scheduled calls, oldest first."""
        return list(self.store.query(
            TimedEventFailureLog,
            sort=TimedEventFailureLog.actualTime.ascending))

    # -- IScheduler -----------------------------------------------------------

    def schedule(self, runnable, when):
        TimedEvent(store=self.store, time=when, runnable=runnable)
        self._arm()

    def unscheduleFirst(self, runnable):
        first = self.store.findFirst(TimedEvent, TimedEvent.runnable == runnable,
                                     sort=TimedEvent.time.ascending)
        if first is not None:
            first.deleteFromStore()
        self._arm()

    def unscheduleAll(self, runnable):
        self.store.query(TimedEvent,
                         TimedEvent.runnable == runnable).deleteFromStore()
        self._arm()

    def scheduledTimes(self, runnable):
        return [e.time for e in self.store.query(
            TimedEvent, TimedEvent.runnable == runnable,
            sort=TimedEvent.time.ascending)]
