"""Transcript tests for imaginary.verbs.mail: the in-game mailbox."""

from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from imaginary.mail import model
from imaginary.store import Store
from transcript import R, Transcript

WHEN = r"\d{4}-\d\d-\d\d \d\d:\d\d"


@pytest.fixture
def t():
    """Alice (a builder) and Bob in a room, at game.example."""
    store = Store()
    t = Transcript(store)
    store.transact(lambda: setattr(model.settings(store), "domain",
                                   "game.example"))
    return t


def test_empty_mailbox_and_usage(t):
    t.check("mail", actor=["Your mailbox is empty."])
    t.check("mail frobnicate", actor=[R(r"Usage: mail; mail read <n>.*")])
    t.check("mail help", actor=[R(r"Usage: .* Your address is "
                                  r"alice@game\.example\.")])


def test_send_list_read_delete(t):
    t.check("mail send bob Supper = Come at eight.",
            actor=["You send your mail 'Supper' to Bob."],
            observer=["You have new mail from Alice: 'Supper' (type 'mail "
                      "read 1')."])
    t.check("mail", by=t.observer, actor=[
        "Your mailbox (1 message, 1 unread; times UTC):",
        R(rf" \*  1  {WHEN}  Alice  Supper")])
    t.check("mail read 1", by=t.observer, actor=[
        "Message 1 from Alice <alice@game.example>",
        R(rf"Date: {WHEN} UTC"), "Subject: Supper", "",
        "Come at eight."])
    t.check("mail", by=t.observer, actor=[
        "Your mailbox (1 message, 0 unread; times UTC):",
        R(rf"    1  {WHEN}  Alice  Supper")])
    t.check("mail delete 1", by=t.observer, actor=["Message 1 deleted."])
    t.check("mail read 1", by=t.observer, actor=["You have no message 1."])
    t.check("mail", by=t.observer, actor=["Your mailbox is empty."])


def _window(player, width):
    """Bob plays in a window C{width} columns wide (as NAWS says)."""
    player.collector.attachments = [
        SimpleNamespace(frontEnd=SimpleNamespace(width=width))]


def test_a_long_subject_is_cut_to_the_window_in_the_listing_only(t):
    subject = "The lighthouse keeper's journal, the missing pages " * 2
    subject = subject.strip()
    t.actor.do(f"mail send bob {subject} = Read it.")
    t.actor.do("mail send bob 灯台守の日誌と失われたページについての話 = 読んで")
    t.actor.output()
    t.observer.output()
    _window(t.observer, 50)
    # 32 columns before the subject, one spare: 17 for it, "..." included
    # (a Japanese character takes two).
    t.check("mail", by=t.observer, actor=[
        "Your mailbox (2 messages, 2 unread; times UTC):",
        R(rf" \*  1  {WHEN}  Alice  The lighthouse\.\.\."),
        R(rf" \*  2  {WHEN}  Alice  灯台守の日誌と\.\.\.")])
    _window(t.observer, 100)      # 67 for the subject
    t.check("mail", by=t.observer, actor=[
        "Your mailbox (2 messages, 2 unread; times UTC):",
        R(rf" \*  1  {WHEN}  Alice  The lighthouse keeper's journal, the "
          rf"missing pages The lighthous\.\.\."),
        R(rf" \*  2  {WHEN}  Alice  灯台守の日誌と失われたページについての話")])
    t.check("mail read 1", by=t.observer, actor=[
        "Message 1 from Alice <alice@game.example>",
        R(rf"Date: {WHEN} UTC"), f"Subject: {subject}", "", "Read it."])


def test_numbers_stay_after_a_delete(t):
    for subject in ("one", "two", "three"):
        t.actor.do(f"mail send bob {subject} = text")
    t.actor.output()
    t.observer.output()
    t.observer.do("mail delete 2")
    t.observer.output()
    t.check("mail", by=t.observer, actor=[
        "Your mailbox (2 messages, 2 unread; times UTC):",
        R(r" \*  1  .*  one"), R(r" \*  3  .*  three")])


def test_reply_threads_and_forward(t):
    t.actor.do("mail send bob Supper = Come at eight.")
    t.actor.output()
    t.observer.output()
    t.check("mail reply 1 = I will.", by=t.observer,
            actor=["You send your mail 'Re: Supper' to Alice."],
            observer=[R(r"You have new mail from Bob: 'Re: Supper' .*")])
    t.check("mail read 1", actor=[
        "Message 1 from Bob <bob@game.example>", R(r"Date: .*"),
        "Subject: Re: Supper", "", "I will."])
    box = model.mailboxOf(t.actor.thing)
    original = model.mailboxOf(t.observer.thing).message(1)
    assert box.message(1).inReplyTo == original.messageID
    assert box.message(1).references == original.messageID
    t.check("mail forward 1 alice = for my records", by=t.observer,
            actor=["You send your mail 'Fwd: Supper' to Alice."],
            observer=[R(r"You have new mail from Bob: 'Fwd: Supper' .*")])
    t.actor.do("mail read 2")
    lines = t.actor.output()
    assert lines[2] == "Subject: Fwd: Supper"
    assert lines[4:8] == [
        "for my records", "", "---------- Forwarded message ----------",
        "From: Alice"]
    assert lines[8].startswith("Date: ")
    assert lines[9:] == ["Subject: Supper", "", "Come at eight."]


def test_refusals(t):
    t.check("mail send nobody Hi = there",
            actor=["There is no character called 'nobody'."])
    t.check("mail send bob", actor=[
        "What is it about? mail send <to> <subject> [= <body>]"])
    t.check("mail read x", actor=[
        "Which message? Give its number ('mail' lists them)."])
    t.check("mail send someone@elsewhere.example Hi = there", actor=[
        "This game sends no mail outside it (no relay is configured)."
        if False else
        "You may mail only characters and players' verified addresses; "
        "someone@elsewhere.example is neither."])
    t.check("mail send ghost@game.example Hi = there",
            actor=["Nobody here has the address ghost@game.example."])
    # No session that reads following lines: the one-line form is asked.
    t.check("mail send bob Supper", actor=[
        "Write it on one line here: put '= <text>' after the rest."])
    t.check("account email a@b.example",
            actor=["Only a player's character has an account."])


def test_addresses_and_aliases(t):
    store = t.store
    assert model.addressOf(t.actor.thing) == "alice@game.example"
    assert model.characterAt(store, "ALICE@Game.Example") is t.actor.thing
    assert model.characterAt(store, "alice+tag@game.example") \
        is t.actor.thing
    assert model.characterAt(store, "alice@other.example") is None
    store.transact(model.addAlias, store, "postmaster", t.observer.thing)
    assert model.characterAt(store, "postmaster@game.example") \
        is t.observer.thing
    assert model.localPartOf("Zoë O'Brien") == "zoe.obrien"
    assert model.localPartOf("Иван").startswith("xn--")
    assert model.localPartOf("Иван").isascii()


def test_rate_limit(t):
    store = t.store
    store.transact(lambda: setattr(model.settings(store), "perHour", 3))
    for n in range(3):
        assert t.actor.do(f"mail send bob n{n} = x")
    t.actor.output()
    t.observer.output()
    t.check("mail send bob again = x", actor=[
        "You have sent 3 messages in the last hour, the most allowed; "
        "try again later."])


def test_unread_notice(t):
    assert model.unreadNotice(t.observer.thing) is None
    t.actor.do("mail send bob a = x")
    t.actor.do("mail send bob b = x")
    assert model.unreadNotice(t.observer.thing) == (
        "You have 2 unread mail messages; type 'mail' to see them.")


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=text.filter(lambda s: "=" not in s and s.strip()),
       body=text)
def test_any_subject_and_body_arrive_once(t, subject, body):
    box = model.mailboxOf(t.observer.thing)
    before = len(box.messages())
    t.actor.do(f"mail send bob {subject} = {body}")
    t.actor.output()
    t.observer.output()
    messages = box.messages()
    assert len(messages) <= before + 1
    if len(model.clean(subject, True)) > model.MAX_SUBJECT:
        assert len(messages) == before     # refused, not cut short
    if len(messages) == before + 1:
        assert messages[-1].subject == model.clean(subject, True)
        assert "\x00" not in messages[-1].body
    t.store.transact(lambda: [m.deleteFromStore() for m in box.messages()])


def test_rate_limit_per_account(t):
    from imaginary.accounts import AccountCharacter, createAccount
    store = t.store

    def setUp():
        config = model.settings(store)
        config.perHour, config.accountPerHour = 10, 3
        account = createAccount(store, "both", b"x")
        for character in (t.actor.thing, t.observer.thing):
            AccountCharacter(store=store, account=account,
                             character=character)
    store.transact(setUp)
    t.actor.do("mail send bob a = x")
    t.actor.do("mail send bob b = x")
    t.observer.do("mail send alice c = x")
    t.actor.output()
    t.observer.output()
    t.check("mail send alice d = x", by=t.observer, actor=[
        "Your account has sent 3 messages in the last hour, the most "
        "allowed; try again later."])


def test_a_subject_too_long_is_refused_whole(t):
    subject = "word " * 40 + "end"
    t.check(f"mail send bob {subject} = hello", actor=[
        "That subject is too long (203 characters; at most 200)."])
    assert model.mailboxOf(t.observer.thing).messages() == []
