"""
One session per character played, however many connections play it.

A C{CharacterSession} is the character's ephemeral intelligence: the
Actor hands it every event the body observes.  It turns each into an
C{Output} — a sequence number, the Span meant for this character, and the
event's out-of-band data made plain (data.py) — keeps the last outputs in
a bounded replay buffer, and sends each to every attached front end.

Front ends attach through C{IPlayer.play} and get an C{Attachment}.
Under the C{share} policy (the default) a character may be played from
several connections at once (a browser tab and a telnet client): every
connection sees the output and any may type.  Under C{takeover} a new
connection closes the others.  The character arrives in the world when
its first connection attaches and leaves when its last one detaches, so
arriving and leaving happen once per character, not per connection.

Commands from every connection go through one queue and run in the order
they arrived.  C{submit} returns a Deferred that fires once that command
has settled: its events and the NPC reactions they caused have been
delivered.  C{settled()} fires once nothing is queued or running, which
is what a batch front end (an emailed command) waits for before replying.
A front end that lost its connection can C{replay(since)} what it
missed, by sequence number, without lost or repeated lines.
"""

import collections
import time
from time import perf_counter

import attr
from twisted.internet import defer
from twisted.logger import Logger

from imaginary.interfaces import IActor
from imaginary.language import styled
from imaginary.verbs.base import Context, execute

from .data import outOfBand

log = Logger()

REPLAY_OUTPUTS = 1000       # outputs kept for replay...
REPLAY_SECONDS = 30 * 60    # ...and for at most this long
MAX_QUEUED = 200            # commands waiting; more are refused
POLICIES = ("share", "takeover")


@attr.s(frozen=True, slots=True)
class Output:
    """One numbered output: a Span (or None) and plain out-of-band data."""

    seq = attr.ib()
    time = attr.ib()
    span = attr.ib()
    data = attr.ib()        # ((package, value), ...)


class Attachment:
    """One front end's hold on a character session."""

    def __init__(self, session, frontEnd):
        self.session = session
        self.frontEnd = frontEnd
        self.attached = True

    @property
    def character(self):
        """The character played."""
        return self.session.character

    def submit(self, line):
        """Queue a command; a Deferred firing once it has settled."""
        return self.session.submit(line, self)

    def submitNow(self, line):
        """
        Run a command now if nothing is queued before it, returning its
        result (a bool); otherwise queue it and return the Deferred that
        fires once it has settled.  Line front ends use this: most
        commands then cost no Deferred at all.
        """
        return self.session.submitNow(line, self)

    def replay(self, since):
        """Outputs after sequence number C{since}, or None (see session)."""
        return self.session.replay(since)

    def detach(self, linger=0):
        """
        Stop receiving output.  The last detach ends the session, at once
        or, with C{linger} seconds, only if nobody attaches by then (a
        front end whose connection dropped, and that can resume with
        replay(), asks for that).
        """
        if self.attached:
            self.attached = False
            self.session.detach(self, linger)


class CharacterSession:
    """The character's session: output, replay, and one command queue."""

    def __init__(self, server, account, character):
        self.server = server
        self.account = account
        self.character = character
        self.attachments = []
        self._solo = None       # the front end, when it is the only one
        self.seq = 0
        # The replay buffer: (seq, time, span, data) tuples.  Kept only
        # once a front end that can resume has attached (line front ends
        # can't: a telnet reconnection is a new login), so a crowded room
        # of telnet players doesn't hold a thousand outputs each.
        self.outputs = None
        self._queue = collections.deque()
        self._running = False
        self._idle = []          # Deferreds waiting for settled()
        self.body = IActor(character)
        self.body.setEphemeralIntelligence(self)
        self.context = Context(actor=character, world=server.world,
                               registry=server.registry, session=self,
                               control=server)
        self.closed = False
        self._ending = None      # the delayed end while lingering
        # Every command's time goes to the server's metrics (metrics.py).
        self._commandRan = server.metrics.commandRan
        # A verb reading the lines after it (mail's body): see divertInput.
        self._divert = None
        self._greeted = False

    # -- attaching -------------------------------------------------------

    def attach(self, frontEnd, policy="share", resumable=False):
        """
        Attach a front end; under 'takeover', close the others.  A
        C{resumable} front end (one that can ask for replay() after its
        connection drops) makes the session keep its replay buffer.
        """
        if resumable and self.outputs is None:
            self.outputs = collections.deque(maxlen=REPLAY_OUTPUTS)
        others = list(self.attachments)
        if others and policy != "takeover":
            self.tell(f"{self.character.name} is now also played from "
                      f"another connection ({frontEnd.address}).")
        attachment = Attachment(self, frontEnd)
        self.attachments.append(attachment)
        self._route()
        if self._ending is not None:
            self._ending.cancel()       # back before the linger ran out
            self._ending = None
        if not self._greeted:
            self._greeted = True
            self._greet()
        if policy == "takeover":
            for other in others:
                other.frontEnd.sendSpan(styled(
                    "You have logged in from elsewhere; closing this "
                    "connection."))
                other.detach()
                other.frontEnd.disconnect()
        return attachment

    def _route(self):
        # send()'s short cut: one front end and no replay buffer.
        self._solo = (self.attachments[0].frontEnd
                      if len(self.attachments) == 1 and self.outputs is None
                      else None)

    def _greet(self):
        """What a player hears on arriving: unread mail, and invitations
        to story groups waiting for an answer."""
        from imaginary.mail.model import unreadNotice
        from imaginary.simulation.groups import invitationsOf
        try:
            notices = [unreadNotice(self.character)]
            for invite in invitationsOf(self.character):
                handle = invite.group.handle
                notices.append(f"You are invited to join "
                               f"{invite.group.name}: 'group accept "
                               f"{handle}' or 'group decline {handle}'.")
        except Exception:
            log.failure("the arrival notices failed")
            return
        for notice in notices:
            if notice:
                self.tell(notice)

    def detach(self, attachment, linger=0):
        """An attachment went away; the last one ends the session."""
        if attachment in self.attachments:
            self.attachments.remove(attachment)
            self._route()
        if self.attachments or self.closed:
            return
        if linger > 0:
            if self._ending is None:
                self._ending = self.server.reactor.callLater(linger,
                                                             self._linger)
        else:
            self.end()

    def _linger(self):
        self._ending = None
        if not self.attachments:
            self.end()

    def end(self):
        """Nobody plays the character any more: it leaves the game."""
        if self.closed:
            return
        self.closed = True
        if self._ending is not None:
            self._ending.cancel()
            self._ending = None
        self._divert = None
        if self.body.getEphemeralIntelligence() is self:
            self.body.setEphemeralIntelligence(None)
        idle, self._idle = self._idle, []
        for d in idle:
            d.callback(None)
        self.server.sessionEnded(self)

    def close(self, message=None):
        """Tell every connection C{message}, then close them all."""
        if message:
            self.tell(message)
        for attachment in list(self.attachments):
            attachment.detach()
            attachment.frontEnd.disconnect()

    # -- output ----------------------------------------------------------

    def _output(self, span, data):
        """Number, keep and send one output (the general case of send)."""
        self.seq += 1
        outputs = self.outputs
        if outputs is not None:
            outputs.append((self.seq, time.monotonic(), span, data))
        for attachment in self.attachments:
            frontEnd = attachment.frontEnd
            if span is not None:
                frontEnd.sendSpan(span)
            if data and frontEnd.wantsData:
                for package, value in data:
                    frontEnd.sendData(package, value)

    def send(self, span, event):
        """An event for our character (called by the Actor, after commit)."""
        frontEnd = self._solo
        if frontEnd is not None:
            # The hot path of every event, once per character told: one
            # connection and no replay buffer, straight to the front end.
            self.seq += 1
            if span is not None:
                frontEnd.sendSpan(span)
            if frontEnd.wantsData and event is not None and event.data:
                for package, value in outOfBand(event.data):
                    frontEnd.sendData(package, value)
            return
        data = event.data if event is not None else None
        attachments = self.attachments
        if data and self.outputs is None:
            for attachment in attachments:
                if attachment.frontEnd.wantsData:
                    break
            else:
                data = None     # nobody would carry it or keep it
        # outOfBand keeps its last result: one event's data is made plain
        # once, however many sessions it reaches.
        self._output(span, outOfBand(data) if data else ())

    def tell(self, text):
        """A line (str or Span) to every connection."""
        self._output(styled(text) if isinstance(text, str) else text, ())

    def replay(self, since):
        """
        The outputs numbered after C{since}, oldest first, or None when
        the buffer no longer reaches back that far (the caller then knows
        something was lost instead of silently skipping it).
        """
        outputs = self.outputs
        if since > self.seq:
            return None         # numbers from an earlier session
        if since == self.seq:
            return []
        if outputs is None:
            return None
        cutoff = time.monotonic() - REPLAY_SECONDS
        while outputs and outputs[0][1] < cutoff:
            outputs.popleft()
        if not outputs or outputs[0][0] > since + 1:
            return None
        return [Output(*o) for o in outputs if o[0] > since]

    # -- input -----------------------------------------------------------

    def divertInput(self, handler):
        """
        Hand the following lines to C{handler(line)} instead of running
        them as commands, until it returns False: how a verb reads text of
        several lines (a mail's body) on every front end alike.
        """
        self._divert = handler

    @property
    def diverted(self):
        """Whether a verb is reading the lines typed (see divertInput)."""
        return self._divert is not None

    def _execute(self, line):
        divert = self._divert
        if divert is None:
            return execute(self.context, line)
        try:
            more = divert(line)
        except BaseException:
            more = False            # a broken reader must not eat input
            raise
        finally:
            if not more and self._divert is divert:
                self._divert = None
        return True

    def submitNow(self, line, attachment=None):
        """Run C{line} now when idle (its result), else submit() it."""
        if attachment is not None and not attachment.attached:
            return False        # taken over or closed: not this one's now
        if self._running or self._queue or self.closed:
            return self.submit(line, attachment)
        self._running = True
        started = perf_counter()
        try:
            # execute() delivers the command's events and runs the NPC
            # reactions they cause before it returns: settled on return.
            return self._execute(line)
        except Exception:
            log.failure("command {line!r} failed", line=line)
            self.tell("Something went wrong; the error has been logged.")
            return False
        finally:
            self._running = False
            self._commandRan(self.context, line, perf_counter() - started)
            if self._queue:
                self._drain()       # queued by a reaction meanwhile
            elif self._idle:
                idle, self._idle = self._idle, []
                for d in idle:
                    d.callback(None)

    def submit(self, line, attachment=None):
        """Queue C{line}; a Deferred that fires once it has settled."""
        if self.closed or (attachment is not None and
                           not attachment.attached):
            return defer.succeed(False)
        done = defer.Deferred()
        if len(self._queue) >= MAX_QUEUED:
            if attachment is not None:
                attachment.frontEnd.sendSpan(styled(
                    "Too many commands are waiting; that one was dropped."))
            done.callback(False)
            return done
        self._queue.append((line, attachment, done))
        if not self._running:
            self._drain()
        return done

    def _drain(self):
        self._running = True
        try:
            while self._queue and not self.closed:
                line, attachment, done = self._queue.popleft()
                if attachment is not None and not attachment.attached:
                    done.callback(False)
                    continue
                started = perf_counter()
                try:
                    # execute() delivers the command's events and runs the
                    # NPC reactions they cause before it returns.
                    result = self._execute(line)
                except Exception:
                    log.failure("command {line!r} failed", line=line)
                    self.tell("Something went wrong; the error has been "
                              "logged.")
                    result = False
                self._commandRan(self.context, line,
                                 perf_counter() - started)
                done.callback(result)
        finally:
            self._running = False
            if self.closed:
                # Taken out first: a callback may submit again (and is
                # refused at once, the session being closed).
                left, self._queue = self._queue, collections.deque()
                for _, _, done in left:
                    done.callback(False)
        if not self._queue:
            idle, self._idle = self._idle, []
            for d in idle:
                d.callback(None)

    def settled(self):
        """A Deferred that fires once no command is queued or running."""
        if not self._running and not self._queue:
            return defer.succeed(None)
        d = defer.Deferred()
        self._idle.append(d)
        return d

