"""
Channel verbs: list, join, leave, talk on, and run the game's channels.

    channels                       the list (members, whether you're on it)
    join ooc / leave ooc
    ooc hello / chat ooc hello     talk; "ooc :waves" emotes
    channel who ooc                who is on it, and who is here now
    channel history ooc [N]        the last N lines (20), kept in the store
    channel create NAME [public|private]
    channel describe NAME TEXT / invite NAME WHO / kick NAME WHO
    channel mute NAME WHO / unmute NAME WHO / destroy NAME

Talking by a channel's name is a fallback verb (see Verb.fallback): names
live in the store, not in code, so the parser asks ``ChannelTalk`` about a
line whose first word no verb knows.  Who may do what is decided here:
anyone may make up to three channels of their own (builders and admins
more), a channel's owner and admins describe, invite, kick, mute and
destroy it, and the default channel can't be destroyed.
"""

import time

from imaginary.language import styled
from imaginary.simulation import channels as model
from imaginary.simulation.events import Event
from imaginary.simulation.failure import ActionFailure

from .base import Verb, hasPermission
from .talk import _Quoted, _speech, findPlayer

HISTORY_SHOWN = 20


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
    Event(location=None, actor=actor, actorMessage=actorMessage,
          otherMessage=otherMessage, data={"channel": data},
          audience=[m for m in _members(context, channel) if m is not actor]
          ).broadcast()


class _Prefixed:
    """A message rendered per observer, after a fixed prefix."""

    def __init__(self, prefix, message):
        self.prefix = prefix
        self.message = message

    def render(self, observer):
        return styled(self.prefix, self.message.render(observer))


class ChannelTalk(Verb):
    """'<channel> <text>': talk on a channel by naming it."""

    names = ()
    syntax = ()
    fallback = True
    help = ("<channel> <text>: talk on a channel you are on ('ooc hello'); "
            "'<channel> :<action>' emotes.")

    def claim(self, context, line):
        word, _, rest = line.partition(" ")
        if context.actor is None:
            return None
        channel = model.findChannel(context.store, word)
        if channel is None:
            return None
        return {"channel": channel, "text": rest}

    def run(self, context, channel, text):
        talk(context, channel, text)


class Chat(Verb):
    names = ("chat",)
    syntax = ("chat {text}",)
    help = ("chat <channel> <text>: talk on a channel; 'chat ooc :waves' "
            "emotes.")

    def run(self, context, text):
        name, _, rest = text.partition(" ")
        talk(context, model.channelNamed(context.store, name), rest)


class Channels(Verb):
    names = ("channels",)
    syntax = ("channels",)
    help = "channels: the channels you can join, and which you are on."

    def run(self, context):
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
            lines.append(line)
        if not lines:
            context.tell("There are no channels.")
            return
        context.tell("Channels:\n" + "\n".join(lines))


class Join(Verb):
    names = ("join",)
    syntax = ("join {text}",)
    help = "join <channel>: go on a channel (a private one needs an invite)."

    def run(self, context, text):
        actor = context.actor
        channel = model.channelNamed(context.store, text)
        if channel.membership(actor) is not None:
            raise ActionFailure.simple(f"You are already on {channel.name}.")
        if channel.kind == "private" and not (
                channel.invited(actor) or hasPermission(actor, "admin")):
            raise ActionFailure.simple(
                f"{channel.name} is private: you need an invitation.")
        model.join(channel, actor)
        context.tell(f"You join {channel.name}. Talk with "
                     f"'{channel.name} <text>'.")


class Leave(Verb):
    names = ("leave",)
    syntax = ("leave {text}",)
    help = "leave <channel>: go off a channel."

    def run(self, context, text):
        channel = model.channelNamed(context.store, text)
        if not model.leave(channel, context.actor):
            raise ActionFailure.simple(f"You are not on {channel.name}.")
        context.tell(f"You leave {channel.name}.")


def _rest(words, usage):
    if not words:
        raise ActionFailure.simple(f"Usage: {usage}")
    return words


class ChannelCommand(Verb):
    names = ("channel",)
    syntax = ("channel {text}", "channel")
    help = ("channel who|history|create|describe|invite|kick|mute|unmute|"
            "destroy ...: see who is on a channel, read its history, or run "
            "a channel you own.")

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
    }

    def run(self, context, text=""):
        words = text.split()
        action = words[0].lower() if words else ""
        if action not in self.USAGE:
            raise ActionFailure.simple(
                "Usage: " + "; ".join(self.USAGE.values()) + ".")
        usage = self.USAGE[action]
        args = words[1:]
        if action == "create":
            return self.create(context, _rest(args, usage))
        _rest(args, usage)
        channel = model.channelNamed(context.store, args[0])
        getattr(self, action)(context, channel, args[1:], usage)

    def create(self, context, args):
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
        if not names:
            context.tell(f"Nobody is on {channel.name}.")
            return
        context.tell(f"On {channel.name}: {', '.join(names)}.")

    def history(self, context, channel, args, usage):
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
        self.mute(context, channel, args, usage, muted=False)

    def destroy(self, context, channel, args, usage):
        self._mayRun(context, channel)
        if channel.autojoin:
            raise ActionFailure.simple(f"{channel.name} is the game's own "
                                       f"channel; it can't be destroyed.")
        name = channel.name
        channel.deleteFromStore()
        context.tell(f"You destroy {name}.")
