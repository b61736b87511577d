"""
Admin verbs: shutdown, wall, boot, ban/unban, promote/demote.

They act on the running server (``context.server``), so they need the
admin permission, which the registry checks before any of them runs.
"""

from imaginary.accounts import findAccount
from imaginary.language import styled
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.permissions import LEVELS

from .base import Verb, report
from .talk import findPlayer


def _server(context):
    server = getattr(context, "server", None)
    if server is None:
        raise ActionFailure.simple("That needs a running server.")
    return server



def _account(context, name):
    account = findAccount(context.store, name.strip())
    if account is None:
        raise ActionFailure.simple(f"There is no account '{name.strip()}'.")
    return account


class Shutdown(Verb):
    names = ("shutdown",)
    syntax = ("shutdown",)
    help = "shutdown: save the world and stop the server."
    permission = "admin"

    def run(self, context):
        server = _server(context)
        report(context, "Shutting down.")
        server.shutdown()


class Wall(Verb):
    names = ("wall",)
    syntax = ("wall {text}",)
    help = "wall <text>: a message to every connected player."
    permission = "admin"

    def run(self, context, text):
        server = _server(context)
        from imaginary.language import sanitize
        message = styled("[announcement] ", sanitize(text), role="title")
        for session in list(server.sessions.values()):
            session.tell(message)


class Boot(Verb):
    names = ("boot",)
    syntax = ("boot {text}",)
    help = "boot <character>: disconnect a player."
    permission = "admin"

    def run(self, context, text):
        server = _server(context)
        character = findPlayer(context, text)
        session = server.sessionFor(character)
        if session is None:
            raise ActionFailure.simple(f"{character.name} has no connection "
                                       f"to close.")
        session.tell("You have been disconnected by an admin.")
        session.close()
        report(context, f"You boot {character.name}.")


class Ban(Verb):
    names = ("ban",)
    syntax = ("ban {text}",)
    help = "ban <account>: refuse that account's logins (and boot it)."
    permission = "admin"

    def run(self, context, text):
        account = _account(context, text)
        if account.level == "admin":
            raise ActionFailure.simple("Admins can't be banned; demote "
                                       "them first.")
        account.banned = True
        server = getattr(context, "server", None)
        if server is not None:
            for session in list(server.sessions.values()):
                if session.account is account:
                    session.tell("This account is banned.")
                    session.close()
        report(context, f"You ban {account.username}.")


class Unban(Verb):
    names = ("unban",)
    syntax = ("unban {text}",)
    help = "unban <account>: allow that account to log in again."
    permission = "admin"

    def run(self, context, text):
        account = _account(context, text)
        account.banned = False
        report(context, f"You unban {account.username}.")


class _LevelChange(Verb):
    step = 1

    def run(self, context, text):
        account = _account(context, text)
        index = LEVELS.index(account.level) + self.step
        if not 0 <= index < len(LEVELS):
            raise ActionFailure.simple(
                f"{account.username} is already {account.level}.")
        account.setLevel(LEVELS[index])
        report(context, f"{account.username} is now {LEVELS[index]}.")


class Promote(_LevelChange):
    names = ("promote",)
    syntax = ("promote {text}",)
    help = "promote <account>: player -> builder -> admin."
    permission = "admin"


class Demote(_LevelChange):
    names = ("demote",)
    syntax = ("demote {text}",)
    help = "demote <account>: admin -> builder -> player."
    permission = "admin"
    step = -1
