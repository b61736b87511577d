"""
Events: what happened, told to each observer in its own words.

A verb runs inside C{runEventTransaction}: one store transaction.  While it
runs, C{event.broadcast()} renders the event for every observer in range
(each gets the actor's, the target's, the tool's or the bystanders' message,
rendered for that observer) but delivers nothing.  Only after the
transaction commits are the messages delivered.  When the verb fails with an
ActionFailure, the transaction rolls back, everything broadcast so far is
dropped, and only the failure's own message is delivered.

Rendering happens at broadcast time, inside the transaction, so a message
describes the world as it was when the event happened.
"""

from functools import partial

import attr

from imaginary.interfaces import IEventObserver
from imaginary.language import Span, styled

from .failure import ActionFailure
from .idea import ProviderOf, Proximity

# The deliveries waiting for each event transaction that is running, the
# innermost last.  A plain list, not a ContextVar: transactions run
# synchronously, one inside another, and a ContextVar's copy (which
# Twisted gives every coroutine it starts) would keep a finished
# transaction's list, whose deliveries would then never be made.
_stack = []

# Observers are found within this many metres of the event's location:
# everything in the room (containment costs nothing), not the next room.
EVENT_RADIUS = 0.5


def render(message, observer):
    """Render a message (str, Span, or anything with render(observer))."""
    if message is None:
        return None
    if isinstance(message, Span):
        return message
    if isinstance(message, str):
        return styled(message)
    if callable(getattr(message, "render", None)):
        return message.render(observer)
    if callable(message):
        return render(message(observer), observer)
    raise TypeError(f"cannot render {message!r}")


def bystanderView(message):
    """
    C{(ids, span)} when one rendering of C{message} serves every observer
    whose id() is not in C{ids} (the things it names), or None when each
    observer must have it rendered for them.  A str or Span reads the same
    to everyone; a sentence (anything with C{forBystanders()}) says whom
    it names and what everyone else reads; any other message is rendered
    for each observer.
    """
    if message is None or isinstance(message, Span):
        return (), message
    if isinstance(message, str):
        return (), styled(message)
    forBystanders = getattr(message, "forBystanders", None)
    if forBystanders is not None:
        return forBystanders()
    return None


def observersAt(location):
    """
    Every IEventObserver in C{location} (the room and what is in it), as
    (id() of its thing, observer) pairs in the order the graph found them,
    and a dict from the id() of each one's thing to the observer.

    Remembered per location until anything in the store changes (the
    store's generation moves on every write and rollback): a room where
    people only talk asks the graph once, not once per line said, and an
    event finds the actor among the listeners without asking each one.
    """
    if location is None:
        return (), {}
    store = location.store
    # {location storeID: (store generation, pairs, by thing, things)}
    cache = store.derivedCaches.get("observers")
    if cache is None:
        cache = store.derivedCaches["observers"] = {}
    hit = cache.get(location.storeID)
    if hit is not None and hit[0] == store.generation:
        return hit[1], hit[2]
    observers = tuple(location.idea.obtain(
        Proximity(EVENT_RADIUS, ProviderOf(IEventObserver))).results)
    things = [observer.thing for observer in observers]
    pairs = tuple((id(thing), observer)
                  for thing, observer in zip(things, observers))
    byThing = {}
    for thingID, observer in pairs:
        byThing.setdefault(thingID, observer)
    # The things are kept with the entry, so their id()s stay theirs.
    cache[location.storeID] = (store.generation, pairs, byThing, things)
    return pairs, byThing


@attr.s(frozen=True, eq=False)
class Event:
    """
    Something that happened at C{location}.  Messages may be str, Span or
    a sentence with C{render(observer)}; each observer sees exactly one:
    the actor's, the target's, the tool's or, failing those, C{otherMessage}.
    C{distantMessage(direction)}, if given, is heard in adjacent rooms.
    C{data} carries out-of-band facts for front ends (e.g. room info).
    C{audience}: more observers wherever they are (a channel's members),
    told C{otherMessage} like bystanders.
    """

    location = attr.ib()
    actor = attr.ib(default=None)
    target = attr.ib(default=None)
    tool = attr.ib(default=None)
    actorMessage = attr.ib(default=None)
    targetMessage = attr.ib(default=None)
    toolMessage = attr.ib(default=None)
    otherMessage = attr.ib(default=None)
    distantMessage = attr.ib(default=None)
    data = attr.ib(default=None)
    audience = attr.ib(default=())
    # The bystanders' view of otherMessage, worked out for the first
    # observer and read by the rest (see _bystanderView): a line said to a
    # crowded room is rendered once, not asked of the sentence per
    # listener, and a listener is known for a bystander by one look-up.
    _bystanders = attr.ib(default=False, init=False, repr=False)

    def messageFor(self, observer):
        """The rendered Span for C{observer} (a Thing), or None."""
        view = self._bystanders
        if view is False:
            view = self._bystanderView()
        if view is not None and id(observer) not in view[0]:
            return view[1]
        if observer is self.actor and self.actor is not None:
            return render(self.actorMessage, observer)
        if observer is self.target and self.target is not None:
            return render(self.targetMessage if self.targetMessage is not None
                          else self.otherMessage, observer)
        if observer is self.tool and self.tool is not None:
            return render(self.toolMessage if self.toolMessage is not None
                          else self.otherMessage, observer)
        return render(self.otherMessage, observer)

    def _bystanderView(self):
        # bystanderView's (ids, span), the actor, target and tool added
        # to the ids: they read their own messages, never the shared one.
        view = bystanderView(self.otherMessage)
        if view is not None:
            named = view[0]
            for party in (self.actor, self.target, self.tool):
                if party is not None and id(party) not in named:
                    if named is view[0]:
                        named = set(named)
                    named.add(id(party))
            view = (named, view[1])
        object.__setattr__(self, "_bystanders", view)
        return view

    def _deliveries(self):
        calls = []
        pairs, byThing = observersAt(self.location)
        told = set()    # told though not in the room
        # The actor is told first, wherever it is (even inside a closed
        # box): the one who typed the command waits for its answer, the
        # room only overhears it.
        actor = self.actor
        first = None
        if actor is not None:
            first = byThing.get(id(actor))
            if first is None:
                first = IEventObserver(actor, None)
                told.add(id(actor))     # (and the room never lists it)
            if first is not None:
                call = first.prepare(self)
                if call is not None:
                    calls.append(call)
        append = calls.append
        # Bystanders with a listener (players) share one delivery, which
        # tells each of them the one rendering everyone unnamed reads: no
        # prepare, no message looked up and no callable made per player.
        view = self._bystanders
        if view is False:
            view = self._bystanderView()
        if view is not None:
            named, span = view
            silent = span is None and self.data is None
        shared = None
        for thingID, observer in pairs:
            if observer is first:
                continue
            if view is not None and thingID not in named:
                listener = observer.listener
                if listener is not None:
                    if silent:
                        continue        # nothing to read, nothing to carry
                    if shared is None:
                        # (Where the first one stands in the room's order.)
                        shared = []
                        append(partial(_tellEach, shared, span, self))
                    shared.append(listener)
                    continue
            call = observer.prepare(self)
            if call is not None:
                append(call)
        for party in (self.target, *self.audience):
            if party is not None and id(party) not in told and \
                    id(party) not in byThing:
                observer = IEventObserver(party, None)
                if observer is not None:
                    told.add(id(party))
                    call = observer.prepare(self)
                    if call is not None:
                        calls.append(call)
        if self.distantMessage is not None and self.location is not None:
            calls.extend(self._distantDeliveries(told.union(byThing)))
        return calls

    def _distantDeliveries(self, told):
        from .containment import Exit
        store = self.location.store
        calls = []
        for exit in store.query(Exit, Exit.fromLocation == self.location):
            back = exit.sibling
            direction = back.name if back is not None else "nearby"
            distant = DistantEvent(exit.toLocation,
                                   self.distantMessage(direction), self)
            observers, byThing = observersAt(exit.toLocation)
            for thingID, observer in byThing.items():
                if thingID in told:
                    continue
                told.add(thingID)
                call = observer.prepare(distant)
                if call is not None:
                    calls.append(call)
        return calls

    def broadcast(self):
        """
        Tell every observer.  Inside runEventTransaction delivery waits for
        the commit; outside one (timers, NPCs) it happens now.
        """
        calls = self._deliveries()
        if _stack:
            _stack[-1].extend(calls)
        else:
            _deliver(calls)


def _tellEach(listeners, span, event):
    # The bystanders' share of an event, after the commit (see _deliveries).
    for listener in listeners:
        listener.send(span, event)


@attr.s(frozen=True, eq=False)
class DistantEvent:
    """An event heard from the next room: one message for everyone."""

    location = attr.ib()
    message = attr.ib()
    origin = attr.ib()
    actor = None
    data = None

    def messageFor(self, observer):
        """The message as C{observer} reads it."""
        return render(self.message, observer)


def runEventTransaction(store, f, *a, **kw):
    """
    Run C{f} in one store transaction, delivering broadcast events only
    after it commits.  An ActionFailure rolls everything back and delivers
    just the failure's event (or re-raises it when it has none, so the
    caller can tell the actor the reason).
    """
    pending = []
    _stack.append(pending)
    popped = False
    try:
        try:
            result = store.transact(f, *a, **kw)
        except ActionFailure as failure:
            del pending[:]
            if failure.event is None:
                raise
            calls = failure.event._deliveries()
            _stack.pop()
            popped = True
            _deliver(calls)
            return None
    finally:
        if not popped:
            _stack.pop()
    _deliver(pending)
    return result


# Reactions (an NPC answering what it saw) wait until every observer has
# been told about the event that caused them, then run in order.  A bound
# on the chain stops two NPCs from answering each other forever.
_reactions = []
_state = {"delivering": 0, "ran": 0}
MAX_REACTIONS = 50


def afterDeliveries(reaction):
    """
    Run C{reaction()} once the current deliveries are done.  Called inside
    an event transaction, it waits for that transaction's events to be
    delivered (and is dropped if the transaction fails).
    """
    pending = _stack[-1] if _stack else None
    if pending is not None:
        pending.append(_Reaction(reaction))
        return
    _reactions.append(reaction)
    if _state["delivering"] == 0:
        _drain()


class _Reaction:
    """A reaction queued by a transaction: runs after its deliveries."""

    __slots__ = ("reaction",)

    def __init__(self, reaction):
        self.reaction = reaction

    def __call__(self):
        _reactions.append(self.reaction)


def _deliver(calls):
    _state["delivering"] += 1
    try:
        for call in calls:
            call()
    finally:
        _state["delivering"] -= 1
    if _reactions and _state["delivering"] == 0:
        _drain()


def _drain():
    if _state["ran"]:
        return  # already draining further up the stack
    try:
        while _reactions and _state["ran"] < MAX_REACTIONS:
            _state["ran"] += 1
            _reactions.pop(0)()
    finally:
        del _reactions[:]
        _state["ran"] = 0
