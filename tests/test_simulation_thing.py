"""Tests for imaginary.simulation.thing: names, and the noun form's
upgrade from a store written before things had one."""

import subprocess
import sys
import textwrap

from imaginary.language.grammar import PLURAL
from imaginary.simulation.thing import Thing
from imaginary.store import Store


def writeVersionOne(path):
    """A store holding version 1 things, written in another process by a
    class with version 1's schema (as the code before the noun form
    wrote them)."""
    script = textwrap.dedent(f"""
        from imaginary.store import (
            Item, NULLIFY, Store, boolean, integer, reference, text)

        class Thing(Item):
            typeName = "imaginary_thing"
            schemaVersion = 1
            name = text(allowNone=False, indexed=True)
            description = text(default="")
            weight = integer(default=1, allowNone=False)
            portable = boolean(default=True, allowNone=False)
            proper = boolean(default=False, allowNone=False)
            gender = integer(default=0, allowNone=False)
            location = reference(whenDeleted=NULLIFY)
            kind = text(default=None)

        store = Store({path!r})
        room = Thing(store=store, name="Smithy", proper=True,
                     portable=False)
        Thing(store=store, name="trousers", gender={PLURAL},
              location=room, kind="trousers")
        Thing(store=store, name="coin", location=room, weight=2)
        Thing(store=store, name="Twins", proper=True, gender={PLURAL},
              location=room)
        store.close()
        """)
    subprocess.run([sys.executable, "-c", script], check=True)


def test_version_one_things_get_their_noun_form(tmp_path):
    path = str(tmp_path / "old.axiom")
    writeVersionOne(path)
    store = Store(path)
    found = {t.name: t for t in store.query(Thing)}
    assert {name: t.noun for name, t in found.items()} == {
        "Smithy": "count", "trousers": "plural", "coin": "count",
        "Twins": "count"}
    # Everything else is kept as it was.
    assert found["coin"].weight == 2
    assert found["trousers"].location is found["Smithy"]
    assert found["trousers"].kind == "trousers"
    store.close()
    store = Store(path)
    assert store.findUnique(Thing, Thing.name == "trousers").noun == \
        "plural"
    store.close()


def test_known_to_by_whole_name_word_or_suffix():
    store = Store()
    coin = store.transact(Thing, store=store, name="small gold coin")
    assert all(coin.knownTo(None, n) for n in (
        "small gold coin", "coin", "gold coin", "GOLD  coin"))
    assert not coin.knownTo(None, "small coin")
    assert not coin.knownTo(None, "")
