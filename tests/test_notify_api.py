"""
notify(): the routing rules, opt-in, quiet hours and the hourly limit (on
a task.Clock), "stop", replies, and texts pending across a restart.
"""

import pytest

from imaginary.notify import NotifyRefused, api, model
from imaginary.store import IScheduler, Store
from notifykit import NOON, Texting


@pytest.fixture
def t():
    return Texting()


def test_nothing_is_sent_before_the_player_opts_in(t):
    t.route("xmpp")
    assert t.text("Meet me at the gate.") is None
    assert t.observer.output() == []
    assert t.store.query(model.Notification).count() == 0


def test_in_the_game_first_with_a_tell_s_data(t):
    xmpp = t.route("xmpp")
    t.optIn()
    item = t.text("Meet me at the gate.")
    assert (item.state, item.route) == ("sent", "game")
    assert t.observer.output() == ["Alice texts you, 'Meet me at the gate.'"]
    [event] = t.observer.collector.events[-1:]
    assert event.data["channel"] == {"channel": "tell", "talker": "Alice",
                                     "text": "Meet me at the gate.",
                                     "to": "Bob"}
    assert xmpp.sent == []


def test_offline_it_takes_the_first_open_route_in_order(t):
    t.optIn()
    t.offline()
    irc, xmpp = t.route("irc", up=False), t.route("xmpp")
    assert t.text("one").route == "xmpp"
    irc.up = True
    assert t.text("two").route == "irc"
    assert (irc.sent, xmpp.sent) == ([("Alice", "two")], [("Alice", "one")])
    assert t.observer.output() == []


def test_the_player_s_order_wins(t):
    t.optIn(routes="xmpp,game")
    xmpp = t.route("xmpp")
    assert t.text("hi").route == "xmpp"
    assert xmpp.sent == [("Alice", "hi")]
    assert t.observer.output() == []


def test_a_text_no_route_takes_waits_and_goes_once(t):
    t.optIn()
    t.offline()
    item = t.text("Later.")
    assert item.state == "pending"
    assert t.flush() == 0
    xmpp = t.route("xmpp")
    assert t.flush() == 1
    assert t.flush() == 0
    assert xmpp.sent == [("Alice", "Later.")]
    assert (item.state, item.route) == ("sent", "xmpp")


def test_back_in_the_game_the_waiting_text_is_told(t):
    t.optIn()
    t.offline()
    t.text("Where are you?")
    t.world.loggedIn(t.bob)
    t.store.transact(api.flush, t.store, t.account)
    assert t.observer.output() == ["Alice texts you, 'Where are you?'"]


def test_quiet_hours_hold_texts_until_they_end(t):
    # 12:00 UTC is 13:00 in Paris: inside 12:30-14:00 there.
    t.optIn(quietStart=12 * 60 + 30, quietEnd=14 * 60,
            timezone="Europe/Paris")
    t.offline()
    xmpp = t.route("xmpp")
    item = t.text("Psst.")
    assert item.state == "pending"
    [due] = IScheduler(t.store).scheduledTimes(item)
    assert due.asPOSIXTimestamp() == NOON + 3600 + 1     # 14:00 Paris
    t.clock.advance(3600)
    assert xmpp.sent == []
    t.clock.advance(1)
    assert xmpp.sent == [("Alice", "Psst.")]
    assert item.state == "sent"


def test_quiet_hours_span_midnight_and_do_not_hold_the_game(t):
    settings = model.NotifySettings(store=t.store, account=t.account,
                                    quietStart=22 * 60, quietEnd=7 * 60)
    assert model.quietUntil(settings, NOON) is None
    late = NOON + 11 * 3600         # 23:00 UTC
    assert model.quietUntil(settings, late) == NOON + 19 * 3600
    t.optIn(quietStart=11 * 60, quietEnd=13 * 60)
    assert t.text("Still up?").route == "game"


def test_the_hourly_limit_holds_the_rest(t):
    t.store.transact(lambda: setattr(model.config(t.store), "perHour", 2))
    t.optIn()
    t.offline()
    xmpp = t.route("xmpp")
    items = [t.text(f"text {n}") for n in range(3)]
    assert [i.state for i in items] == ["sent", "sent", "pending"]
    t.clock.advance(1800)
    assert items[2].state == "pending"
    t.clock.advance(1801)
    assert items[2].state == "sent"
    assert [body for _, body in xmpp.sent] == ["text 0", "text 1", "text 2"]


def test_stop_switches_that_route_off(t):
    t.optIn()
    t.offline()
    xmpp, irc = t.route("xmpp"), t.route("irc", up=False)
    t.text("first")
    answer = t.store.transact(api.reply, t.account, t.alice, "STOP", "xmpp")
    assert answer == ("Texts by xmpp are off now; type 'account notify on "
                      "xmpp' in the game to have them again.")
    assert t.text("second").state == "pending"
    irc.up = True
    t.flush()
    assert (xmpp.sent, irc.sent) == ([("Alice", "first")],
                                     [("Alice", "second")])


def test_turning_texts_off_drops_what_waits(t):
    t.optIn()
    t.offline()
    item = t.text("never")
    t.store.transact(lambda: setattr(model.settingsOf(t.account),
                                     "enabled", False))
    xmpp = t.route("xmpp")
    t.flush()
    assert (item.state, xmpp.sent) == ("dropped", [])


def test_a_reply_reaches_the_character_as_a_tell(t):
    t.optIn()
    t.text("Meet me at the gate.")
    t.observer.output()
    assert t.store.transact(api.reply, t.account, t.alice, "On my way.",
                            "xmpp") is None
    # The store transaction delivers at once (no event transaction).
    assert t.actor.output() == ["Bob texts you, 'On my way.'"]
    assert t.observer.output() == ["You text Alice, 'On my way.'"]


def test_only_characters_who_texted_may_be_answered(t):
    t.optIn()
    answer = t.store.transact(api.reply, t.account, t.alice, "hello", "xmpp")
    assert answer == ("Alice has not texted you; you can answer only "
                      "characters who did.")
    assert t.actor.output() == []


def test_refusals(t):
    from imaginary.language.grammar import FEMALE
    npc = t.world.createCharacter("Mara", FEMALE)
    with pytest.raises(NotifyRefused, match="not a player's character"):
        t.text("hi", to=npc)
    t.optIn()
    with pytest.raises(NotifyRefused, match="empty"):
        t.text(" \n\t ")
    with pytest.raises(NotifyRefused, match="500 characters"):
        t.text("x" * 501)
    assert t.store.query(model.Notification).count() == 0


def test_the_account_itself_may_be_texted(t):
    t.optIn()
    assert t.text("To the player.", to=t.account).route == "game"
    assert t.observer.output() == ["Alice texts you, 'To the player.'"]


def test_pending_texts_survive_a_restart_and_go_once(tmp_path):
    path = str(tmp_path / "game.store")
    t = Texting(Store(path))
    t.optIn()
    t.offline()
    t.text("Kept.")
    IScheduler(t.store).stopService()
    t.store.close()

    store = Store(path)
    [item] = model.pending(store)
    assert item.body == "Kept."
    route = FakeRouteFor(store)
    store.transact(api.flush, store)
    store.transact(api.flush, store)
    assert route.sent == [("Alice", "Kept.")]
    store.close()
    store = Store(path)
    assert model.pending(store) == []
    [item] = store.query(model.Notification)
    assert (item.state, item.route) == ("sent", "xmpp")
    store.close()


def FakeRouteFor(store):
    from notifykit import FakeRoute
    route = FakeRoute("xmpp")
    api.installRoute(store, route)
    return route
