"""
The session layer: one player connection, whatever the front end.

A front end (telnet, SSH, later the web and IRC) adapts its connection to
IFrontEnd and feeds the Session lines of text.  The Session runs the login
conversation (account, password, character), then turns each line into a
command for the character, and turns the character's events into output:
a Span (text with styles) plus out-of-band data (room info, vitals) that
each front end renders its own way (ANSI, HTML, GMCP...).  Nothing here
knows about terminals or sockets.
"""

from twisted.internet import defer
from twisted.logger import Logger
from zope.interface import Attribute, Interface

from imaginary.accounts import (
    AccountCharacter, NameRefused, checkName, createAccount, findAccount,
    hashPasswordLater, verifyPasswordLater)
from imaginary.interfaces import IActor
from imaginary.language import styled
from imaginary.simulation.permissions import grant
from imaginary.simulation.thing import GENDERS
from imaginary.verbs.base import Context, execute

log = Logger()

PROMPT = "> "


class IFrontEnd(Interface):
    """What a session needs from a connection."""

    address = Attribute("A string naming the peer, for throttling and logs.")

    def sendSpan(span):
        """Render and send one message (a Span)."""

    wantsData = Attribute("Optional: False when sendData would send nothing "
                          "now (lets the session skip it).")

    def sendData(kind, data):
        """Send out-of-band data ("room", "vitals", "channel"), if supported."""

    def sendPrompt(text):
        """Send a prompt (marked for clients that look for prompts)."""

    def setPasswordMode(hidden):
        """Hide (or stop hiding) what the user types."""

    def disconnect():
        """Close the connection."""


class Session:
    """
    One connection's conversation.  States: "account", "password",
    "confirm-new", "new-password", "repeat-password", "menu", "playing",
    "closed".
    """

    def __init__(self, server, frontEnd):
        self.server = server
        self.frontEnd = frontEnd
        self.state = "account"
        self.account = None
        self.character = None
        self.context = None
        self._pendingName = None
        self._pendingPassword = None
        self._busy = False
        server.sessionOpened(self)

    # -- output --------------------------------------------------------------

    def tell(self, text):
        """Send a line of plain text."""
        self.frontEnd.sendSpan(styled(text) if isinstance(text, str)
                               else text)

    def prompt(self, text=PROMPT):
        self.frontEnd.sendPrompt(text)

    def send(self, span, event):
        """An event for our character (the Actor's ephemeral intelligence)."""
        frontEnd = self.frontEnd
        if span is not None:
            frontEnd.sendSpan(span)
        data = getattr(event, "data", None)
        if data and getattr(frontEnd, "wantsData", True):
            for kind, value in data.items():
                self.frontEnd.sendData(kind, value)

    def start(self):
        """Greet a new connection."""
        self.tell(self.server.banner())
        self.prompt("Account name (or 'new'): ")

    def startAuthenticated(self, account):
        """
        Greet a connection whose front end already knows the account (SSH
        checked a password or key): go straight to the character menu.
        """
        self.tell(self.server.banner(authenticated=True))
        if account is None or account.banned:
            self.tell("This account is banned." if account is not None
                      else "That account no longer exists.")
            self.close()
            return
        self.account = account
        log.info("{name} logged in from {address}", name=account.username,
                 address=self.frontEnd.address)
        self._menu()

    # -- input -----------------------------------------------------------

    def lineReceived(self, line):
        """One line from the player."""
        if self.state == "closed":
            return
        if self._busy:
            self.tell("One moment, please.")
            return
        handler = getattr(self, "_state_" + self.state.replace("-", "_"))
        try:
            result = handler(line)
        except Exception:
            log.failure("session error in state {state}", state=self.state)
            self.tell("Something went wrong; the error has been logged.")
            result = None
        if isinstance(result, defer.Deferred):
            self._busy = True

            def done(r):
                self._busy = False
                return r
            result.addBoth(done)
            result.addErrback(lambda f: log.failure(
                "session error", failure=f) or self.tell(
                "Something went wrong; the error has been logged."))

    def _state_account(self, line):
        name = line.strip()
        if not name:
            self.prompt("Account name (or 'new'): ")
            return
        if name.lower() == "new":
            self.state = "confirm-new"
            self.prompt("Choose an account name: ")
            return
        account = findAccount(self.server.store, name)
        self._pendingName = name
        self.account = account
        self.state = "password"
        self.frontEnd.setPasswordMode(True)
        self.prompt("Password: ")

    def _state_confirm_new(self, line):
        try:
            name = checkName(line, "account name")
        except NameRefused as e:
            self.tell(str(e))
            self.prompt("Choose an account name: ")
            return
        if findAccount(self.server.store, name) is not None:
            self.tell(f"The name '{name}' is taken.")
            self.prompt("Choose an account name: ")
            return
        self._pendingName = name
        self.state = "new-password"
        self.frontEnd.setPasswordMode(True)
        self.prompt("Choose a password (6 or more characters): ")

    def _state_new_password(self, line):
        from imaginary.accounts import checkPassword
        try:
            checkPassword(line)
        except ValueError as e:
            self.tell(str(e))
            self.prompt("Choose a password (6 or more characters): ")
            return
        self._pendingPassword = line
        self.state = "repeat-password"
        self.prompt("Type it again: ")

    def _state_repeat_password(self, line):
        if line != self._pendingPassword:
            self._pendingPassword = None
            self.tell("The passwords differ; let's try again.")
            self.state = "new-password"
            self.prompt("Choose a password (6 or more characters): ")
            return
        password, self._pendingPassword = self._pendingPassword, None
        d = hashPasswordLater(password)

        def hashed(digest):
            self.frontEnd.setPasswordMode(False)
            try:
                self.account = createAccount(self.server.store,
                                             self._pendingName, digest)
            except NameRefused as e:
                self.tell(str(e))
                self.state = "account"
                self.prompt("Account name (or 'new'): ")
                return
            self.tell(f"Account {self.account.username} created.")
            self._menu()
        return d.addCallback(hashed)

    def _state_password(self, line):
        server, address = self.server, self.frontEnd.address
        key = (self._pendingName or "").lower()
        wait = server.throttle.waitFor(address, key)
        if wait > 0:
            self.frontEnd.setPasswordMode(False)
            self.tell(f"Too many failed logins; wait {int(wait) + 1} "
                      f"seconds before trying again.")
            self.state = "account"
            self.prompt("Account name (or 'new'): ")
            return
        account = self.account
        if account is None:
            # Spend the same time as a real check: no account probing.
            d = hashPasswordLater("x" * 8).addCallback(lambda _: False)
        else:
            d = verifyPasswordLater(account, line)

        def checked(ok):
            self.frontEnd.setPasswordMode(False)
            if not ok:
                server.throttle.failed(address, key)
                log.info("failed login for {name} from {address}",
                         name=key, address=address)
                self.tell("That account name and password don't match.")
                self.state = "account"
                self.prompt("Account name (or 'new'): ")
                return
            if account.banned:
                self.tell("This account is banned.")
                self.close()
                return
            server.throttle.succeeded(address, key)
            self._menu()
        return d.addCallback(checked)

    # -- character menu ----------------------------------------------------

    def _menu(self):
        self.state = "menu"
        names = [c.name for c in self.account.characters()]
        if names:
            self.tell("Your characters: " + ", ".join(names) + ".")
        else:
            self.tell("You have no characters yet.")
        self.tell("Type a character's name to play it, 'create <name> "
                  "<male|female|neuter|plural>' to make one, 'delete "
                  "<name>' to delete one, or 'quit'.")
        self.prompt("Character: ")

    def _ownCharacter(self, name):
        wanted = name.strip().lower()
        for character in self.account.characters():
            if character.name.lower() == wanted:
                return character
        return None

    def _state_menu(self, line):
        words = line.split()
        if not words:
            self.prompt("Character: ")
            return
        command = words[0].lower()
        if command == "quit":
            self.tell("Goodbye.")
            self.close()
            return
        if command == "create":
            return self._createCharacter(words[1:])
        if command == "delete" and len(words) > 1:
            character = self._ownCharacter(" ".join(words[1:]))
            if character is None:
                self.tell("You have no character by that name.")
            elif self.server.sessionFor(character) is not None:
                self.tell("That character is being played; it can't be "
                          "deleted now.")
            else:
                name = character.name
                self.server.store.transact(character.destroy)
                self.tell(f"{name} is deleted.")
            self._menu()
            return
        character = self._ownCharacter(line)
        if character is None:
            self.tell("You have no character by that name.")
            self._menu()
            return
        self.play(character)

    def _createCharacter(self, words):
        if len(words) < 2 or words[-1].lower() not in GENDERS:
            self.tell("Usage: create <name> <male|female|neuter|plural>")
            self._menu()
            return
        try:
            name = checkName(" ".join(words[:-1]), "character name")
        except NameRefused as e:
            self.tell(str(e))
            self._menu()
            return
        if not self.server.characterNameFree(name):
            self.tell(f"The name '{name}' is taken.")
            self._menu()
            return
        store = self.server.store
        account = self.account

        def create():
            character = self.server.world.createCharacter(
                name, GENDERS[words[-1].lower()])
            AccountCharacter(store=store, account=account,
                             character=character)
            if account.level != "player":
                grant(character, account.level)
            return character
        character = store.transact(create)
        self.tell(f"{character.name} is born.")
        self.play(character)

    # -- playing -----------------------------------------------------------

    def play(self, character):
        """Start playing C{character} (taking it over from another session)."""
        previous = self.server.sessionFor(character)
        if previous is not None and previous is not self:
            previous.tell("You have logged in from elsewhere; closing this "
                          "connection.")
            previous.close()
        self.character = character
        self.body = IActor(character)
        self.body.setEphemeralIntelligence(self)
        self.server.loggedIn(self, character)
        self.context = Context(actor=character, world=self.server.world,
                               registry=self.server.registry, session=self,
                               control=self.server)
        self.state = "playing"
        self.tell(f"You are {character.name}.")
        execute(self.context, "look")
        self.prompt()

    def _state_playing(self, line):
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
            self.state = "new-password-playing"
            self.frontEnd.setPasswordMode(True)
            self.prompt("New password: ")
            return
        execute(self.context, stripped)
        if self.state == "playing":
            self.prompt()

    def _state_new_password_playing(self, line):
        from imaginary.accounts import checkPassword
        try:
            checkPassword(line)
        except ValueError as e:
            self.frontEnd.setPasswordMode(False)
            self.tell(str(e) + " Your password is unchanged.")
            self.state = "playing"
            self.prompt()
            return
        account = self.account

        def hashed(digest):
            self.frontEnd.setPasswordMode(False)
            self.server.store.transact(setattr, account, "passwordHash",
                                       digest)
            self.tell("Your password is changed.")
            self.state = "playing"
            self.prompt()
        return hashPasswordLater(line).addCallback(hashed)

    # -- ending --------------------------------------------------------------

    def close(self):
        """End the session and close the connection."""
        if self.state == "closed":
            return
        self.state = "closed"
        self._leave()
        self.frontEnd.disconnect()

    def connectionLost(self):
        """The connection went away."""
        self.state = "closed"
        self._leave()
        self.server.sessionClosed(self)

    def _leave(self):
        if self.character is not None:
            body = getattr(self, "body", None)
            if body is not None and body.getEphemeralIntelligence() is self:
                body.setEphemeralIntelligence(None)
            self.server.loggedOut(self, self.character)
            self.character = None
