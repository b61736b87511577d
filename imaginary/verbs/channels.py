"""
Channel verbs: list, join, leave, talk on, and run the game's channels.

The verbs::

    channels                       the list (members, whether you're on it)
    join ooc / leave ooc
    ooc hello / chat ooc hello     talk; "ooc :waves" emotes
    channel who ooc                who is on it, and who is here now
    channel history ooc [N]        the last N lines (20), kept in the store
    channel create NAME [public|private]
    channel describe NAME TEXT / invite NAME WHO / kick NAME WHO
    channel mute NAME WHO / unmute NAME WHO / destroy NAME
    channel link NAME irc://host:port/#chan / unlink NAME   (admins)
    channel links                  what is relayed to IRC, and how it is

Talking by a channel's name is a fallback verb (see Verb.fallback): names
live in the store, not in code, so the parser asks C{ChannelTalk} about a
line whose first word no verb knows.  Who may do what is decided here:
anyone may make up to three channels of their own (builders and admins
more), a channel's owner and admins describe, invite, kick, mute and
destroy it, and the default channel can't be destroyed.  Only admins
link a channel to IRC (the bridge, imaginary/bridge/, is the operator's:
which networks, with which nick and credentials, is its configuration).
"""

import time

from imaginary.language import sanitize, styled
from imaginary.simulation import channels as model
from imaginary.simulation.events import Event
from imaginary.simulation.failure import ActionFailure

from .base import Verb, hasPermission
from .talk import MAX_SPEECH, _Quoted, _speech, findPlayer

HISTORY_SHOWN = 20


def mayKnow(actor, channel):
    """
    Whether C{actor} may know that C{channel} exists: any public one; a
    private one only when on it or invited to it, as an admin, or as a
    member of the story group whose channel it is.  To anyone else every
    verb answers as if there were no such channel.
    """
    if channel.kind != "private" or hasPermission(actor, "admin"):
        return True
    if channel.membership(actor) is not None or channel.invited(actor):
        return True
    return _inItsGroup(actor, channel)


def _inItsGroup(actor, channel):
    """Whether C{actor} is in the story group whose channel this is."""
    from imaginary.simulation.groups import Group
    group = channel.store.findFirst(Group, Group.channel == channel)
    return group is not None and group.membership(actor) is not None


def channelFor(context, name):
    """The channel called C{name} that the actor may know of, or the
    refusal a channel nobody has gets."""
    channel = model.findChannel(context.store, name)
    if channel is None or not mayKnow(context.actor, channel):
        raise model.noSuchChannel(name)
    return channel


def _members(context, channel):
    """The channel's members who are in play, for the event's audience."""
    world = context.world
    connected = {c.storeID for c in (world.connected if world else ())}
    return [m for m in channel.members() if m.storeID in connected]


def talk(context, channel, text):
    """Say (or, with a leading ':', emote) C{text} on C{channel}."""
    actor = context.actor
    membership = channel.membership(actor)
    if membership is None:
        raise ActionFailure.simple(
            f"You are not on {channel.name}; type 'join {channel.name}' "
            f"first.")
    if membership.muted:
        raise ActionFailure.simple(f"You are muted on {channel.name}.")
    text = (text or "").strip()
    if not text:
        raise ActionFailure.simple(
            f"Say what on {channel.name}? '{channel.name} <text>' talks, "
            f"'{channel.name} :<action>' emotes.")
    emote = text.startswith(":")
    said = _speech(text[1:] if emote else text)
    prefix = styled(f"[{channel.name}] ", role="channel")
    if emote:
        name = styled(actor.name, role="player")
        message = styled(prefix, name, " ", said)
        actorMessage = otherMessage = message
    else:
        actorMessage = _Prefixed(prefix, _Quoted(
            "{actor} {actor:say}", said, actor=actor))
        otherMessage = actorMessage
    model.record(channel, actor.name, said, emote)
    data = {"channel": channel.name, "talker": actor.name, "text": said}
    if emote:
        data["emote"] = True
    audience = [m for m in _members(context, channel) if m is not actor]
    relay = _relayFor(channel)
    if relay is not None:
        audience.append(relay)
    Event(location=None, actor=actor, actorMessage=actorMessage,
          otherMessage=otherMessage, data={"channel": data},
          audience=audience).broadcast()


def _relayFor(channel):
    """The IRC bridge's observer of C{channel}'s lines, or None."""
    relay = model.IChannelRelay(channel.store, None)
    return relay.observerFor(channel) if relay is not None else None


def _inPlay(world, channel):
    """The channel's members in play (C{world.connected})."""
    connected = {c.storeID for c in (world.connected if world else ())}
    return [m for m in channel.members() if m.storeID in connected]


def hear(world, channel, talker, text, emote=False, via="irc"):
    """
    A line said on C{channel} from outside the game (the IRC bridge):
    C{talker} is a name like "Nick@network".  Kept in the history and
    told to the members in play like a member's line, with the same
    Comm.Channel.Text data (and C{via}); the bridge's own observer is not
    in the audience, so the line never goes back where it came from.
    Returns False (nothing said) when the text is empty once cleaned.
    """
    said = " ".join(sanitize(text or "").split())[:MAX_SPEECH]
    emote = bool(emote)
    if not said:
        return False
    prefix = styled(f"[{channel.name}] ", role="channel")
    name = styled(talker, role="player")
    if emote:
        message = styled(prefix, name, " ", said)
    else:
        message = styled(prefix, name, " says, '",
                         styled(said, role="speech"), "'")
    model.record(channel, talker, said, emote)
    data = {"channel": channel.name, "talker": talker, "text": said,
            "via": via}
    if emote:
        data["emote"] = True
    Event(location=None, otherMessage=message, data={"channel": data},
          audience=_inPlay(world, channel)).broadcast()
    return True


def notice(world, channel, text):
    """Tell C{channel}'s members in play C{text}, about the channel (the
    bridge's outages); not a line said, so not kept in the history."""
    Event(location=None, otherMessage=styled(
        styled(f"[{channel.name}] ", role="channel"), text),
        audience=_inPlay(world, channel)).broadcast()


class _Prefixed:
    """A message rendered per observer, after a fixed prefix."""

    def __init__(self, prefix, message):
        self.prefix = prefix
        self.message = message

    def render(self, observer):
        return styled(self.prefix, self.message.render(observer))


class ChannelTalk(Verb):
    """
    <channel> <text>: talk on a channel you are on ('ooc hello'); '<channel>
    :<action>' emotes.
    """

    names = ()
    syntax = ()
    fallback = True

    def claim(self, context, line):
        """The line's slots when its first word names a channel."""
        word, _, rest = line.partition(" ")
        if context.actor is None:
            return None
        channel = model.findChannel(context.store, word)
        if channel is None or not mayKnow(context.actor, channel):
            return None
        return {"channel": channel, "text": rest}

    def run(self, context, channel, text):
        """Talk on the channel the line named."""
        talk(context, channel, text)


class Chat(Verb):
    """chat <channel> <text>: talk on a channel; 'chat ooc :waves' emotes."""

    names = ("chat",)
    syntax = ("chat {text}",)

    def run(self, context, text):
        """Talk on the channel the first word names."""
        name, _, rest = text.partition(" ")
        talk(context, channelFor(context, name), rest)


class Channels(Verb):
    """channels: the channels you can join, and which you are on."""

    names = ("channels",)
    syntax = ("channels",)

    def run(self, context):
        """List the channels (private ones only to members, the invited
        and admins)."""
        actor = context.actor
        store = context.store
        admin = hasPermission(actor, "admin")
        lines = []
        for channel in store.query(model.Channel,
                                   sort=model.Channel.name.ascending):
            on = channel.membership(actor) is not None
            if channel.kind == "private" and not (
                    on or admin or channel.invited(actor)):
                continue
            members = len(channel.members())
            state = "you are on it" if on else (
                "invited" if channel.invited(actor) else "not on it")
            line = (f"  {channel.name} ({channel.kind}, {members} "
                    f"member{'s' if members != 1 else ''}, {state})")
            if channel.description:
                line += f": {channel.description}"
            link = model.linkOf(channel)
            if link is not None:
                line += f" [relayed to IRC: {_linkShown(store, link)}]"
            lines.append(line)
        if not lines:
            context.tell("There are no channels.")
            return
        context.tell("Channels:\n" + "\n".join(lines))


class Join(Verb):
    """join <channel>: go on a channel (a private one needs an invite)."""

    names = ("join",)
    syntax = ("join {text}",)

    def run(self, context, text):
        """Join the named channel (already on it is said, not refused)."""
        actor = context.actor
        channel = channelFor(context, text)
        if channel.membership(actor) is not None:
            # Not a refusal: joining is idempotent (an IRC client's JOIN
            # of a channel it is on gets its JOIN echoed).
            context.tell(f"You are already on {channel.name}.")
            return
        if channel.kind == "private" and not (
                channel.invited(actor) or hasPermission(actor, "admin")
                or _inItsGroup(actor, channel)):
            raise ActionFailure.simple(
                f"{channel.name} is private: you need an invitation.")
        model.join(channel, actor)
        context.tell(f"You join {channel.name}. Talk with "
                     f"'{channel.name} <text>'.")


class Leave(Verb):
    """leave <channel>: go off a channel."""

    names = ("leave",)
    syntax = ("leave {text}",)

    def run(self, context, text):
        """Leave the named channel."""
        channel = channelFor(context, text)
        if not model.leave(channel, context.actor):
            raise ActionFailure.simple(f"You are not on {channel.name}.")
        context.tell(f"You leave {channel.name}.")


def _rest(words, usage):
    if not words:
        raise ActionFailure.simple(f"Usage: {usage}")
    return words


class ChannelCommand(Verb):
    """
    channel
    who|history|create|describe|invite|kick|mute|unmute|destroy|link|unlink|links
    ...: see who is on a channel, read its history, run a channel you own, or
    (admins) relay one to IRC.
    """

    names = ("channel",)
    syntax = ("channel {text}", "channel")

    USAGE = {
        "who": "channel who <channel>",
        "history": "channel history <channel> [number of lines]",
        "create": "channel create <name> [public|private]",
        "describe": "channel describe <channel> <text>",
        "invite": "channel invite <channel> <character>",
        "kick": "channel kick <channel> <character>",
        "mute": "channel mute <channel> <character>",
        "unmute": "channel unmute <channel> <character>",
        "destroy": "channel destroy <channel>",
        "link": "channel link <channel> irc://host:port/#channel",
        "unlink": "channel unlink <channel>",
        "links": "channel links",
    }

    def run(self, context, text=""):
        """Run the subcommand the first word names (usage otherwise)."""
        words = text.split()
        action = words[0].lower() if words else ""
        if action not in self.USAGE:
            raise ActionFailure.simple(
                "Usage: " + "; ".join(self.USAGE.values()) + ".")
        usage = self.USAGE[action]
        args = words[1:]
        if action == "create":
            return self.create(context, _rest(args, usage))
        if action == "links":
            return self.links(context)
        _rest(args, usage)
        channel = channelFor(context, args[0])
        getattr(self, action)(context, channel, args[1:], usage)

    def create(self, context, args):
        """Make a channel owned by the actor (a player owns three)."""
        actor = context.actor
        kind = args[1].lower() if len(args) > 1 else "public"
        if context.registry is not None and \
                args[0].lower() in context.registry.words():
            raise ActionFailure.simple(
                f"'{args[0]}' is a command; choose another name.")
        if not hasPermission(actor, "builder") and len(
                model.ownedBy(context.store, actor)) >= model.MAX_OWNED:
            raise ActionFailure.simple(
                f"You own {model.MAX_OWNED} channels already; destroy one "
                f"first.")
        channel = model.createChannel(context.store, args[0], owner=actor,
                                      kind=kind)
        context.tell(f"You create the {channel.kind} channel "
                     f"{channel.name}, and you are on it.")

    def _mayRun(self, context, channel):
        actor = context.actor
        if channel.owner is not actor and not hasPermission(actor, "admin"):
            raise ActionFailure.simple(
                f"Only {channel.name}'s owner or an admin may do that.")

    def who(self, context, channel, args, usage):
        """Who is on the channel: owner, muted and away marked."""
        actor = context.actor
        if channel.kind == "private" and channel.membership(actor) is None \
                and not hasPermission(actor, "admin"):
            raise ActionFailure.simple(f"You are not on {channel.name}.")
        connected = {c.storeID for c in (
            context.world.connected if context.world else ())}
        names = []
        for membership in context.store.query(
                model.ChannelMember,
                model.ChannelMember.channel == channel,
                sort=model.ChannelMember.storeID.ascending):
            member = membership.member
            notes = [note for note, yes in (
                ("owner", member is channel.owner),
                ("muted", membership.muted),
                ("away", member.storeID not in connected)) if yes]
            names.append(member.name + (f" ({', '.join(notes)})"
                                        if notes else ""))
        link = model.linkOf(channel)
        relayed = "" if link is None else (
            f"\nRelayed to IRC: {_linkShown(context.store, link)}.")
        relay = model.IChannelRelay(context.store, None)
        others = relay.names(link) if relay and link else ()
        if others:
            relayed += f"\nOn IRC: {', '.join(others)}."
        if not names:
            context.tell(f"Nobody is on {channel.name}.{relayed}")
            return
        context.tell(f"On {channel.name}: {', '.join(names)}.{relayed}")

    def history(self, context, channel, args, usage):
        """The channel's last lines (members and admins only)."""
        actor = context.actor
        if channel.membership(actor) is None and \
                not hasPermission(actor, "admin"):
            raise ActionFailure.simple(
                f"You are not on {channel.name}; join it to read its "
                f"history.")
        count = HISTORY_SHOWN
        if args:
            if not args[0].isdigit() or not 1 <= int(args[0]) <= \
                    model.HISTORY_KEPT:
                raise ActionFailure.simple(
                    f"The number of lines is 1 to {model.HISTORY_KEPT}.")
            count = int(args[0])
        lines = channel.history(count)
        if not lines:
            context.tell(f"Nothing has been said on {channel.name} yet.")
            return
        shown = [f"Last {len(lines)} line{'s' if len(lines) != 1 else ''} "
                 f"on {channel.name} (times UTC):"]
        for line in lines:
            when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(line.when))
            said = (f"{line.talker} {line.said}" if line.emote
                    else f"{line.talker}: {line.said}")
            shown.append(f"  [{when}] {said}")
        context.tell("\n".join(shown))

    def describe(self, context, channel, args, usage):
        """Set the channel's description (owner or admin)."""
        self._mayRun(context, channel)
        text = " ".join(_rest(args, usage))
        channel.description = _speech(text)[:200]
        context.tell(f"{channel.name} is now described as: "
                     f"{channel.description}")

    def _character(self, context, channel, args, usage):
        name = " ".join(_rest(args, usage)).lower()
        for member in channel.members():
            if member.name.lower() == name:
                return member
        return findPlayer(context, name)

    def invite(self, context, channel, args, usage):
        """Invite a character (owner or admin); it is told how to join."""
        self._mayRun(context, channel)
        who = self._character(context, channel, args, usage)
        if channel.membership(who) is not None:
            raise ActionFailure.simple(f"{who.name} is on {channel.name} "
                                       f"already.")
        model.invite(channel, who)
        Event(location=None, actor=context.actor, target=who,
              actorMessage=f"You invite {who.name} to {channel.name}.",
              targetMessage=f"{context.actor.name} invites you to "
                            f"{channel.name}: type 'join {channel.name}'."
              ).broadcast()

    def kick(self, context, channel, args, usage):
        """Put a member off the channel (owner or admin)."""
        self._mayRun(context, channel)
        who = self._character(context, channel, args, usage)
        if who is channel.owner:
            raise ActionFailure.simple("A channel's owner can't be kicked "
                                       "off it.")
        if not model.leave(channel, who):
            raise ActionFailure.simple(f"{who.name} is not on "
                                       f"{channel.name}.")
        Event(location=None, actor=context.actor, target=who,
              actorMessage=f"You put {who.name} off {channel.name}.",
              targetMessage=f"{context.actor.name} put you off "
                            f"{channel.name}.").broadcast()

    def mute(self, context, channel, args, usage, muted=True):
        """Stop (or with C{muted} false, let) a member talk there."""
        self._mayRun(context, channel)
        who = self._character(context, channel, args, usage)
        membership = channel.membership(who)
        if membership is None:
            raise ActionFailure.simple(f"{who.name} is not on "
                                       f"{channel.name}.")
        if who is channel.owner and muted:
            raise ActionFailure.simple("A channel's owner can't be muted.")
        membership.muted = muted
        done = "mute" if muted else "unmute"
        Event(location=None, actor=context.actor, target=who,
              actorMessage=f"You {done} {who.name} on {channel.name}.",
              targetMessage=f"{context.actor.name} {done}s you on "
                            f"{channel.name}.").broadcast()

    def unmute(self, context, channel, args, usage):
        """Let a muted member talk again."""
        self.mute(context, channel, args, usage, muted=False)

    def destroy(self, context, channel, args, usage):
        """Delete the channel and its history (not the game's own)."""
        self._mayRun(context, channel)
        if channel.autojoin:
            raise ActionFailure.simple(f"{channel.name} is the game's own "
                                       f"channel; it can't be destroyed.")
        name = channel.name
        linked = model.linkOf(channel) is not None
        channel.deleteFromStore()
        if linked:
            _linksChanged(context.store)
        context.tell(f"You destroy {name}.")

    # -- links to IRC (admins) ----------------------------------------------

    def _relay(self, context):
        if not hasPermission(context.actor, "admin"):
            raise ActionFailure.simple("Only an admin may link channels to "
                                       "IRC.")
        relay = model.IChannelRelay(context.store, None)
        if relay is None:
            raise ActionFailure.simple("That needs a running server.")
        return relay

    def link(self, context, channel, args, usage):
        """channel link NAME URL: relay NAME to an IRC channel (admins)."""
        relay = self._relay(context)
        if len(args) != 1:
            raise ActionFailure.simple(f"Usage: {usage}")
        url = args[0]
        existing = model.linkOf(channel)
        if existing is not None:
            raise ActionFailure.simple(
                f"{channel.name} is relayed to {existing.url} already; "
                f"'channel unlink {channel.name}' first.")
        try:
            key, where = relay.check(url)
        except ValueError as e:
            raise ActionFailure.simple(str(e))
        for other in context.store.query(model.ChannelLink):
            if _targetOf(relay, other.url) == key:
                raise ActionFailure.simple(
                    f"{other.channel.name} is relayed there already.")
        model.ChannelLink(store=context.store, channel=channel, url=url,
                          creator=context.actor.name, created=time.time())
        _linksChanged(context.store)
        warning = (f" {channel.name} is private: whoever is on the IRC "
                   f"channel reads it now." if channel.kind == "private"
                   else "")
        context.tell(f"You link {channel.name} to {where}: its lines go "
                     f"there and come back, through the IRC bridge."
                     f"{warning}")

    def unlink(self, context, channel, args, usage):
        """channel unlink NAME: stop relaying NAME to IRC (admins)."""
        self._relay(context)
        link = model.linkOf(channel)
        if link is None:
            raise ActionFailure.simple(f"{channel.name} is not relayed to "
                                       f"IRC.")
        link.deleteFromStore()
        _linksChanged(context.store)
        context.tell(f"{channel.name} is no longer relayed to IRC.")

    def links(self, context):
        """channel links: every relayed channel and how it is doing."""
        shown = [f"  {link.channel.name}: {_linkShown(context.store, link)}"
                 for link in context.store.query(
                     model.ChannelLink,
                     sort=model.ChannelLink.storeID.ascending)]
        if not shown:
            context.tell("No channel is relayed to IRC.")
            return
        context.tell("Channels relayed to IRC:\n" + "\n".join(shown))


def _linkShown(store, link):
    """A link's URL and what the bridge says of it."""
    relay = model.IChannelRelay(store, None)
    status = relay.status(link) if relay is not None else "not running"
    return f"{link.url} ({status})"


def _targetOf(relay, url):
    """The IRC channel C{url} names (the relay's key), or None."""
    try:
        return relay.check(url)[0]
    except ValueError:
        return None     # the configuration no longer allows it


def _linksChanged(store):
    relay = model.IChannelRelay(store, None)
    if relay is not None:
        relay.linksChanged()
