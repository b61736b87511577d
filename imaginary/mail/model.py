"""
Mailboxes, messages, the game's mail settings, and addresses.

Every character has a mailbox (made when first needed) whose messages are
numbered from 1 in the order they arrived; a number never changes, so
"mail read 3" means the same message after others are deleted.  A message
keeps who sent it (a character, or an outside address), its subject, body,
date, whether it is unread, its Message-ID and the one it answers, so a
reply from a real mail client threads back to the game's original.

A character's address is its name key (imaginary.accounts.nameKey: case
folded, accents and look-alikes merged) made into an ASCII local part at
the operator's domain: "Zoë Brown" is zoe.brown@game.example.  A name in
another script becomes an "xn--" local part (punycode, as IDNA does for
domain names), since twisted.mail speaks no SMTPUTF8.  The operator may
add aliases (C{imaginary mail --alias postmaster=Alice}).

Everything here runs inside the caller's transaction.
"""

import re

from epsilon.extime import Time

from imaginary.accounts import AccountCharacter, nameKey
from imaginary.interfaces import IActor
from imaginary.simulation.events import Event
from imaginary.simulation.thing import Thing
from imaginary.store import (
    AND, CASCADE, NULLIFY, Item, boolean, compoundIndex, integer, reference,
    text, timestamp)

DEFAULT_DOMAIN = "imaginary.invalid"    # .invalid: never routable (RFC 2606)
MAX_MESSAGES = 500          # kept per mailbox; more mail is refused
MAX_BODY = 64 * 1024        # characters of body kept per message
MAX_SUBJECT = 200
# Quotient's table: 5 x 1 min, 5 x 5 min, 3 x 30 min, 2 x 2 h, 19 x 6 h,
# about five days in all; after the last, the message bounces.
RETRY_DELAYS = [60] * 5 + [300] * 5 + [1800] * 3 + [7200] * 2 + [21600] * 19
_LOCAL = re.compile(r"[a-z0-9][a-z0-9.+-]{0,63}\Z")


class MailSettings(Item):
    """
    The operator's mail configuration (one per store; see
    docs/operating.md): the domain, the relay outbound mail goes through,
    DKIM, who may be mailed, and the limits.
    """

    typeName = "imaginary_mail_settings"
    schemaVersion = 1

    domain = text(default=DEFAULT_DOMAIN, allowNone=False)
    relayHost = text(default=None)      # None: mail stays in the game
    relayPort = integer(default=587, allowNone=False)
    # "starttls" (required, the default), "tls" (implicit TLS, port 465)
    # or "plain" (no TLS: only for a relay on loopback).
    relaySecurity = text(default="starttls", allowNone=False)
    # A PEM file of the CA that signed the relay's certificate, for a
    # relay with a private CA; otherwise the system's trusted roots.
    relayCAFile = text(default=None)
    relayUser = text(default=None)
    relayPasswordFile = text(default=None)
    dkimSelector = text(default=None)
    dkimKeyFile = text(default=None)
    # Whether characters may mail addresses no account has verified.
    allowOutside = boolean(default=False, allowNone=False)
    # The web front end's public address ("https://game.example"), for
    # one-click unsubscribe links (RFC 8058); None: mailto only.
    webURL = text(default=None)
    perHour = integer(default=20, allowNone=False)      # per character
    accountPerHour = integer(default=40, allowNone=False)
    # Seconds between tries, comma separated (tests shorten them).
    retryDelays = text(default=None)
    # Seconds an attempt may take before it is given up and retried.
    attemptTimeout = integer(default=120, allowNone=False)

    def delays(self):
        """The retry delays in seconds, one per retry."""
        if not self.retryDelays:
            return list(RETRY_DELAYS)
        return [float(d) for d in self.retryDelays.split(",") if d.strip()]

    def relayPassword(self):
        """The relay's password (read from its file each time), or None."""
        if not self.relayPasswordFile:
            return None
        with open(self.relayPasswordFile, encoding="utf-8") as f:
            return f.readline().rstrip("\r\n")


def settings(store):
    """The store's MailSettings (made with the defaults if none)."""
    found = store.findFirst(MailSettings)
    if found is None:
        found = store.transact(lambda: MailSettings(store=store))
    return found


class MailAlias(Item):
    """An extra address of a character, set by the operator."""

    typeName = "imaginary_mail_alias"
    schemaVersion = 1

    localPart = text(allowNone=False, indexed=True)
    character = reference(reftype=Thing, whenDeleted=CASCADE,
                          allowNone=False)


class Mailbox(Item):
    """A character's mailbox: the counter that numbers its messages."""

    typeName = "imaginary_mailbox"
    schemaVersion = 1

    owner = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    lastNumber = integer(default=0, allowNone=False)

    def messages(self):
        """The messages, in number order."""
        return list(self.store.query(
            MailMessage, MailMessage.mailbox == self,
            sort=MailMessage.number.ascending))

    def message(self, number):
        """Message C{number}, or None."""
        return self.store.findFirst(
            MailMessage, AND(MailMessage.mailbox == self,
                             MailMessage.number == number))

    def unread(self):
        """How many messages are unread."""
        return self.store.query(
            MailMessage, AND(MailMessage.mailbox == self,
                             MailMessage.unread == True)).count()  # noqa


class MailMessage(Item):
    """One message in a mailbox."""

    typeName = "imaginary_mail_message"
    schemaVersion = 1

    mailbox = reference(reftype=Mailbox, whenDeleted=CASCADE,
                        allowNone=False)
    number = integer(allowNone=False)
    sender = text(allowNone=False)          # "Alice" or "ann@example.org"
    senderAddress = text(default=None)      # for replies
    senderCharacter = reference(reftype=Thing, whenDeleted=NULLIFY)
    recipient = text(default="")            # who it was sent to, as shown
    subject = text(default="")
    body = text(default="")
    date = timestamp(defaultFactory=Time, allowNone=False)
    unread = boolean(default=True, allowNone=False)
    messageID = text(allowNone=False, indexed=True)
    inReplyTo = text(default=None)
    references = text(default=None)
    # What the game did to it on the way in ("1 attachment dropped").
    note = text(default=None)
    compoundIndex(mailbox, number)


def mailboxOf(character):
    """C{character}'s Mailbox (made on first use)."""
    store = character.store
    box = store.findFirst(Mailbox, Mailbox.owner == character)
    if box is None:
        box = Mailbox(store=store, owner=character)
    return box


def isCharacter(thing):
    """Whether C{thing} is a character (has a body that acts)."""
    return thing is not None and thing.proper and \
        IActor(thing, None) is not None


def accountOf(character):
    """The Account playing C{character}, or None (an NPC)."""
    link = character.store.findFirst(
        AccountCharacter, AccountCharacter.character == character)
    return link.account if link is not None else None


def localPartOf(name):
    """The ASCII local part for a character called C{name}."""
    key = nameKey(name)
    key = key.replace(" ", ".").replace("'", "")
    if key.isascii():
        return key
    return "xn--" + key.encode("punycode").decode("ascii")


def addressOf(character, domain=None):
    """C{character}'s address, 'zoe.brown@game.example'."""
    if domain is None:
        domain = settings(character.store).domain
    return f"{localPartOf(character.name)}@{domain}"


def splitAddress(address):
    """('local', 'domain') of an address, lowercased; ValueError if bad."""
    local, at, domain = address.strip().strip("<>").rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"'{address}' is not a mail address.")
    return local.lower(), domain.lower().rstrip(".")


def isOurs(store, address):
    """Whether C{address} is at the game's own domain."""
    try:
        return splitAddress(address)[1] == settings(store).domain.lower()
    except ValueError:
        return False


def characterAt(store, address):
    """The character an address at our domain names, or None."""
    try:
        local, domain = splitAddress(address)
    except ValueError:
        return None
    if domain != settings(store).domain.lower():
        return None
    # "alice+anything" reaches alice, as mail systems usually allow.
    local = local.split("+", 1)[0] if not local.startswith("xn--") \
        else local
    alias = store.findFirst(MailAlias, MailAlias.localPart == local)
    if alias is not None:
        return alias.character
    return characterNamed(store, local, byLocalPart=True)


def characterNamed(store, name, byLocalPart=False):
    """The character called C{name} (compared by name key), or None."""
    key = nameKey(name)
    for thing in store.query(Thing, Thing.proper == True):  # noqa: E712
        if byLocalPart:
            found = localPartOf(thing.name) == name
        else:
            found = nameKey(thing.name) == key
        if found and isCharacter(thing):
            return thing
    return None


def addAlias(store, localPart, character):
    """Give C{character} the extra address C{localPart}@domain."""
    localPart = localPart.lower()
    if not _LOCAL.match(localPart):
        raise ValueError(f"'{localPart}' is not a usable local part.")
    store.query(MailAlias, MailAlias.localPart == localPart).deleteFromStore()
    return MailAlias(store=store, localPart=localPart, character=character)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def clean(value, oneLine=False):
    """
    C{value} without control characters (the store refuses NUL, and a
    terminal must not get escapes from a stranger's mail); None stays.
    """
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if oneLine:
        value = " ".join(value.split())
    return _CONTROL.sub("\ufffd", value)


class MailboxFull(Exception):
    """The recipient's mailbox holds MAX_MESSAGES already."""


def deliver(character, sender, subject, body, messageID, senderAddress=None,
            senderCharacter=None, recipient="", inReplyTo=None,
            references=None, note=None, date=None):
    """
    Put a message in C{character}'s mailbox and tell the character if it
    is in play (after the transaction commits, as events are).  A message
    whose Message-ID is there already is not stored again (a mail client
    or relay that sent it twice); the existing one is returned.
    """
    store = character.store
    box = mailboxOf(character)
    messageID = clean(messageID, True)
    existing = store.findFirst(
        MailMessage, AND(MailMessage.mailbox == box,
                         MailMessage.messageID == messageID))
    if existing is not None:
        return existing
    if store.query(MailMessage, MailMessage.mailbox == box).count() >= \
            MAX_MESSAGES:
        raise MailboxFull(f"{character.name}'s mailbox is full.")
    box.lastNumber += 1
    message = MailMessage(
        store=store, mailbox=box, number=box.lastNumber,
        sender=clean(sender, True)[:200],
        senderAddress=clean(senderAddress, True),
        senderCharacter=senderCharacter, recipient=clean(recipient, True),
        subject=clean(subject or "", True)[:MAX_SUBJECT],
        body=clean(body or "")[:MAX_BODY], messageID=clean(messageID, True),
        inReplyTo=clean(inReplyTo, True),
        references=clean(references, True), note=clean(note, True),
        date=date if date is not None else Time())
    Event(location=None, actor=character,
          actorMessage=f"You have new mail from {sender}: "
                       f"'{message.subject}' (type 'mail read "
                       f"{message.number}').",
          data={"mail": {"number": message.number, "from": sender,
                         "subject": message.subject}}).broadcast()
    return message


def unreadNotice(character):
    """'You have 2 unread messages...' for a login, or None."""
    box = character.store.findFirst(Mailbox, Mailbox.owner == character)
    count = box.unread() if box is not None else 0
    if not count:
        return None
    return (f"You have {count} unread mail message"
            f"{'s' if count != 1 else ''}; type 'mail' to see "
            f"{'them' if count != 1 else 'it'}.")


def findByMessageID(store, messageID):
    """The MailMessages with this Message-ID (every mailbox's copy)."""
    return list(store.query(MailMessage, MailMessage.messageID == messageID))
