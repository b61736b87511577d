"""
Axiom's names where Axiom users reach for them (issue 16): each test uses
the store the way code written for Axiom does.
"""

import pytest
from epsilon.extime import Time
from twisted.application.service import IService
from twisted.internet.task import Clock
from twisted.python.filepath import FilePath
from zope.interface import Interface, implementer

from imaginary.store import (
    AND, IPowerupIndirector, IScheduler, Item, Placeholder, Store, bytes,
    empowerment, errors, inmemory, integer, reference, text, transacted)
from imaginary.store import upgrade


class IWidget(Interface):
    pass


class IGadget(Interface):
    pass


class Box(Item):
    typeName = "ax_names_box"
    name = text()
    pattern = text()
    blob = bytes()
    size = integer(default=0)
    home = reference()
    note = inmemory()

    @transacted
    def grow(self, by):
        """Grows, in a transaction (rolled back when it raises)."""
        self.size += by
        if by < 0:
            raise ValueError("shrinking")
        return self.size


def test_deletion_rules_on_the_reference_class():
    assert (reference.CASCADE, reference.NULLIFY, reference.DISALLOW) == (
        "cascade", "nullify", "disallow")


def test_store_from_a_filepath_and_dbdir(tmp_path):
    where = FilePath(str(tmp_path)).child("s")
    s = Store(where)
    assert isinstance(s.dbdir, FilePath)
    assert s.dbdir == where
    assert Store().dbdir is None
    s.close()
    Store(where.path).close()


def test_item_init_sets_inmemory_attributes():
    b = Box(note="hello", name="x")
    assert b.note == "hello"


def test_a_reference_to_the_store_itself():
    s = Store()
    b = Box(store=s, home=s)
    assert b.home is s
    sid = b.storeID
    del b
    assert s.getItemByID(sid).home is s
    assert s.findUnique(Box, Box.home == s).storeID == sid
    from imaginary.store.check import checkStore
    assert checkStore(s) == []


def test_scheduler_is_the_store_service_and_its_clock_is_replaceable():
    s = Store()
    service = IService(s)
    assert service is IScheduler(s)
    clock = Clock()
    scheduler = IScheduler(s)
    scheduler.callLater = clock.callLater
    scheduler.now = lambda: Time.fromPOSIXTimestamp(clock.seconds())
    ran = []

    @implementer(IWidget)
    class Job(Item):
        typeName = "ax_names_job"
        n = integer(default=0)

        def run(self):
            ran.append(self)
    job = Job(store=s)
    scheduler.schedule(job, Time.fromPOSIXTimestamp(10))
    service.startService()
    assert service.running
    clock.advance(11)
    assert ran == [job]
    service.stopService()
    assert not service.running


def test_get_old_version_of(forgetUpgraders=None):
    Old = upgrade.declareLegacyItem("ax_names_old", 1, {"n": integer()})
    assert Store().getOldVersionOf("ax_names_old", 1) is Old
    with pytest.raises(KeyError):
        Store().getOldVersionOf("ax_names_old", 7)


def test_transacted_decorator():
    s = Store()
    b = Box(store=s)
    assert b.grow(2) == 2
    with pytest.raises(ValueError):
        b.grow(-1)
    assert b.size == 2


def test_empowerment_decorator():
    @empowerment(IWidget)
    @empowerment(IGadget, 5)
    class Part(Item):
        typeName = "ax_names_part"
        n = integer()
    s = Store()
    target = Box(store=s)
    part = Part(store=s)
    target.powerUp(part)
    assert IWidget(target) is part
    assert IGadget(target) is part
    assert set(target.interfacesFor(part)) == {IWidget, IGadget}


class Hooked(Item):
    typeName = "ax_names_hooked"
    n = integer(default=0)
    commits = inmemory()

    def activate(self):
        self.commits = 0

    def committed(self):
        self.commits += 1


def test_checkpoint_touch_and_committed():
    s = Store()
    h = s.transact(lambda: Hooked(store=s))
    assert h.commits == 1
    s.transact(lambda: setattr(h, "n", 3))
    assert h.commits == 2

    def inside():
        h.n = 4
        s.checkpoint()
        # The write is in the database before the transaction ends.
        assert s._conn.execute(
            f'SELECT n FROM "{Hooked.__tableName__}"').fetchone() == (4,)
        h.touch()
    s.transact(inside)
    assert h.commits == 3

    def touchOnly():
        h.touch()
    s.transact(touchOnly)
    assert h.commits == 4

    def fails():
        h.n = 9
        raise RuntimeError()
    with pytest.raises(RuntimeError):
        s.transact(fails)
    assert h.commits == 4 and h.n == 4


def test_batch_insert():
    s = Store()
    home = Box(store=s, name="home")
    s.batchInsert(Box, [Box.name, Box.size, Box.home],
                  [("a", 1, home), ("b", 2, None)])
    got = sorted((b.name, b.size, b.home) for b in
                 s.query(Box, Box.name != "home"))
    assert got == [("a", 1, home), ("b", 2, None)]
    with pytest.raises(errors.ConstraintError):
        s.batchInsert(Box, [Box.size], [("big",)])
    assert s.count(Box) == 3


def test_in_memory_powerup_on_an_item():
    s = Store()
    b = Box(store=s)
    gadget = object()
    b.inMemoryPowerUp(gadget, IGadget)
    assert IGadget(b) is gadget
    assert list(b.powerupsFor(IGadget)) == [gadget]
    loose = Box()
    loose.inMemoryPowerUp(gadget, IGadget)
    assert IGadget(loose) is gadget


@implementer(IPowerupIndirector)
class Indirect(Item):
    typeName = "ax_names_indirect"
    n = integer()
    powerupInterfaces = (IWidget,)

    def indirect(self, interface):
        return ("indirected", self.n, interface)


class Chooser(Item):
    typeName = "ax_names_chooser"
    n = integer()

    def __getPowerupInterfaces__(self, declared):
        assert declared == []
        return [(IWidget, 1), (IGadget, 2)]


def test_powerup_indirection_and_get_powerup_interfaces():
    s = Store()
    b = Box(store=s)
    b.powerUp(Indirect(store=s, n=4))
    assert IWidget(b) == ("indirected", 4, IWidget)
    assert list(b.powerupsFor(IWidget)) == [("indirected", 4, IWidget)]
    other = Box(store=s)
    chooser = Chooser(store=s)
    other.powerUp(chooser)
    assert IWidget(other) is chooser and IGadget(other) is chooser


def test_like_against_another_column_and_on_bytes():
    s = Store()
    Box(store=s, name="brass lamp", pattern="brass%", blob=b"\x01abc")
    Box(store=s, name="iron key", pattern="brass%", blob=b"xyz")
    assert [b.name for b in s.query(Box, Box.name.like(Box.pattern))] == [
        "brass lamp"]
    assert [b.name for b in s.query(Box, Box.name.like("%", "lamp"))] == [
        "brass lamp"]
    assert [b.name for b in s.query(Box, Box.blob.like(b"\x01%"))] == [
        "brass lamp"]
    assert [b.name for b in s.query(Box, Box.blob.startswith(b"xy"))] == [
        "iron key"]


def test_a_placeholder_as_query_target():
    s = Store()
    a = Box(store=s, name="a", size=1)
    b = Box(store=s, name="b", size=2, home=a)
    p = Placeholder(Box)
    assert list(s.query(p, p.size > 1)) == [b]
    assert list(s.query(p, AND(p.home == Box.storeID, Box.name == "a"))) == [
        b]
    assert s.query(p, p.size > 0).count() == 2


def test_axiom_exception_names():
    assert errors.ItemUpgradeError is errors.UpgradeFailed
    assert issubclass(errors.NoUpgradePathAvailable, errors.CannotOpenStore)
    assert issubclass(errors.NotAStore, errors.CannotOpenStore)
    assert issubclass(errors.SQLError, errors.StoreError)
    assert errors.UnknownItemType
