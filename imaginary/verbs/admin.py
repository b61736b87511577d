"""
Admin verbs: shutdown, wall, boot, ban/unban, promote/demote.

They need the admin permission, which the registry checks before any of
them runs.  Those that act on the running game (shutdown, wall, boot, and
ban's disconnection) ask it through C{context.control}, an IGameControl
(imaginary.verbs.control), never through the server itself.
"""

from imaginary.accounts import findAccount
from imaginary.language import styled
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.permissions import LEVELS

from twisted.logger import Logger

from .base import Verb, report
from .talk import findPlayer

log = Logger()


def _audit(context, what):
    """One log line for the operator: which admin did what."""
    log.info("admin {admin} {what}", admin=context.actor.name, what=what)


def _control(context):
    control = context.control
    if control is None:
        raise ActionFailure.simple("That needs a running server.")
    return control


def _account(context, name):
    account = findAccount(context.store, name.strip())
    if account is None:
        raise ActionFailure.simple(f"There is no account '{name.strip()}'.")
    return account


class Shutdown(Verb):
    """shutdown: save the world and stop the server."""

    names = ("shutdown",)
    syntax = ("shutdown",)
    permission = "admin"

    def run(self, context):
        """Ask the running server (C{context.control}) to shut down."""
        control = _control(context)
        report(context, "Shutting down.")
        _audit(context, "shuts the server down")
        control.shutdown()


class Wall(Verb):
    """wall <text>: a message to every connected player."""

    names = ("wall",)
    syntax = ("wall {text}",)
    permission = "admin"

    def run(self, context, text):
        """Send C{text} to every connected player."""
        control = _control(context)
        from imaginary.language import sanitize
        control.announce(styled("[announcement] ", sanitize(text),
                                role="title"))
        _audit(context, f"announces {sanitize(text)!r}")


class Boot(Verb):
    """boot <character>: disconnect a player."""

    names = ("boot",)
    syntax = ("boot {text}",)
    permission = "admin"

    def run(self, context, text):
        """Disconnect the character C{text} names."""
        control = _control(context)
        character = findPlayer(context, text)
        if not control.disconnectCharacter(
                character, "You have been disconnected by an admin."):
            raise ActionFailure.simple(f"{character.name} has no connection "
                                       f"to close.")
        report(context, f"You boot {character.name}.")
        _audit(context, f"boots {character.name}")


class Ban(Verb):
    """ban <account>: refuse that account's logins (and boot it)."""

    names = ("ban",)
    syntax = ("ban {text}",)
    permission = "admin"

    def run(self, context, text):
        """Ban the account C{text} names and disconnect its characters."""
        account = _account(context, text)
        if account.level == "admin":
            raise ActionFailure.simple("Admins can't be banned; demote "
                                       "them first.")
        account.banned = True
        # Without a running server there is nobody to throw out; the ban
        # still holds for the next login.
        if context.control is not None:
            context.control.disconnectAccount(account,
                                              "This account is banned.")
        report(context, f"You ban {account.username}.")
        _audit(context, f"bans {account.username}")


class Unban(Verb):
    """unban <account>: allow that account to log in again."""

    names = ("unban",)
    syntax = ("unban {text}",)
    permission = "admin"

    def run(self, context, text):
        """Lift the ban on the account C{text} names."""
        account = _account(context, text)
        account.banned = False
        report(context, f"You unban {account.username}.")
        _audit(context, f"unbans {account.username}")


def _a(level):
    """'a player', 'a builder', 'an admin'."""
    return ("an " if level[:1] in "aeiou" else "a ") + level


class _LevelChange(Verb):
    step = 1

    def run(self, context, text):
        account = _account(context, text)
        index = LEVELS.index(account.level) + self.step
        if not 0 <= index < len(LEVELS):
            raise ActionFailure.simple(
                f"{account.username} is already {_a(account.level)}.")
        account.setLevel(LEVELS[index])
        report(context, f"{account.username} is now {_a(LEVELS[index])}.")
        _audit(context, f"makes {account.username} {LEVELS[index]}")


class Promote(_LevelChange):
    """promote <account>: player -> builder -> admin."""

    names = ("promote",)
    syntax = ("promote {text}",)
    permission = "admin"


class Demote(_LevelChange):
    """demote <account>: admin -> builder -> player."""

    names = ("demote",)
    syntax = ("demote {text}",)
    permission = "admin"
    step = -1
