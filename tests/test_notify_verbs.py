"""
Transcript tests for 'account notify' and 'text': every setting, every
refusal (and that a refusal changes nothing), and answering a text.
"""

import pytest

from imaginary.notify import model
from notifykit import Texting
from transcript import R


@pytest.fixture
def t():
    return Texting()


def bob(t, command, lines):
    t.check(command, by=t.observer, actor=lines)


def test_the_settings_start_off(t):
    bob(t, "account notify", [
        "Texts from characters are off ('account notify on' turns them "
        "on).", "Routes, in order: game, irc, xmpp, email.",
        "Jabber ID: none.", "Quiet hours: none."])
    assert t.text("hello?") is None


def test_on_and_off(t):
    bob(t, "account notify on", [
        "Texts from characters are on; they come by the first open route "
        "of: game, irc, xmpp, email."])
    assert t.text("hello").route == "game"
    t.observer.output()
    bob(t, "account notify off", [
        "Texts from characters are off; nothing will be sent to you."])
    assert t.text("hello?") is None


def test_route_order_and_its_refusals(t):
    bob(t, "account notify route xmpp, email", [
        "Texts now come by the first open route of: xmpp, email."])
    bob(t, "account notify route xmpp carrier-pigeon", [
        "The routes are game, irc, xmpp, email; 'carrier-pigeon' is not "
        "one."])
    bob(t, "account notify route email email", ["Name each route once."])
    assert model.settingsOf(t.account).routes == "xmpp,email"


def test_stop_and_on_again(t):
    bob(t, "account notify stop game", ["Texts in the game are off now."])
    bob(t, "account notify stop game", ["Texts in the game are off already."])
    bob(t, "account notify", [
        R("Texts from characters are off.*"),
        "Routes, in order: game, irc, xmpp, email.",
        "Stopped by you: game.", "Jabber ID: none.", "Quiet hours: none."])
    bob(t, "account notify on game", ["Texts in the game are on again."])
    assert model.settingsOf(t.account).order() == list(model.ROUTES)


def test_quiet_hours(t):
    bob(t, "account notify quiet 22:00-07:30 Europe/Paris", [
        "Quiet hours: 22:00-07:30 Europe/Paris; texts outside the game "
        "wait until they end."])
    bob(t, "account notify quiet 25:00-07:00", [
        "'25:00-07:00' is not a span like 22:00-07:30."])
    bob(t, "account notify quiet 22:00-07:00 Mars/Olympus", [
        "'Mars/Olympus' is not a time zone I know (like Europe/Paris or "
        "UTC)."])
    bob(t, "account notify quiet 08:00-08:00", [
        "Quiet hours must start and end at different times."])
    settings = model.settingsOf(t.account)
    assert (settings.quietStart, settings.quietEnd, settings.timezone) == \
        (22 * 60, 7 * 60 + 30, "Europe/Paris")
    bob(t, "account notify quiet off", ["You have no quiet hours now."])
    assert settings.quietStart is None


def test_a_jabber_id_is_verified_by_a_code(t):
    bob(t, "account notify jid bob@players.example", [
        "This game sends no instant messages (it has no XMPP link), so a "
        "Jabber ID can't be used here."])

    def configured():
        model.config(t.store).xmppDomain = "game.example"
    t.store.transact(configured)
    bob(t, "account notify jid bob@players.example", [
        "This game sends no instant messages right now (its XMPP link is "
        "not up), so it can't check a Jabber ID; try again later."])
    assert model.settingsOf(t.account) is None or \
        model.settingsOf(t.account).jid is None
    route = t.route("xmpp")
    bob(t, "account notify jid not-a-jid", [
        "'not-a-jid' is not a Jabber ID I can use (like "
        "name@server.example)."])
    assert route.codes == []
    bob(t, "account notify jid Bob@Players.example/phone", [
        "A code is on its way to bob@players.example by instant message; "
        "type 'account notify verify <code>' when it arrives."])
    [(address, code)] = route.codes
    assert address == "bob@players.example"
    wrong = "000000" if code != "000000" else "111111"
    bob(t, f"account notify verify {wrong}", [
        "That code is wrong or has expired; 'account notify jid <jid>' "
        "sends a new one."])
    assert model.settingsOf(t.account).wrong == 1
    bob(t, f"account notify verify {code}", [
        "Your Jabber ID bob@players.example is verified."])
    assert model.accountForJID(t.store, "bob@players.example/x") is \
        t.account


def test_usage(t):
    bob(t, "account notify frobnicate", [R(r"Usage: account notify .*")])


def test_text_answers_a_character_who_texted(t):
    bob(t, "text alice hi", [
        "Alice has not texted you; you can answer only characters who "
        "did."])
    bob(t, "text nobody hi", ["There is no character called 'nobody'."])
    t.optIn()
    t.text("Meet me at the gate.")
    t.observer.output()
    t.check("text alice On my way.", by=t.observer,
            actor=["You text Alice, 'On my way.'"],
            observer=["Bob texts you, 'On my way.'"])
    bob(t, "text alice", ["What do you want to text Alice?"])


def test_text_stop_turns_the_game_route_off(t):
    t.optIn()
    t.text("one")
    t.observer.output()
    bob(t, "text alice stop", [
        "Texts in the game are off now; type 'account notify on game' in the "
        "game to have them again."])
    t.route("xmpp")
    assert t.text("two").route == "xmpp"
    assert t.observer.output() == []
