"""Tests for imaginary.simulation.idea and containment: the graph search."""

from imaginary.interfaces import IThing
from imaginary.simulation.containment import Exit
from imaginary.simulation.idea import (
    CanSee, Named, ProviderOf, Proximity, Reachable)
from imaginary.simulation.lighting import LocationLighting
from imaginary.simulation.thing import Thing
from imaginary.simulation.factories import box, lamp
from imaginary.simulation.world import createRoom
from imaginary.store import Store


def world():
    store = Store()

    def build():
        room = createRoom(store, "Room")
        me = Thing(store=store, name="me", location=room)
        return room, me
    return (store,) + store.transact(build)


def find(origin, name, observer, radius=0.5, sight=True, reach=True):
    retriever = ProviderOf(IThing)
    if sight:
        retriever = CanSee(retriever, observer)
    retriever = Named(name, retriever, observer)
    if reach:
        retriever = Reachable(retriever)
    return origin.idea.obtain(Proximity(radius, retriever))


def reasons(result):
    return [r.tellMeWhyNot() for r in result.reasonsWhyNot]


def test_finds_things_in_the_room_and_in_open_boxes():
    store, room, me = world()
    chest = store.transact(box, store, "chest")
    store.transact(setattr, chest, "location", room)
    coin = store.transact(lambda: Thing(store=store, name="coin",
                                        location=chest))
    assert list(find(me, "coin", me)) == [coin]
    assert list(find(me, "me", me)) == [me]


def test_closed_box_hides_and_glass_box_shows_but_blocks():
    store, room, me = world()
    chest = store.transact(box, store, "chest", closed=True)
    case = store.transact(box, store, "case", closed=True, transparent=True)
    store.transact(lambda: [setattr(chest, "location", room),
                            setattr(case, "location", room)])
    store.transact(lambda: [Thing(store=store, name="coin", location=chest),
                            Thing(store=store, name="gem", location=case)])
    assert list(find(me, "coin", me)) == []
    result = find(me, "gem", me)
    assert list(result) == [] and reasons(result) == [
        "You can't reach through the case."]
    assert [t.name for t in find(me, "gem", me, reach=False)] == ["gem"]


def test_things_inside_a_closed_box_perceive_each_other():
    store, room, me = world()
    chest = store.transact(box, store, "wardrobe", closed=True)
    store.transact(setattr, chest, "location", room)
    inside = store.transact(lambda: Thing(store=store, name="moth",
                                          location=chest))
    store.transact(lambda: Thing(store=store, name="scarf", location=chest))
    assert [t.name for t in find(inside, "scarf", inside)] == ["scarf"]
    store.transact(lambda: Thing(store=store, name="stranger",
                                 location=room))
    assert list(find(inside, "stranger", inside)) == []
    assert [t.name for t in find(me, "stranger", me)] == ["stranger"]


def test_darkness_is_a_reason_and_light_fixes_it():
    store, room, me = world()
    store.transact(LocationLighting.createFor, room, candelas=0)
    store.transact(lambda: Thing(store=store, name="coin", location=room))
    result = find(me, "coin", me)
    assert list(result) == [] and reasons(result) == ["It's too dark to see."]
    torch = store.transact(lamp, store, "torch")
    store.transact(setattr, torch, "location", me)
    assert [t.name for t in find(me, "coin", me)] == ["coin"]


def test_proximity_stops_at_the_room_and_exits_cost_distance():
    store, room, me = world()

    def build():
        hall = createRoom(store, "Hall")
        Exit.link(room, hall, "north")
        Thing(store=store, name="statue", location=hall)
        return hall
    store.transact(build)
    assert list(find(me, "statue", me, radius=0.5)) == []
    assert [t.name for t in find(me, "statue", me, radius=1.5)] == ["statue"]
    assert [t.name for t in find(me, "north", me, radius=1.5)] == ["Hall"]
