"""
A story group's mailing list: its archive (this module's model) and,
built on it, posting from the game and by mail.

Every group (imaginary/simulation/groups.py) has a list at
C{<handle>@lists.<mail domain>}.  A post is kept once in the list's
archive as a L{ListPost}, numbered per group, and threaded: a post that
answers another (In-Reply-To, or its References) belongs to that post's
thread, whose root is the first post of the thread.  The group's web page
shows the archive by thread (L{threads}).

L{post} is how a post gets there, whoever writes it (the C{group post}
verb, C{mail send} to the list's address, the SMTP front end for mail
from a member's verified address, and world authors' NPCs): it is kept
once, put in every member's mailbox in the game, and queued for the
members who take list mail at their real address (the copy itself,
with its List-* headers, is imaginary/mail/listmail.py).
L{ScheduledListPost} is a post an author schedules for later
(docs/group-lists.md).

Everything here runs inside the caller's transaction.
"""

from epsilon.extime import Time
from twisted.logger import Logger

from imaginary.simulation.groups import Group
from imaginary.simulation.thing import Thing
from imaginary.store import (
    AND, CASCADE, NULLIFY, Item, compoundIndex, integer, reference, text,
    timestamp)

from . import compose, dmarc, listmail, model, outbound
from .listmail import LIST_SUBDOMAIN
from .outbound import MailRefused

log = Logger()
HOUR = 3600
ARCHIVE_KEPT = 1000         # posts kept per list (the oldest go first)


class ListPost(Item):
    """One post to a group's list, as kept in its archive."""

    typeName = "imaginary_list_post"
    schemaVersion = 1

    group = reference(reftype=Group, whenDeleted=CASCADE, allowNone=False)
    serial = integer(allowNone=False)
    """Numbered from 1 per list, in the order posts arrived."""
    when = timestamp(defaultFactory=Time, allowNone=False)
    author = text(allowNone=False)
    """Who posted, as shown: a character's name, or a name and address."""
    authorCharacter = reference(reftype=Thing, whenDeleted=NULLIFY)
    subject = text(default="")
    """The subject without the list's [handle] tag."""
    body = text(default="")
    messageID = text(allowNone=False, indexed=True)
    inReplyTo = text(default=None)
    threadRoot = text(allowNone=False)
    """The Message-ID of the first post of its thread (its own if it
    starts one)."""
    compoundIndex(group, serial)


def listAddress(group, domain):
    """The list's address: <handle>@lists.<domain>."""
    return f"{group.handle}@{LIST_SUBDOMAIN}.{domain}"


def archive(group, messageID, author, subject, body, authorCharacter=None,
            inReplyTo=None, references=None, when=None):
    """
    Keep a post in C{group}'s archive, threaded under the post it answers
    (C{inReplyTo}, else the last of C{references} the archive has).  A
    Message-ID the archive has already is not kept twice: the existing
    post is returned.
    """
    store = group.store
    existing = store.findFirst(ListPost, AND(
        ListPost.group == group, ListPost.messageID == messageID))
    if existing is not None:
        return existing
    root = messageID
    candidates = [inReplyTo] if inReplyTo else []
    candidates += list(reversed((references or "").split()))
    for candidate in candidates:
        parent = store.findFirst(ListPost, AND(
            ListPost.group == group, ListPost.messageID == candidate))
        if parent is not None:
            root = parent.threadRoot
            break
    last = store.findFirst(ListPost, ListPost.group == group,
                           sort=ListPost.serial.descending)
    serial = last.serial + 1 if last is not None else 1
    post = ListPost(store=store, group=group, serial=serial,
                    when=when or Time(), author=author,
                    authorCharacter=authorCharacter, subject=subject,
                    body=body, messageID=messageID, inReplyTo=inReplyTo,
                    threadRoot=root)
    if serial > ARCHIVE_KEPT:
        store.query(ListPost, AND(
            ListPost.group == group,
            ListPost.serial <= serial - ARCHIVE_KEPT)).deleteFromStore()
    return post


def threads(group):
    """
    The archive by thread: a list of threads, the one with the newest post
    first, each a list of its ListPosts oldest first.
    """
    byRoot = {}
    for post in group.store.query(ListPost, ListPost.group == group,
                                  sort=ListPost.serial.ascending):
        byRoot.setdefault(post.threadRoot, []).append(post)
    return sorted(byRoot.values(), key=lambda posts: posts[-1].serial,
                  reverse=True)


def _postedLastHour(character):
    since = Time.fromPOSIXTimestamp(Time().asPOSIXTimestamp() - HOUR)
    return character.store.query(ListPost, AND(
        ListPost.authorCharacter == character, ListPost.when > since)).count()


def _author(group, author, authorName, address, requireMember):
    """(character or None, name shown, From name, From address, outside)
    for C{author}; MailRefused for someone who may not post."""
    store = group.store
    config = model.settings(store)
    if isinstance(author, Thing):
        if (requireMember or model.accountOf(author) is not None) and \
                group.membership(author) is None:
            raise MailRefused(listmail.membersOnly(address))
        limit = config.perHour
        if _postedLastHour(author) >= limit:
            raise MailRefused(f"You have posted {limit} times in the last "
                              f"hour, the most allowed; try again later.")
        return (author, author.name, author.name,
                model.addressOf(author, config.domain), False)
    outside = (author or "").strip().strip("<>")
    member = listmail.memberWithAddress(group, outside)
    if member is None:
        raise MailRefused(listmail.membersOnly(address))
    return member, member.name, authorName or None, outside, True


def post(group, author, subject, body, messageID=None, inReplyTo=None,
         references=None, authorName=None, directRecipients=(),
         dmarcPolicy=None, requireMember=False):
    """
    Post to C{group}'s list, and return the ListPost.

    C{author} is a character (a member, or an NPC: a character without an
    account, which needs no membership unless C{requireMember}: mail
    sent from the game's mailbox does) or an outside address, which must
    be one a member's account verified (C{authorName} is its display
    name); anyone else is refused with MailRefused, as is a character
    past its hourly limit (MailSettings.perHour posts).  A Message-ID
    (C{messageID}, else a new one) the archive has already is not posted
    again.  C{inReplyTo} and C{references} thread it.

    Every member gets it in the game's mailbox, but a character author
    (who wrote it here).  Members who took list mail (C{group mail on})
    get a copy at their verified address, but a member whose address is
    the outside author's or among C{directRecipients} (the message's To
    and Cc: they have it already).  C{dmarcPolicy} is the outside
    author's domain's DMARC policy (dmarc.lookup); None: the last answer
    cached, if any.  A strict one rewrites From to the list's address.
    """
    store = group.store
    config = model.settings(store)
    address = listAddress(group, config.domain)
    character, shown, fromName, fromAddress, outside = _author(
        group, author, authorName, address, requireMember)
    subject = listmail.untag(group.handle, model.clean(subject or "", True))
    body = model.clean(body or "")
    if not subject.strip() and not body.strip():
        raise MailRefused("A post needs a subject or some text.")
    messageID = model.clean(messageID, True) or \
        compose.newMessageID(config.domain)
    existing = store.findFirst(ListPost, AND(
        ListPost.group == group, ListPost.messageID == messageID))
    if existing is not None:
        return existing         # the same mail handed in twice
    entry = archive(group, messageID, shown, subject[:model.MAX_SUBJECT],
                    body[:model.MAX_BODY], authorCharacter=character,
                    inReplyTo=inReplyTo, references=references)
    tagged = listmail.tagSubject(group.handle, entry.subject)
    for member in group.characters():
        if member is author:
            continue
        try:
            model.deliver(member, shown, tagged, entry.body, messageID,
                          senderAddress=address, recipient=address,
                          inReplyTo=inReplyTo, references=references)
        except model.MailboxFull:
            # One full mailbox must not keep the post from the others.
            log.info("list {list}: {who}'s mailbox is full", list=address,
                     who=member.name)
    if config.relayHost:
        if dmarcPolicy is None and outside:
            dmarcPolicy = dmarc.cached(
                model.splitAddress(fromAddress)[1],
                listmail.dnsServer(store))
        _queueCopies(group, config, entry, fromName, fromAddress,
                     inReplyTo, references, outside and
                     dmarc.isStrict(dmarcPolicy),
                     {fromAddress.lower()} if outside else set(),
                     directRecipients)
    return entry


def _queueCopies(group, config, entry, fromName, fromAddress, inReplyTo,
                 references, rewrite, skip, directRecipients):
    """A copy in the outbound queue for each member taking list mail."""
    skip = set(skip) | {a.strip().strip("<>").lower()
                        for a in directRecipients}
    address = listAddress(group, config.domain)
    for member in group.characters():
        wanted = listmail.subscription(group, member)
        target = listmail.realAddress(member) if wanted.mail else None
        if target is None or target.lower() in skip:
            continue
        skip.add(target.lower())          # two characters, one inbox
        message = listmail.buildCopy(
            group, config, fromName, fromAddress, target, entry.subject,
            entry.body, entry.messageID, inReplyTo=inReplyTo,
            references=references, token=wanted.token, rewrite=rewrite,
            posterName=entry.author)
        # From the list's address: the relay's reports come back to the
        # list, not to the author (who is told nothing per copy).
        outbound.queue(group.store, address, target,
                       compose.toBytes(message), entry.messageID,
                       message["Subject"])


class ScheduledListPost(Item):
    """
    A post an author schedules: an NPC's letter to a group's list at a
    given time.  Hand it to L{imaginary.simulation.groups.scheduleForGroup}
    (so the group's page shows it coming) or to the store's scheduler.
    """

    typeName = "imaginary_scheduled_list_post"
    schemaVersion = 1

    group = reference(reftype=Group, whenDeleted=CASCADE)
    author = reference(reftype=Thing, whenDeleted=CASCADE)
    subject = text(default="")
    body = text(default="")
    posted = reference(reftype=ListPost, whenDeleted=NULLIFY)
    """The ListPost it made, once run."""

    def run(self):
        """The scheduler's call: post it (once)."""
        if self.posted is not None or self.group is None or \
                self.author is None:
            return None
        try:
            self.posted = post(self.group, self.author, self.subject,
                               self.body)
        except MailRefused as e:
            log.warn("scheduled post {subject!r} to {handle} refused: "
                     "{why}", subject=self.subject,
                     handle=self.group.handle, why=str(e))
        return None


def schedulePost(group, author, when, subject, body, description=None):
    """
    The plugin API for a post later: C{author} (an NPC) posts C{subject}
    and C{body} to C{group}'s list at C{when} (an epsilon Time), and the
    group's page shows C{description} (default "<author> writes to the
    list: <subject>") until then.  Returns the ScheduledListPost.
    """
    from imaginary.simulation.groups import scheduleForGroup
    item = ScheduledListPost(store=group.store, group=group, author=author,
                             subject=subject, body=body)
    scheduleForGroup(group, when, description or
                     f"{author.name} writes to the list: {subject}", item)
    return item
