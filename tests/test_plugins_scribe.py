"""
The scribe (plugins/scribe.py), the example of the sendMail plugin API:
a question heard now, a letter in the mailbox later (on the persistent
scheduler), and at the player's verified address when they take mail.
"""

import email.policy
from email import message_from_bytes

from twisted.internet.task import Clock

from imaginary.accounts import AccountCharacter, createAccount, hashPassword
from imaginary.mail import accountmail, api, model, outbound
from imaginary.store import IScheduler
from transcript import Transcript


def test_the_scribe_answers_a_question_by_mail_later():
    import imaginary.plugins.scribe as scribe
    t = Transcript()
    clock = Clock()
    IScheduler(t.store).startService(clock)
    t.check("create scribe named Quill", actor=["You create Quill."])
    t.check("say hello", actor=["You say, 'hello'"],
            observer=["Alice says, 'hello'"])
    t.check("say Quill, where is the key?",
            actor=["You say, 'Quill, where is the key?'",
                   "Quill says, 'I shall look into it, Alice, and write "
                   "to you.'"],
            observer=["Alice says, 'Quill, where is the key?'",
                      "Quill says, 'I shall look into it, Alice, and write "
                      "to you.'"])
    assert model.mailboxOf(t.actor.thing).messages() == []
    clock.advance(scribe.LETTER_SECONDS + 1)
    assert t.actor.output() == [
        "You have new mail from Quill: 'About your question' (type 'mail "
        "read 1')."]
    [letter] = model.mailboxOf(t.actor.thing).messages()
    assert 'You asked me: "Quill, where is the key?"' in letter.body
    assert t.store.query(scribe.ScribeLetter).count() == 0


def test_sendMail_reaches_the_verified_address_of_a_player_who_wants_it():
    t = Transcript()

    def setUp():
        config = model.settings(t.store)
        config.domain = "game.example"
        config.relayHost = "127.0.0.1"      # queued only: no scheduler runs
        account = createAccount(t.store, "bob", hashPassword("secret99", 4))
        AccountCharacter(store=t.store, account=account,
                         character=t.observer.thing)
        code = accountmail.setAddress(account, "bob@player.example")
        accountmail.verify(account, code)
        return account
    account = t.store.transact(setUp)
    t.store.transact(api.sendMail, t.actor.thing, t.observer.thing,
                     "Your quest", "Bring me three apples.")
    [queued] = outbound.pending(t.store)
    assert queued.rcptTo == "bob@player.example"
    message = message_from_bytes(queued.message, policy=email.policy.default)
    assert message["List-Unsubscribe"] == (
        f"<mailto:unsubscribe+{accountmail.emailOf(account).unsubscribeToken}"
        f"@game.example>")
    assert message["From"] == "Alice <alice@game.example>"
    assert [m.subject for m in model.mailboxOf(t.observer.thing).messages()] \
        == ["Your quest"]
    # Opted out: the game mail stays in the game.
    t.store.transact(setattr, accountmail.emailOf(account), "forward", False)
    t.store.transact(api.sendMail, t.actor.thing, account, "Again", "x")
    assert len(outbound.pending(t.store)) == 1
    assert len(model.mailboxOf(t.observer.thing).messages()) == 2
