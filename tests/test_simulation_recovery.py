"""
Bodies get their strength back over time (imaginary.simulation.recovery),
on the store's persistent scheduler driven by a task.Clock.
"""

from twisted.internet.task import Clock

from imaginary.interfaces import IActor
from imaginary.simulation import recovery
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import IScheduler, Store, TimedEvent
from transcript import R, Transcript


def started(store, at=1_000_000.0):
    clock = Clock()
    clock.advance(at)
    IScheduler(store).startService(clock)
    return clock


def test_a_tired_body_recovers_step_by_step_then_costs_nothing():
    t = Transcript()
    clock = started(t.store)
    body = IActor(t.observer.thing)

    def tire():
        body.stamina = 0
        body.hitpoints = 88
        recovery.needsRest(body)
        recovery.needsRest(body)        # once is enough
    t.store.transact(tire)
    assert t.store.query(recovery.Recovery).count() == 1
    clock.advance(recovery.RECOVERY_SECONDS)
    assert (body.stamina, body.hitpoints) == (10, 93)
    t.check("score", by=t.observer, actor=[
        "Level 1, experience 0.",
        "Hit points 93/100, stamina 10/100, strength 10.",
        "You are getting your strength back (about 10 stamina and 5 hit "
        "points every 30 seconds)."])
    for _ in range(9):
        clock.advance(recovery.RECOVERY_SECONDS)
    assert (body.stamina, body.hitpoints) == (100, 100)
    # Full: the recovery is gone and nothing more is scheduled.
    assert t.store.query(recovery.Recovery).count() == 0
    assert t.store.query(TimedEvent).count() == 0
    t.check("score", by=t.observer, actor=[
        "Level 1, experience 0.",
        "Hit points 100/100, stamina 100/100, strength 10."])


def test_a_full_body_gets_no_recovery():
    t = Transcript()
    started(t.store)
    t.store.transact(recovery.needsRest, IActor(t.actor.thing))
    assert t.store.query(recovery.Recovery).count() == 0


def test_fighting_starts_recovery():
    t = Transcript()
    started(t.store)
    t.check("hit bob", actor=["You hit Bob."], observer=["Alice hits you."])
    things = {r.thing for r in t.store.query(recovery.Recovery)}
    assert things == {t.actor.thing, t.observer.thing}
    t.check("score", by=t.observer, actor=[
        "Level 1, experience 0.", R(r"Hit points \d+/100, stamina 100/100, "
                                    r"strength 10\."),
        R("You are getting your strength back .*")])


def test_recovery_goes_on_after_a_restart(tmp_path):
    path = str(tmp_path / "world.store")
    store = Store(path)
    world = ImaginaryWorld.get(store)
    dave = world.createCharacter("Dave", 0)
    body = IActor(dave)
    clock = started(store)

    def hurt():
        body.hitpoints = 10
        recovery.needsRest(body)
    store.transact(hurt)
    store.close()

    store = Store(path)
    body = IActor(store.getItemByID(dave.storeID))
    assert body.hitpoints == 10
    # The server was down for an hour: the step that fell due runs at
    # once, and the steps go on from there.
    later = started(store, at=clock.seconds() + 3600)
    later.advance(0)
    assert body.hitpoints == 15
    assert store.query(recovery.Recovery).count() == 1
    store.close()
