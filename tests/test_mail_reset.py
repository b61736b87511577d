"""
Password reset by mail from the login prompt (imaginary/session/reset.py):
the code goes to the verified address through a real relay (aiosmtpd),
works once, expires after 30 minutes, and nothing said tells whether an
account exists.
"""

import re

import pytest
from epsilon.extime import Time
from twisted.internet import reactor

from imaginary import accounts
from imaginary.mail import accountmail, model
from imaginary.session import reset
from imaginary.store import IScheduler

from mailkit import Relay, spinUntil, startRelay
from sessionkit import fastHashes, newAccount, server, settle  # noqa: F401
from test_session_dialogue import connect, typed, until


@pytest.fixture
def mailed(server):
    relay = Relay()
    controller = startRelay(relay)

    def configure():
        config = model.settings(server.store)
        config.domain = "game.example"
        config.relayHost = "127.0.0.1"
        config.relayPort = controller.port
        config.relaySecurity = "plain"
    server.store.transact(configure)
    newAccount(server, "alice")
    account = accounts.findAccount(server.store, "alice")

    def verified():
        code = accountmail.setAddress(account, "alice@player.example")
        assert accountmail.verify(account, code)
    server.store.transact(verified)
    IScheduler(server.store).startService(reactor)
    server.relay = relay
    server.account = account
    yield server
    IScheduler(server.store).stopService()
    controller.stop()


def codeIn(relay, n):
    spinUntil(lambda: len(relay.envelopes) >= n)
    text = relay.messages()[n - 1].get_content()
    return re.search(r"The code is (\d{6})", text).group(1)


def test_reset_by_mail_then_log_in_with_the_new_password(mailed):
    frontEnd, dialogue = connect(mailed)
    typed(dialogue, "alice", "wrong-password")
    until(frontEnd, "Forgotten your password? Type 'reset' at the account "
                    "prompt to get a code by mail.")
    typed(dialogue, "reset", "alice")
    until(frontEnd, reset.SENT)
    code = codeIn(mailed.relay, 1)
    [envelope] = mailed.relay.envelopes
    assert envelope.rcpt_tos == ["alice@player.example"]
    assert envelope.mail_from == "noreply@game.example"
    frontEnd.take()
    typed(dialogue, code, "newpass99", "newpass99")
    until(frontEnd, "The password of alice is changed; log in with it now.")
    assert frontEnd.take() == [
        "PROMPT New password (6 or more characters): ",
        "PROMPT Type it again: ",
        "The password of alice is changed; log in with it now.",
        "PROMPT Account name (or 'new'): "]
    assert not frontEnd.hidden
    typed(dialogue, "alice", "newpass99")
    until(frontEnd, "You have no characters yet.")

    # The code worked once; asking again at once sends no second mail.
    frontEnd, dialogue = connect(mailed)
    typed(dialogue, "reset", "alice", code)
    until(frontEnd, "That code is wrong or has expired.")
    settle(0.3)
    assert len(mailed.relay.envelopes) == 1


def test_unknown_accounts_get_the_same_answer_and_no_mail(mailed):
    frontEnd, dialogue = connect(mailed)
    typed(dialogue, "reset", "nobody", "123456")
    until(frontEnd, "That code is wrong or has expired.")
    assert reset.SENT in frontEnd.lines
    settle(0.3)
    assert mailed.relay.envelopes == []


def test_a_code_expires_after_30_minutes_and_guesses_void_it(mailed):
    store, account = mailed.store, mailed.account
    start = Time()
    code = store.transact(accountmail.startReset, account, start)
    later = Time.fromPOSIXTimestamp(start.asPOSIXTimestamp() + 31 * 60)
    assert not store.transact(accountmail.useReset, account, code, later)
    code = store.transact(accountmail.startReset, account, start)
    for _ in range(accountmail.MAX_WRONG):
        assert not store.transact(accountmail.useReset, account, "000000"
                                  if code != "000000" else "111111", start)
    assert not store.transact(accountmail.useReset, account, code, start)


def test_no_reset_without_mail(server):
    frontEnd, dialogue = connect(server)
    typed(dialogue, "reset")
    until(frontEnd, "This game sends no mail, so passwords can't be reset "
                    "by mail; ask its operator.")
