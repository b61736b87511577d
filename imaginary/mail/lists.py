"""
A story group's mailing list: its archive (this module's model) and,
built on it, posting from the game and by mail.

Every group (imaginary/simulation/groups.py) has a list at
``<handle>@lists.<mail domain>``.  A post is kept once in the list's
archive as a L{ListPost}, numbered per group, and threaded: a post that
answers another (In-Reply-To, or its References) belongs to that post's
thread, whose root is the first post of the thread.  The group's web page
shows the archive by thread (L{threads}); delivery to the members'
mailboxes and real inboxes is done by whoever posts (L{post}).

Everything here runs inside the caller's transaction.
"""

from epsilon.extime import Time

from imaginary.simulation.groups import Group
from imaginary.simulation.thing import Thing
from imaginary.store import (
    AND, CASCADE, NULLIFY, Item, compoundIndex, integer, reference, text,
    timestamp)

LIST_SUBDOMAIN = "lists"
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
