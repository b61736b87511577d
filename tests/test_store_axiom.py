"""
Tests that the store keeps the promises Axiom makes (issue 16): wrong
answers and crashes where our store used to differ from Axiom's semantics.
"""

import sqlite3

import pytest
from epsilon.extime import Time
from twisted.internet.task import Clock

from imaginary.store import (
    AND, IScheduler, Item, NoCrossStoreReferences, QueryError, Store,
    StoreError, TimedEventFailureLog, inmemory, integer, reference, text)
from imaginary.store import upgrade
from imaginary.store.item import MetaItem


class Node(Item):
    typeName = "ax_node"
    name = text()
    size = integer()
    other = reference()


class Tag(Item):
    typeName = "ax_tag"
    name = text()
    node = reference()


# -- 1. cross-store references ---------------------------------------------

def test_cross_store_reference_refused_when_created():
    s1, s2 = Store(), Store()
    inS1 = Node(store=s1, name="one")
    Node(store=s2, name="decoy")        # would share inS1's storeID
    with pytest.raises(NoCrossStoreReferences, match="ax_node|Node"):
        Node(store=s2, other=inS1)
    assert s2.count(Node) == 1


def test_cross_store_reference_refused_when_set():
    s1, s2 = Store(), Store()
    inS1 = Node(store=s1)
    inS2 = Node(store=s2)
    with pytest.raises(NoCrossStoreReferences):
        inS2.other = inS1
    assert inS2.other is None
    # It is also an AttributeError, as in Axiom.
    assert issubclass(NoCrossStoreReferences, AttributeError)


def test_cross_store_reference_refused_when_an_unstored_item_is_stored():
    s1, s2 = Store(), Store()
    inS1 = Node(store=s1)
    loose = Node(other=inS1)
    with pytest.raises(NoCrossStoreReferences):
        loose.store = s2
    assert loose.store is None
    assert s2.count(Node) == 0
    # The same item can go into the right store.
    loose.store = s1
    assert loose.other is inS1


# -- 2. getColumn().count() counts values, not rows ------------------------

def test_column_count_skips_nulls():
    s = Store()
    Node(store=s, size=1)
    Node(store=s, size=None)
    Node(store=s, size=1)
    assert s.query(Node).getColumn("size").count() == 2
    assert s.query(Node).getColumn("size").distinct().count() == 1
    assert s.query(Node).count() == 3


# -- 3. conditions and sorts on a class the query neither returns nor joins -

def test_condition_on_unjoined_class_is_refused():
    s = Store()
    Node(store=s, name="a")
    Node(store=s, name="b")
    Tag(store=s, name="x")
    Tag(store=s, name="x")
    with pytest.raises(QueryError, match="Tag"):
        s.query(Node, Tag.name == "x")
    with pytest.raises(ValueError):
        s.query(Node, AND(Node.name == "a", Tag.name == "x"))
    with pytest.raises(QueryError, match="Tag"):
        s.query(Node, sort=Tag.name.ascending)
    # A join makes the class part of the query.
    n = Node(store=s, name="c")
    Tag(store=s, name="y", node=n)
    assert list(s.query(Node, AND(Tag.node == Node.storeID,
                                  Tag.name == "y"))) == [n]
    assert list(s.query(Node, Tag.node == Node.storeID,
                        sort=Tag.name.ascending)) == [n]


# -- 4. references and powerups of unstored items ---------------------------

class Watcher(Item):
    typeName = "ax_watcher"
    target = reference()
    seen = inmemory()

    def activate(self):
        self.seen = self.target


def test_reference_on_unstored_item_reads_in_memory():
    s = Store()
    a = Node(store=s, name="a")
    loose = Node(other=a)
    assert loose.other is a
    other = Node(name="unstored")
    loose.other = other
    assert loose.other is other


def test_activate_of_a_new_item_reads_its_references():
    s = Store()
    a = Node(store=s, name="a")
    w = Watcher(store=s, target=a)
    assert w.seen is a
    assert Watcher(target=a).seen is a


def test_powerups_for_unstored_item_is_empty():
    from zope.interface import Interface

    class IThing(Interface):
        pass
    assert list(Node().powerupsFor(IThing)) == []
    assert IThing(Node(), None) is None


def test_references_after_rollback_of_creation_still_read():
    s = Store()
    a = Node(store=s, name="a")
    made = []

    def fail():
        made.append(Node(store=s, other=a))
        raise RuntimeError("no")
    with pytest.raises(RuntimeError):
        s.transact(fail)
    assert made[0].store is None
    assert made[0].other is a


# -- 5. every identifier quoted; no raw sqlite3 error -----------------------

SQLITE_KEYWORDS = """abort action add after all alter always analyze and as
asc attach autoincrement before begin between by cascade case cast check
collate column commit conflict constraint create cross current current_date
current_time current_timestamp database default deferrable deferred delete
desc detach distinct do drop each else end escape except exclude exclusive
exists explain fail filter first following for foreign from full generated
glob group groups having if ignore immediate in index indexed initially inner
insert instead intersect into is isnull join key last left like limit match
materialized natural no not nothing notnull null nulls of offset on or order
others outer over partition plan pragma preceding primary query raise range
recursive references regexp reindex release rename replace restrict returning
right rollback row rows savepoint select set table temp temporary then ties
to transaction trigger unbounded union unique update using vacuum values view
virtual when where window with without""".split()


def test_every_sqlite_keyword_is_a_valid_attribute_name():
    ns = {"typeName": "ax_keywords", "__module__": __name__}
    for word in SQLITE_KEYWORDS:
        ns[word] = integer(indexed=True)
    Keywords = MetaItem("Keywords", (Item,), ns)
    s = Store()
    k = Keywords(store=s, **{w: i for i, w in enumerate(SQLITE_KEYWORDS)})
    for i, word in enumerate(SQLITE_KEYWORDS):
        attr = getattr(Keywords, word)
        assert s.findUnique(Keywords, attr == i) is k
        assert list(s.query(Keywords, attr >= 0, sort=attr.descending)) == [k]
        assert s.query(Keywords).getColumn(word).max() == i


def test_nothing_and_returning_attributes():
    class Odd(Item):
        typeName = "ax_odd"
        nothing = text(indexed=True)
        returning = integer()
    s = Store()
    Odd(store=s, nothing="x", returning=1)
    assert s.findUnique(Odd, Odd.nothing == "x").returning == 1


def test_sqlite_errors_on_ddl_are_translated(monkeypatch):
    s = Store()

    class Broken(Item):
        typeName = "ax_broken"
        x = integer()
    real = s._conn
    s._conn = _FailingConnection(real, "CREATE TABLE")
    try:
        with pytest.raises(StoreError) as e:
            Broken(store=s, x=1)
        assert not isinstance(e.value, sqlite3.Error)
    finally:
        s._conn = real


class _FailingConnection:
    """A connection whose statements containing a text fail."""

    def __init__(self, conn, prefix):
        self.conn, self.prefix = conn, prefix

    def execute(self, sql, *a):
        if self.prefix in sql:
            raise sqlite3.OperationalError("simulated")
        return self.conn.execute(sql, *a)

    def __getattr__(self, name):
        return getattr(self.conn, name)


# -- 6. max()/min() over no rows ---------------------------------------------

def test_max_and_min_of_nothing_need_a_default():
    s = Store()
    column = s.query(Node).getColumn("size")
    with pytest.raises(ValueError):
        column.max()
    with pytest.raises(ValueError):
        column.min()
    assert column.max(default=None) is None
    assert column.min(default=7) == 7
    Node(store=s, size=3)
    Node(store=s, size=5)
    assert (column.max(), column.min()) == (5, 3)


# -- 7. failing scheduled calls are recorded ---------------------------------

class Exploder(Item):
    typeName = "ax_exploder"
    handled = integer(default=0)
    retry = integer(default=0)

    def run(self):
        raise RuntimeError("kaboom")


class HandledExploder(Item):
    typeName = "ax_handled_exploder"
    handled = integer(default=0)
    seen = inmemory()

    def run(self):
        raise RuntimeError("kaboom")

    def timedEventErrorHandler(self, event, failure):
        self.handled += 1
        self.seen = (event.runnable, failure.value)


def test_a_failing_scheduled_call_is_recorded():
    s = Store()
    clock = Clock()
    clock.advance(100)
    scheduler = IScheduler(s)
    scheduler.startService(clock)
    bad = Exploder(store=s)
    scheduler.schedule(bad, Time.fromPOSIXTimestamp(101))
    clock.advance(5)
    [failure] = list(s.query(TimedEventFailureLog))
    assert failure.runnable is bad
    assert failure.desiredTime.asPOSIXTimestamp() == 101
    assert failure.actualTime.asPOSIXTimestamp() == 105
    assert "kaboom" in failure.traceback
    assert scheduler.scheduledTimes(bad) == []
    assert [f.runnable for f in scheduler.failures()] == [bad]
    # What `imaginary check` prints for the operator.
    from imaginary.store.check import scheduledFailures
    [line] = scheduledFailures(s)
    assert "Exploder" in line and "RuntimeError: kaboom" in line
    assert scheduledFailures(Store()) == []


def test_the_error_hook_of_a_runnable_is_called():
    s = Store()
    clock = Clock()
    scheduler = IScheduler(s)
    scheduler.startService(clock)
    bad = HandledExploder(store=s)
    scheduler.schedule(bad, Time.fromPOSIXTimestamp(1))
    clock.advance(2)
    assert bad.handled == 1
    assert bad.seen[0] is bad
    assert isinstance(bad.seen[1], RuntimeError)
    assert s.count(TimedEventFailureLog) == 1


# -- 8. upgrades --------------------------------------------------------------

@pytest.fixture
def forgetUpgraders():
    saved = dict(upgrade._upgraders)
    yield
    upgrade._upgraders.clear()
    upgrade._upgraders.update(saved)


def test_an_upgrader_may_skip_versions(forgetUpgraders):
    # Axiom documents one step at a time but accepts a jump; code written
    # for it must import.
    upgrade.registerUpgrader(lambda old: old, "ax_jump", 1, 3)
    upgrade.checkUpgradePath("ax_jump", 1, 3)


def test_upgrade_at_run_time_outside_a_transaction(forgetUpgraders):
    Old = upgrade.declareLegacyItem("ax_live", 1, {"n": integer()})

    class Live(Item):
        typeName = "ax_live"
        schemaVersion = 2
        n = integer()
        where = inmemory()

        def activate(self):
            # An activate that needs the store.
            self.where = self.store

    def up(old):
        return old.upgradeVersion("ax_live", 1, 2, n=old.n + 1)
    upgrade.registerUpgrader(up, "ax_live", 1, 2)
    s = Store()
    # A legacy item created while the store runs is upgraded.
    old = Old(store=s, n=1)
    sid = old.storeID
    [new] = list(s.query(Live))
    assert (new.storeID, new.n, new.where) == (sid, 2, s)
    assert s.getItemByID(sid) is new


def test_a_hand_made_step_of_a_chain_is_finished_at_commit(forgetUpgraders):
    V1 = upgrade.declareLegacyItem("ax_steps", 1, {"ref": reference()})
    upgrade.declareLegacyItem("ax_steps", 2, {"ref": reference()})

    class Steps(Item):
        typeName = "ax_steps"
        schemaVersion = 3
        ref = reference()

    upgrade.registerAttributeCopyingUpgrader(Steps, 1, 2)
    upgrade.registerAttributeCopyingUpgrader(Steps, 2, 3)
    s = Store()
    holder = Node(store=s)

    def made():
        a, b = V1(store=s), V1(store=s)
        newA = a.upgradeVersion("ax_steps", 1, 2)
        newB = b.upgradeVersion("ax_steps", 1, 2, ref=newA)
        assert newB.ref is newA
        return newA.storeID, newB.storeID
    aID, bID = s.transact(made)
    assert [type(i) for i in s.query(Steps)] == [Steps, Steps]
    assert s.getItemByID(bID).ref is s.getItemByID(aID)
    # A reference set to an old-version item reads as the upgraded one.
    old = V1(store=s)
    holder.other = old
    assert type(holder.other) is Steps


def test_reentrant_upgrade_is_refused(forgetUpgraders):
    Old = upgrade.declareLegacyItem("ax_reenter", 1, {"n": integer()})

    class Reenter(Item):
        typeName = "ax_reenter"
        schemaVersion = 2
        n = integer()

    def up(old):
        upgrade.upgradeItem(old, 2)
        return old.upgradeVersion("ax_reenter", 1, 2, n=old.n)
    upgrade.registerUpgrader(up, "ax_reenter", 1, 2)
    s = Store()
    with pytest.raises(StoreError, match="re-entrant"):
        Old(store=s, n=1)


def test_a_failing_upgrader_names_type_version_and_item(
        tmp_path, forgetUpgraders):
    from tests.test_store_upgrade import writeOld
    path = str(tmp_path / "s")
    writeOld(path, "ax_failing", 1, [("n", "integer")], [{"n": 1}])

    class Failing(Item):
        typeName = "ax_failing"
        schemaVersion = 2
        n = integer()

    def up(old):
        raise KeyError("lost")
    upgrade.registerUpgrader(up, "ax_failing", 1, 2)
    with pytest.raises(upgrade.UpgradeFailed) as e:
        Store(path)
    message = str(e.value)
    assert "ax_failing" in message and "version 1" in message
    assert "KeyError" in message
    assert isinstance(e.value.__cause__, KeyError)
    # Nothing was changed and the store is not left locked.
    upgrade._upgraders[("ax_failing", 1)] = (
        2, lambda old: old.upgradeVersion("ax_failing", 1, 2, n=old.n))
    assert [f.n for f in Store(path).query(Failing)] == [1]


# -- 9. inmemory attributes take a class-level default from a base -----------

class Defaults:
    mood = "calm"


class Moody(Item, Defaults):
    typeName = "ax_moody"
    mood = inmemory()
    n = integer()


def test_inmemory_uses_a_default_from_a_base():
    s = Store()
    m = Moody(store=s)
    assert m.mood == "calm"
    m.mood = "cross"
    assert m.mood == "cross"
    sid = m.storeID
    del m
    assert s.getItemByID(sid).mood == "calm"


# -- speed work: the generated constructors check as the generic one -------

def test_generated_constructor_checks_like_the_generic_one():
    from imaginary.store import ConstraintError, boolean
    ns = {"typeName": "ax_builtin_names", "__module__": __name__,
          "type": text(), "list": integer(), "isinstance": reference(),
          "str": boolean(), "int": integer(allowNone=False, default=1)}
    Named = MetaItem("Named", (Item,), ns)
    assert "generated" in Named.__init__.__doc__
    s = Store()
    target = Node(store=s)
    n = Named(store=s, type="t", list=3, isinstance=target, str=True)
    assert (n.type, n.list, n.isinstance, n.str, n.int) == (
        "t", 3, target, True, 1)
    for bad in [{"type": 3}, {"type": "a\x00"}, {"list": 2 ** 63},
                {"list": True}, {"isinstance": 5}, {"str": 1},
                {"int": None}]:
        with pytest.raises(ConstraintError):
            Named(store=s, **bad)
    assert Named(store=s, type="é").type == "é"
    assert Named(type=None).type is None
    with pytest.raises(AttributeError):
        Named(nonsense=1)
    assert s.count(Named) == 2


def test_imaginary_check_lists_failed_scheduled_calls(tmp_path):
    import subprocess
    import sys
    from liveserver import ENV, ROOT
    path = str(tmp_path / "s")
    s = Store(path)
    clock = Clock()
    scheduler = IScheduler(s)
    scheduler.startService(clock)
    scheduler.schedule(Exploder(store=s), Time.fromPOSIXTimestamp(1))
    clock.advance(2)
    s.close()
    done = subprocess.run(
        [sys.executable, "-m", "imaginary.cli", "check", "--store", path],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "1 scheduled call(s) failed" in done.stdout
    assert "RuntimeError: kaboom" in done.stdout
    assert "store is sound" in done.stdout
