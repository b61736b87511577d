"""
The cartographer (plugins/cartographer.py), the example story for a
group: a visit is written in the group's journal and promises a clue; the
next day (on the persistent scheduler, across a restart) the clue reaches
the group's list and every member's mailbox, and the member who last
spoke to her gets a text.
"""

from twisted.internet.task import Clock

from imaginary.accounts import AccountCharacter, createAccount, hashPassword
from imaginary.mail import lists, model as mailModel
from imaginary.notify import model as notifyModel
from imaginary.simulation import groups
from imaginary.simulation.containment import Exit
from imaginary.simulation.world import createRoom
from imaginary.store import IScheduler, Store
from transcript import Player, Transcript


def _story(store=None):
    """Alice founds Owls and Bob joins; Mara keeps the Map Room, north of
    the Test Location; Bob's account takes texts."""
    import imaginary.plugins.cartographer as cartographer
    t = Transcript(store)
    t.clock = Clock()
    IScheduler(t.store).startService(t.clock)

    def build():
        mapRoom = createRoom(t.store, "Map Room", "Maps cover the walls.")
        Exit.link(t.room, mapRoom, "north")
        mara = cartographer.cartographer(t.store, "Mara")
        mara.moveTo(mapRoom, force=True)
        account = createAccount(t.store, "bob", hashPassword("secret99", 4))
        AccountCharacter(store=t.store, account=account,
                         character=t.observer.thing)
        notifyModel.settingsOf(account, create=True).enabled = True
        return mapRoom, mara
    t.mapRoom, t.mara = t.store.transact(build)
    t.actor.do("group create Owls = owls")
    t.actor.do("group invite Bob")
    t.observer.do("group accept")
    t.actor.output()
    t.observer.output()
    t.group = groups.findGroup(t.store, "owls")
    return t, cartographer


def test_a_visit_is_journalled_and_the_clue_comes_next_day():
    t, cartographer = _story()
    t.check("north", by=t.observer, actor=[
        "[ Map Room ]", "Maps cover the walls.",
        "Exits: south.", "Here, you see Mara.",
        "Mara says, 'Ah, Bob. Tell Owls I shall write to them tomorrow.'"],
        observer=["Bob leaves to the north."])
    [entry] = t.group.journal()
    assert (entry.author, entry.text) == (
        "Mara", "Bob of Owls came to Map Room and looked long at the map "
        "of the old well.")
    assert [e.description for e in t.group.upcoming(
        IScheduler(t.store).now())] == ["A letter from Mara arrives"]
    # A second visit doesn't promise a second letter.
    t.observer.do("south")
    t.observer.do("north")
    t.observer.output()
    assert len(t.group.journal()) == 1
    assert t.store.query(cartographer.ClueLetter).count() == 1

    t.clock.advance(cartographer.CLUE_SECONDS + 1)
    [post] = [p for thread in lists.threads(t.group) for p in thread]
    assert (post.author, post.subject) == ("Mara", "The well, as promised")
    assert cartographer.CLUE in post.body
    for who in (t.actor, t.observer):
        [letter] = mailModel.mailboxOf(who.thing).messages()
        assert letter.subject == "[owls] The well, as promised"
    assert t.observer.output()[-1] == (
        "Mara texts you, 'I have sent Owls the clue I promised. Look at "
        "your list.'")
    assert t.store.query(cartographer.ClueLetter).count() == 0
    assert t.group.upcoming(IScheduler(t.store).now()) == []


def test_the_text_goes_to_the_member_who_last_spoke_to_her():
    t, cartographer = _story()
    t.observer.do("north")
    t.actor.do("north")
    t.actor.do("say Mara, what did the map show?")
    t.actor.output()
    t.observer.output()
    [letter] = t.store.query(cartographer.ClueLetter)
    assert letter.lastSpeaker is t.actor.thing
    # Alice's account doesn't take texts (she has none): nothing is sent
    # and nothing is kept for her, and the clue is posted all the same.
    t.clock.advance(cartographer.CLUE_SECONDS + 1)
    assert list(t.store.query(notifyModel.Notification)) == []
    assert lists.threads(t.group)


def test_the_promise_survives_a_restart(tmp_path):
    path = str(tmp_path / "world.axiom")
    t, cartographer = _story(Store(path))
    t.observer.do("north")
    t.store.close()
    store = Store(path)
    clock = Clock()
    IScheduler(store).startService(clock)
    group = groups.findGroup(store, "owls")
    assert store.query(cartographer.ClueLetter).count() == 1
    clock.advance(cartographer.CLUE_SECONDS + 1)
    assert [p.subject for thread in lists.threads(group) for p in thread] \
        == ["The well, as promised"]
    store.close()


def test_someone_in_no_group_is_only_greeted_by_the_room():
    t, cartographer = _story()
    carol = Player(t.world, "Carol")
    carol.output()
    carol.do("north")
    assert carol.output() == [
        "[ Map Room ]", "Maps cover the walls.", "Exits: south.",
        "Here, you see Mara."]
    assert t.group.journal() == []
