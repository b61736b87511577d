"""
Group verbs: found, join, run and write in a story group.

The verbs::

    group                              your groups and invitations
    group create <name> [= <handle>]   found one where you stand
    group invite <character>
    group accept [<group>] / group decline [<group>]
    group leave
    group info [<group>]
    group members
    group journal [<text>]             read the latest entries, or write one
    group whereabouts show|hide        whether the group's page shows where
                                       you are and whether you are playing
    group post <subject> = <text>      to the group's mailing list
    group mail on|off                  whether list posts reach your real
                                       inbox too (your mailbox here always)
    group disband                      (its founder, or an admin)

A character in several groups names the one it means right after the
word: C{group lanterns invite Bob}.  Handles can't be one of the
actions, so that is never ambiguous.  To anyone outside a group the group
does not exist: every refusal to a non-member reads the same as for a
handle nobody has.  The model (imaginary/simulation/groups.py) keeps the
rules about members; this module decides who may ask for what.
"""

from imaginary.language import styled
from imaginary.mail import listmail, lists
from imaginary.mail import model as mailModel
from imaginary.mail.outbound import MailRefused
from imaginary.simulation import groups as model
from imaginary.simulation.events import Event
from imaginary.simulation.failure import ActionFailure

from .base import Verb, hasPermission
from .info import SESSION_HELP

JOURNAL_SHOWN = 10


def _limits(context):
    """(groups per character, members per group) for the actor: admins
    have no limit on the groups they are in."""
    config = model.settings(context.store)
    limit = None if hasPermission(context.actor, "admin") else \
        config.maxGroups
    return limit, config.maxMembers


def _noSuchGroup(handle):
    shown = (handle or "").strip()[:30]
    return ActionFailure.simple(
        f"You are not in a group called '{shown}'. Type 'group' for yours.")


def _tellCharacter(context, character, text):
    """Tell C{character} C{text} if it is in play (else it is not told)."""
    if character in (context.world.connected if context.world else ()):
        Event(location=None, otherMessage=styled(text),
              audience=[character]).broadcast()


def _announce(context, group, text):
    """Tell the group's other members in play, on its channel (as a
    notice: not kept in the channel's history)."""
    if group.channel is None:
        return
    connected = set(context.world.connected if context.world else ())
    audience = [m for m in group.channel.members()
                if m in connected and m is not context.actor]
    Event(location=None, otherMessage=styled(
        styled(f"[{group.handle}] ", role="channel"), text),
        audience=audience).broadcast()


def _of(group):
    """ "Owls'": the group's name as an owner."""
    return model.possessive(group.name)


def _boardDown(context, group):
    """Tell the room (not the actor, told already) that a group's board is
    taken down: the group ends."""
    board = group.board
    if board is not None and board.location is not None:
        Event(location=board.location, actor=context.actor,
              otherMessage=styled(
            f"The notice board of {group.name} is taken down.")).broadcast()


class GroupCommand(Verb):
    """
    group: your groups and invitations. group create <name> [= <handle>]:
    found a story group where you stand. group [<handle>]
    invite|accept|decline|leave|info|members ...: bring others in. group
    [<handle>] journal|post|mail|whereabouts|disband ...: keep its journal,
    write to its list, choose what its page shows, end it.
    """

    names = ("group",)
    syntax = ("group {text}", "group")
    usage = "group [<group>] <action> ..."

    USAGE = {
        "create": "group create <name> [= <handle>]",
        "invite": "group invite <character>",
        "accept": "group accept [<group>]",
        "decline": "group decline [<group>]",
        "leave": "group leave",
        "info": "group info [<group>]",
        "members": "group members",
        "journal": "group journal [<text>]",
        "whereabouts": "group whereabouts show|hide",
        "post": "group post <subject> = <text>",
        "mail": "group mail on|off",
        "disband": "group disband",
    }
    # Actions that work on one of the actor's groups (named or implied).
    ON_GROUP = ("invite", "leave", "info", "members", "journal",
                "whereabouts", "post", "mail", "disband")

    def run(self, context, text=""):
        """Run the action the first word (or the second, after a group's
        handle) names."""
        words = text.split()
        if not words:
            return self.list(context)
        action = words[0].lower()
        named = None
        if action not in self.USAGE and len(words) > 1 and \
                words[1].lower() in self.ON_GROUP:
            named, action, words = words[0], words[1].lower(), words[1:]
        if action not in self.USAGE:
            raise ActionFailure.simple(
                "Usage: group; " + "; ".join(self.USAGE.values()) + ".")
        rest = text.split(None, 2 if named else 1)[2 if named else 1:]
        rest = rest[0].strip() if rest else ""
        if action == "create":
            return self.create(context, rest)
        if action in ("accept", "decline"):
            return self.answer(context, action, rest)
        if action == "info":
            return self.info(context, self._group(
                context, named or rest or None, "info"))
        if action in ("leave", "disband", "members") and rest:
            # Irreversible (or plain) actions take no more words: a typo
            # never leaves or ends a group by accident.
            raise ActionFailure.simple("Usage: " + self.USAGE[action])
        group = self._group(context, named, action)
        return getattr(self, action)(context, group, rest)

    def _group(self, context, handle, action):
        """The actor's group called C{handle}, or its only group."""
        actor = context.actor
        if handle is not None:
            group = model.findGroup(context.store, handle)
            if group is None or (group.membership(actor) is None and not (
                    action in ("disband", "info")
                    and hasPermission(actor, "admin"))):
                raise _noSuchGroup(handle)
            return group
        mine = model.groupsOf(actor)
        if not mine:
            raise ActionFailure.simple(
                "You are not in a group. 'group create <name>' founds one.")
        if len(mine) > 1:
            handles = ", ".join(g.handle for g in mine)
            raise ActionFailure.simple(
                f"You are in {len(mine)} groups ({handles}); say which: "
                f"'group <group> {action} ...'.")
        return mine[0]

    def list(self, context):
        """Your groups (with your role) and invitations."""
        actor = context.actor
        lines = []
        for group in model.groupsOf(actor):
            role = group.membership(actor).role
            count = len(group.members())
            lines.append(f"  {group.name} ({group.handle}): {role}, "
                         f"{count} member{'s' if count != 1 else ''}")
        invitations = model.invitationsOf(actor)
        if not lines and not invitations:
            context.tell("You are not in a group. 'group create <name>' "
                         "founds one.")
            return
        if lines:
            context.tell("\n".join(["Your groups:"] + lines))
        for invite in invitations:
            by = invite.inviter.name if invite.inviter is not None else \
                "someone"
            context.tell(f"{by} invited you to {invite.group.name} "
                         f"({invite.group.handle}): 'group accept "
                         f"{invite.group.handle}' or 'group decline "
                         f"{invite.group.handle}'.")

    def create(self, context, rest):
        """Found a group where the actor stands."""
        name, sep, handle = rest.partition("=")
        if not name.strip():
            raise ActionFailure.simple("Usage: " + self.USAGE["create"])
        name = model.checkName(name)       # what the name says first
        chosen = handle.strip() if sep else model.handleFor(name)
        if context.registry is not None and (
                chosen.lower() in context.registry.words()
                or chosen.lower() in SESSION_HELP):
            # Its channel would never be reached: "say hello" says it.
            raise ActionFailure.simple(
                f"The handle '{chosen.lower()}' is a command; choose "
                f"another: 'group create {name} = <handle>'.")
        limit, _ = _limits(context)
        group = model.createGroup(context.actor, name,
                                  handle.strip() if sep else None, limit)
        where = f" Its notice board is here." if group.board else ""
        context.tell(f"You found {group.name} (handle: {group.handle}).{where}"
                     f" Its members talk with '{group.handle} <text>'; "
                     f"'group invite <character>' brings others in.")
        if group.home is not None:
            Event(location=group.home, actor=context.actor,
                  otherMessage=styled(f"{context.actor.name} pins up a "
                                      f"notice board: {group.name}.")
                  ).broadcast()

    def invite(self, context, group, rest):
        """Invite a character (any member may)."""
        if not rest:
            raise ActionFailure.simple("Usage: " + self.USAGE["invite"])
        invitee = mailModel.characterNamed(context.store, rest)
        if invitee is None:
            raise ActionFailure.simple(
                f"There is no character called '{rest[:30]}'.")
        if invitee is context.actor:
            raise ActionFailure.simple(f"You are in {group.name} already.")
        _, maxMembers = _limits(context)
        model.invite(group, context.actor, invitee, maxMembers)
        context.tell(f"You invite {invitee.name} to {group.name}.")
        _tellCharacter(context, invitee,
                       f"{context.actor.name} invites you to join "
                       f"{group.name}. Type 'group accept {group.handle}' "
                       f"or 'group decline {group.handle}'.")

    def _invitation(self, context, handle, action):
        actor = context.actor
        if handle:
            group = model.findGroup(context.store, handle)
            if group is None or group.invitation(actor) is None:
                raise ActionFailure.simple(
                    f"You have no invitation to a group called "
                    f"'{handle[:30]}'.")
            return group
        invitations = model.invitationsOf(actor)
        if not invitations:
            raise ActionFailure.simple("You have no invitation to a group.")
        if len(invitations) > 1:
            handles = ", ".join(i.group.handle for i in invitations)
            raise ActionFailure.simple(
                f"You are invited to {len(invitations)} groups ({handles});"
                f" say which: 'group {action} <group>'.")
        return invitations[0].group

    def answer(self, context, action, rest):
        """Accept or decline an invitation."""
        group = self._invitation(context, rest, action)
        actor = context.actor
        if action == "decline":
            inviter = group.invitation(actor).inviter
            model.decline(group, actor)
            context.tell(f"You decline the invitation to {group.name}.")
            if inviter is not None:
                _tellCharacter(context, inviter, f"{actor.name} declines "
                               f"the invitation to {group.name}.")
            return
        limit, maxMembers = _limits(context)
        model.accept(group, actor, limit, maxMembers)
        _announce(context, group, f"{actor.name} joins {group.name}.")
        context.tell(f"You join {group.name}. Talk to its members with "
                     f"'{group.handle} <text>'.")

    def leave(self, context, group, rest):
        """Leave (a founder hands the group on; the last one disbands it)."""
        actor = context.actor
        name = group.name
        last = len(group.members()) == 1
        if last:
            _boardDown(context, group)
        successor = model.leave(group, actor)
        if last:
            context.tell(f"You leave {name}, its last member, and it is "
                         f"no more.")
            return
        context.tell(f"You leave {name}.")
        _announce(context, group, f"{actor.name} leaves {name}." + (
            f" {successor.name} is its founder now."
            if successor is not None else ""))

    def info(self, context, group):
        """What the group is: name, handle, founder, home, members."""
        founder = group.founder()
        count = len(group.members())
        domain = mailModel.settings(context.store).domain
        lines = [f"{group.name} (handle: {group.handle})",
                 f"  Founded by {founder.name if founder else 'nobody now'}"
                 f" on {group.created.asDatetime().strftime('%Y-%m-%d')}.",
                 f"  Home: {group.home.name if group.home else 'none'}.",
                 f"  {count} member{'s' if count != 1 else ''}; its channel "
                 f"is {group.handle}."]
        # The list's address means something only once the operator has
        # given the game a mail domain ('group post' works regardless).
        if domain != mailModel.DEFAULT_DOMAIN:
            lines.append(f"  Its list: {lists.listAddress(group, domain)} "
                         f"('group post <subject> = <text>').")
        context.tell("\n".join(lines))

    def members(self, context, group, rest):
        """The members, their roles, and who is playing now."""
        connected = set(context.world.connected if context.world else ())
        lines = [f"Members of {group.name}:"]
        for record in group.members():
            who = record.member
            playing = ", playing now" if who in connected else ""
            lines.append(f"  {who.name} ({record.role}{playing})")
        context.tell("\n".join(lines))

    def journal(self, context, group, rest):
        """Write an entry, or read the latest ones."""
        if rest:
            entry = model.writeJournal(group, context.actor, rest)
            context.tell(f"You write in {_of(group)} journal "
                         f"(entry {entry.serial}).")
            return
        entries = group.journal(JOURNAL_SHOWN)
        if not entries:
            context.tell(f"{_of(group)} journal is empty. Write in it "
                         f"with 'group journal <text>'.")
            return
        lines = [f"{_of(group)} journal, newest first (times UTC):"]
        for entry in entries:
            stamp = entry.when.asDatetime().strftime("%Y-%m-%d %H:%M")
            lines.append(f"  [{stamp}] {entry.author}: {entry.text}")
        context.tell("\n".join(lines))

    def whereabouts(self, context, group, rest):
        """Show or hide where you are on the group's page."""
        choice = rest.lower()
        if choice not in ("show", "hide"):
            raise ActionFailure.simple("Usage: " + self.USAGE["whereabouts"])
        group.membership(context.actor).showWhereabouts = choice == "show"
        if choice == "show":
            context.tell(f"{_of(group)} page will show where you are and "
                         f"whether you are playing.")
        else:
            context.tell(f"{_of(group)} page will not show where you are "
                         f"or whether you are playing.")

    def post(self, context, group, rest):
        """Post to the group's mailing list (every member gets it)."""
        subject, equals, body = rest.partition("=")
        subject, body = subject.strip(), body.strip()
        if not equals or not subject or not body:
            raise ActionFailure.simple("Usage: " + self.USAGE["post"])
        if len(subject) > mailModel.MAX_SUBJECT:
            raise ActionFailure.simple(
                f"A subject is at most {mailModel.MAX_SUBJECT} characters "
                f"long (that one is {len(subject)}); put the rest after "
                f"the '='.")
        try:
            entry = lists.post(group, context.actor, subject, body)
        except MailRefused as e:
            raise ActionFailure.simple(str(e))
        address = lists.listAddress(group,
                                    mailModel.settings(context.store).domain)
        others = len(group.members()) - 1
        context.tell(f"You post '{entry.subject}' to "
                     f"{_of(group)} list "
                     f"({address}); {others} other member"
                     f"{'s' if others != 1 else ''} will find it in their "
                     f"mail.")

    def mail(self, context, group, rest):
        """Turn list mail to your verified address on or off."""
        choice = rest.lower()
        if choice not in ("on", "off"):
            raise ActionFailure.simple("Usage: " + self.USAGE["mail"])
        record = listmail.subscription(group, context.actor)
        if choice == "off":
            record.mail = False
            context.tell(f"{_of(group)} list posts will reach only your "
                         f"mailbox in the game.")
            return
        address = listmail.realAddress(context.actor)
        if address is None:
            raise ActionFailure.simple(
                "List mail goes to your account's verified address, with "
                "game mail on, and you have none: 'account email "
                "<address>' gives one.")
        if not mailModel.settings(context.store).relayHost:
            raise ActionFailure.simple(
                "This game sends no mail outside it (no relay is "
                "configured).")
        record.mail = True
        context.tell(f"{_of(group)} list posts will reach {address} as "
                     f"well as your mailbox in the game; 'group mail off' "
                     f"stops them.")

    def disband(self, context, group, rest):
        """End the group (its founder, or an admin)."""
        actor = context.actor
        if group.founder() is not actor and not hasPermission(actor,
                                                              "admin"):
            raise ActionFailure.simple(
                f"Only {_of(group)} founder or an admin "
                f"may disband it.")
        name = group.name
        _announce(context, group, f"{actor.name} disbands {name}.")
        _boardDown(context, group)
        model.disband(group)
        context.tell(f"You disband {name}.")
