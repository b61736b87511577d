"""Tests for imaginary.store.store: opening, transactions, identity, finds,
deletion rules, errors."""

import gc
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from imaginary.store import (
    CASCADE, DISALLOW, NULLIFY, DeletionDisallowed, DuplicateUniqueItem,
    Item, ItemNotFound, NotAStore, QueryError, Store, StoreClosed,
    StoreError, StoreInUse, integer, reference, text)


class Box(Item):
    typeName = "st_box"
    name = text(indexed=True)
    size = integer(default=0)


class Note(Item):
    typeName = "st_note"
    soft = reference(reftype=Box, whenDeleted=NULLIFY)
    owner = reference(reftype=Box, whenDeleted=CASCADE)
    anchor = reference(reftype=Box, whenDeleted=DISALLOW)


class Boom(Exception):
    pass


def test_disk_store_keeps_items(tmp_path):
    path = str(tmp_path / "world")
    store = Store(path)
    sid = Box(store=store, name="chest", size=3).storeID
    store.close()
    assert os.path.exists(os.path.join(path, "db.sqlite"))
    store = Store(path)
    assert store.getItemByID(sid).size == 3


def test_in_memory_store():
    store = Store()
    assert Box(store=store, name="x").storeID == store.findUnique(
        Box, Box.name == "x").storeID


def test_transaction_rolls_back_database_and_memory():
    store = Store()
    box = Box(store=store, name="old", size=1)
    gone = Box(store=store, name="gone")

    def fail():
        box.name = "new"
        box.size = 2
        gone.deleteFromStore()
        Box(store=store, name="born")
        raise Boom()
    with pytest.raises(Boom):
        store.transact(fail)
    assert (box.name, box.size) == ("old", 1)
    assert store.findUnique(Box, Box.name == "gone") is gone
    assert store.count(Box, Box.name == "born") == 0
    assert sorted(b.name for b in store.query(Box)) == ["gone", "old"]


def test_item_created_in_failed_transaction_becomes_unstored():
    store = Store()
    made = []

    def fail():
        made.append(Box(store=store, name="x"))
        raise Boom()
    with pytest.raises(Boom):
        store.transact(fail)
    assert made[0].store is None and made[0].storeID is None


def test_nested_transactions_join_the_outer_one():
    store = Store()

    def inner():
        Box(store=store, name="inner")

    def outer():
        store.transact(inner)
        raise Boom()
    with pytest.raises(Boom):
        store.transact(outer)
    assert store.count(Box) == 0


def test_outside_transact_each_change_commits(tmp_path):
    path = str(tmp_path / "s")
    store = Store(path)
    box = Box(store=store, name="a")
    box.size = 9
    sid = box.storeID
    # Simulate a crash: drop the connection without any commit of ours
    # (and the process's lock on the folder, which a crash lets go of).
    store._conn.close()
    store._conn = None
    store._unlock()
    store = Store(path)
    assert store.getItemByID(sid).size == 9


def test_identity_map():
    store = Store()
    box = Box(store=store, name="a")
    sid = box.storeID
    assert store.getItemByID(sid) is box
    assert store.findUnique(Box, Box.name == "a") is box
    ident = id(box)
    del box
    gc.collect()
    again = store.getItemByID(sid)
    assert again.name == "a" and again.storeID == sid
    assert ident is not None


def test_finds():
    store = Store()
    a = Box(store=store, name="a", size=1)
    Box(store=store, name="b", size=2)
    Box(store=store, name="b", size=3)
    with pytest.raises(ItemNotFound, match="no Box matches Box.name == 'z'"):
        store.findUnique(Box, Box.name == "z")
    assert store.findUnique(Box, Box.name == "z", default=None) is None
    with pytest.raises(DuplicateUniqueItem):
        store.findUnique(Box, Box.name == "b")
    assert store.findFirst(Box, Box.name == "b", sort=Box.size.descending
                           ).size == 3
    assert store.findFirst(Box, Box.name == "q") is None
    calls = []
    found = store.findOrCreate(Box, calls.append, name="a")
    assert found is a and calls == []
    made = store.findOrCreate(Box, calls.append, name="c", size=5)
    assert calls == [made] and made.size == 5
    assert store.count(Box) == 4
    with pytest.raises(ItemNotFound):
        store.getItemByID(10 ** 9)


def test_deletion_rules():
    store = Store()
    box = Box(store=store, name="box")
    soft = Note(store=store, soft=box)
    owned = Note(store=store, owner=box)
    box.deleteFromStore()
    assert soft.soft is None
    assert store.count(Note, Note.soft == None) == 1  # noqa: E711
    assert list(store.query(Note)) == [soft]
    with pytest.raises(ItemNotFound, match="was deleted"):
        store.getItemByID(owned.storeID)

    anchored = Box(store=store, name="anchored")
    Note(store=store, anchor=anchored)
    with pytest.raises(DeletionDisallowed, match="whenDeleted=DISALLOW"):
        anchored.deleteFromStore()
    assert store.findUnique(Box, Box.name == "anchored") is anchored


def test_cascade_deletion_from_owner():
    store = Store()
    box = Box(store=store, name="owner")
    Note(store=store, owner=box)
    Note(store=store, owner=box)
    box.deleteFromStore()
    assert store.count(Note) == 0


def test_query_delete_and_ids_never_reused(tmp_path):
    path = str(tmp_path / "s")
    store = Store(path)
    for i in range(5):
        Box(store=store, name="x", size=i)
    top = max(b.storeID for b in store.query(Box))
    store.query(Box, Box.size >= 2).deleteFromStore()
    assert sorted(b.size for b in store.query(Box)) == [0, 1]
    store.query(Box).deleteFromStore()
    store.close()
    store = Store(path)
    assert Box(store=store, name="new").storeID > top


def test_deleted_item_cannot_be_changed():
    store = Store()
    box = Box(store=store, name="x")
    box.deleteFromStore()
    with pytest.raises(StoreError, match="has been deleted"):
        box.size = 3
    with pytest.raises(StoreError, match="already deleted"):
        box.deleteFromStore()


def test_not_a_store_paths_are_refused_untouched(tmp_path):
    regular = tmp_path / "file"
    regular.write_text("hello")
    with pytest.raises(NotAStore, match="is a file"):
        Store(str(regular))
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "db.sqlite").write_bytes(b"not a database at all" * 10)
    before = (garbage / "db.sqlite").read_bytes()
    with pytest.raises(NotAStore, match="not an SQLite database"):
        Store(str(garbage))
    assert (garbage / "db.sqlite").read_bytes() == before
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    conn = sqlite3.connect(str(foreign / "db.sqlite"))
    conn.execute("CREATE TABLE people (name TEXT)")
    conn.commit()
    conn.close()
    before = (foreign / "db.sqlite").read_bytes()
    with pytest.raises(NotAStore, match="not an Imaginary store"):
        Store(str(foreign))
    assert (foreign / "db.sqlite").read_bytes() == before
    full = tmp_path / "full"
    full.mkdir()
    (full / "other.txt").write_text("x")
    with pytest.raises(NotAStore, match="non-empty directory"):
        Store(str(full))


def test_store_in_use_by_another_process(tmp_path):
    path = str(tmp_path / "s")
    Store(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from imaginary.store import Store
            s = Store({path!r})
            print("open", flush=True)
            time.sleep(30)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreInUse, match="open in another process"):
            Store(path)
    finally:
        holder.kill()
        holder.wait()
    Store(path).close()


def test_closed_store_refuses_use():
    store = Store()
    box = Box(store=store, name="x")
    store.close()
    with pytest.raises(StoreClosed):
        store.query(Box).count()
    with pytest.raises(StoreClosed):
        box.size = 2
    with pytest.raises(StoreClosed):
        Box(store=store, name="y")


def test_misuse_raises_store_errors_not_sqlite_errors():
    store = Store()
    with pytest.raises(QueryError):
        store.query(int)
    with pytest.raises(QueryError):
        store.query(Box, "name = 'x'")
    with pytest.raises(QueryError):
        store.getItemByID("1")
    with pytest.raises(StoreError):
        Store(synchronous="SOMETIMES")
