"""The channel model (imaginary.simulation.channels) on a store on disk."""

from hypothesis import given, strategies as st

from imaginary.simulation import channels as model
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import Store


def test_channels_and_history_survive_a_restart(tmp_path):
    path = str(tmp_path / "world.store")
    store = Store(path)
    world = ImaginaryWorld.get(store)
    store.transact(model.ensureDefaultChannel, store)
    alice = world.createCharacter("Alice", 1)
    channel = model.findChannel(store, "OOC")
    store.transact(model.record, channel, "Alice", "before the restart")
    store.close()

    store = Store(path)
    channel = model.findChannel(store, "#ooc")
    assert [m.name for m in channel.members()] == ["Alice"]
    [line] = channel.history(10)
    assert (line.serial, line.talker, line.said, line.emote) == (
        1, "Alice", "before the restart", False)
    assert channel.autojoin and channel.kind == "public"
    store.close()
    del alice


def test_a_deleted_character_leaves_its_channels(tmp_path):
    store = Store()
    world = ImaginaryWorld.get(store)
    store.transact(model.ensureDefaultChannel, store)
    bob = world.createCharacter("Bob", 0)
    channel = model.findChannel(store, "ooc")
    store.transact(model.invite, channel, bob)
    store.transact(bob.deleteFromStore)
    assert channel.members() == []
    assert store.query(model.ChannelInvite).count() == 0


@given(st.text(max_size=40))
def test_any_typed_name_is_found_or_refused_cleanly(name):
    store = _store()
    found = model.findChannel(store, name)
    assert found is None or found.name == "ooc"
    try:
        checked = model.checkChannelName(name)
    except model.ActionFailure as failure:
        assert "2 to 20 letters" in failure.message
    else:
        assert model.NAME.match(checked)


_stores = []


def _store():
    if not _stores:
        store = Store()
        store.transact(model.ensureDefaultChannel, store)
        _stores.append(store)
    return _stores[0]
