"""
Single-player in this terminal: C{imaginary play}.

The same server (store, world, scheduler, verbs) runs in this process with
no listeners, and the terminal's standard input and output are one more
front end.  Whoever can run this command can read the store's file, so the
terminal is trusted: it logs in to a local account without a password,
creating it on first use.  Everything is saved in the store as in a served
game, so a game played today continues tomorrow (and the same store can
later be served to others).
"""

import os
import secrets
import shutil
import sys
import termios

from twisted.internet import stdio
from twisted.logger import Logger

from imaginary.accounts import createAccount, findAccount, hashPassword
from imaginary.frontends.ssh import colourDepth
from imaginary.frontends.terminal import PlainLineGame
from imaginary.session.interfaces import IPlayer
from imaginary.session.login import TokenCredentials

log = Logger()


class LocalPlayer(PlainLineGame):
    """PlainLineGame on stdin/stdout; hides typing for passwords on a TTY."""

    kind = "play"

    def __init__(self, server, player, onEnd):
        tty = sys.stdout.isatty()
        PlainLineGame.__init__(
            self, server, player, "this terminal",
            colours=colourDepth(os.environ.get("TERM")) if tty else None,
            width=shutil.get_terminal_size().columns if tty else None)
        self.address = "local"
        self.onEnd = onEnd

    def setPasswordMode(self, hidden):
        """
        IFrontEnd: turn the terminal's echo off (C{hidden}) or back on; nothing
        when stdin is not a terminal.
        """
        if not sys.stdin.isatty():
            return
        fd = sys.stdin.fileno()
        attrs = termios.tcgetattr(fd)
        if hidden:
            attrs[3] &= ~termios.ECHO
        else:
            attrs[3] |= termios.ECHO
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
        if not hidden:
            self._write("\n")

    def connectionLost(self, reason=None):
        """
        The game is over: echo back on, the session told, and C{onEnd} called.
        """
        self.setPasswordMode(False) if sys.stdin.isatty() else None
        PlainLineGame.connectionLost(self, reason)
        self.onEnd()


def localAccount(store, name):
    """
    The account to play as: existing, or new with a random password
    (the terminal needs none; 'password' in the game sets one for SSH and
    telnet).
    """
    account = findAccount(store, name)
    if account is None:
        account = createAccount(store, name, hashPassword(
            secrets.token_urlsafe(24)))
        print(f"Created the local account {account.username}. (Type "
              f"'password' in the game to set a password for telnet and "
              f"SSH.)")
    return account


def play(server, accountName, reactor):
    """
    Start a local game on a started server; stops the reactor at the end.
    The trusted terminal logs in through the portal like every front end,
    with a token the server issues to itself instead of a password.
    """
    account = server.store.transact(localAccount, server.store, accountName)
    if account.banned:
        raise SystemExit(f"imaginary: the account {account.username} is "
                         f"banned")

    def ended():
        if reactor.running:
            reactor.stop()
    credentials = TokenCredentials(server.tokens.issue(account.username),
                                   "local")
    d = server.portal.login(credentials, None, IPlayer)

    def loggedIn(result):
        local = LocalPlayer(server, result[1], ended)
        stdio.StandardIO(local, reactor=reactor)
        return local

    def failed(failure):
        print(f"imaginary: cannot log in: {failure.getErrorMessage()}",
              file=sys.stderr)
        ended()
    return d.addCallbacks(loggedIn, failed)
