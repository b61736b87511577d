"""
Story groups: a few characters who play a story together.

A group is stored in the world: a name ("The Lantern Society") and a
handle (C{lanterns}: the word its web page, its mailing list and its
channel are known by), its members with their roles (one founder, then
members), a home (the room it was founded in) and a notice board there
that shows the group to anyone who looks.  It has a private channel named
by its handle that every member is on, a journal of dated, signed entries
(written by members with C{group journal}, or by NPCs through
L{writeJournal}), and upcoming events that authors schedule with
L{scheduleForGroup} so the group's page can say what is coming.

Whether a group exists is the members' business: nothing here lists
groups to others, and the verbs and the web page answer a non-member as if
there were no such group.  The operator sets the limits (groups per
character, members per group) with C{imaginary groups}; they live in the
store in L{GroupSettings}.

Everything here runs inside the caller's transaction and raises
L{ActionFailure} with a sentence for the player when it refuses; the
verbs in imaginary/verbs/groups.py decide who may do what.
"""

import re

from epsilon.extime import Time
from zope.interface import implementer

from imaginary.interfaces import IDescriptionContributor
from imaginary.language import styled
from imaginary.language.folding import foldName
from imaginary.store import (
    AND, CASCADE, NULLIFY, Item, boolean, compoundIndex, integer, reference,
    text, timestamp)

from . import channels
from .failure import ActionFailure
from .thing import Enhancement, Thing

HANDLE = re.compile(r"[a-z][a-z0-9-]{1,19}\Z")
MAX_NAME = 40
MAX_ENTRY = 2000            # characters in one journal entry
ROLES = ("founder", "member")
# Words a handle can't be: the group verb's own actions, so that
# "group lanterns invite Bob" and "group invite Bob" never mean two things.
ACTIONS = ("create", "invite", "accept", "decline", "leave", "info",
           "members", "disband", "journal", "post", "whereabouts", "list",
           "mail")


class GroupSettings(Item):
    """The operator's limits for groups (one per store)."""

    typeName = "imaginary_group_settings"
    schemaVersion = 1

    maxGroups = integer(default=3, allowNone=False)
    """How many groups one character may be in (admins: any)."""
    maxMembers = integer(default=12, allowNone=False)
    """How many members one group may have."""


def settings(store):
    """The store's GroupSettings (made with the defaults when first asked
    for, inside the caller's transaction)."""
    found = store.findFirst(GroupSettings)
    if found is None:
        found = GroupSettings(store=store)
    return found


class Group(Item):
    """A story group: its name, handle, home, board and channel."""

    typeName = "imaginary_group"
    schemaVersion = 1

    name = text(allowNone=False)
    """What the group calls itself ("The Lantern Society")."""
    handle = text(allowNone=False, indexed=True)
    """Its short lowercase word: /g/<handle>/, <handle>@lists.<domain>,
    and its channel's name."""
    home = reference(reftype=Thing, whenDeleted=NULLIFY)
    """The room it was founded in."""
    board = reference(reftype=Thing, whenDeleted=NULLIFY)
    """Its notice board (a Thing in its home)."""
    channel = reference(reftype=channels.Channel, whenDeleted=NULLIFY)
    """Its private channel, named by its handle."""
    created = timestamp(defaultFactory=Time, allowNone=False)
    lastEntry = integer(default=0, allowNone=False)
    """The serial number of its latest journal entry."""

    def members(self):
        """The GroupMember records, founder first, then by joining."""
        found = list(self.store.query(
            GroupMember, GroupMember.group == self,
            sort=GroupMember.storeID.ascending))
        found.sort(key=lambda m: m.role != "founder")
        return found

    def characters(self):
        """The members' characters, founder first."""
        return [m.member for m in self.members()]

    def membership(self, character):
        """C{character}'s GroupMember record here, or None."""
        return self.store.findFirst(GroupMember, AND(
            GroupMember.group == self, GroupMember.member == character))

    def founder(self):
        """
        The founder's character (None if the group has no members left).
        A group whose founder's character was deleted some other way than
        L{forget} gets the member who has been in it longest as founder.
        """
        record = self.store.findFirst(GroupMember, AND(
            GroupMember.group == self, GroupMember.role == "founder"))
        if record is None:
            record = self.store.findFirst(
                GroupMember, GroupMember.group == self,
                sort=GroupMember.storeID.ascending)
            if record is None:
                return None
            record.role = "founder"
        return record.member

    def invitation(self, character):
        """C{character}'s pending GroupInvite to this group, or None."""
        return self.store.findFirst(GroupInvite, AND(
            GroupInvite.group == self, GroupInvite.invitee == character))

    def journal(self, count=None):
        """The journal's entries, newest first (the last C{count})."""
        return list(self.store.query(
            JournalEntry, JournalEntry.group == self,
            sort=JournalEntry.serial.descending, limit=count))

    def upcoming(self, now=None):
        """The GroupEvents still to come, soonest first."""
        now = now or Time()
        return list(self.store.query(
            GroupEvent, AND(GroupEvent.group == self, GroupEvent.when > now),
            sort=GroupEvent.when.ascending))


class GroupMember(Item):
    """One character in one group, with its role."""

    typeName = "imaginary_group_member"
    schemaVersion = 1

    group = reference(reftype=Group, whenDeleted=CASCADE, allowNone=False)
    member = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    role = text(default="member", allowNone=False)
    """"founder" or "member"."""
    joined = timestamp(defaultFactory=Time, allowNone=False)
    showWhereabouts = boolean(default=False, allowNone=False)
    """Whether the group's page may show where this character is and
    whether it is in play (each member chooses; off until they do)."""
    compoundIndex(group, member)


class GroupInvite(Item):
    """An invitation to join a group, until accepted or declined."""

    typeName = "imaginary_group_invite"
    schemaVersion = 1

    group = reference(reftype=Group, whenDeleted=CASCADE, allowNone=False)
    invitee = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    inviter = reference(reftype=Thing, whenDeleted=NULLIFY)
    when = timestamp(defaultFactory=Time, allowNone=False)


class JournalEntry(Item):
    """One dated, signed entry in a group's journal."""

    typeName = "imaginary_group_journal_entry"
    schemaVersion = 1

    group = reference(reftype=Group, whenDeleted=CASCADE, allowNone=False)
    serial = integer(allowNone=False)
    when = timestamp(defaultFactory=Time, allowNone=False)
    author = text(allowNone=False)
    """The signature: the writer's name as it was then."""
    authorCharacter = reference(reftype=Thing, whenDeleted=NULLIFY)
    text = text(allowNone=False)
    compoundIndex(group, serial)


class GroupEvent(Item):
    """
    Something scheduled that the group should see coming ("Mara's letter
    arrives"): the page lists those whose time is still ahead.  The work
    itself is C{runnable}, scheduled on the store's scheduler by
    L{scheduleForGroup}.
    """

    typeName = "imaginary_group_event"
    schemaVersion = 1

    group = reference(reftype=Group, whenDeleted=CASCADE, allowNone=False)
    when = timestamp(allowNone=False, indexed=True)
    description = text(allowNone=False)
    runnable = reference(whenDeleted=NULLIFY)


@implementer(IDescriptionContributor)
class NoticeBoard(Enhancement, Item):
    """What a group's notice board shows: its members and latest entry."""

    typeName = "imaginary_group_notice_board"
    schemaVersion = 1
    powerupInterfaces = (IDescriptionContributor,)
    descriptionOrder = 30

    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    group = reference(reftype=Group, whenDeleted=CASCADE)

    def contributeDescription(self, observer, paths):
        """IDescriptionContributor: the group's members and newest entry
        (its journal only to members)."""
        group = self.group
        if group is None:
            return None
        names = ", ".join(c.name for c in group.characters())
        line = f"Pinned to it: the members of {group.name}: {names}."
        if group.membership(observer) is not None:
            latest = group.journal(1)
            if latest:
                entry = latest[0]
                line += (f" The latest journal entry, by {entry.author}: "
                         f"\"{_clip(entry.text, 160)}\"")
        return styled(line)


def _clip(value, size):
    return value if len(value) <= size else value[:size - 3] + "..."


def checkName(name):
    """A group's name as stored (spaces folded); ActionFailure if unfit."""
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= MAX_NAME or not name.isprintable():
        raise ActionFailure.simple(
            f"A group's name is 2 to {MAX_NAME} printable characters.")
    return name


def checkHandle(handle):
    """A handle as stored (lowercase); ActionFailure if unfit."""
    handle = (handle or "").strip().lower()
    if not HANDLE.match(handle):
        raise ActionFailure.simple(
            "A group's handle is 2 to 20 letters, digits or '-', starting "
            "with a letter.")
    if handle in ACTIONS:
        raise ActionFailure.simple(
            f"'{handle}' is a word of the group command; choose another "
            f"handle.")
    return handle


def handleFor(name):
    """The handle a name suggests: "The Lantern Society" -> lantern-society."""
    words = [w for w in re.split(r"[^a-z0-9]+", foldName(name)) if w]
    if len(words) > 1 and words[0] in ("the", "a", "an"):
        words = words[1:]
    handle = "-".join(words)[:20].strip("-")
    if handle and not handle[0].isalpha():
        handle = "g" + handle[:19]
    return handle


def findGroup(store, handle):
    """The group whose handle is C{handle} (any case), or None."""
    handle = (handle or "").strip().lower()
    if not HANDLE.match(handle):
        return None
    return store.findFirst(Group, Group.handle == handle)


def groupsOf(character):
    """The groups C{character} is in, oldest membership first."""
    return [m.group for m in character.store.query(
        GroupMember, GroupMember.member == character,
        sort=GroupMember.storeID.ascending)]


def invitationsOf(character):
    """C{character}'s pending invitations, oldest first."""
    return list(character.store.query(
        GroupInvite, GroupInvite.invitee == character,
        sort=GroupInvite.storeID.ascending))


def _checkRoom(character, limit):
    if limit is not None and len(groupsOf(character)) >= limit:
        raise ActionFailure.simple(
            f"You are in {limit} group{'s' if limit != 1 else ''} already, "
            f"the most one character may be in; leave one first.")


def createGroup(founder, name, handle=None, limit=None):
    """
    A new group founded by C{founder} in the room it stands in: its
    notice board there, its private channel (the founder on it).
    C{limit} is how many groups the founder may be in (None: any).
    """
    store = founder.store
    name = checkName(name)
    if handle is None:
        handle = handleFor(name)
        if not HANDLE.match(handle):
            raise ActionFailure.simple(
                f"Give the group a handle too: 'group create {name} = "
                f"<handle>' (2 to 20 letters, digits or '-').")
    handle = checkHandle(handle)
    _checkRoom(founder, limit)
    if findGroup(store, handle) is not None:
        raise ActionFailure.simple(
            f"The handle '{handle}' is taken; choose another: 'group create "
            f"{name} = <handle>'.")
    if channels.findChannel(store, handle) is not None:
        raise ActionFailure.simple(
            f"There is a channel called '{handle}' already; choose another "
            f"handle: 'group create {name} = <handle>'.")
    home = founder.enclosingRoom()
    if home is founder:
        home = None
    channel = channels.createChannel(
        store, handle, kind="private",
        description=f"The channel of the group {name}.")
    channels.join(channel, founder)
    group = Group(store=store, name=name, handle=handle, home=home,
                  channel=channel)
    GroupMember(store=store, group=group, member=founder, role="founder")
    if home is not None:
        board = Thing(store=store, name=f"notice board of {name}",
                      description=f"A board of cork in a dark frame, where "
                      f"{name} pin their notices.", portable=False,
                      weight=0)
        NoticeBoard.createFor(board, group=group)
        board.moveTo(home, force=True)
        group.board = board
    return group


def invite(group, inviter, invitee, maxMembers=None):
    """Invite C{invitee} (ActionFailure if it is in already or invited)."""
    if group.membership(invitee) is not None:
        raise ActionFailure.simple(
            f"{invitee.name} is in {group.name} already.")
    if group.invitation(invitee) is not None:
        raise ActionFailure.simple(
            f"{invitee.name} is invited to {group.name} already.")
    _checkFull(group, maxMembers)
    return GroupInvite(store=group.store, group=group, invitee=invitee,
                       inviter=inviter)


def _checkFull(group, maxMembers):
    if maxMembers is not None and len(group.members()) >= maxMembers:
        raise ActionFailure.simple(
            f"{group.name} has {maxMembers} members, the most a group may "
            f"have.")


def accept(group, character, limit=None, maxMembers=None):
    """C{character} takes up its invitation: a member, on the channel."""
    invitation = group.invitation(character)
    if invitation is None:
        raise ActionFailure.simple(
            f"You have no invitation to {group.name}.")
    _checkRoom(character, limit)
    _checkFull(group, maxMembers)
    invitation.deleteFromStore()
    return addMember(group, character)


def addMember(group, character, role="member"):
    """Make C{character} a member (and put it on the group's channel): for
    verbs after their checks, and for authors' NPCs."""
    record = group.membership(character)
    if record is None:
        record = GroupMember(store=group.store, group=group,
                             member=character, role=role)
    if group.channel is not None:
        channels.join(group.channel, character)
    return record


def decline(group, character):
    """C{character} turns its invitation down."""
    invitation = group.invitation(character)
    if invitation is None:
        raise ActionFailure.simple(
            f"You have no invitation to {group.name}.")
    invitation.deleteFromStore()


def leave(group, character):
    """
    C{character} leaves C{group} (and its channel).  A founder who leaves
    hands the group to the member who has been in it longest; the last
    member to leave disbands it.  Returns the new founder (or None).
    """
    record = group.membership(character)
    if record is None:
        raise ActionFailure.simple(f"You are not in {group.name}.")
    wasFounder = record.role == "founder"
    record.deleteFromStore()
    if group.channel is not None:
        channels.leave(group.channel, character)
    rest = group.members()
    if not rest:
        disband(group)
        return None
    if wasFounder:
        rest[0].role = "founder"
        return rest[0].member
    return None


def forget(character):
    """
    C{character} is about to be deleted: it leaves every group it is in,
    as L{leave} does (its founding handed on, a group it was the last
    member of disbanded).  Call in the transaction that deletes it.
    """
    for group in groupsOf(character):
        leave(group, character)


def possessive(name):
    """ "Owls'" for Owls, "Alice's" for Alice."""
    return name + ("'" if name.endswith(("s", "S")) else "'s")


def disband(group):
    """Delete C{group}: its members, invitations, journal, events, board
    and channel go with it."""
    board, channel = group.board, group.channel
    group.deleteFromStore()
    if board is not None:
        board.deleteFromStore()
    if channel is not None:
        channel.deleteFromStore()


def writeJournal(group, author, words, when=None):
    """
    Add an entry to C{group}'s journal, signed by C{author} (a character,
    member or NPC, or a name).  The plugin API for NPCs that write in a
    group's journal.  Returns the JournalEntry.
    """
    words = " ".join((words or "").split())
    if not words:
        raise ActionFailure.simple("Write what? 'group journal <text>'.")
    if len(words) > MAX_ENTRY:
        raise ActionFailure.simple(
            f"That is too long for one entry ({len(words)} characters; at "
            f"most {MAX_ENTRY}).")
    character = author if isinstance(author, Thing) else None
    group.lastEntry += 1
    return JournalEntry(
        store=group.store, group=group, serial=group.lastEntry,
        when=when or Time(), text=words, authorCharacter=character,
        author=author.name if character is not None else str(author))


def scheduleForGroup(group, when, description, runnable):
    """
    Schedule C{runnable} (an Item with C{run()}) on the store's scheduler at
    C{when} (an epsilon Time), and show C{description} on the group's page
    until then.  The plugin API for story events a group should see coming.
    Returns the GroupEvent.
    """
    from imaginary.store import IScheduler
    IScheduler(group.store).schedule(runnable, when)
    return GroupEvent(store=group.store, group=group, when=when,
                      description=description, runnable=runnable)
