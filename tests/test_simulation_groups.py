"""Tests for imaginary.simulation.groups (the model and its plugin API)
and the ``imaginary groups`` command that sets its limits."""

import subprocess
import sys

import pytest
from epsilon.extime import Time

from imaginary.simulation import groups as model
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import IScheduler, Item, Store, integer
from imaginary.language.grammar import MALE
from liveserver import ENV, ROOT


class Letter(Item):
    """A scheduled story event that counts its runs."""

    typeName = "test_groups_letter"
    schemaVersion = 1
    runs = integer(default=0)

    def run(self):
        self.runs += 1


@pytest.fixture
def world():
    store = Store()
    return ImaginaryWorld.get(store)


def _character(world, name):
    return world.createCharacter(name, MALE)


def test_handles_from_names():
    assert model.handleFor("The Lantern Society") == "lantern-society"
    assert model.handleFor("Zoë's Owls") == "zoe-s-owls"
    assert model.handleFor("42 Owls") == "g42-owls"
    assert model.handleFor("A") == "a"
    with pytest.raises(ActionFailure):
        model.checkHandle("a")
    for action in ("members", "mail", "post", "whereabouts"):
        with pytest.raises(ActionFailure):
            model.checkHandle(action)


def test_an_npc_writes_in_the_journal_and_members_join_by_api(world):
    store = world.store
    alice = _character(world, "Alice")
    mara = _character(world, "Mara")
    group = store.transact(model.createGroup, alice, "Owls", "owls")
    entry = store.transact(model.writeJournal, group, mara,
                           "The letter is under the stone.")
    assert (entry.serial, entry.author, entry.authorCharacter) == (
        1, "Mara", mara)
    signed = store.transact(model.writeJournal, group, "The Narrator",
                            "Night falls.")
    assert (signed.serial, signed.author, signed.authorCharacter) == (
        2, "The Narrator", None)
    assert [e.text for e in group.journal()] == [
        "Night falls.", "The letter is under the stone."]
    store.transact(model.addMember, group, mara)
    assert group.characters() == [alice, mara]
    assert group.channel.membership(mara) is not None


def test_scheduled_events_are_upcoming_until_they_happen(world):
    store = world.store
    alice = _character(world, "Alice")
    group = store.transact(model.createGroup, alice, "Owls", "owls")
    now = Time()
    soon = Time.fromPOSIXTimestamp(now.asPOSIXTimestamp() + 3600)

    def schedule():
        letter = Letter(store=store)
        return model.scheduleForGroup(group, soon, "Mara's letter arrives",
                                      letter)
    event = store.transact(schedule)
    assert [e.description for e in group.upcoming(now)] == [
        "Mara's letter arrives"]
    assert list(IScheduler(store).scheduledTimes(event.runnable)) == [soon]
    later = Time.fromPOSIXTimestamp(now.asPOSIXTimestamp() + 7200)
    assert group.upcoming(later) == []


def test_disband_takes_everything_with_it(world):
    store = world.store
    alice = _character(world, "Alice")
    bob = _character(world, "Bob")

    def build():
        group = model.createGroup(alice, "Owls", "owls")
        model.invite(group, alice, bob)
        model.writeJournal(group, alice, "One.")
        return group
    group = store.transact(build)
    ids = group.board.storeID, group.channel.storeID
    store.transact(model.disband, group)
    for kind in (model.Group, model.GroupMember, model.GroupInvite,
                 model.JournalEntry, model.NoticeBoard):
        assert list(store.query(kind)) == [], kind
    assert [store.getItemByID(i, default=None) for i in ids] == [None, None]


def test_the_groups_command_sets_the_limits(tmp_path):
    path = str(tmp_path / "world.axiom")
    store = Store(path)
    store.transact(model.settings, store)
    store.close()

    def groups(*args):
        return subprocess.run(
            [sys.executable, "-m", "imaginary.cli", "groups", "--store",
             path, *args], cwd=ROOT, env=ENV, capture_output=True,
            text=True, timeout=60)
    done = groups()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["max-groups: 3", "max-members: 12"]
    done = groups("--max-groups", "1", "--max-members", "5")
    assert done.stdout.splitlines() == ["max-groups: 1", "max-members: 5"]
    done = groups("--max-members", "0")
    assert done.returncode != 0
    assert "a limit is from 1 to 1000" in done.stderr
    store = Store(path)
    config = model.settings(store)
    assert (config.maxGroups, config.maxMembers) == (1, 5)
    store.close()


def test_a_deleted_member_leaves_its_groups_in_order(world):
    store = world.store
    alice, bob, carol = (_character(world, n) for n in ("Alice", "Bob",
                                                        "Carol"))

    def build():
        owls = model.createGroup(alice, "Owls", "owls")
        model.addMember(owls, bob)
        alone = model.createGroup(alice, "Alone", "alone")
        return owls, alone
    owls, alone = store.transact(build)
    # forget() (what deleting a character calls) hands the founding on
    # and disbands the group it was the last member of.
    store.transact(model.forget, alice)
    assert owls.founder() is bob
    assert model.findGroup(store, "alone") is None
    # A founder deleted any other way: the longest member takes over
    # when the group is next asked.
    store.transact(model.addMember, owls, carol)
    store.transact(bob.destroy)
    assert store.transact(owls.founder) is carol
    assert [r.role for r in owls.members()] == ["founder"]


def test_possessives():
    assert model.possessive("Owls") == "Owls'"
    assert model.possessive("Alice") == "Alice's"
