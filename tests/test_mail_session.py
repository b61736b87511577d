"""
Mail through the session layer: the body typed on the lines after the
command (CharacterSession.divertInput), unread mail told on arrival, and
the account's address verified by a mailed code.
"""

import email
import email.policy
import re

from imaginary.mail import accountmail, model, outbound

from sessionkit import fastHashes, newAccount, server, settle  # noqa
from test_session_character import played


def lines(frontEnd):
    return [line for line in frontEnd.take() if not line.startswith(
        "PROMPT")]


def test_multi_line_body_ends_with_a_dot(server):
    _, bobFront, bob = played(server, "bob", "Bob")
    _, front, alice = played(server)
    front.take()
    bobFront.take()
    alice.submitNow("mail send bob Supper plans")
    assert lines(front)[-1] == ("Type the message; a line holding only '.' "
                                "sends it, '~q' abandons it.")
    for line in ("Dear Bob,", "", "mail read 3", "look", "."):
        alice.submitNow(line)
    assert lines(front) == ["You send your mail 'Supper plans' to Bob."]
    box = model.mailboxOf(bob.character)
    assert box.message(1).body == "Dear Bob,\n\nmail read 3\nlook"
    assert lines(bobFront) == [
        "You have new mail from Alice: 'Supper plans' (type 'mail read 1')."]
    # After the dot, lines are commands again.
    alice.submitNow("mail send bob Second")
    alice.submitNow("never mind")
    alice.submitNow("~q")
    alice.submitNow("mail")
    out = lines(front)
    assert out[1:] == ["Mail abandoned.", "Your mailbox is empty."]
    assert len(box.messages()) == 1


def test_unread_mail_is_told_on_arrival(server):
    _, bobFront, bob = played(server, "bob", "Bob")
    _, front, alice = played(server)
    alice.submitNow("mail send bob One = x")
    alice.submitNow("mail send bob Two = y")
    bob.detach()
    settle()
    _, again, bob = played(server, "bob", "Bob")
    assert "You have 2 unread mail messages; type 'mail' to see them." \
        in again.take()


def test_account_email_is_verified_by_a_mailed_code(server):
    store = server.store

    def configure():
        config = model.settings(store)
        config.domain = "game.example"
        config.relayHost = "127.0.0.1"
        config.relayPort = 9            # never tried: no scheduler runs
    store.transact(configure)
    _, front, alice = played(server)
    front.take()
    alice.submitNow("account email")
    assert lines(front) == ["Your account has no address; 'account email "
                            "<address>' adds one."]
    alice.submitNow("account email not-an-address")
    assert lines(front) == [
        "'not-an-address' is not a mail address I can use."]
    alice.submitNow("account email alice@player.example")
    assert lines(front) == ["A code is on its way to alice@player.example; "
                            "type 'account verify <code>' when it arrives."]
    [queued] = outbound.pending(store)
    assert queued.rcptTo == "alice@player.example"
    assert queued.mailFrom == "alice@game.example"
    message = email.message_from_bytes(queued.message,
                                       policy=email.policy.default)
    code = re.search(r"account verify (\d{6})",
                     message.get_content()).group(1)
    account = model.accountOf(alice.character)
    assert accountmail.verifiedAddress(account) is None
    alice.submitNow("account verify 000000" if code != "000000"
                    else "account verify 111111")
    assert lines(front) == ["That code is wrong or has expired; 'account "
                            "email <address>' sends a new one."]
    alice.submitNow(f"account verify {code}")
    assert lines(front) == ["Your address alice@player.example is "
                            "verified."]
    assert accountmail.verifiedAddress(account) == "alice@player.example"
    alice.submitNow(f"account verify {code}")        # works once
    assert lines(front) == ["That code is wrong or has expired; 'account "
                            "email <address>' sends a new one."]
    alice.submitNow("account email forward off")
    assert lines(front) == ["Game mail to alice@player.example is now off."]
    alice.submitNow("account email")
    assert lines(front) == ["Your address is alice@player.example "
                            "(verified); game mail to it is off."]


def test_over_a_line_dialogue_the_body_keeps_blank_and_quit_lines(server):
    from test_session_dialogue import connect, typed, until
    _, bobFront, bob = played(server, "bob", "Bob")
    newAccount(server, "alice")
    frontEnd, dialogue = connect(server)
    typed(dialogue, "alice", "secret99", "create Alice female")
    until(frontEnd, "You are Alice.")
    typed(dialogue, "mail send bob Plans", "First line.", "",
          "quit worrying", "password is not a command here", ".")
    until(frontEnd, "You send your mail 'Plans' to Bob.")
    assert not frontEnd.disconnected
    assert model.mailboxOf(bob.character).message(1).body == (
        "First line.\n\nquit worrying\npassword is not a command here")
