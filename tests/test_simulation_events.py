"""Tests for imaginary.simulation.events: delivery after commit, rollback."""

import pytest

from imaginary.language import styled
from imaginary.simulation.events import Event, runEventTransaction
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.thing import Thing
from imaginary.verbs.base import Verb
from transcript import Transcript


def dump(store):
    tables = [r[0] for r in store._conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    return {t: store._conn.execute(f'SELECT * FROM "{t}" ORDER BY 1')
            .fetchall() for t in tables}


def test_events_wait_for_the_commit():
    t = Transcript()
    seen = []

    def verb():
        Event(location=t.room, actor=t.actor.thing,
              otherMessage=styled("something happened")).broadcast()
        seen.append(list(t.observer.collector.lines))
    runEventTransaction(t.store, verb)
    assert seen == [[]]
    assert t.observer.output() == ["something happened"]


def test_failure_after_partial_changes_leaves_the_store_as_it_was():
    t = Transcript()
    lamp = t.store.transact(lambda: Thing(store=t.store, name="lamp",
                                          location=t.room))
    before = dump(t.store)

    class Meddle(Verb):
        def run(self, context):
            lamp.name = "changed"
            lamp.moveTo(context.actor)
            Thing(store=t.store, name="new thing", location=t.room)
            Event(location=t.room, actor=context.actor,
                  otherMessage=styled("you should not see this")
                  ).broadcast()
            raise ActionFailure("It fell apart.")
    with pytest.raises(ActionFailure):
        runEventTransaction(t.store, Meddle().run, t.actor.context)
    assert dump(t.store) == before
    assert lamp.name == "lamp" and lamp.location is t.room
    assert t.observer.output() == []


def test_failure_with_an_event_tells_bystanders_only_that():
    t = Transcript()
    failing = Event(location=t.room, actor=t.actor.thing,
                    actorMessage=styled("You fumble."),
                    otherMessage=styled("Alice fumbles."))

    def verb():
        Event(location=t.room, actor=t.actor.thing,
              otherMessage=styled("never")).broadcast()
        raise ActionFailure("fumble", event=failing)
    runEventTransaction(t.store, verb)
    assert t.actor.output() == ["You fumble."]
    assert t.observer.output() == ["Alice fumbles."]


def test_the_actor_is_told_first_wherever_the_room_lists_it():
    """
    The one who typed the command hears first (its answer leaves before
    the room's copies are even made), whatever order the room's graph
    search finds the listeners in.
    """
    t = Transcript()
    order = []

    def noting(player):
        send = player.collector.send

        def sendNoted(span, event):
            order.append(player.thing.name)
            send(span, event)
        player.collector.send = sendNoted
    noting(t.observer)
    noting(t.actor)
    for actor, other in ((t.actor, t.observer), (t.observer, t.actor)):
        del order[:]
        runEventTransaction(t.store, lambda: Event(
            location=t.room, actor=actor.thing,
            actorMessage=styled("You wave."),
            otherMessage=styled("Someone waves.")).broadcast())
        assert order == [actor.thing.name, other.thing.name]
        assert actor.output() == ["You wave."]
        assert other.output() == ["Someone waves."]


def test_bystanders_share_one_rendering_and_whoever_is_named_reads_their_own():
    """
    Everyone the sentence does not name reads one rendering, made once for
    the event; someone it names who is not the event's target (Bob, in
    Alice's words) still reads it in their own words.
    """
    from imaginary.language import sentence
    from imaginary.simulation.events import bystanderView
    from transcript import Player
    t = Transcript()
    carol = Player(t.world, "Carol")
    dave = Player(t.world, "Dave")
    carol.output()
    dave.output()
    asked = []
    said = sentence("{actor} {actor:wave} at {other}.", actor=t.actor.thing,
                    other=t.observer.thing)
    render = said.render

    def counted(observer):
        asked.append(observer)
        return render(observer)
    said.render = counted
    event = Event(location=t.room, actor=t.actor.thing, actorMessage=said,
                  otherMessage=said)
    runEventTransaction(t.store, event.broadcast)
    assert t.actor.output() == ["You wave at Bob."]
    assert t.observer.output() == ["Alice waves at you."]
    assert carol.output() == ["Alice waves at Bob."]
    assert dave.output() == ["Alice waves at Bob."]
    # Asked for the actor and for Bob; Carol and Dave read the shared view.
    assert sorted(o.name for o in asked) == ["Alice", "Bob"]
    assert event.messageFor(carol.thing) is event.messageFor(dave.thing)
    # Plain text is one Span for all; a message that is only a callable
    # is asked per observer.
    assert bystanderView("hi")[0] == ()
    assert bystanderView(lambda observer: "hi") is None


def test_a_coroutine_started_in_a_transaction_is_heard_when_it_ends():
    """
    Twisted runs a coroutine (inlineCallbacks) in a copy of the context it
    was started in.  One started by a verb that broadcasts after the verb's
    transaction has committed is heard then, not added to the finished
    transaction's deliveries and lost.
    """
    from twisted.internet import defer
    t = Transcript()
    waiting = defer.Deferred()

    @defer.inlineCallbacks
    def later():
        yield waiting
        Event(location=t.room, actor=t.actor.thing,
              otherMessage=styled("The bell rings at last.")).broadcast()

    runEventTransaction(t.store, later)
    assert t.observer.output() == []
    waiting.callback(None)
    assert t.observer.output() == ["The bell rings at last."]


def test_players_overhearing_share_one_delivery(monkeypatch):
    """
    A player the message does not name is told through its listener (the
    session) with the rendering every bystander reads: its observer is not
    asked to prepare anything, and a line with nothing in it for a
    bystander (no message, no data) reaches none of them.
    """
    from imaginary.simulation.actor import Actor
    from transcript import Player
    t = Transcript()
    carol = Player(t.world, "Carol")
    carol.output()
    asked = []
    prepare = Actor.prepare

    def counted(self, event):
        asked.append(self.thing.name)
        return prepare(self, event)
    monkeypatch.setattr(Actor, "prepare", counted)
    event = Event(location=t.room, actor=t.actor.thing,
                  actorMessage=styled("You wave."),
                  otherMessage=styled("Alice waves."))
    runEventTransaction(t.store, event.broadcast)
    assert asked == ["Alice"]
    assert t.actor.output() == ["You wave."]
    assert t.observer.output() == carol.output() == ["Alice waves."]
    assert t.observer.collector.events == [event]
    runEventTransaction(t.store, Event(
        location=t.room, actor=t.actor.thing,
        actorMessage=styled("You think.")).broadcast)
    assert t.actor.output() == ["You think."]
    assert t.observer.output() == carol.output() == []
    assert t.observer.collector.events == [event]
