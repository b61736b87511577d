"""
Texts from characters over IRC (imaginary/notify): the IRC front end is
the store's C{irc} INotifyRoute while it listens.

A player whose IRC client is logged in to their account (playing, or at
the character menu) gets a character's text as a PRIVMSG from that
character's nick, in a private query like any tell.  In the game the
C{game} route usually comes first (a player in play is told in the game,
which an IRC client also shows as a query); the IRC route is for a client
at the character menu, or for a player who put C{irc} first.

What the player answers in that query (C{answer}): "stop" switches
texts by IRC off; other words reach the character as a tell through
notify.api.reply when the player is not playing or the character is not
in play (an NPC); a character in play is told the ordinary way (the
C{tell} verb).
"""

from zope.interface import implementer

from imaginary.mail import model as mailModel
from imaginary.notify import api
from imaginary.simulation.events import runEventTransaction
from imaginary.simulation.world import ImaginaryWorld

from . import wire
from .play import sourceOf


@implementer(api.INotifyRoute)
class IRCRoute:
    """The IRC front end's route: PRIVMSGs to the account's clients."""

    name = "irc"

    def __init__(self, server):
        self.server = server

    def connections(self, account):
        """The registered IRC connections logged in to C{account}."""
        found = []
        for connection in list(self.server.connections):
            if getattr(connection, "registered", False) and \
                    hasattr(connection, "irc_PRIVMSG") and \
                    not connection.closed and \
                    connection.account is account:
                found.append(connection)
        return found

    def available(self, account):
        """Whether an IRC client of C{account} is connected."""
        return bool(self.connections(account))

    def deliver(self, notification):
        """The text as a PRIVMSG from the character, to every client."""
        source = sourceOf(notification.senderName)
        for connection in self.connections(notification.account):
            connection.write(wire.format("PRIVMSG", connection.nick,
                                         notification.body, source=source))

    def sendCode(self, address, code):
        """IRC needs no address of its own: nothing to verify."""
        raise NotImplementedError("IRC texts go to a logged-in client")


def install(server):
    """Offer the IRC route on C{server}'s store."""
    if getattr(server, "store", None) is not None:
        api.installRoute(server.store, IRCRoute(server))


def opened(connection):
    """C{connection} registered: try the account's waiting texts."""
    store = getattr(connection.server, "store", None)
    account = connection.account
    if store is not None and account is not None and \
            api.routeNamed(store, "irc") is not None:
        runEventTransaction(store, api.flush, store, account)


def answer(connection, name, words):
    """
    A PRIVMSG from C{connection} to the nick of C{name}: handled here
    (True) when it answers a text (see the module docstring).
    """
    account = connection.account
    store = getattr(connection.server, "store", None)
    if account is None or store is None or not words:
        return False
    character = mailModel.characterNamed(store, name)
    stop = words.strip().lower() in ("stop", "stop.")
    if character is None or not (stop or api.texted(account, character)):
        return False
    playing = connection.player is not None
    if playing and not stop and \
            character in ImaginaryWorld.get(store).connected:
        return False        # an ordinary tell
    said = runEventTransaction(store, api.reply, account, character,
                               words, "irc")
    if said:
        connection.write(wire.format("PRIVMSG", connection.nick, said,
                                     source=sourceOf(character.name)))
    return True
