"""Tests for imaginary.worldfile and the default world (world/)."""

import json

import pytest

from imaginary import worldfile
from imaginary.simulation.containment import Exit
from imaginary.simulation.lighting import LocationLighting
from imaginary.simulation.thing import Thing
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import Store
from imaginary.verbs.runner import installCommandRunner
from transcript import Player, registry
from world import default


def built():
    store = Store()
    store.transact(default.build, store)
    # The world's NPCs (the cellar mouse, the guard) act through verbs.
    installCommandRunner(store, registry())
    return store


def summary(store):
    rooms = sorted(t.name for t in store.query(Thing)
                   if t.location is None and t.kind is None
                   and t.name != "iron gate")
    exits = sorted((e.fromLocation.name, e.name, e.toLocation.name,
                    e.door.name if e.door else None)
                   for e in store.query(Exit))
    things = sorted((t.kind, t.name, t.location.name if t.location else None)
                    for t in store.query(Thing, Thing.kind != None))  # noqa
    dark = sorted(l.thing.name for l in store.query(LocationLighting)
                  if l.candelas == 0)
    return rooms, exits, things, dark


def test_default_world_shape():
    store = built()
    rooms, exits, things, dark = summary(store)
    assert len(rooms) >= 12
    assert dark == ["Inn Cellar"]
    gated = [e for e in exits if e[3] == "iron gate"]
    assert sorted(g[1] for g in gated) == ["north", "south"]
    world = ImaginaryWorld.get(store)
    assert world.origin.name == "Town Square"
    assert "Type 'look'" in world.origin.description
    assert world.recoveryLocation().name == "Quiet Chapel"


def test_export_then_load_gives_the_same_world(tmp_path):
    store = built()
    path = tmp_path / "world.json"
    worldfile.dump(store, str(path))
    again = Store()
    worldfile.load(again, str(path))
    assert summary(again) == summary(store)
    # And exporting the copy gives the same document.
    assert worldfile.export(again).keys() == json.loads(
        path.read_text()).keys()


def test_noun_forms_are_exported_and_loaded():
    doc = {"rooms": {"a": {"name": "A"}}, "origin": "a",
           "things": [{"id": "s", "type": "thing", "name": "sand",
                       "noun": "mass", "in": "a"},
                      {"id": "c", "type": "thing", "name": "coin",
                       "in": "a"}]}
    store = Store()
    worldfile.build(store, doc)
    exported = {t["name"]: t.get("noun")
                for t in worldfile.export(store)["things"]}
    assert exported == {"sand": "mass", "coin": None}
    doc["things"][0]["noun"] = "heaps"
    with pytest.raises(worldfile.WorldFileError,
                       match="thing 's' has noun 'heaps'; a noun is one of"):
        worldfile.build(Store(), doc)


def test_bad_documents_are_refused_clearly():
    with pytest.raises(worldfile.WorldFileError,
                       match="thing 'x' has unknown type 'dragon'"):
        worldfile.build(Store(), {"rooms": {"a": {"name": "A"}},
                                  "origin": "a",
                                  "things": [{"id": "x", "type": "dragon",
                                              "name": "y"}]})
    with pytest.raises(worldfile.WorldFileError, match="unknown room 'b'"):
        worldfile.build(Store(), {"rooms": {"a": {"name": "A"}},
                                  "origin": "a",
                                  "exits": [{"from": "a", "to": "b",
                                             "direction": "north"}]})


def test_walkthrough_locked_gate_and_dark_cellar():
    store = built()
    player = Player(ImaginaryWorld.get(store), "Alice")
    player.output()

    def run(line):
        player.do(line)
        return player.output()
    assert run("north")[0] == "[ The Wayside Inn ]"
    assert run("take torch") == ["You take the torch."]
    assert run("down") == ["It's too dark to see.", "The mouse squeaks."]
    assert run("take key") == ["It's too dark to see."]
    assert run("light torch") == ["You light the torch."]
    assert run("take key") == ["You take the iron key."]
    run("up")
    run("south")
    run("west")
    assert run("north")[0] == "[ Keep Lane ]"
    assert run("north") == ["The way is shut."]
    assert run("open gate") == ["The iron gate is locked."]
    assert run("unlock gate with key") == [
        "You unlock the iron gate with the iron key."]
    assert run("open gate") == ["You open the iron gate."]
    assert run("north")[0] == "[ Gatehouse ]"
    assert run("north")[-1] == "Gerald says, 'Hello, Alice!'"
