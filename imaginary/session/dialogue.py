"""
The conversation of a line-based front end: telnet, SSH, the terminal.

A C{LineDialogue} is one connection's side of the game for front ends
that only have lines of text: it asks for an account name and password
(or makes a new account), logs in through the server's portal like every
other front end, shows the character menu (a rendering of the avatar's
character list and operations), and then hands each line to the
character's session.

Input is queued, never dropped: a client script that sends the account,
the password and C{create} without waiting for prompts gets all three
run in order, even while a password is being hashed in a thread.  (Only
the front end's flood gate refuses lines, with its own message.)
"""

import collections
import os

from twisted.internet import defer
from twisted.logger import Logger

from imaginary.accounts import checkPassword, nameKey, verifyPasswordLater
from imaginary.language import styled

from .avatar import Refused
from .interfaces import IPlayer
from .login import AccountBanned, PasswordCredentials, refusal
from .loginwindow import TOO_MANY, TOO_SLOW, LoginWindow
from .reset import PasswordResetSteps

log = Logger()


def _deferred(result):
    """
    Whether a command's result is a Deferred (to wait for).  Most are
    True or None: answered without isinstance(), which for Deferred (an
    abstract base class) costs a microsecond on every line typed.
    """
    return result is not None and result is not True and \
        isinstance(result, defer.Deferred)

PROMPT = "> "
ACCOUNT_PROMPT = "Account name (or 'new'): "
NEW_NAME_PROMPT = "Choose an account name: "
NEW_PASSWORD_PROMPT = "Choose a password (6 or more characters): "
REPEAT_PROMPT = "Type it again: "
PASSWORD_PROMPT = "Password: "
CHARACTER_PROMPT = "Character: "
CURRENT_PROMPT = "Current password: "
CHANGE_PROMPT = "New password (6 or more characters): "
MAX_WAITING = 500       # lines queued behind a slow step, at most
# How long a character whose connection dropped (rather than quit) stays.
DROPPED_LINK_SECONDS = float(
    os.environ.get("IMAGINARY_DROPPED_LINK_SECONDS", "20"))
OOPS = "Something went wrong; the error has been logged."


class LineDialogue(PasswordResetSteps):
    """
    One connection's conversation.  States: "account", "password",
    "new-name", "new-password", "repeat-password", "menu", "playing",
    "change-password", "repeat-change", "closed".
    """

    def __init__(self, server, frontEnd):
        self.server = server
        self.frontEnd = frontEnd
        self.state = "account"
        self.avatar = None
        self.attachment = None
        self._name = None
        self._deleting = None    # the character a "delete" asks about
        self._password = None
        self._queue = collections.deque()
        self._waiting = False       # a step's Deferred has not fired yet
        self._running = False
        self._ownsLogin = False     # we logged in (not the front end)
        self._window = LoginWindow(server, frontEnd.address, self._tooSlow)
        server.connectionOpened(self)

    @property
    def account(self):
        """The logged-in account, or None."""
        return self.avatar.account if self.avatar is not None else None

    @property
    def character(self):
        """The character this connection plays, or None."""
        return self.attachment.character if self.attachment else None

    # -- output ------------------------------------------------------------

    def tell(self, text):
        """Send one line (a str or a Span) to this connection only."""
        self.frontEnd.sendSpan(styled(text) if isinstance(text, str)
                               else text)

    def prompt(self, text=PROMPT):
        """Ask for the next line."""
        self.frontEnd.sendPrompt(text)

    def start(self):
        """
        Greet a new connection: the banner, then the account prompt.  It
        has the server's login grace time to log in, and is refused when
        its address already has too many connections logging in.
        """
        if not self._window.open():
            self.tell(TOO_MANY)
            self.close()
            return
        self.tell(self.server.banner())
        self.prompt(ACCOUNT_PROMPT)

    def _tooSlow(self):
        log.info("closing a connection from {address} that did not log in "
                 "in time", address=self.frontEnd.address)
        self.frontEnd.setPasswordMode(False)
        self.tell(TOO_SLOW)
        self.close()

    def startAuthenticated(self, avatar):
        """
        Greet a connection whose front end already logged in through the
        portal (SSH checked a password or a key): straight to the menu.
        """
        self.tell(self.server.banner(authenticated=True))
        if avatar.account.banned:
            self.tell("This account is banned.")
            self.close()
            return
        self._loggedIn(avatar)

    # -- input -------------------------------------------------------------

    def lineReceived(self, line):
        """One line from the person; queued, and run in order."""
        if not (self._running or self._waiting or self._queue):
            state = self.state
            if state == "playing":          # the common case: idle, playing
                self._running = True
                try:
                    result = self._state_playing(line)
                except Exception:
                    log.failure("session error while playing")
                    self.tell(OOPS)
                    result = None
                finally:
                    self._running = False
                if _deferred(result):
                    self._waiting = True
                    result.addErrback(self._failed)
                    result.addBoth(self._resume)
                return
            if state != "closed":
                self._running = True
                try:
                    self._step(line)
                finally:
                    self._running = False
                self._run()
            return
        if self.state == "closed":
            return
        if len(self._queue) >= MAX_WAITING:
            self.tell("You are typing too fast; some commands were dropped.")
            return
        self._queue.append(line)
        self._run()

    def _run(self):
        if self._running:
            return
        self._running = True
        try:
            while self._queue and not self._waiting and \
                    self.state != "closed":
                self._step(self._queue.popleft())
        finally:
            self._running = False

    def _step(self, line):
        handler = getattr(self, "_state_" + self.state.replace("-", "_"))
        try:
            result = handler(line)
        except Exception:
            log.failure("session error in state {state}", state=self.state)
            self.tell(OOPS)
            return
        if _deferred(result):
            self._waiting = True
            result.addErrback(self._failed)
            result.addBoth(self._resume)

    def _failed(self, failure):
        log.failure("session error", failure=failure)
        self.tell(OOPS)

    def _resume(self, _):
        self._waiting = False
        self._run()

    # -- logging in ----------------------------------------------------------

    def _state_account(self, line):
        name = line.strip()
        if not name:
            self.prompt(ACCOUNT_PROMPT)
        elif name.lower() == "new":
            self.state = "new-name"
            self.prompt(NEW_NAME_PROMPT)
        elif name.lower() == "reset":
            self._startReset()          # by mail: reset.py
        else:
            self._name = name
            self.state = "password"
            self.frontEnd.setPasswordMode(True)
            self.prompt(PASSWORD_PROMPT)

    def _state_password(self, line):
        credentials = PasswordCredentials(self._name, line,
                                          self.frontEnd.address)
        return self._login(credentials)

    def _login(self, credentials):
        d = self.server.portal.login(credentials, None, IPlayer)

        def loggedIn(result):
            _, avatar, logout = result
            if self.state == "closed":
                logout()        # the connection went while we checked
                return
            self._ownsLogin = True
            self.frontEnd.setPasswordMode(False)
            self._loggedIn(avatar)

        def refused(failure):
            if self.state == "closed":
                return
            self.frontEnd.setPasswordMode(False)
            self.tell(refusal(failure))
            if failure.check(AccountBanned):
                self.close()
                return
            self._offerReset()
            self.state = "account"
            self.prompt(ACCOUNT_PROMPT)
        return d.addCallbacks(loggedIn, refused)

    def _state_new_name(self, line):
        try:
            self._name = self.server.accounts.checkNewName(line)
        except Refused as e:
            self.tell(str(e))
            self.prompt(NEW_NAME_PROMPT)
            return
        self.state = "new-password"
        self.frontEnd.setPasswordMode(True)
        self.prompt(NEW_PASSWORD_PROMPT)

    def _state_new_password(self, line):
        try:
            checkPassword(line)
        except ValueError as e:
            self.tell(str(e))
            self.prompt(NEW_PASSWORD_PROMPT)
            return
        self._password = line
        self.state = "repeat-password"
        self.prompt(REPEAT_PROMPT)

    def _state_repeat_password(self, line):
        password, self._password = self._password, None
        if line != password:
            self.tell("The passwords differ; let's try again.")
            self.state = "new-password"
            self.prompt(NEW_PASSWORD_PROMPT)
            return
        d = self.server.accounts.create(self._name, password,
                                        self.frontEnd.address)

        def created(credentials):
            if self.state == "closed":
                return          # made; the player logs in next time
            self.tell(f"Account {self._name} created.")
            return self._login(credentials)

        def refused(failure):
            failure.trap(Refused)
            if self.state == "closed":
                return
            self.frontEnd.setPasswordMode(False)
            self.tell(str(failure.value))
            self.state = "account"
            self.prompt(ACCOUNT_PROMPT)
        return d.addCallbacks(created, refused)

    def _loggedIn(self, avatar):
        self._window.close()
        self.avatar = avatar
        log.info("{name} logged in from {address}", name=avatar.accountName,
                 address=self.frontEnd.address)
        self._menu()

    # -- the character menu --------------------------------------------------

    def _menu(self):
        self.state = "menu"
        names = [c.name for c in self.avatar.characters()]
        if names:
            self.tell("Your characters: " + ", ".join(names) + ".")
        else:
            self.tell("You have no characters yet.")
        self.tell("Type a character's name to play it, 'create <name> "
                  "<male|female|neuter|plural>' to make one, 'delete "
                  "<name>' to delete one, or 'quit'.")
        self.prompt(CHARACTER_PROMPT)

    def _state_menu(self, line):
        words = line.split()
        if not words:
            self.prompt(CHARACTER_PROMPT)
            return
        command = words[0].lower()
        try:
            if command == "quit":
                self.tell("Goodbye.")
                self.close()
                return
            if command == "create":
                if len(words) < 3:
                    raise Refused("Usage: create <name> "
                                  "<male|female|neuter|plural>")
                info = self.avatar.createCharacter(" ".join(words[1:-1]),
                                                   words[-1])
                self.tell(f"{info.name} is born.")
                return self.play(info.name)
            if command == "delete" and len(words) > 1:
                # One slip of a name mustn't cost a character: ask again.
                name = self.avatar.characterNamed(" ".join(words[1:]))
                self._deleting = name
                self.state = "confirm-delete"
                self.prompt(f"Type {name} again to delete it for good "
                            f"(anything else keeps it): ")
                return
            return self.play(line)
        except Refused as e:
            self.tell(str(e))
            if self.avatar.account.banned:
                self.close()
                return
            self._menu()

    def _state_confirm_delete(self, line):
        name, self._deleting = self._deleting, None
        if nameKey(" ".join(line.split())) == nameKey(name):
            try:
                self.tell(f"{self.avatar.deleteCharacter(name)} is deleted.")
            except Refused as e:
                self.tell(str(e))
        else:
            self.tell(f"{name} is kept.")
        self._menu()

    # -- playing -------------------------------------------------------------

    def play(self, name):
        """Play the character called C{name}; raises Refused."""
        self.attachment = self.avatar.play(name, self.frontEnd)
        self.state = "playing"
        self.tell(f"You are {self.attachment.character.name}.")
        return self._command("look")

    def _command(self, line):
        attachment = self.attachment
        result = attachment.session.submitNow(line, attachment)
        if _deferred(result):
            return result.addCallback(self._settled)
        if self.state == "playing":
            self.frontEnd.sendPrompt(PROMPT)

    def _settled(self, _):
        if self.state == "playing":
            self.prompt()

    def _state_playing(self, line):
        attachment = self.attachment
        if attachment is not None and attachment.session.diverted:
            # A verb is reading lines (a mail's body): each goes to it as
            # typed, blank or starting with 'quit'.
            return self._command(line)
        stripped = line.strip()
        if not stripped:
            self.prompt()
            return
        word = stripped.split()[0].lower()
        if word == "quit":
            self.tell("Goodbye. Your character rests until you return.")
            self.close()
            return
        if word == "password":
            # The current password first: a terminal left logged in must
            # not let a passer-by take the account.  (The local terminal
            # logged in without one: its player is trusted, and may not
            # know the random one it was given.)
            self.frontEnd.setPasswordMode(True)
            if self.frontEnd.kind == "play":
                self.state = "change-password"
                self.prompt(CHANGE_PROMPT)
            else:
                self.state = "current-password"
                self.prompt(CURRENT_PROMPT)
            return
        return self._command(stripped)

    def _state_current_password(self, line):
        d = verifyPasswordLater(self.avatar.account, line)

        def checked(right):
            if not right:
                self._backToPlaying("That is not your password. Your "
                                    "password is unchanged.")
            elif self.state != "closed":
                self.state = "change-password"
                self.prompt(CHANGE_PROMPT)
        return d.addCallback(checked)

    def _state_change_password(self, line):
        try:
            checkPassword(line)
        except ValueError as e:
            self._backToPlaying(str(e) + " Your password is unchanged.")
            return
        self._password = line
        self.state = "repeat-change"
        self.prompt(REPEAT_PROMPT)

    def _backToPlaying(self, message):
        self.frontEnd.setPasswordMode(False)
        self.tell(message)
        if self.state != "closed":
            self.state = "playing"
            self.prompt()

    def _state_repeat_change(self, line):
        # Asked twice, as for a new account: a typo must not lock the
        # player out of their own account.
        password, self._password = self._password, None
        if line != password:
            self._backToPlaying("The passwords differ. Your password is "
                                "unchanged.")
            return
        d = self.avatar.setPassword(line)

        def changed(_):
            self.tell("Your password is changed.")

        def refused(failure):
            if failure.check(Refused):
                self.tell(str(failure.value) + " Your password is "
                          "unchanged.")
            else:
                self._failed(failure)

        def back(_):
            # Whatever happened, typing is shown again and play goes on.
            self.frontEnd.setPasswordMode(False)
            if self.state != "closed":
                self.state = "playing"
                self.prompt()
        return d.addCallbacks(changed, refused).addBoth(back)

    # -- ending ----------------------------------------------------------

    def close(self):
        """End this connection's part (the character may play on)."""
        if self.state == "closed":
            return
        self._leave()
        self.frontEnd.disconnect()

    def connectionLost(self):
        """
        The connection went away without a 'quit' (a dropped link): the
        character stays in the game for DROPPED_LINK_SECONDS, so that
        logging in again finds it where it was, as if nothing happened.
        """
        self._leave(DROPPED_LINK_SECONDS)
        self.server.connectionClosed(self)

    def _leave(self, linger=0):
        self._window.close()
        self.state = "closed"
        self._queue.clear()
        attachment, self.attachment = self.attachment, None
        if attachment is not None:
            attachment.detach(linger=linger)
            if self.avatar is not None:
                self.avatar.release(attachment)
        avatar, self.avatar = self.avatar, None
        if avatar is not None and self._ownsLogin:
            # An avatar the front end logged in (SSH) may serve other
            # channels of the same connection: the front end logs it out.
            avatar.logout()
