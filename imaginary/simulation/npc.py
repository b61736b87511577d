"""
NPC minds: persistent intelligences that watch and act through verbs.

An NPC is an ordinary character (a Thing with an Actor) whose Actor's
C{enduringIntelligence} is an Item of a class built on C{Mind}.  The mind
is told about every event its body observes (C{observe}) after the event's
transaction has committed, and acts by typing commands (C{act("say hi")})
through the same parser and verbs as players, so NPCs obey the same rules
and produce the same messages.  The simulation doesn't import the verbs
(they stand on it): a mind finds the ICommandRunner installed on its
store (imaginary.verbs.runner.installCommandRunner).  Timers use the store's persistent
scheduler (C{wakeAfter}), so an NPC's routine survives a restart.

A mind class declares C{thing = reference(...)} to its body, and may
define C{observe(event, message)} and C{run()} (for scheduled wake-ups,
returning a Time to be woken again, or None).
"""

import datetime

from epsilon.extime import Time
from twisted.logger import Logger

from imaginary.interfaces import IActor, ICommandRunner
from imaginary.store import IScheduler

from imaginary.language import sentence

from .events import Event, afterDeliveries, runEventTransaction

log = Logger()


class Mind:
    """
    The base of an NPC's mind: mix it into an Item class that declares
    C{thing = reference(...)} to its body, and give it to a character with
    L{animate}.

    The mind is told what its body observes through L{observe} (override
    it), acts by typing commands with L{act} (through the verbs players
    use) or shows an action with L{emote}, and wakes itself up with
    L{wakeAfter}: the store's persistent scheduler then calls its C{run()},
    which may return a time (L{timeAfter}) to be called again.  Timers
    survive restarts, since the mind and its schedule are in the store.
    """

    __slots__ = ()

    @classmethod
    def animate(cls, body, **kw):
        """Create this mind for C{body} (a character) and attach it."""
        mind = cls(store=body.store, thing=body, **kw)
        IActor(body).enduringIntelligence = mind
        return mind

    def act(self, line):
        """Run a command as the body, after current deliveries finish."""
        afterDeliveries(lambda: self.actNow(line))

    def actNow(self, line):
        """
        Run a command as the body now, through the ICommandRunner installed
        on its store.  Returns True when a verb ran successfully.
        """
        body = self.thing
        if body is None or body.store is None:
            return False
        runner = ICommandRunner(body.store, None)
        if runner is None:
            # A store opened without a runner (a tool, a test that forgot):
            # the mind stays silent rather than taking its caller down.
            log.warn("{mind} can't act ({line!r}): its store has no "
                     "ICommandRunner; whoever opens the world must install "
                     "one (imaginary.verbs.runner.installCommandRunner)",
                     mind=type(self).__name__, line=line)
            return False
        return runner.run(body, line)

    def emote(self, template, **roles):
        """
        Show what the body does as a sentence rendered for each observer,
        after current deliveries: C{self.emote("{actor} {actor:salute}
        {target}.", target=student)} reads "The professor mouse salutes
        you." to the student and "... salutes Bobby." to the others,
        where an emote typed as a command would name Bobby to everyone.
        """
        def show():
            body = self.thing
            if body is None or body.location is None:
                return
            line = sentence(template, actor=body, **roles)
            Event(location=body.location, actor=body,
                  target=roles.get("target"), actorMessage=line,
                  targetMessage=line, otherMessage=line).broadcast()
        afterDeliveries(lambda: runEventTransaction(self.store, show))

    def wakeAfter(self, seconds):
        """Have the scheduler call C{run()} in C{seconds}."""
        IScheduler(self.store).schedule(self, timeAfter(self, seconds))

    def observe(self, event, message):
        """Called with each event the body observed (override)."""


def timeAfter(item, seconds):
    """The scheduler's now plus C{seconds}, as a Time."""
    scheduler = IScheduler(item.store)
    return Time.fromDatetime(scheduler.now().asDatetime() +
                             datetime.timedelta(seconds=seconds))


def arrivalOf(event):
    """The thing that arrived, if C{event} is an arrival, else None."""
    data = event.data or {}
    return data.get("arrived")
