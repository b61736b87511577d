"""Tests for imaginary.mail.lists: the list archive and its threads."""

from imaginary.language.grammar import MALE
from imaginary.mail import lists
from imaginary.simulation import groups
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import Store


def _group():
    store = Store()
    world = ImaginaryWorld.get(store)
    alice = world.createCharacter("Alice", MALE)
    return store.transact(groups.createGroup, alice, "Owls", "owls"), alice


def test_posts_thread_by_in_reply_to_and_references():
    group, alice = _group()
    store = group.store

    def post(mid, subject, **kw):
        return store.transact(lists.archive, group, mid, "Alice", subject,
                              "body", authorCharacter=alice, **kw)
    first = post("<1@x>", "The well")
    other = post("<2@x>", "The gate")
    reply = post("<3@x>", "Re: The well", inReplyTo="<1@x>")
    deeper = post("<4@x>", "Re: The well", references="<9@y> <3@x>")
    again = post("<1@x>", "The well")
    assert again is first
    assert [p.serial for p in (first, other, reply, deeper)] == [1, 2, 3, 4]
    assert (reply.threadRoot, deeper.threadRoot) == ("<1@x>", "<1@x>")
    assert [[p.messageID for p in thread]
            for thread in lists.threads(group)] == [
        ["<1@x>", "<3@x>", "<4@x>"], ["<2@x>"]]
    assert lists.listAddress(group, "game.example") == \
        "owls@lists.game.example"


def test_the_archive_is_bounded(monkeypatch):
    monkeypatch.setattr(lists, "ARCHIVE_KEPT", 3)
    group, alice = _group()
    for n in range(1, 6):
        group.store.transact(lists.archive, group, f"<{n}@x>", "Alice",
                             f"post {n}", "")
    kept = [p.serial for t in lists.threads(group) for p in t]
    assert sorted(kept) == [3, 4, 5]


def test_disbanding_the_group_drops_its_archive():
    group, alice = _group()
    store = group.store
    store.transact(lists.archive, group, "<1@x>", "Alice", "s", "b")
    store.transact(groups.disband, group)
    assert list(store.query(lists.ListPost)) == []
