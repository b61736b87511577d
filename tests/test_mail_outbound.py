"""
Mail leaving the game, against a real relay (aiosmtpd on loopback): the
envelope, headers and UTF-8 body; the outcome in the sender's mailbox;
retries while the relay is down; a 5xx bounces at once; STARTTLS with
AUTH; DKIM signatures that verify.
"""

import base64
import ssl

import pytest
from aiosmtpd.smtp import AuthResult

from imaginary.mail import api, model, outbound
from imaginary.mail.outbound import MailRefused

from mailkit import (
    Game, Relay, rsaKey, selfSignedCertificate, spinFor, spinUntil,
    startRelay)


@pytest.fixture
def relay():
    relay = Relay()
    controller = startRelay(relay)
    relay.port = controller.port
    yield relay
    controller.stop()


@pytest.fixture
def game(relay):
    game = Game(port=relay.port)
    yield game
    game.close()


def send(game, to, subject, body, **kw):
    return game.store.transact(api.send, game.alice, to, subject, body, **kw)


def states(game):
    return [m.state for m in game.store.query(outbound.OutboundMail)]


def notices(character):
    return [(m.sender, m.subject) for m in
            model.mailboxOf(character).messages()]


def test_a_message_arrives_with_envelope_headers_and_utf8_body(game, relay):
    said = send(game, "ann@player.example", "Grüße aus dem Spiel",
                "Ünïcödé body — with a dash.\nSecond line.")
    assert said.startswith("Your mail 'Grüße aus dem Spiel' to "
                           "ann@player.example is on its way")
    spinUntil(lambda: states(game) == ["sent"])
    [envelope] = relay.envelopes
    assert envelope.mail_from == "alice@game.example"
    assert envelope.rcpt_tos == ["ann@player.example"]
    raw = envelope.original_content
    assert raw.isascii()            # RFC 2047 and a transfer encoding
    [message] = relay.messages()
    assert message["From"] == "Alice <alice@game.example>"
    assert message["To"] == "ann@player.example"
    assert message["Subject"] == "Grüße aus dem Spiel"
    assert message["Message-ID"].endswith("@game.example>")
    assert message.get_content().replace("\r\n", "\n") == (
        "Ünïcödé body — with a dash.\n"
                                     "Second line.\n")
    assert notices(game.alice) == [
        ("Mail system", "Sent: Grüße aus dem Spiel")]


def test_a_reply_carries_in_reply_to_and_references(game, relay):
    send(game, "ann@player.example", "Re: hello", "yes",
         inReplyTo="<orig@player.example>",
         references="<first@player.example>")
    spinUntil(lambda: states(game) == ["sent"])
    [message] = relay.messages()
    assert message["In-Reply-To"] == "<orig@player.example>"
    assert message["References"] == ("<first@player.example> "
                                     "<orig@player.example>")


def test_relay_down_then_up_is_retried_and_delivered_once(relay):
    from liveserver import freePort
    port = freePort()
    game = Game(port=port)
    try:
        send(game, "ann@player.example", "Patience", "later")
        spinUntil(lambda: states(game) == ["queued"] and
                  game.store.findFirst(outbound.OutboundMail).tries == 1)
        item = game.store.findFirst(outbound.OutboundMail)
        assert "could not reach the relay" in item.lastReply
        assert notices(game.alice) == [("Mail system", "Retrying: Patience")]
        spinUntil(lambda: item.tries >= 3)      # still down: tried again
        second = Relay()
        controller = startRelay(second, port=port)
        try:
            spinUntil(lambda: states(game) == ["sent"], timeout=15)
            spinFor(1.0)
            assert len(second.envelopes) == 1
        finally:
            controller.stop()
    finally:
        game.close()


def test_gives_up_after_the_last_retry(relay):
    from liveserver import freePort
    game = Game(port=freePort(), retryDelays="0.1")
    try:
        send(game, "ann@player.example", "Nowhere", "x")
        spinUntil(lambda: states(game) == ["bounced"])
        assert notices(game.alice)[-1] == ("Mail system", "Bounced: Nowhere")
        body = model.mailboxOf(game.alice).messages()[-1].body
        assert "could not be delivered after 2 tries" in body
    finally:
        game.close()


def test_a_5xx_bounces_at_once_with_the_relays_words(game, relay):
    relay.rcptReply = "550 5.1.1 No such mailbox here"
    send(game, "nobody@player.example", "Lost", "x")
    spinUntil(lambda: states(game) == ["bounced"])
    item = game.store.findFirst(outbound.OutboundMail)
    assert item.tries == 1
    [bounce] = model.mailboxOf(game.alice).messages()
    assert bounce.subject == "Bounced: Lost"
    assert "550" in bounce.body and "No such mailbox here" in bounce.body
    assert relay.envelopes == []


def test_a_4xx_at_rcpt_is_retried(game, relay):
    relay.rcptReply = "450 4.2.1 Mailbox busy"
    send(game, "ann@player.example", "Busy", "x")
    item = game.store.findFirst(outbound.OutboundMail)
    spinUntil(lambda: item.tries == 1 and item.state == "queued")
    assert item.lastReply == "450 4.2.1 Mailbox busy"
    relay.rcptReply = None
    spinUntil(lambda: item.state == "sent")


def test_a_4xx_is_retried(game, relay):
    relay.dataReply = "451 4.3.0 Try again later"
    send(game, "ann@player.example", "Busy", "x")
    item = game.store.findFirst(outbound.OutboundMail)
    spinUntil(lambda: item.tries == 1 and item.state == "queued")
    assert "451" in item.lastReply
    relay.dataReply = None
    spinUntil(lambda: item.state == "sent")
    assert len(relay.envelopes) == 1


def test_who_may_be_mailed(game, relay):
    game.store.transact(lambda: setattr(model.settings(game.store),
                                        "allowOutside", False))
    with pytest.raises(MailRefused, match="verified addresses"):
        send(game, "stranger@player.example", "Hi", "x")
    from imaginary.accounts import createAccount, hashPassword
    from imaginary.mail import accountmail
    account = createAccount(game.store, "ann", hashPassword("secret99", 4))

    def verified():
        code = accountmail.setAddress(account, "Ann@Player.example")
        assert accountmail.verify(account, code)
    game.store.transact(verified)
    send(game, "ann@player.example", "Hi", "x")
    spinUntil(lambda: states(game) == ["sent"])


def test_no_relay_keeps_mail_in_the_game():
    game = Game(relayHost=None)
    try:
        with pytest.raises(MailRefused, match="no relay is configured"):
            send(game, "ann@player.example", "Hi", "x")
        assert send(game, "bob@game.example", "Hi", "x") == \
            "You send your mail 'Hi' to Bob."
    finally:
        game.close()


def test_starttls_and_auth_by_default(tmp_path):
    certificate, key = selfSignedCertificate()
    (tmp_path / "cert.pem").write_bytes(certificate)
    (tmp_path / "key.pem").write_bytes(key)
    (tmp_path / "password").write_text("s3cret\n")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    relay = Relay()

    def authenticator(server, session, envelope, mechanism, secret):
        relay.logins.append((mechanism, secret.login, secret.password,
                             session.ssl is not None))
        ok = secret.login == b"game" and secret.password == b"s3cret"
        return AuthResult(success=ok)
    controller = startRelay(relay, tls_context=context, require_starttls=True,
                            auth_required=True, authenticator=authenticator)
    game = Game(port=controller.port, relaySecurity="starttls",
                relayUser="game", relayPasswordFile=str(tmp_path / "password"),
                relayCAFile=str(tmp_path / "cert.pem"))
    try:
        send(game, "ann@player.example", "Secure", "over TLS")
        spinUntil(lambda: states(game) in (["sent"], ["bounced"]))
        assert states(game) == ["sent"], \
            game.store.findFirst(outbound.OutboundMail).lastReply
        assert [login[1:] for login in relay.logins] == \
            [(b"game", b"s3cret", True)]
        assert len(relay.envelopes) == 1
    finally:
        game.close()
        controller.stop()


def test_starttls_required_is_not_given_up_for_plain(game, relay):
    # The relay offers no STARTTLS: the message waits, never goes plain.
    game.store.transact(lambda: setattr(model.settings(game.store),
                                        "relaySecurity", "starttls"))
    send(game, "ann@player.example", "Secret", "x")
    item = game.store.findFirst(outbound.OutboundMail)
    spinUntil(lambda: item.tries == 1 and item.state == "queued")
    assert relay.envelopes == []


def test_dkim_signature_verifies(tmp_path, game, relay):
    import dkim
    from cryptography.hazmat.primitives import serialization
    key, pem = rsaKey()
    (tmp_path / "dkim.pem").write_bytes(pem)

    def configure():
        config = model.settings(game.store)
        config.dkimSelector = "game2026"
        config.dkimKeyFile = str(tmp_path / "dkim.pem")
    game.store.transact(configure)
    send(game, "ann@player.example", "Signed — ✓", "Body\nwith lines\n")
    spinUntil(lambda: states(game) == ["sent"])
    raw = relay.envelopes[0].original_content
    assert raw.startswith(b"DKIM-Signature:")
    public = key.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name, timeout=5):
        assert name == b"game2026._domainkey.game.example."
        return record
    assert dkim.verify(raw, dnsfunc=dns)
    assert not dkim.verify(raw.replace(b"Body", b"B0dy"), dnsfunc=dns)


def test_rate_limit_counts_outbound_mail(game, relay):
    game.store.transact(lambda: setattr(model.settings(game.store),
                                        "perHour", 2))
    send(game, "ann@player.example", "1", "x")
    send(game, "bob", "2", "x")
    with pytest.raises(MailRefused, match="sent 2 messages in the last hour"):
        send(game, "ann@player.example", "3", "x")


def test_an_unusable_setting_fails_the_try_and_is_retried(game, relay,
                                                          tmp_path):
    game.store.transact(lambda: setattr(
        model.settings(game.store), "relayPasswordFile",
        str(tmp_path / "missing")) or setattr(
        model.settings(game.store), "relayUser", "game"))
    send(game, "ann@player.example", "Waiting", "x")
    item = game.store.findFirst(outbound.OutboundMail)
    spinUntil(lambda: item.tries == 1 and item.state == "queued")
    assert "No such file" in item.lastReply
    game.store.transact(lambda: setattr(model.settings(game.store),
                                        "relayUser", None))
    spinUntil(lambda: item.state == "sent")
