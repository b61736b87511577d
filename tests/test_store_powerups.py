"""Tests for imaginary.store.powerups: installing and adapting powerups."""

import pytest
from zope.interface import Interface, implementer

from imaginary.store import (
    Item, PowerupNotInstalled, Store, StoreError, integer, text)


class IGreeter(Interface):
    pass


class IShiny(Interface):
    pass


class Target(Item):
    typeName = "pu_target"
    name = text()


@implementer(IGreeter)
class Greeter(Item):
    typeName = "pu_greeter"
    word = text()


@implementer(IGreeter, IShiny)
class Declared(Item):
    typeName = "pu_declared"
    powerupInterfaces = (IGreeter, (IShiny, 5))
    n = integer()


class Boom(Exception):
    pass


def test_priority_order_and_adaptation():
    store = Store()
    t = Target(store=store, name="t")
    low = Greeter(store=store, word="low")
    high = Greeter(store=store, word="high")
    assert IGreeter(t, None) is None
    with pytest.raises(TypeError):
        IGreeter(t)
    t.powerUp(low, IGreeter, priority=1)
    t.powerUp(high, IGreeter, priority=10)
    assert list(t.powerupsFor(IGreeter)) == [high, low]
    assert IGreeter(t) is high
    t.powerUp(low, IGreeter, priority=20)   # a second install re-prioritises
    assert list(t.powerupsFor(IGreeter)) == [low, high]
    t.powerDown(low, IGreeter)
    assert list(t.powerupsFor(IGreeter)) == [high]
    with pytest.raises(PowerupNotInstalled) as e:
        t.powerDown(low, IGreeter)
    assert isinstance(e.value, ValueError)


def test_class_level_powerup_interfaces():
    store = Store()
    t = Target(store=store, name="t")
    d = Declared(store=store, n=1)
    t.powerUp(d)
    assert IGreeter(t) is d and IShiny(t) is d
    assert set(t.interfacesFor(d)) == {IGreeter, IShiny}
    with pytest.raises(StoreError, match="declares no powerupInterfaces"):
        t.powerUp(Greeter(store=store, word="x"))


def test_powerups_on_the_store():
    store = Store()
    g = Greeter(store=store, word="hi")
    store.powerUp(g, IGreeter)
    assert IGreeter(store) is g


def test_deleting_powerup_or_target_disconnects():
    store = Store()
    t = Target(store=store, name="t")
    g = Greeter(store=store, word="hi")
    t.powerUp(g, IGreeter)
    g.deleteFromStore()
    assert IGreeter(t, None) is None
    g2 = Greeter(store=store, word="again")
    t.powerUp(g2, IGreeter)
    t.deleteFromStore()
    from imaginary.store.powerups import _PowerupConnector
    assert store.count(_PowerupConnector) == 0


def test_cache_stays_right_across_rollback(tmp_path):
    store = Store(str(tmp_path / "s"))
    t = Target(store=store, name="t")
    g = Greeter(store=store, word="kept")
    t.powerUp(g, IGreeter)
    assert IGreeter(t) is g

    def fail():
        t.powerDown(g, IGreeter)
        assert IGreeter(t, None) is None
        t.powerUp(Greeter(store=store, word="new"), IGreeter, priority=9)
        assert IGreeter(t).word == "new"
        raise Boom()
    with pytest.raises(Boom):
        store.transact(fail)
    assert IGreeter(t) is g
    assert list(t.powerupsFor(IGreeter)) == [g]
    sid = t.storeID
    store.close()
    store = Store(str(tmp_path / "s"))
    assert IGreeter(store.getItemByID(sid)).word == "kept"


def test_powerups_need_stored_items():
    store = Store()
    with pytest.raises(StoreError, match="must be in a store"):
        Target(name="loose").powerUp(Greeter(store=store), IGreeter)
    with pytest.raises(StoreError, match="same store"):
        Target(store=store).powerUp(Greeter(store=Store()), IGreeter)


def test_in_memory_powerups_on_the_store(tmp_path):
    store = Store(str(tmp_path / "s"))
    stored = Greeter(store=store, word="stored")
    store.powerUp(stored, IGreeter)
    service = object()          # any object, not only an Item
    store.inMemoryPowerUp(service, IGreeter)
    assert IGreeter(store) is service
    assert list(store.powerupsFor(IGreeter)) == [service, stored]
    assert IShiny(store, None) is None
    store.inMemoryPowerUp(None, IGreeter)
    assert IGreeter(store) is stored
    store.inMemoryPowerUp(service, IShiny)
    store.close()
    # Never saved: the store opened again knows only the stored powerup.
    again = Store(str(tmp_path / "s"))
    assert IShiny(again, None) is None
    assert [g.word for g in again.powerupsFor(IGreeter)] == ["stored"]
    again.close()
