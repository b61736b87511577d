"""
Mail verbs: the in-game mailbox, and the account's real address.

The verbs::

    mail                              the list (number, from, date, subject)
    mail read N
    mail send <to> <subject> = <body> one line
    mail send <to> <subject>          then the body, ending with a '.' line
    mail reply N [= <body>]           to the sender, threaded
    mail forward N <to> [= <note>]
    mail delete N
    account email <address>           mails a code to the address
    account verify <code>             the code, typed in the game
    account email forward on|off      whether game mail reaches it
    account email                     the address and its state
    account notify ...                texts from characters (notify.py)

<to> is a character's name (one word) or an address: name@ the game's
domain stays in the game; an outside address is mailed through the
operator's relay if it may be (imaginary/mail/api.py).

The multi-line form needs a session that can hand the following lines to
the verb (C{divertInput}, imaginary/session/character.py); a context
without one (an NPC) is told to use the one-line form.
"""

import time

from imaginary.language import columns
from imaginary.mail import accountmail, api, model, outbound
from imaginary.mail.outbound import MailRefused
from imaginary.simulation.events import runEventTransaction
from imaginary.simulation.failure import ActionFailure

from .base import Verb

MAX_LINES = 1000            # body lines typed in the multi-line form
END = "."
ABANDON = "~q"

USAGE = ("Usage: mail; mail read <n>; mail send <to> <subject> [= <body>]; "
         "mail reply <n> [= <body>]; mail forward <n> <to> [= <note>]; "
         "mail delete <n>.")


def _refused(text):
    return ActionFailure.simple(text)


def _when(stamp):
    return time.strftime("%Y-%m-%d %H:%M",
                         time.gmtime(stamp.asPOSIXTimestamp()))


# The mailbox listing: a subject gets what its line leaves of the
# player's window, and is cut short with "..." past it (as a mail
# client's index does; 'mail read N' shows it whole), so a long one does
# not wrap under the dates.  Never less than this:
SUBJECT_COLUMNS = 12
SENDER_COLUMNS = 24


def _shortened(text, room):
    if columns(text) <= room:
        return text
    kept, used = [], 0
    for c in text:
        used += columns(c)
        if used > room - 3:
            break
        kept.append(c)
    return "".join(kept).rstrip() + "..."


def _number(context, word):
    if not word or not word.isdigit():
        raise _refused("Which message? Give its number ('mail' lists "
                       "them).")
    message = model.mailboxOf(context.actor).message(int(word))
    if message is None:
        raise _refused(f"You have no message {word}.")
    return message


def _send(context, to, subject, body, **thread):
    try:
        said = api.send(context.actor, to, subject, body, **thread)
    except MailRefused as e:
        raise _refused(str(e))
    context.tell(said)


def _replySubject(subject):
    return subject if subject.lower().startswith("re:") else \
        f"Re: {subject}"


class _Body:
    """Collects a body typed line by line, then sends it."""

    def __init__(self, context, send, what):
        self.context = context
        self.send = send
        self.lines = []
        context.tell(f"Type the {what}; a line holding only '{END}' sends "
                     f"it, '{ABANDON}' abandons it.")

    def __call__(self, line):
        """One typed line; False once the body is finished."""
        line = line.rstrip("\r\n")
        if line.strip() == ABANDON:
            self.context.tell("Mail abandoned.")
            return False
        if line.strip() != END:
            if len(self.lines) >= MAX_LINES:
                self.context.tell(f"That is {MAX_LINES} lines, the most a "
                                  f"message holds; '{END}' sends it.")
            else:
                self.lines.append(line)
            return True
        body = "\n".join(self.lines)
        try:
            runEventTransaction(self.context.store, self.send, body)
        except ActionFailure as failure:
            self.context.tell(str(failure))
        return False


def _collect(context, send, what="message"):
    """Read a body from the following lines, or refuse without a session."""
    divert = getattr(context.session, "divertInput", None)
    if divert is None:
        raise _refused("Write it on one line here: put '= <text>' after "
                       "the rest.")
    divert(_Body(context, send, what))


class Mail(Verb):
    """
    mail: your mailbox; mail read|send|reply|forward|delete ... ('mail help'
    for the forms).
    """

    names = ("mail",)
    syntax = ("mail {text}", "mail")

    def run(self, context, text=""):
        """Run the subcommand the first word names (the list if none)."""
        words = text.split(None, 1)
        action = words[0].lower() if words else "list"
        rest = words[1] if len(words) > 1 else ""
        handler = getattr(self, "do_" + action, None)
        if handler is None:
            raise _refused(USAGE)
        handler(context, rest)

    def do_help(self, context, rest):
        """What the mail subcommands are."""
        context.tell(USAGE + f" Your address is "
                     f"{model.addressOf(context.actor)}.")

    def do_list(self, context, rest):
        """List the mailbox: number, from, subject, date, unread mark."""
        box = model.mailboxOf(context.actor)
        messages = box.messages()
        if not messages:
            context.tell("Your mailbox is empty.")
            return
        unread = sum(1 for m in messages if m.unread)
        lines = [f"Your mailbox ({len(messages)} message"
                 f"{'s' if len(messages) != 1 else ''}, {unread} unread; "
                 f"times UTC):"]
        senders = [_shortened(m.sender, SENDER_COLUMNS) for m in messages]
        senderColumns = max(map(columns, senders))
        # " *  1  2026-12-01 10:00  Alice  " before the subject, and one
        # column spare (a line filling the window makes some clients
        # start the next one blank).
        room = max(SUBJECT_COLUMNS,
                   context.screenWidth() - 1 - (25 + senderColumns + 2))
        for m, sender in zip(messages, senders):
            mark = "*" if m.unread else " "
            pad = " " * (senderColumns - columns(sender))
            lines.append(f" {mark}{m.number:>3}  {_when(m.date)}  "
                         f"{sender}{pad}  "
                         f"{_shortened(m.subject or '(none)', room)}")
        context.tell("\n".join(lines))

    def do_read(self, context, rest):
        """Show message N (and mark it read)."""
        message = _number(context, rest.strip())
        message.unread = False
        sender = message.sender
        if message.senderAddress:
            sender += f" <{message.senderAddress}>"
        lines = [f"Message {message.number} from {sender}",
                 f"Date: {_when(message.date)} UTC",
                 f"Subject: {message.subject or '(none)'}"]
        if message.inReplyTo:
            original = [m for m in model.findByMessageID(
                context.store, message.inReplyTo)
                if m.mailbox.owner is context.actor]
            sent = context.store.findFirst(
                outbound.OutboundMail,
                outbound.OutboundMail.messageID == message.inReplyTo)
            if original:
                lines.append(f"(A reply to message {original[0].number}, "
                             f"'{original[0].subject}'.)")
            elif sent is not None and \
                    sent.senderCharacter is context.actor:
                lines.append(f"(A reply to your mail '{sent.subject}' to "
                             f"{sent.rcptTo}.)")
        if message.note:
            lines.append(f"({message.note}.)")
        lines.append("")
        lines.extend(message.body.split("\n"))
        context.tell("\n".join(lines))

    def do_send(self, context, rest):
        """Send: one line with " = body", or the body on following lines."""
        to, _, rest = rest.strip().partition(" ")
        if not to:
            raise _refused("Usage: mail send <to> <subject> [= <body>]")
        subject, equals, body = rest.partition("=")
        subject = subject.strip()
        if not subject:
            raise _refused("What is it about? mail send <to> <subject> "
                           "[= <body>]")
        length = len(model.clean(subject, True))
        if length > model.MAX_SUBJECT:
            # Refused, not cut short: the mail would arrive with less than
            # was typed.
            raise _refused(f"That subject is too long ({length} characters; "
                           f"at most {model.MAX_SUBJECT}).")
        api.resolve(context.store, to)      # refuse a bad name now
        if equals:
            _send(context, to, subject, body.strip())
        else:
            _collect(context, lambda body: _send(context, to, subject,
                                                 body))

    def do_reply(self, context, rest):
        """Reply to message N, threaded by its Message-ID."""
        number, equals, body = rest.partition("=")
        message = _number(context, number.strip())
        if message.senderCharacter is not None:
            to = message.senderCharacter
        elif message.senderAddress:
            to = message.senderAddress
        else:
            raise _refused(f"Message {message.number} came from the "
                           f"{message.sender}; it can't be answered.")
        references = " ".join(
            (message.references or "").split() + [message.messageID])
        subject = _replySubject(message.subject)

        def reply(body):
            _send(context, to, subject, body,
                  inReplyTo=message.messageID, references=references)
        if equals:
            reply(body.strip())
        else:
            _collect(context, reply, "reply")

    def do_forward(self, context, rest):
        """Forward message N to a character or an address."""
        head, equals, note = rest.partition("=")
        words = head.split()
        if len(words) != 2:
            raise _refused("Usage: mail forward <n> <to> [= <note>]")
        message = _number(context, words[0])
        api.resolve(context.store, words[1])
        quoted = "\n".join([
            "---------- Forwarded message ----------",
            f"From: {message.sender}",
            f"Date: {_when(message.date)} UTC",
            f"Subject: {message.subject}", "", message.body])
        body = (note.strip() + "\n\n" if note.strip() else "") + quoted
        subject = message.subject if message.subject.lower().startswith(
            "fwd:") else f"Fwd: {message.subject}"
        _send(context, words[1], subject, body)

    def do_delete(self, context, rest):
        """Delete message N."""
        message = _number(context, rest.strip())
        number = message.number
        message.deleteFromStore()
        context.tell(f"Message {number} deleted.")


class AccountVerb(Verb):
    """
    account email <address>: your real address (a code is mailed to it);
    account verify <code>; account email forward on|off; account notify: texts
    from characters (help in 'account notify help').
    """

    names = ("account",)
    syntax = ("account {text}", "account")

    def run(self, context, text=""):
        """Run the account subcommand (email, verify, forward)."""
        account = model.accountOf(context.actor)
        if account is None:
            raise _refused("Only a player's character has an account.")
        words = text.split()
        action = words[0].lower() if words else ""
        if action == "verify" and len(words) == 2:
            if accountmail.verify(account, words[1]):
                context.tell(f"Your address "
                             f"{accountmail.emailOf(account).address} is "
                             f"verified.")
                # The email route may be open now for texts that waited.
                from imaginary.notify.api import flush
                flush(context.store, account)
                return
            # The wrong count must stay: not an ActionFailure (rollback).
            context.tell("That code is wrong or has expired; 'account "
                         "email <address>' sends a new one.")
            return
        if action == "notify":
            # Texts from characters: their own module (verbs/notify.py).
            from .notify import accountNotify
            return accountNotify(context, account, words[1:])
        if action != "email":
            raise _refused(self.help)
        args = words[1:]
        record = accountmail.emailOf(account)
        if not args:
            if record is None:
                context.tell("Your account has no address; 'account email "
                             "<address>' adds one.")
            else:
                state = "verified" if record.verified else \
                    "waiting for its code"
                forward = "on" if record.forward else "off"
                context.tell(f"Your address is {record.address} ({state}); "
                             f"game mail to it is {forward}.")
            return
        if args[0].lower() == "forward" and len(args) == 2 and \
                args[1].lower() in ("on", "off"):
            if record is None or not record.verified:
                raise _refused("You have no verified address yet.")
            record.forward = args[1].lower() == "on"
            context.tell(f"Game mail to {record.address} is now "
                         f"{args[1].lower()}.")
            return
        if len(args) != 1:
            raise _refused(self.help)
        self._setAddress(context, account, args[0])

    def _setAddress(self, context, account, address):
        config = model.settings(context.store)
        if not config.relayHost:
            raise _refused("This game sends no mail outside it, so it "
                           "can't check an address.")
        try:
            code = accountmail.setAddress(account, address)
        except ValueError as e:
            raise _refused(str(e))
        record = accountmail.emailOf(account)
        try:
            api.checkRate(context.actor)
            api.queueFrom(
                context.actor, record.address, "Your code",
                f"Your code for {config.domain} is {code}.\n\nType "
                f"'account verify {code}' in the game within 30 minutes. "
                f"If you did not ask for this, ignore this mail.",
                _newID(config))
        except MailRefused as e:
            raise _refused(str(e))
        context.tell(f"A code is on its way to {record.address}; type "
                     f"'account verify <code>' when it arrives.")


def _newID(config):
    from imaginary.mail.compose import newMessageID
    return newMessageID(config.domain)
