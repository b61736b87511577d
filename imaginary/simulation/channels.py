"""
Channels: talk across the world, kept in the store.

A channel is a named conversation that characters join wherever they are:
the default public one (C{ooc}, every character is on it from its first
login and may leave), public ones anyone may join, and private ones joined
by invitation.  Its recent lines are kept in the store (bounded), so
C{channel history} survives a restart, and a line reaches every member
in play on every front end: as text, and as the out-of-band data
C{Comm.Channel.Text} that a MUD client's channel window, the web page's
talk pane and an IRC client's C{#channel} are made from.

Names are short lowercase words (letters, digits, C{-}), so that the
same name works as a command word (C{ooc hello}) and as an IRC channel
(C{#ooc}).  Everything here runs inside the caller's transaction; the
verbs in imaginary/verbs/channels.py are the only way players reach it,
and they check who may do what.
"""

import re
import time

from zope.interface import Interface

from imaginary.store import (
    AND, CASCADE, NULLIFY, Item, boolean, compoundIndex, ieee754_double,
    integer, reference, text)

from .failure import ActionFailure
from .thing import Thing

DEFAULT_CHANNEL = "ooc"
DEFAULT_DESCRIPTION = "Out-of-character talk for everyone in the game."
KINDS = ("public", "private")
NAME = re.compile(r"[a-z][a-z0-9-]{1,19}\Z")
HISTORY_KEPT = 200          # lines kept per channel
MAX_OWNED = 3               # channels a player (not a builder) may own


class Channel(Item):
    """A named conversation: its kind, owner and description."""

    typeName = "imaginary_channel"
    schemaVersion = 1

    name = text(allowNone=False, indexed=True)
    description = text(default="")
    kind = text(default="public", allowNone=False)
    owner = reference(reftype=Thing, whenDeleted=NULLIFY)
    autojoin = boolean(default=False, allowNone=False)
    # Serial number of the last line said: lines are numbered per channel.
    lastLine = integer(default=0, allowNone=False)

    def members(self):
        """The characters on this channel, in the order they joined."""
        return [m.member for m in self.store.query(
            ChannelMember, ChannelMember.channel == self,
            sort=ChannelMember.storeID.ascending)]

    def membership(self, character):
        """C{character}'s ChannelMember record here, or None."""
        return self.store.findFirst(
            ChannelMember, AND(ChannelMember.channel == self,
                                ChannelMember.member == character))

    def invited(self, character):
        """Whether C{character} holds an invitation to this channel."""
        return self.store.findFirst(
            ChannelInvite, AND(ChannelInvite.channel == self,
                                ChannelInvite.invitee == character)) \
            is not None

    def history(self, count):
        """The last C{count} lines, oldest first."""
        lines = list(self.store.query(
            ChannelLine, ChannelLine.channel == self,
            sort=ChannelLine.serial.descending, limit=count))
        lines.reverse()
        return lines


class ChannelMember(Item):
    """One character on one channel (and whether it may talk there)."""

    typeName = "imaginary_channel_member"
    schemaVersion = 1

    channel = reference(reftype=Channel, whenDeleted=CASCADE,
                        allowNone=False)
    member = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    muted = boolean(default=False, allowNone=False)
    compoundIndex(channel, member)


class ChannelInvite(Item):
    """An invitation to a private channel, used up by joining."""

    typeName = "imaginary_channel_invite"
    schemaVersion = 1

    channel = reference(reftype=Channel, whenDeleted=CASCADE,
                        allowNone=False)
    invitee = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)


class ChannelLine(Item):
    """A line said on a channel, kept for C{channel history}."""

    typeName = "imaginary_channel_line"
    schemaVersion = 1

    channel = reference(reftype=Channel, whenDeleted=CASCADE,
                        allowNone=False)
    serial = integer(allowNone=False)
    when = ieee754_double(allowNone=False)
    talker = text(allowNone=False)
    said = text(allowNone=False)
    emote = boolean(default=False, allowNone=False)
    compoundIndex(channel, serial)


def checkChannelName(name):
    """The channel name as stored (lowercase); ActionFailure if unfit."""
    name = (name or "").strip().lstrip("#").lower()
    if not NAME.match(name):
        raise ActionFailure.simple(
            "A channel's name is 2 to 20 letters, digits or '-', starting "
            "with a letter.")
    return name


def findChannel(store, name):
    """The channel called C{name} (any case, '#' optional), or None."""
    name = (name or "").strip().lstrip("#").lower()
    if not NAME.match(name):
        return None         # not a name any channel could have
    return store.findFirst(Channel, Channel.name == name)


def noSuchChannel(name):
    """The refusal for a channel called C{name} that isn't there (or that
    the one asking may not know of)."""
    shown = (name or "").strip()[:30]
    return ActionFailure.simple(
        f"There is no channel called '{shown}'. Type 'channels' for the "
        f"list.")


def channelNamed(store, name):
    """The channel called C{name}, or an ActionFailure saying there's none."""
    channel = findChannel(store, name)
    if channel is None:
        raise noSuchChannel(name)
    return channel


def createChannel(store, name, owner=None, kind="public", description="",
                  autojoin=False):
    """A new channel (its owner joins it); ActionFailure if the name is
    taken or unfit."""
    name = checkChannelName(name)
    if kind not in KINDS:
        raise ActionFailure.simple("A channel is 'public' or 'private'.")
    if findChannel(store, name) is not None:
        raise ActionFailure.simple(f"There is already a channel called "
                                   f"'{name}'.")
    channel = Channel(store=store, name=name, owner=owner, kind=kind,
                      description=description, autojoin=autojoin)
    if owner is not None:
        ChannelMember(store=store, channel=channel, member=owner)
    return channel


def ownedBy(store, character):
    """The channels C{character} owns."""
    return list(store.query(Channel, Channel.owner == character))


def join(channel, character):
    """Put C{character} on C{channel} (an invitation is used up)."""
    store = channel.store
    if channel.membership(character) is None:
        ChannelMember(store=store, channel=channel, member=character)
    for invite in list(store.query(ChannelInvite, AND(
            ChannelInvite.channel == channel,
            ChannelInvite.invitee == character))):
        invite.deleteFromStore()


def leave(channel, character):
    """Take C{character} off C{channel}; False if it wasn't on it."""
    membership = channel.membership(character)
    if membership is None:
        return False
    membership.deleteFromStore()
    return True


def invite(channel, character):
    """Invite C{character} to C{channel} (once is enough)."""
    if not channel.invited(character):
        ChannelInvite(store=channel.store, channel=channel,
                      invitee=character)


def record(channel, talker, said, emote=False, when=None):
    """Keep a line in the channel's history (the last HISTORY_KEPT)."""
    store = channel.store
    channel.lastLine += 1
    serial = channel.lastLine
    ChannelLine(store=store, channel=channel, serial=serial,
                when=time.time() if when is None else when,
                talker=talker, said=said, emote=emote)
    # Trimmed in steps, not per line: one delete per 50 lines said.
    if serial % 50 == 0 and serial > HISTORY_KEPT:
        store.query(ChannelLine, AND(
            ChannelLine.channel == channel,
            ChannelLine.serial <= serial - HISTORY_KEPT)).deleteFromStore()
    return serial


def joinDefaultChannels(character):
    """Put a new character on every channel everyone joins."""
    store = character.store
    for channel in store.query(Channel, Channel.autojoin == True):  # noqa
        join(channel, character)


def ensureDefaultChannel(store, characters=()):
    """
    Make the default public channel if the world has none yet, with
    C{characters} (the players' characters made before channels existed)
    on it.  Returns the channel.
    """
    channel = store.findFirst(Channel, Channel.autojoin == True)  # noqa
    if channel is None:
        channel = createChannel(store, DEFAULT_CHANNEL,
                                description=DEFAULT_DESCRIPTION,
                                autojoin=True)
        for character in characters:
            join(channel, character)
    return channel



# -- links to IRC channels (the bridge: imaginary/bridge/) -------------------

class ChannelLink(Item):
    """
    A channel relayed to a channel on an IRC network by the IRC bridge:
    C{url} is what the admin gave (irc://host:port/#chan), read again
    against the operator's configuration whenever the bridge starts.
    """

    typeName = "imaginary_channel_link"
    schemaVersion = 1

    channel = reference(reftype=Channel, whenDeleted=CASCADE,
                        allowNone=False, indexed=True)
    url = text(allowNone=False)
    creator = text(default="")
    created = ieee754_double(default=0.0, allowNone=False)


def linkOf(channel):
    """C{channel}'s ChannelLink, or None."""
    return channel.store.findFirst(ChannelLink,
                                   ChannelLink.channel == channel)


class IChannelRelay(Interface):
    """
    What relays channels beyond the game (the IRC bridge), installed as
    an in-memory powerup on the store by whoever runs it (the server):
    the verbs layer and the simulation can't import it, so they ask for
    it here, as minds ask for ICommandRunner.
    """

    def observerFor(channel):
        """
        An IEventObserver to add to the audience of C{channel}'s lines
        (it relays them after the commit), or None when the channel is
        not relayed.
        """

    def check(url):
        """
        Whether the operator's configuration allows a link to C{url}:
        returns (key, description): the key names the IRC channel (two
        URLs for one channel have one key), the description is short
        ("#chan on network"); raises ValueError saying why not.
        """

    def linksChanged():
        """The ChannelLink items changed; act on them after the commit."""

    def status(link):
        """A short phrase for C{link}: connected, down since..., ..."""

    def names(link):
        """Who is on the other side of C{link} (IRC nicks), or ()."""
