"""
The SMTP front end (imaginary/frontends/smtp.py) with real clients: the
standard library's smtplib and Debian's swaks, on loopback.  Mail for a
character lands in its mailbox and is told; refusals come at the right
step with the right code; bad input gets a clear reply and stores
nothing half-way.
"""

import email.policy
import shutil
import smtplib
import socket
import subprocess
import threading
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from twisted.internet import reactor

from imaginary.frontends import smtp as front
from imaginary.mail import accountmail, model

from sessionkit import fastHashes, server, wait  # noqa: F401
from test_session_character import played
from mailkit import spinUntil

SWAKS = shutil.which("swaks")


@pytest.fixture
def game(server):
    """The server with Alice in play, Bob not, and SMTP on a free port."""
    def configure():
        model.settings(server.store).domain = "game.example"
    server.store.transact(configure)
    _, bobFront, bob = played(server, "bob", "Bob")
    bob.detach()
    _, front_, alice = played(server)
    front_.take()
    factory = front.SMTPFactory(server)
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    server.smtpPort = port.getHost().port
    server.smtpFactory = factory
    server.alice = alice.character
    server.bob = bob.character
    server.aliceFront = front_
    yield server
    wait(port.stopListening())


def inThread(f, *args):
    """Run blocking client code in a thread while the reactor spins."""
    result = []

    def run():
        try:
            result.append((True, f(*args)))
        except BaseException as e:
            result.append((False, e))
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    spinUntil(lambda: result, timeout=60)
    ok, value = result[0]
    if not ok:
        raise value
    return value


def client(game):
    return smtplib.SMTP("127.0.0.1", game.smtpPort, timeout=30)


def message(subject="Hello", body="Hi Alice!", to="alice@game.example",
            sender="ann@player.example", **headers):
    m = EmailMessage()
    m["From"] = f"Ann <{sender}>"
    m["To"] = to
    m["Subject"] = subject
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content(body)
    return m


def send(game, m, sender="ann@player.example", to=("alice@game.example",)):
    def talk():
        with client(game) as c:
            return c.sendmail(sender, list(to),
                              m.as_bytes(policy=email.policy.SMTP))
    return inThread(talk)


def mailbox(character):
    return model.mailboxOf(character).messages()


def test_mail_lands_in_the_mailbox_and_is_told(game):
    assert send(game, message(body="Ünïcode — fine.\n\nAnn")) == {}
    [m] = mailbox(game.alice)
    assert (m.sender, m.senderAddress, m.subject) == (
        "Ann", "ann@player.example", "Hello")
    assert m.body == "Ünïcode — fine.\n\nAnn"
    assert m.unread
    assert "You have new mail from Ann: 'Hello' (type 'mail read 1')." in \
        game.aliceFront.take()


def test_one_message_for_two_characters_is_stored_once_each(game):
    send(game, message(to="alice@game.example, bob@game.example"),
         to=["alice@game.example", "bob@game.example"])
    assert [m.subject for m in mailbox(game.alice)] == ["Hello"]
    assert [m.subject for m in mailbox(game.bob)] == ["Hello"]
    assert mailbox(game.alice)[0].messageID == \
        mailbox(game.bob)[0].messageID


def test_unknown_recipient_is_refused_at_rcpt(game):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
        send(game, message(to="ghost@game.example"),
             to=["ghost@game.example"])
    code, text = caught.value.recipients["ghost@game.example"]
    assert code == 550 and b"No such character" in text
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(game, message(), to=["alice@elsewhere.example"])
    assert mailbox(game.alice) == []


def test_own_domain_sender_is_refused(game):
    with pytest.raises(smtplib.SMTPSenderRefused) as caught:
        send(game, message(sender="bob@game.example"),
             sender="bob@game.example")
    assert caught.value.smtp_code == 550
    assert mailbox(game.alice) == []


def test_oversize_is_552(game):
    # smtplib declares the size (SIZE=): refused before it is sent.
    big = message(body=("x" * 70 + "\n") * 16000)         # ~1.1 MiB
    with pytest.raises(smtplib.SMTPSenderRefused) as caught:
        send(game, big)
    assert caught.value.smtp_code == 552
    # Undeclared, it is counted while it arrives: 552 after the dot.
    said = raw(game, HELLO + [big.as_bytes().replace(b"\n", b"\r\n"),
                              b".\r\n", b"QUIT\r\n"])
    assert "552 5.3.4 Message too big: the most is 1048576 bytes" in said
    assert mailbox(game.alice) == []
    # The server is fine afterwards.
    send(game, message(subject="After"))
    assert [m.subject for m in mailbox(game.alice)] == ["After"]


def test_header_bomb_is_refused(game):
    m = message()
    for n in range(front.MAX_HEADERS + 10):
        m[f"X-Bomb-{n}"] = "boom"
    with pytest.raises(smtplib.SMTPDataError) as caught:
        send(game, m)
    assert caught.value.smtp_code == 552
    assert b"Too many header fields" in caught.value.smtp_error
    assert mailbox(game.alice) == []


def test_ten_thousand_recipients(game, monkeypatch):
    # Unknown ones are refused one by one; the known one gets it once.
    recipients = [f"x{n}@game.example" for n in range(10000)] + \
        ["alice@game.example"]
    refused = send(game, message(), to=recipients)
    assert len(refused) == 10000
    assert all(code == 550 for code, _ in refused.values())
    assert len(mailbox(game.alice)) == 1
    # At most MAX_RECIPIENTS are taken for one message (452 after).
    monkeypatch.setattr(front, "MAX_RECIPIENTS", 1)
    refused = send(game, message(subject="Two"),
                   to=["alice@game.example", "bob@game.example"])
    assert refused["bob@game.example"][0] == 452
    assert [m.subject for m in mailbox(game.bob)] == []


def raw(game, script, read=True):
    """Talk SMTP by hand; returns everything the server said."""
    def talk():
        s = socket.create_connection(("127.0.0.1", game.smtpPort), 30)
        s.settimeout(30)
        said = b""
        try:
            for chunk in script:
                s.sendall(chunk)
            if read:
                s.shutdown(socket.SHUT_WR)
                while True:
                    data = s.recv(65536)
                    if not data:
                        break
                    said += data
        finally:
            s.close()
        return said.decode("ascii", "replace")
    return inThread(talk)


HELLO = [b"EHLO client.example\r\n", b"MAIL FROM:<ann@player.example>\r\n",
         b"RCPT TO:<alice@game.example>\r\n", b"DATA\r\n"]


def test_malformed_mime_and_invalid_utf8_are_stored_readably(game):
    body = (b"From: Ann <ann@player.example>\r\n"
            b"Subject: =?utf-8?q?broken=ZZ?= \xff\xfe subject\r\n"
            b"Message-ID: <bad@player.example>\r\n"
            b"Content-Type: multipart/mixed; boundary=\"nope\"\r\n"
            b"\r\n"
            b"--nope\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n"
            b"!!!not base64\xff\r\n"
            b"--nope\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\n"
            b"caf\xe9 \xff\xfe\r\n")           # never closed
    said = raw(game, HELLO + [body, b".\r\n", b"QUIT\r\n"])
    assert "250 2.0.0 Delivered to the game" in said
    [m] = mailbox(game.alice)
    assert "subject" in m.subject
    assert m.note and "malformed" in m.note


def test_html_attachments_and_quoted_replies(game):
    m = message(subject="Re: Supper", body="Yes, eight is fine.\n\n"
                "On Mon, 1 Dec 2026, Alice <alice@game.example> wrote:\n"
                "> Come at eight.\n> Alice\n")
    m.add_alternative("<p>Yes, <b>eight</b> is fine.</p>", subtype="html")
    m.add_attachment(b"\x89PNG...", maintype="image", subtype="png",
                     filename="map.png")
    send(game, m)
    [got] = mailbox(game.alice)
    assert got.body == "Yes, eight is fine."
    assert got.note == "1 attachment dropped"     # the HTML is no attachment
    html = message(subject="Fancy")
    html.set_content("<html><head><style>p{}</style></head><body>"
                     "<p>Hello&nbsp;there</p><p>Second</p></body></html>",
                     subtype="html")
    send(game, html)
    got = mailbox(game.alice)[-1]
    assert got.body == "Hello there\n\nSecond"
    assert got.note == "converted from HTML"


def test_a_message_that_never_ends(game, monkeypatch):
    # 2 MiB and no end: read and thrown away; the dot gets 552.
    lines = [b"Subject: endless\r\n\r\n"] + [b"y" * 998 + b"\r\n"] * 2100
    said = raw(game, HELLO + lines + [b".\r\n", b"QUIT\r\n"])
    assert "552 5.3.4 Message too big" in said
    # The client goes away mid-message: nothing is stored.
    raw(game, HELLO + lines[:50], read=False)
    # A line with no end at all: refused, and the connection closed.
    said = raw(game, HELLO + [b"z" * (front.MAX_LINE + 100)])
    assert "500 5.5.2 Line too long" in said
    assert mailbox(game.alice) == []
    send(game, message(subject="Still here"))
    assert [m.subject for m in mailbox(game.alice)] == ["Still here"]


def test_a_silent_client_is_dropped(game):
    game.smtpFactory.timeout = 0.3

    def talk():
        s = socket.create_connection(("127.0.0.1", game.smtpPort), 30)
        s.settimeout(30)
        s.sendall(b"EHLO client.example\r\nMAIL FROM:<a@b.example>\r\n")
        said = b""
        while True:             # then silence, until the server hangs up
            data = s.recv(65536)
            if not data:
                break
            said += data
        s.close()
        return said.decode("ascii")
    said = inThread(talk)
    assert said.startswith("220 ")
    assert said.splitlines()[-1].startswith("421 ")


def test_per_peer_limits(game, monkeypatch):
    monkeypatch.setattr(front, "PER_HOUR", 2)
    send(game, message(subject="1"))
    send(game, message(subject="2"))
    with pytest.raises(smtplib.SMTPSenderRefused) as caught:
        send(game, message(subject="3"))
    assert caught.value.smtp_code == 450
    assert len(mailbox(game.alice)) == 2


def test_a_reply_threads_to_the_original(game):
    send(game, message(subject="First", Message_ID="<first@player.example>"))
    send(game, message(subject="Re: First", body="More.",
                       In_Reply_To="<first@player.example>",
                       References="<first@player.example>"))
    game.aliceFront.take()
    attachment = game.sessionFor(game.alice).attachments[0]
    attachment.submitNow("mail read 2")
    lines = game.aliceFront.take()
    assert "(A reply to message 1, 'First'.)" in lines


def test_the_same_message_twice_is_stored_once(game):
    m = message(Message_ID="<once@player.example>")
    send(game, m)
    send(game, m)
    assert len(mailbox(game.alice)) == 1


def test_unsubscribe_address_turns_game_mail_off(game):
    from imaginary.accounts import findAccount
    account = findAccount(game.store, "alice")

    def verified():
        code = accountmail.setAddress(account, "alice@player.example")
        accountmail.verify(account, code)
        return accountmail.emailOf(account).unsubscribeToken
    token = game.store.transact(verified)
    send(game, message(), to=[f"unsubscribe+{token}@game.example"])
    assert not accountmail.emailOf(account).forward
    assert mailbox(game.alice) == []
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(game, message(), to=["unsubscribe+wrong@game.example"])


@pytest.mark.skipif(SWAKS is None, reason="swaks is not installed")
def test_swaks_delivers_and_is_refused_for_strangers(game):
    def swaks(to):
        return subprocess.run(
            [SWAKS, "--server", f"127.0.0.1:{game.smtpPort}", "--to", to,
             "--from", "ann@player.example", "--helo", "client.example",
             "--header", "Subject: via swaks", "--body", "Hello from swaks",
             "--timeout", "20"], capture_output=True, text=True,
            timeout=60)
    done = inThread(swaks, "alice@game.example")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "250 2.0.0 Delivered to the game" in done.stdout
    [m] = mailbox(game.alice)
    assert (m.subject, m.body) == ("via swaks", "Hello from swaks")
    done = inThread(swaks, "ghost@game.example")
    assert done.returncode != 0
    assert "550 5.1.1 No such character here" in done.stdout


headerText = st.text(st.characters(blacklist_categories=("Cs", "Cc")),
                     max_size=80)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=headerText, body=st.text(max_size=500),
       junk=st.binary(max_size=300))
def test_any_body_and_header_is_stored_once_without_crashing(
        game, subject, body, junk):
    """Hypothesis: straight through the front end's storing code."""
    delivery = front.GameDelivery(game.smtpFactory, "127.0.0.1")
    before = len(mailbox(game.alice))
    for attempt in range(2):            # the same message twice
        transaction = front._Transaction(delivery, "ann@player.example")
        transaction.recipients.append(game.alice)
        front._Message(transaction)
        m = message(subject=subject.replace("\n", " "), body=body,
                    Message_ID=f"<h{before}@player.example>")
        for line in (m.as_bytes() + junk).split(b"\n"):
            transaction.line(transaction.messages[0], line.rstrip(b"\r"))
        wait(transaction.end())
    assert len(mailbox(game.alice)) == before + 1


def _owls(game):
    """Alice and Bob in Owls; Bob's account verified ann@player.example
    (the address these tests send from)."""
    from imaginary.accounts import findAccount
    from imaginary.simulation import groups

    def make():
        group = groups.createGroup(game.alice, "Owls", "owls")
        groups.addMember(group, game.bob)
        account = findAccount(game.store, "bob")
        accountmail.AccountEmail(store=game.store, account=account,
                                 address="ann@player.example",
                                 verified=True)
        return group
    return game.store.transact(make)


def test_a_list_post_and_a_direct_copy_are_one_message(game):
    from imaginary.mail import lists
    group = _owls(game)
    send(game, message(subject="Both", to="alice@game.example, "
                       "owls@lists.game.example"),
         to=["alice@game.example", "owls@lists.game.example"])
    # Alice got it directly and through the list: kept once.
    assert [m.subject for m in mailbox(game.alice)] == ["Both"]
    assert [(m.sender, m.subject) for m in mailbox(game.bob)] == [
        ("Bob", "[owls] Both")]
    [[entry]] = lists.threads(group)
    assert entry.authorCharacter is game.bob
    # Nobody else may post, and an unknown list is unknown.
    for sender, to, reply in (
            ("dee@player.example", "owls@lists.game.example",
             b"5.7.1 owls@lists.game.example is a members-only list; post "
             b"from the address your account verified"),
            ("ann@player.example", "bats@lists.game.example",
             b"5.1.1 No such list here")):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
            send(game, message(to=to, sender=sender), sender=sender,
                 to=[to])
        assert caught.value.recipients[to] == (550, reply)
    assert len(lists.threads(group)) == 1


def test_a_list_unsubscribe_address_stops_that_lists_mail(game):
    from imaginary.mail import listmail
    group = _owls(game)
    record = game.store.transact(
        lambda: listmail.subscription(group, game.bob))
    game.store.transact(lambda: setattr(record, "mail", True))
    send(game, message(), to=[f"unsubscribe+{record.token}@game.example"])
    assert record.mail is False
    assert mailbox(game.alice) == []


def test_a_member_cannot_post_as_another_by_their_from(game):
    from imaginary.accounts import findAccount
    from imaginary.mail import lists
    group = _owls(game)
    game.store.transact(lambda: accountmail.AccountEmail(
        store=game.store, account=findAccount(game.store, "alice"),
        address="alice@player.example", verified=True))
    # Bob's envelope, Alice's address in From: the post is Bob's.
    send(game, message(subject="Forged", to="owls@lists.game.example",
                       sender="alice@player.example"),
         sender="ann@player.example", to=["owls@lists.game.example"])
    [[entry]] = lists.threads(group)
    assert (entry.author, entry.authorCharacter) == ("Bob", game.bob)


def test_stop_from_a_player_texted_by_mail_switches_that_route_off(game):
    from imaginary.accounts import findAccount
    from imaginary.mail import outbound
    from imaginary.notify import api as notifyAPI, model as notifyModel
    account = findAccount(game.store, "bob")

    def texted():
        code = accountmail.setAddress(account, "bob@player.example")
        accountmail.verify(account, code)
        settings = notifyModel.settingsOf(account, create=True)
        settings.enabled = True
        settings.routes = "email"
        # A relay, so the answer can be queued (nothing sends it here).
        model.settings(game.store).relayHost = "127.0.0.1"
        model.settings(game.store).relayPort = 9
        return notifyAPI.notify(game.alice, account, "The gate, at dusk.")
    game.store.transact(texted)
    # Anyone else's "stop", or Bob's words other than "stop", is mail.
    send(game, message(body="stop"))
    send(game, message(body="Stop by the inn first?"),
         sender="bob@player.example")
    assert [m.body for m in mailbox(game.alice)] == [
        "stop", "Stop by the inn first?"]
    assert "email" not in notifyModel.settingsOf(account).stopped
    send(game, message(subject="Re: A text from Alice", body="STOP\n\n> x"),
         sender="bob@player.example")
    assert len(mailbox(game.alice)) == 2
    assert "email" in notifyModel.settingsOf(account).stopped
    [answer] = [m for m in outbound.pending(game.store)
                if m.subject == "Texts by email are off"]
    assert answer.rcptTo == "bob@player.example"
    assert b"account notify on email" in answer.message
