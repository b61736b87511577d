"""
Sending mail, for the verbs and for world authors' plugins.

C{send} routes one message from a character: to another character it
stays in the game (the recipient's mailbox); to an outside address it is
queued for the relay (outbound.py), if that address may be mailed.
A group's list address (C{<handle>@lists.<domain>}) is a post to the
list (imaginary/mail/lists.py), for its members only.
C{sendMail} is the plugin API (docs/authoring.md): mail from a character
(an NPC, usually) to a character or an account, delivered in the game and
also to the player's verified address when they take game mail.

Who may be mailed: characters, and addresses some account has verified;
any other outside address only when the operator allows it.  Each
character may send C{perHour} messages an hour, each account
C{accountPerHour} over all its characters (MailSettings).

Call these inside a transaction (a verb's, or C{store.transact}).
"""

from epsilon.extime import Time

from imaginary.accounts import Account
from imaginary.simulation.groups import possessive
from imaginary.store import AND

from . import accountmail, compose, listmail, lists, model, outbound
from .outbound import MailRefused

HOUR = 3600


def _sentLastHour(store, characters):
    since = Time.fromPOSIXTimestamp(Time().asPOSIXTimestamp() - HOUR)
    count = 0
    for character in characters:
        count += store.query(model.MailMessage, AND(
            model.MailMessage.senderCharacter == character,
            model.MailMessage.date > since)).count()
        count += store.query(outbound.OutboundMail, AND(
            outbound.OutboundMail.senderCharacter == character,
            outbound.OutboundMail.created > since)).count()
    return count


def checkRate(sender):
    """Refuse (MailRefused) when C{sender} or its account sent too many."""
    store = sender.store
    config = model.settings(store)
    if _sentLastHour(store, [sender]) >= config.perHour:
        raise MailRefused(f"You have sent {config.perHour} messages in the "
                          f"last hour, the most allowed; try again later.")
    account = model.accountOf(sender)
    if account is not None and _sentLastHour(
            store, account.characters()) >= config.accountPerHour:
        raise MailRefused(f"Your account has sent {config.accountPerHour} "
                          f"messages in the last hour, the most allowed; "
                          f"try again later.")


def resolve(store, to):
    """
    What C{to} (a name or an address) names: ('character', thing),
    ('list', group) or ('address', address).  Raises MailRefused when it
    names nobody.
    """
    to = to.strip().strip("<>")
    if "@" in to and listmail.isListAddress(store, to):
        group = listmail.groupAt(store, to)
        if group is None:
            raise MailRefused(f"There is no list with the address {to}.")
        return "list", group
    if "@" in to:
        character = model.characterAt(store, to)
        if character is not None:
            return "character", character
        if model.isOurs(store, to):
            raise MailRefused(f"Nobody here has the address {to}.")
        try:
            return "address", accountmail.checkAddress(to)
        except ValueError as e:
            raise MailRefused(str(e))
    character = model.characterNamed(store, to)
    if character is None:
        raise MailRefused(f"There is no character called '{to}'.")
    return "character", character


def mayMail(store, address):
    """Whether a character may mail the outside address C{address}."""
    return model.settings(store).allowOutside or \
        accountmail.isVerifiedAnywhere(store, address)


def send(sender, to, subject, body, inReplyTo=None, references=None):
    """
    Send from character C{sender} to C{to} (a character, or a name or
    address as typed).  Returns a sentence saying what happened.
    """
    store = sender.store
    if isinstance(to, str):
        kind, target = resolve(store, to)
    else:
        kind, target = "character", to
    if kind == "list":
        # Anyone with a mailbox may try the address: members only.
        entry = lists.post(target, sender, subject, body,
                           inReplyTo=inReplyTo, references=references,
                           requireMember=True)
        return (f"You post '{entry.subject}' to "
                f"{possessive(target.name)} list "
                f"({lists.listAddress(target, model.settings(store).domain)}"
                f").")
    checkRate(sender)
    config = model.settings(store)
    messageID = compose.newMessageID(config.domain)
    if kind == "character":
        model.deliver(target, sender.name, subject, body, messageID,
                      senderAddress=model.addressOf(sender, config.domain),
                      senderCharacter=sender, recipient=target.name,
                      inReplyTo=inReplyTo, references=references)
        return f"You send your mail '{subject}' to {target.name}."
    if not mayMail(store, target):
        raise MailRefused(f"You may mail only characters and players' "
                          f"verified addresses; {target} is neither.")
    queueFrom(sender, target, subject, body, messageID,
              inReplyTo=inReplyTo, references=references)
    return (f"Your mail '{subject}' to {target} is on its way; you will "
            f"find word of its delivery in your mailbox.")


def queueFrom(sender, address, subject, body, messageID, inReplyTo=None,
              references=None, unsubscribe=None, unsubscribeURL=None):
    """Build and queue one message from C{sender} to C{address}."""
    store = sender.store
    config = model.settings(store)
    fromAddress = model.addressOf(sender, config.domain)
    message = compose.build(sender.name, fromAddress, address, subject,
                            body, messageID, inReplyTo=inReplyTo,
                            references=references, unsubscribe=unsubscribe,
                            unsubscribeURL=unsubscribeURL)
    return outbound.queue(store, fromAddress, address,
                          compose.toBytes(message), messageID, subject,
                          senderCharacter=sender,
                          account=model.accountOf(sender))


def unsubscribeURL(config, record):
    """The one-click unsubscribe address for C{record}, or None."""
    if not config.webURL:
        return None
    return f"{config.webURL.rstrip('/')}/unsubscribe/" \
        f"{record.unsubscribeToken}"


def sendMail(fromCharacter, toCharacterOrAccount, subject, body):
    """
    The plugin API: mail from C{fromCharacter} to a character or an
    Account.  A character gets it in its mailbox; the player behind it
    (or the Account given) also gets it at their verified address when
    they take game mail, with a one-click unsubscribe address.  Queued in
    the caller's transaction; returns the Message-ID.  Raises MailRefused
    when the rate limit is reached or nobody could be reached.
    """
    store = fromCharacter.store
    config = model.settings(store)
    checkRate(fromCharacter)
    messageID = compose.newMessageID(config.domain)
    target = toCharacterOrAccount
    if isinstance(target, Account):
        account = target
        characters = account.characters()
        character = characters[0] if characters else None
    else:
        account = model.accountOf(target)
        character = target
    reached = False
    if character is not None:
        model.deliver(character, fromCharacter.name, subject, body,
                      messageID,
                      senderAddress=model.addressOf(fromCharacter,
                                                    config.domain),
                      senderCharacter=fromCharacter,
                      recipient=character.name)
        reached = True
    record = accountmail.emailOf(account) if account is not None else None
    if record is not None and record.verified and record.forward and \
            config.relayHost:
        queueFrom(fromCharacter, record.address, subject, body, messageID,
                  unsubscribe=f"unsubscribe+{record.unsubscribeToken}@"
                              f"{config.domain}",
                  unsubscribeURL=unsubscribeURL(config, record))
        reached = True
    if not reached:
        raise MailRefused("That account has no character and no verified "
                          "address to mail.")
    return messageID


def systemMail(store, address, subject, body):
    """
    Queue mail from the game itself (noreply@ the domain) to C{address}:
    codes for verification and password resets.  No character is told
    the outcome.
    """
    config = model.settings(store)
    fromAddress = f"noreply@{config.domain}"
    messageID = compose.newMessageID(config.domain)
    message = compose.build(config.domain, fromAddress, address, subject,
                            body, messageID)
    return outbound.queue(store, fromAddress, address,
                          compose.toBytes(message), messageID, subject)
