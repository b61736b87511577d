"""
A persistent scheduler: timed calls that survive restarts.

C{IScheduler(store).schedule(item, when)} records a TimedEvent.  When the
time comes the item's C{run()} is called inside a store transaction; if it
returns an C{epsilon.extime.Time} the item runs again then.  Events live in
the store, so they survive a restart, and events that fell due while the
server was down run as soon as the scheduler starts.  The scheduler is driven
by any C{IReactorTime} (the reactor, or C{twisted.internet.task.Clock} in
tests) and keeps at most one pending C{callLater}: for the earliest event.

A call that raises is recorded (TimedEventFailureLog) and dropped, as in
Axiom.  A call the *store* refused (the disk full, the database busy, a
disk I/O error: nothing of it was written) is not the call's fault: the
event stays, and is tried again after 1 s, then 2, 4, ... up to 5 minutes
(C{RETRY_FIRST}, C{RETRY_CAP}), so an NPC's routine goes on once the
disk has room instead of being dropped for good.  Nothing that goes wrong
in a tick stops the scheduler: it is always armed again.
"""

import sqlite3
import time

from epsilon.extime import Time
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.application.service import IService, IServiceCollection
from zope.interface import Interface, implementer

from .attributes import (
    CASCADE, inmemory, integer, reference, text, timestamp)
from .errors import SQLError, StoreClosed, StoreFull
from .item import Item

log = Logger()

# Retrying what the store refused: the first wait, and the longest.
RETRY_FIRST = 1.0
RETRY_CAP = 300.0
# The operator is told of refused calls at most this often (seconds): a
# full disk refuses every due event on every try.
TELL_EVERY = 60.0
# SQLite's answers that say the store could not write now, not that the
# statement was wrong: worth trying again later.
_TRANSIENT_CODES = ("SQLITE_FULL", "SQLITE_BUSY", "SQLITE_LOCKED",
                    "SQLITE_IOERR", "SQLITE_NOMEM")


def isTransient(error):
    """
    Whether an exception is the store refusing to write for now (a full
    disk, a busy database, a disk I/O error) rather than a mistake of
    the code that ran: StoreFull, or an SQLError translated from one of
    those SQLite errors.
    """
    if isinstance(error, StoreFull):
        return True
    if not isinstance(error, SQLError):
        return False
    cause = error.__cause__ or error.__context__
    if isinstance(cause, sqlite3.Error):
        name = getattr(cause, "sqlite_errorname", "") or ""
        return name.startswith(_TRANSIENT_CODES)
    # No sqlite3 error attached (raised by hand): judge by SQLite's words.
    words = str(error).lower()
    return any(w in words for w in ("disk i/o error", "database is locked",
                                    "disk is full", "out of memory"))


class _Refused(Exception):
    """The store refused an event's transactions: try it again later."""


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
    # storeID of an event the store refused -> (wait, POSIX time of the
    # next try); and the same for a tick that failed outside any event.
    _retries = inmemory()
    _tickRetry = inmemory()
    _toldAt = inmemory()
    now = inmemory()
    callLater = inmemory()
    parent = inmemory()
    name = inmemory()

    def activate(self):
        """Start with no timer armed and no service parent (the store calls
        this on load).
        """
        self.clock = None
        self._call = None
        self._started = False
        self._retries = {}
        self._tickRetry = None
        self._toldAt = None

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
        try:
            when = self._nextTime()
        except Exception:
            if self.store._txn is not None:
                # Inside someone's transaction (schedule() from a verb):
                # theirs to handle, and the pending call stays armed.
                raise
            # The store could not even be read: look again later.
            self._tickFailed(Failure())
            return
        if self._call is not None and self._call.active():
            self._call.cancel()
        self._call = None
        if when is None:
            return
        delay = when - self.now().asPOSIXTimestamp()
        self._call = self.callLater(max(0.0, delay), self._tick)

    def _nextTime(self):
        """
        The POSIX time of the next thing to do: the earliest event not
        waiting to be retried, or the earliest retry.
        """
        retries = self._retries
        if retries:
            # Forget events that are gone (unscheduled, run elsewhere).
            for sid in list(retries):
                if self.store.getItemByID(sid, None) is None:
                    del retries[sid]
        times = [t for _, t in retries.values()]
        event = self._first(None, set(retries))
        if event is not None:
            times.append(event.time.asPOSIXTimestamp())
        return min(times) if times else None

    def _first(self, now, skip):
        """
        The earliest event (due by C{now}, if given) whose storeID is not
        in C{skip}; None when there is none.
        """
        where = None if now is None else TimedEvent.time <= now
        for event in self.store.query(TimedEvent, where, limit=len(skip) + 1,
                                      sort=TimedEvent.time.ascending):
            if event.storeID not in skip:
                return event
        return None

    def _tick(self):
        self._call = None
        try:
            self._runDue()
        except Exception:
            self._tickFailed(Failure())
            return
        self._tickRetry = None
        self._arm()

    def _runDue(self):
        """Run every event that is due, except those waiting for a retry."""
        now = self.now()
        seconds = now.asPOSIXTimestamp()
        while self._started and self.store._conn is not None:
            waiting = {sid for sid, (_, t) in self._retries.items()
                       if t > seconds}
            event = self._first(now, waiting)
            if event is None:
                break
            sid = event.storeID
            try:
                self._runEvent(event)
            except _Refused as refused:
                self._refused(sid, seconds, refused.args[0])
            else:
                self._retries.pop(sid, None)

    def _tickFailed(self, failure):
        """
        Something outside any one event failed (the store refused a read):
        log it and look again later, backing off as for an event.
        """
        if failure.check(StoreClosed) or not self._started:
            return
        wait = _backoff(self._tickRetry)
        self._tickRetry = wait
        self._tell("the scheduler could not read the store; trying again "
                   "in {wait:.0f} s", failure, wait)
        if self._call is not None and self._call.active():
            self._call.cancel()
        self._call = self.callLater(wait, self._tick)

    def _refused(self, sid, now, failure):
        """The store refused event C{sid}: wait longer before its next try."""
        previous = self._retries.get(sid)
        wait = _backoff(None if previous is None else previous[0])
        self._retries[sid] = (wait, now + wait)
        self._tell("the store refused a scheduled call; it will be tried "
                   "again in {wait:.0f} s", failure, wait)

    def _tell(self, message, failure, wait):
        """Log a refusal, at most once every TELL_EVERY seconds."""
        now = time.monotonic()
        if self._toldAt is not None and now - self._toldAt < TELL_EVERY:
            return
        self._toldAt = now
        log.warn(message + ": {why}", wait=wait,
                 why=failure.getErrorMessage())

    def _runEvent(self, event):
        """
        Run one event in a transaction; a failure of the call is recorded,
        a refusal of the store raises _Refused(failure).
        """
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
        except Exception as e:
            failure = Failure()
            if isTransient(e):
                raise _Refused(failure)
            self._failed(event, desired, failure)

    def _failed(self, event, desired, failure):
        """
        A call raised (its transaction rolled back): record it, and give
        the runnable's C{timedEventErrorHandler(event, failure)} (Axiom's
        hook) the chance to react; what the hook returns, a Time or None,
        reschedules the runnable as run()'s return value would.

        The record, the event's removal and the hook's rescheduling are
        one transaction, so a store that refuses it leaves the event to be
        tried again whole (raising _Refused), never run twice over; a hook
        that raises is left out and the record written without it.
        """
        runnable = event.runnable
        store = self.store
        handler = getattr(runnable, "timedEventErrorHandler", None)

        def record(withHandler):
            if withHandler:
                when = handler(event, failure)
                if when is not None:
                    TimedEvent(store=store, time=when, runnable=runnable)
            TimedEventFailureLog(store=store, desiredTime=desired,
                                 actualTime=self.now(), runnable=runnable,
                                 traceback=failure.getTraceback())
            if not event._deleted:
                event.deleteFromStore()
        withHandler = handler is not None
        while True:
            try:
                store.transact(record, withHandler)
            except Exception as e:
                if isTransient(e):
                    raise _Refused(Failure())
                if not withHandler:
                    raise
                log.failure("the error handler of {runnable!r} failed",
                            runnable=runnable)
                withHandler = False
                continue
            break
        log.failure("scheduled call of {runnable!r} failed", failure,
                    runnable=runnable)

    def failures(self):
        """The recorded failures of scheduled calls, oldest first."""
        return list(self.store.query(
            TimedEventFailureLog,
            sort=TimedEventFailureLog.actualTime.ascending))

    # -- IScheduler -----------------------------------------------------------

    def schedule(self, runnable, when):
        """IScheduler: run C{runnable} at C{when} (a TimedEvent in the
        store).
        """
        TimedEvent(store=self.store, time=when, runnable=runnable)
        self._arm()

    def unscheduleFirst(self, runnable):
        """IScheduler: remove the earliest scheduled run of C{runnable}."""
        first = self.store.findFirst(TimedEvent, TimedEvent.runnable == runnable,
                                     sort=TimedEvent.time.ascending)
        if first is not None:
            first.deleteFromStore()
        self._arm()

    def unscheduleAll(self, runnable):
        """IScheduler: remove every scheduled run of C{runnable}."""
        self.store.query(TimedEvent,
                         TimedEvent.runnable == runnable).deleteFromStore()
        self._arm()

    def scheduledTimes(self, runnable):
        """IScheduler: the times C{runnable} is scheduled to run, earliest
        first.
        """
        return [e.time for e in self.store.query(
            TimedEvent, TimedEvent.runnable == runnable,
            sort=TimedEvent.time.ascending)]


def _backoff(previous):
    """The next wait after C{previous} (None: the first), doubling."""
    if previous is None:
        return RETRY_FIRST
    return min(RETRY_CAP, previous * 2)
