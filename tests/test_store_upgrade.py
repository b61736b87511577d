"""Tests for imaginary.store.upgrade: opening stores written by older code."""

import subprocess
import sys
import textwrap

import pytest

from imaginary.store import (
    Item, NoUpgradePathAvailable, SchemaMismatch, Store, declareLegacyItem,
    integer, registerAttributeCopyingUpgrader, registerUpgrader, text)
from imaginary.store import upgrade


def writeOld(path, typeName, version, attrs, rows):
    """Write a store with an old version of a type, in another process."""
    script = textwrap.dedent(f"""
        from imaginary.store import Item, Store, integer, text
        class Old(Item):
            typeName = {typeName!r}
            schemaVersion = {version}
        """) + "".join(f"    {name} = {kind}()\n" for name, kind in attrs) + \
        textwrap.dedent(f"""
        store = Store({path!r})
        for row in {rows!r}:
            Old(store=store, **row)
        store.close()
        """)
    subprocess.run([sys.executable, "-c", script], check=True)


@pytest.fixture(autouse=True)
def forgetUpgraders():
    saved = dict(upgrade._upgraders)
    yield
    upgrade._upgraders.clear()
    upgrade._upgraders.update(saved)


def test_copying_upgrader_runs_before_the_first_query(tmp_path):
    path = str(tmp_path / "s")
    writeOld(path, "up_mob", 1, [("name", "text"), ("hp", "integer")],
             [{"name": f"orc{i}", "hp": i} for i in range(5)])

    class Mob(Item):
        typeName = "up_mob"
        schemaVersion = 2
        name = text()
        hp = integer()
        level = integer(default=1)

    registerAttributeCopyingUpgrader(Mob, 1, 2)
    store = Store(path)
    mobs = list(store.query(Mob, sort=Mob.hp.ascending))
    assert [(m.name, m.hp, m.level) for m in mobs] == [
        (f"orc{i}", i, 1) for i in range(5)]
    ids = [m.storeID for m in mobs]
    store.close()
    store = Store(path)
    assert sorted(m.storeID for m in store.query(Mob)) == sorted(ids)


def test_chain_through_a_declared_legacy_version(tmp_path):
    path = str(tmp_path / "s")
    writeOld(path, "up_chain", 1, [("name", "text")], [{"name": "a"}])
    declareLegacyItem("up_chain", 2, {"name": text(), "size": integer()})

    class Chain(Item):
        typeName = "up_chain"
        schemaVersion = 3
        label = text()
        size = integer()

    def one(old):
        return old.upgradeVersion("up_chain", 1, 2, name=old.name, size=7)

    def two(old):
        return old.upgradeVersion("up_chain", 2, 3,
                                  label=old.name.upper(), size=old.size * 2)
    registerUpgrader(one, "up_chain", 1, 2)
    registerUpgrader(two, "up_chain", 2, 3)
    store = Store(path)
    [item] = store.query(Chain)
    assert (item.label, item.size) == ("A", 14)


def test_no_upgrade_path_refuses_and_leaves_the_file(tmp_path):
    path = str(tmp_path / "s")
    writeOld(path, "up_lost", 1, [("name", "text")], [{"name": "a"}])

    class Lost(Item):
        typeName = "up_lost"
        schemaVersion = 3
        name = text()

    db = tmp_path / "s" / "db.sqlite"
    before = db.read_bytes()
    with pytest.raises(NoUpgradePathAvailable) as e:
        Store(path)
    message = str(e.value)
    assert "'up_lost'" in message and "version 1" in message and \
        "version 3" in message
    assert db.read_bytes() == before


def test_changed_schema_without_new_version_is_refused(tmp_path):
    path = str(tmp_path / "s")
    writeOld(path, "up_same", 1, [("name", "text")], [{"name": "a"}])

    class Same(Item):
        typeName = "up_same"
        schemaVersion = 1
        name = text()
        extra = integer()
    with pytest.raises(SchemaMismatch, match="bump schemaVersion"):
        Store(path)
