"""
A group's list as mail: its address, who gets it where, and the copy that
goes to a member's real inbox.

Every member of a group gets each post in the game's mailbox.  A member
who turned list mail on (C{group mail on}: a L{ListSubscription}) gets it
at their account's verified address as well, through the outbound queue
(imaginary/mail/outbound.py), one copy per member: each carries the
member's own one-click unsubscribe token.  The copy is built here
(L{buildCopy}) with the headers of RFC 2369 and 2919 (List-Id, List-Post,
List-Archive when the game has a public web address, List-Unsubscribe with
a mailto and, with a web address, the one-click URL of RFC 8058), the
subject tagged C{[handle]} once, Reply-To the list and Precedence: list.
When the author is an outside address whose domain publishes a strict
DMARC policy (imaginary/mail/dmarc.py), From becomes the list's address
("Ann via Owls"), and the author goes to Reply-To (beside the list) and
X-Original-From.

The operator's list setting (the DNS server for DMARC lookups) is kept in
L{ListSettings}, set by C{imaginary mail --dns-server}.

Everything here runs inside the caller's transaction.
"""

import email.policy
import re
import secrets
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from imaginary.simulation.groups import Group, findGroup
from imaginary.simulation.thing import Thing
from imaginary.store import AND, CASCADE, Item, boolean, reference, text

from . import accountmail, compose, model

LIST_SUBDOMAIN = "lists"
# Prefixes a reply's subject may start with (English and the common
# localised ones), kept before the tag: "Re: [owls] The well".
_PREFIXES = re.compile(r"^((?:\s*(?:re|aw|sv|antw|fwd?|wg)\s*:)*)\s*",
                       re.IGNORECASE)


class ListSettings(Item):
    """The operator's list settings (one per store; docs/group-lists.md)."""

    typeName = "imaginary_list_settings"
    schemaVersion = 1

    dnsServer = text(default=None)
    """'HOST' or 'HOST:PORT' of the DNS server asked for DMARC policies;
    None: the system's resolvers."""


def listSettings(store):
    """The store's ListSettings (made with the defaults if none, inside
    the caller's transaction)."""
    found = store.findFirst(ListSettings)
    if found is None:
        found = ListSettings(store=store)
    return found


def dnsServer(store):
    """The DNS server set for DMARC lookups, or None (the system's);
    reads only, so it may be called outside a transaction."""
    found = store.findFirst(ListSettings)
    return found.dnsServer if found is not None else None


class ListSubscription(Item):
    """
    One member's list mail preference for one group: whether posts also
    go to their real inbox (off until they turn it on), and the secret
    of the one-click unsubscribe address in those copies.
    """

    typeName = "imaginary_list_subscription"
    schemaVersion = 1

    group = reference(reftype=Group, whenDeleted=CASCADE, allowNone=False)
    member = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    mail = boolean(default=False, allowNone=False)
    token = text(allowNone=False,
                 defaultFactory=lambda: "l" + secrets.token_hex(12))


def subscription(group, character):
    """C{character}'s ListSubscription to C{group} (made when first
    needed)."""
    found = group.store.findFirst(ListSubscription, AND(
        ListSubscription.group == group,
        ListSubscription.member == character))
    if found is None:
        found = ListSubscription(store=group.store, group=group,
                                 member=character)
    return found


def byToken(store, token):
    """The ListSubscription whose unsubscribe token is C{token}, or
    None."""
    if not token:
        return None
    return store.findFirst(ListSubscription, ListSubscription.token == token)


def unsubscribe(store, token):
    """Turn list mail off for the subscription with C{token}; returns the
    subscription, or None when no subscription has it."""
    found = byToken(store, token)
    if found is not None:
        found.mail = False
    return found


def listDomain(store):
    """lists.<the game's mail domain>."""
    return f"{LIST_SUBDOMAIN}.{model.settings(store).domain}".lower()


def isListAddress(store, address):
    """Whether C{address} is at the lists' domain (a list or not)."""
    try:
        return model.splitAddress(address)[1] == listDomain(store)
    except ValueError:
        return False


def groupAt(store, address):
    """The group whose list C{address} is, or None."""
    if not isListAddress(store, address):
        return None
    return findGroup(store, model.splitAddress(address)[0])


def membersOnly(address):
    """The refusal for a poster who is not a member."""
    return (f"{address} is a members-only list; only its members may "
            f"post to it, from the game or from the address their "
            f"account verified.")


def memberWithAddress(group, address):
    """The member of C{group} whose account verified C{address}, or
    None."""
    wanted = (address or "").strip().strip("<>").lower()
    if not wanted:
        return None
    for record in group.store.query(
            accountmail.AccountEmail,
            accountmail.AccountEmail.verified == True):  # noqa: E712
        if record.address.lower() != wanted:
            continue
        for character in record.account.characters():
            if group.membership(character) is not None:
                return character
    return None


def realAddress(character):
    """The verified address list mail for C{character} would go to, or
    None (an NPC, no verified address, or game mail turned off)."""
    account = model.accountOf(character)
    record = accountmail.emailOf(account) if account is not None else None
    if record is None or not record.verified or not record.forward:
        return None
    return record.address


def tagSubject(handle, subject):
    """
    C{subject} with the list's tag: "[owls] The well"; a reply's prefix
    stays in front ("Re: [owls] The well"), and a subject that has the
    tag already is not tagged again.
    """
    subject = " ".join((subject or "").split()) or "(no subject)"
    tag = f"[{handle}]"
    if tag.lower() in subject.lower():
        return subject
    prefix = _PREFIXES.match(subject).group(1).strip()
    rest = subject[_PREFIXES.match(subject).end():]
    return f"{prefix} {tag} {rest}".strip() if prefix else f"{tag} {rest}"


def untag(handle, subject):
    """C{subject} without the list's tag (as the archive keeps it)."""
    tag = re.escape(f"[{handle}]")
    return " ".join(re.sub(tag, " ", subject or "",
                           flags=re.IGNORECASE).split())


def unsubscribeURL(config, token):
    """The one-click address for C{token}, or None without a web
    address."""
    if not config.webURL:
        return None
    return f"{config.webURL.rstrip('/')}/unsubscribe/{token}"


def buildCopy(group, config, fromName, fromAddress, toAddress, subject,
              body, messageID, inReplyTo=None, references=None, token=None,
              rewrite=False, posterName=None):
    """
    The EmailMessage of one post for one member's real inbox.
    C{rewrite}: From becomes the list's address (the author's domain
    publishes a strict DMARC policy), named after C{fromName}, else
    C{posterName} (the member's character).
    """
    address = f"{group.handle}@{LIST_SUBDOMAIN}.{config.domain}"
    message = EmailMessage(policy=email.policy.SMTP)
    author = formataddr((fromName, fromAddress)) if fromName \
        else fromAddress
    if rewrite:
        message["From"] = formataddr(
            (f"{fromName or posterName or fromAddress} via {group.name}",
             address))
        message["Reply-To"] = f"{address}, {author}"
        message["X-Original-From"] = author
    else:
        message["From"] = author
        message["Reply-To"] = address
    message["To"] = formataddr((group.name, address))
    message["Subject"] = tagSubject(group.handle, subject)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = messageID
    if inReplyTo:
        message["In-Reply-To"] = inReplyTo
        chain = (references or "").split()
        if inReplyTo not in chain:
            chain.append(inReplyTo)
        message["References"] = " ".join(chain)
    elif references:
        message["References"] = references
    message["List-Id"] = formataddr(
        (group.name, f"{group.handle}.{LIST_SUBDOMAIN}.{config.domain}"))
    message["List-Post"] = f"<mailto:{address}>"
    if config.webURL:
        page = f"{config.webURL.rstrip('/')}/g/{group.handle}/"
        message["List-Archive"] = f"<{page}>"
        message["List-Help"] = f"<{page}>"
    if token:
        compose.addUnsubscribe(message, unsubscribeURL(config, token),
                               f"unsubscribe+{token}@{config.domain}")
    message["Precedence"] = "list"
    message["X-Mailer"] = "Imaginary"
    message.set_content(body or "", charset="utf-8",
                        cte="quoted-printable")
    return message
