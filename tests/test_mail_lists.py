"""Tests for imaginary.mail.lists: the list archive and its threads."""

from imaginary.language.grammar import MALE
from imaginary.mail import accountmail, lists
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


# -- posting: lists.post, the copies and their headers ----------------------

import email                                                   # noqa: E402
import email.policy                                            # noqa: E402

import pytest                                                  # noqa: E402
from twisted.internet import task                              # noqa: E402

from imaginary.language.grammar import FEMALE                  # noqa: E402
from imaginary.mail import (                                   # noqa: E402
    api, dmarc, listmail, model, outbound)
from imaginary.mail.outbound import MailRefused                # noqa: E402
from imaginary.store import IScheduler                         # noqa: E402
from epsilon.extime import Time                                # noqa: E402

from dnskit import startDNS                                    # noqa: E402
from listkit import makeGroup, makePlayer                      # noqa: E402
from mailkit import Game, spinUntil                            # noqa: E402
from sessionkit import wait                                    # noqa: E402


@pytest.fixture
def game():
    """Alice (founder) and Bob in Owls, both players with verified
    addresses; Alice takes list mail, Bob doesn't (yet); Nora an NPC;
    Carol a player outside the group.  Mail at game.example through a
    relay that is never reached (the copies wait in the queue)."""
    g = Game(webURL="https://game.example")
    store = g.store
    g.nora = g.world.createCharacter("Nora", FEMALE)
    g.carol = g.world.createCharacter("Carol", FEMALE)
    g.group = makeGroup(g.alice, "Owls", "owls", g.bob)
    makePlayer(g.alice, "alice@player.example", listMailFor=g.group)
    makePlayer(g.bob, "bob@strict.example")
    makePlayer(g.carol, "carol@player.example")
    g.post = lambda *a, **kw: store.transact(lists.post, g.group, *a, **kw)
    yield g
    dmarc.forget()
    g.close()


def queued(store):
    """The queued copies: {recipient: parsed message}."""
    return {item.rcptTo: email.message_from_bytes(
        item.message, policy=email.policy.default)
        for item in store.query(outbound.OutboundMail)}


def subjects(character):
    return [(m.sender, m.subject, m.senderAddress)
            for m in model.mailboxOf(character).messages()]


def test_a_post_reaches_every_mailbox_and_opted_in_inboxes(game):
    store = game.store
    entry = game.post(game.alice, "The well", "Meet at dusk.")
    assert (entry.serial, entry.author, entry.subject) == (
        1, "Alice", "The well")
    # Every member's mailbox in the game, but the author's (who wrote it).
    assert subjects(game.bob) == [
        ("Alice", "[owls] The well", "owls@lists.game.example")]
    assert subjects(game.alice) == []
    # Alice took list mail: her real inbox gets a copy; Bob didn't.
    copies = queued(store)
    assert list(copies) == ["alice@player.example"]
    message = copies["alice@player.example"]
    token = listmail.subscription(game.group, game.alice).token
    assert message["From"] == "Alice <alice@game.example>"
    assert message["To"] == "Owls <owls@lists.game.example>"
    assert message["Reply-To"] == "owls@lists.game.example"
    assert message["Subject"] == "[owls] The well"
    assert message["Message-ID"] == entry.messageID
    assert message["List-Id"] == "Owls <owls.lists.game.example>"
    assert message["List-Post"] == "<mailto:owls@lists.game.example>"
    assert message["List-Archive"] == "<https://game.example/g/owls/>"
    # (A long field is folded: compare it unfolded.)
    assert " ".join(message["List-Unsubscribe"].split()) == (
        f"<https://game.example/unsubscribe/{token}>, "
        f"<mailto:unsubscribe+{token}@game.example>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Precedence"] == "list"
    assert message.get_content().strip() == "Meet at dusk."
    item = store.findFirst(outbound.OutboundMail)
    assert (item.mailFrom, item.senderCharacter) == (
        "owls@lists.game.example", None)


def test_without_a_web_address_unsubscribe_is_by_mail(game):
    store = game.store
    store.transact(lambda: setattr(model.settings(store), "webURL", None))
    game.post(game.bob, "Lanterns", "Bring two.")
    [message] = queued(store).values()
    token = listmail.subscription(game.group, game.alice).token
    assert message["List-Unsubscribe"] == \
        f"<mailto:unsubscribe+{token}@game.example>"
    assert message["List-Unsubscribe-Post"] is None
    assert message["List-Archive"] is None


def test_the_subject_is_tagged_once():
    tag = listmail.tagSubject
    assert tag("owls", "The well") == "[owls] The well"
    assert tag("owls", "Re: The well") == "Re: [owls] The well"
    assert tag("owls", "Re: [owls] The well") == "Re: [owls] The well"
    assert tag("owls", "[OWLS] shout") == "[OWLS] shout"
    assert tag("owls", "RE: AW: x") == "RE: AW: [owls] x"
    assert tag("owls", "") == "[owls] (no subject)"
    assert listmail.untag("owls", "Re: [owls] The well") == "Re: The well"


def test_replies_thread_and_keep_one_tag(game):
    store = game.store
    first = game.post(game.alice, "The well", "Meet at dusk.")
    said = store.transact(api.send, game.bob, "owls@lists.game.example",
                          "Re: [owls] The well", "I'll bring rope.",
                          inReplyTo=first.messageID,
                          references=first.messageID)
    assert said == ("You post 'Re: The well' to Owls' list "
                    "(owls@lists.game.example).")
    [thread] = lists.threads(game.group)
    assert [p.author for p in thread] == ["Alice", "Bob"]
    assert thread[1].threadRoot == first.messageID
    assert subjects(game.alice) == [
        ("Bob", "Re: [owls] The well", "owls@lists.game.example")]
    reply = [m for m in queued(store).values()
             if m["In-Reply-To"] == first.messageID]
    assert len(reply) == 1
    assert reply[0]["Subject"] == "Re: [owls] The well"
    assert reply[0]["References"] == first.messageID
    # 'mail reply' on the list's copy goes back to the list, threaded.
    message = model.mailboxOf(game.alice).messages()[0]
    store.transact(api.send, game.alice, message.senderAddress,
                   "Re: " + message.subject, "Good.",
                   inReplyTo=message.messageID,
                   references=message.messageID)
    [thread] = lists.threads(game.group)
    assert len(thread) == 3


def test_no_duplicate_for_a_member_who_has_the_message(game):
    store = game.store
    store.transact(lambda: setattr(listmail.subscription(
        game.group, game.bob), "mail", True))
    # Alice had the message straight from Bob (same Message-ID), in the
    # game and at her real address (it was Cc'd to her).
    store.transact(model.deliver, game.alice, "Bob", "Supper", "At eight.",
                   "<m1@strict.example>")
    entry = game.post("bob@strict.example", "Supper", "At eight.",
                      messageID="<m1@strict.example>", authorName="Bob B.",
                      directRecipients=["Alice@Player.example",
                                        "owls@lists.game.example"])
    assert entry.author == "Bob" and entry.authorCharacter is game.bob
    assert [m.subject for m in model.mailboxOf(game.alice).messages()] == [
        "Supper"]
    # Bob posted from his own inbox: a copy there would be a duplicate.
    assert queued(store) == {}
    # Bob's character gets it in the game (he posted by mail).
    assert subjects(game.bob) == [
        ("Bob", "[owls] Supper", "owls@lists.game.example")]
    # The same mail handed in again is not posted twice.
    again = game.post("bob@strict.example", "Supper", "At eight.",
                      messageID="<m1@strict.example>")
    assert again is entry and len(subjects(game.bob)) == 1


def test_only_members_and_npcs_may_post(game):
    store = game.store
    refusal = ("owls@lists.game.example is a members-only list; only its "
               "members may post to it, from the game or from the address "
               "their account verified.")
    for author in (game.carol, "carol@player.example",
                   "stranger@else.example"):
        with pytest.raises(MailRefused) as caught:
            game.post(author, "Hi", "Let me in.")
        assert str(caught.value) == refusal
    with pytest.raises(MailRefused) as caught:
        store.transact(api.send, game.carol, "owls@lists.game.example",
                       "Hi", "Let me in.")
    assert str(caught.value) == refusal
    with pytest.raises(MailRefused) as caught:
        store.transact(api.send, game.carol, "bats@lists.game.example",
                       "Hi", "Anyone?")
    assert str(caught.value) == \
        "There is no list with the address bats@lists.game.example."
    assert list(store.query(lists.ListPost)) == []
    # An NPC (a character without an account) posts through the API.
    entry = game.post(game.nora, "A clue", "Look under the bridge.")
    assert entry.authorCharacter is game.nora
    assert subjects(game.alice)[0][:2] == ("Nora", "[owls] A clue")


def test_opt_in_needs_game_mail_on_and_a_relay(game):
    store = game.store
    record = accountmail.emailOf(model.accountOf(game.alice))
    store.transact(lambda: setattr(record, "forward", False))
    game.post(game.bob, "Quiet", "Shh.")
    assert queued(store) == {}          # all game mail off: none
    store.transact(lambda: setattr(record, "forward", True))
    store.transact(lambda: setattr(model.settings(store), "relayHost",
                                   None))
    game.post(game.bob, "Quieter", "Shh.")
    assert queued(store) == {}          # no relay: the game keeps it
    assert len(subjects(game.alice)) == 2


def test_a_post_on_the_scheduler_shows_as_upcoming():
    g = Game()
    try:
        nora = g.world.createCharacter("Nora", FEMALE)
        group = makeGroup(g.alice, "Owls", "owls", g.bob)
        g.scheduler.stopService()
        clock = task.Clock()
        clock.advance(Time().asPOSIXTimestamp())
        scheduler = IScheduler(g.store)
        scheduler.startService(clock)
        when = Time.fromPOSIXTimestamp(clock.seconds() + 3600)
        item = g.store.transact(lists.schedulePost, group, nora, when,
                                "A clue", "Under the bridge.")
        [event] = group.upcoming(Time.fromPOSIXTimestamp(clock.seconds()))
        assert event.description == "Nora writes to the list: A clue"
        assert event.runnable is item
        assert lists.threads(group) == []
        clock.advance(3601)
        [[entry]] = lists.threads(group)
        assert (entry.author, entry.subject) == ("Nora", "A clue")
        assert item.posted is entry
        assert subjects(g.bob) == [
            ("Nora", "[owls] A clue", "owls@lists.game.example")]
    finally:
        g.close()


# -- DMARC: a real twisted.names server on loopback -------------------------

RECORDS = {
    "_dmarc.strict.example": "v=DMARC1; p=reject; rua=mailto:d@strict.example",
    "_dmarc.quarantined.example": "v=DMARC1; p=quarantine",
    "_dmarc.relaxed.example": "v=DMARC1; p=none",
    "_dmarc.parent.example": "v=DMARC1; p=none; sp=quarantine",
    "_dmarc.notdmarc.example": "v=spf1 -all",
}


@pytest.fixture
def dns():
    """The DNS server on 127.0.0.1 (a free port): 'HOST:PORT'."""
    port, listening = startDNS(RECORDS)
    dmarc.forget()
    yield f"127.0.0.1:{port}"
    dmarc.forget()
    for each in listening:
        wait(each.stopListening())


def lookup(domain, server):
    found = []
    dmarc.lookup(domain, server).addCallback(found.append)
    spinUntil(lambda: found, timeout=15)
    return found[0]


def test_dmarc_policies_from_a_real_dns_server(dns, monkeypatch):
    assert lookup("strict.example", dns) == "reject"
    assert lookup("Quarantined.Example.", dns) == "quarantine"
    assert lookup("relaxed.example", dns) == "none"
    assert lookup("mail.parent.example", dns) == "quarantine"   # sp=
    assert lookup("parent.example", dns) == "none"
    assert lookup("nothing.example", dns) == "none"     # no record
    assert lookup("notdmarc.example", dns) == "none"
    assert [dmarc.isStrict(p) for p in ("reject", "quarantine", "none",
                                        None)] == [True, True, False, False]
    # Answers are kept: the same question doesn't go out again.
    assert dmarc.cached("strict.example", dns) == "reject"
    # A server that doesn't answer: None (keep From), not an error.
    monkeypatch.setattr(dmarc, "TIMEOUT", (0.3,))
    from liveserver import freePort
    silent = f"127.0.0.1:{freePort()}"
    assert lookup("strict.example", silent) is None
    assert dmarc.cached("strict.example", silent) is None


def test_strict_dmarc_rewrites_from_to_the_list(dns, game):
    store = game.store
    policy = lookup("strict.example", dns)
    game.post("bob@strict.example", "Supper", "At eight.",
              authorName="Bob Brown", dmarcPolicy=policy)
    [message] = queued(store).values()
    assert message["From"] == \
        "Bob Brown via Owls <owls@lists.game.example>"
    assert message["X-Original-From"] == "Bob Brown <bob@strict.example>"
    assert message["Reply-To"] == \
        "owls@lists.game.example, Bob Brown <bob@strict.example>"
    assert message["Subject"] == "[owls] Supper"
    # The policy as cached serves a post that brings none.
    store.transact(lambda: setattr(listmail.listSettings(store),
                                   "dnsServer", dns))
    game.post("bob@strict.example", "Pudding", "After.")
    rewritten = [m for m in queued(store).values()
                 if m["Subject"] == "[owls] Pudding"]
    assert rewritten[0]["From"] == "Bob via Owls <owls@lists.game.example>"


def test_a_relaxed_policy_or_a_failed_lookup_keeps_from(dns, game):
    store = game.store
    for address, policy in (("bob@relaxed.example",
                             lookup("relaxed.example", dns)),
                            ("bob@strict.example", None)):
        store.transact(lambda: setattr(accountmail.emailOf(
            model.accountOf(game.bob)), "address", address))
        entry = game.post(address, f"From {address}", "Hello.",
                          authorName="Bob", dmarcPolicy=policy)
        [message] = [m for m in queued(store).values()
                     if m["Message-ID"] == entry.messageID]
        assert message["From"] == f"Bob <{address}>"
        assert message["Reply-To"] == "owls@lists.game.example"
        assert message["X-Original-From"] is None


def test_the_copy_is_dkim_signed_with_its_list_headers(game, tmp_path):
    import base64
    import dkim
    from cryptography.hazmat.primitives import serialization
    from mailkit import rsaKey
    store = game.store
    key, pem = rsaKey()
    (tmp_path / "dkim.pem").write_bytes(pem)
    store.transact(lambda: (
        setattr(model.settings(store), "dkimSelector", "s1"),
        setattr(model.settings(store), "dkimKeyFile",
                str(tmp_path / "dkim.pem"))))
    game.post(game.bob, "Signed", "Body.")
    raw = store.findFirst(outbound.OutboundMail).message
    signature = raw.split(b"\r\n\r\n")[0].split(b"DKIM-Signature:")[1]
    signed = " ".join(signature.decode().split()).split(" h=")[1]
    signed = signed.split(";")[0].replace(" ", "").split(":")
    for field in ("list-id", "list-post", "list-unsubscribe",
                  "list-unsubscribe-post", "reply-to", "from", "subject"):
        assert field in signed
    public = key.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)

    def dns(name, timeout=5):
        assert name == b"s1._domainkey.game.example."
        return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    assert dkim.verify(raw, dnsfunc=dns)
    assert not dkim.verify(raw.replace(b"List-Unsubscribe-Post: ",
                                       b"List-Unsubscribe-Post:  x"),
                           dnsfunc=dns)
