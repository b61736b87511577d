"""
Registering an IRC client: CAP negotiation (protocol.py), SASL PLAIN or a
server password to log in to an account, NICK (the character to play)
and USER, then the welcome (001-005) and the MOTD.

Logging in goes through the server's one portal and its login throttle,
as telnet's and SSH's do: SASL PLAIN's account and password, or, for a
client without SASL, PASS "account:password" (or PASS "password" with
the account named by USER).  A wrong password is 904 (SASL) or 464
(PASS).  The client registers (001) only once its login has been
decided, so a client that failed is told before it thinks it is in.

Until it has logged in the connection holds a LoginWindow: counted
against its address with every front end's, and closed when the
server's login grace runs out.
"""

import base64
import binascii

from twisted.logger import Logger

from imaginary.session import IPlayer, Refused
from imaginary.session.login import PasswordCredentials, refusal
from imaginary.session.loginwindow import TOO_MANY, TOO_SLOW, LoginWindow

log = Logger()

MAX_SASL_BYTES = 4096       # an AUTHENTICATE payload, base64
SASL_CHUNK = 400            # AUTHENTICATE lines are cut at this length
MAX_NICK = 30
NO_LOGIN = ("This server needs a login: SASL PLAIN with your account and "
            "password, or the server password ACCOUNT:PASSWORD.")


def validNick(nick):
    """Whether C{nick} may be a nick here (a character's name may be)."""
    if not nick or len(nick) > MAX_NICK or nick[0] in "#&*:$+@%~!0123456789-":
        return False
    return all(c.isalnum() or c in "_-'[]\\`^{}|" for c in nick)


def nickFor(name):
    """A character's name as a nick (a space can't be in a nick)."""
    return name.replace(" ", "_")


def nameFor(nick):
    """The character name a nick stands for."""
    return nick.replace("_", " ")


class Registration:
    """The registration half of IRCConnection (a mixin)."""

    def __init__(self):
        self.registered = False
        self.capping = False
        self.user = None
        self.password = None
        self.avatar = None
        self._logout = None
        self._loggingIn = False
        self._sasl = None           # the payload so far, while in SASL
        self._window = None

    # -- the window to log in -----------------------------------------

    def registrationStarted(self):
        """A new connection: count it and give it the login grace."""
        from .protocol import SERVER
        self._window = LoginWindow(self.server, self.address, self._tooSlow)
        if not self._window.open():
            self._window = None
            self.write(b":" + SERVER.encode() + b" NOTICE * :" +
                       TOO_MANY.encode() + b"\r\n")
            self.close(TOO_MANY)

    def _tooSlow(self):
        self.close(TOO_SLOW)

    def registrationLost(self):
        """The connection is gone: its window and its login end."""
        if self._window is not None:
            self._window.close()
            self._window = None
        if self._logout is not None and self.player is None:
            logout, self._logout = self._logout, None
            logout()

    # -- what the client says ---------------------------------------------

    def irc_PASS(self, message):
        """PASS: the server password, used when SASL is not."""
        if self.registered:
            self.numeric("462", "You may not reregister")
            return
        if not message.params:
            self.numeric("461", "PASS", "Not enough parameters")
            return
        self.password = message.params[0]

    def irc_USER(self, message):
        """USER username mode unused :realname."""
        if self.registered:
            self.numeric("462", "You may not reregister")
            return
        if len(message.params) < 4 or not message.params[0]:
            self.numeric("461", "USER", "Not enough parameters")
            return
        self.user = message.params[0][:20]
        self.tryRegister()

    def irc_NICK(self, message):
        """NICK: before playing, the character to play."""
        if not message.params or not message.params[0]:
            self.numeric("431", "No nickname given")
            return
        nick = message.params[0]
        if not validNick(nick):
            self.numeric("432", nick, "Erroneous nickname")
            return
        if not self.registered:
            self.nick = nick
            self.tryRegister()
        else:
            self.nickChanged(nick)

    def irc_AUTHENTICATE(self, message):
        """SASL: PLAIN only; * aborts."""
        if not message.params:
            self.numeric("461", "AUTHENTICATE", "Not enough parameters")
            return
        word = message.params[0]
        if self.avatar is not None or self.registered:
            self.numeric("907", "You have already authenticated using SASL")
            return
        if self._loggingIn:
            return
        if word == "*":
            self._sasl = None
            self.numeric("906", "SASL authentication aborted")
            return
        if self._sasl is None:
            if word.upper() != "PLAIN":
                self.numeric("908", "PLAIN", "are available SASL mechanisms")
                self.numeric("904", "SASL authentication failed")
                return
            self._sasl = ""
            self.send("AUTHENTICATE", "+", source=None)
            return
        if word != "+":
            self._sasl += word
        if len(self._sasl) > MAX_SASL_BYTES:
            self._sasl = None
            self.numeric("905", "SASL message too long")
            return
        if len(word) == SASL_CHUNK:
            return          # more to come
        payload, self._sasl = self._sasl, None
        try:
            fields = base64.b64decode(payload, validate=True).split(b"\0")
        except (binascii.Error, ValueError):
            fields = []
        if len(fields) != 3:
            self.numeric("904", "SASL authentication failed")
            return
        authcid = fields[1].decode("utf-8", "replace")
        password = fields[2].decode("utf-8", "replace")
        self._login(authcid, password, sasl=True)

    # -- logging in -------------------------------------------------------

    def _login(self, account, password, sasl):
        self._loggingIn = True
        credentials = PasswordCredentials(account, password, self.address)
        d = self.server.portal.login(credentials, None, IPlayer)

        def done(result):
            self._loggingIn = False
            _, avatar, logout = result
            if self.closed:
                logout()
                return
            self.avatar, self._logout = avatar, logout
            if self._window is not None:
                self._window.close()
                self._window = None
            if sasl:
                self.numeric("900", f"{self.nick}!{self.user or '*'}@"
                             f"{self.address}", avatar.accountName,
                             f"You are now logged in as "
                             f"{avatar.accountName}")
                self.numeric("903", "SASL authentication successful")
            self.tryRegister()

        def failed(failure):
            self._loggingIn = False
            if self.closed:
                return
            text = refusal(failure)
            if sasl:
                self.numeric("904", f"SASL authentication failed: {text}")
            else:
                self.numeric("464", f"Password incorrect: {text}")
                self.close(text)
        d.addCallbacks(done, failed)

    def tryRegister(self):
        """Register once NICK, USER, CAP END and the login are all in."""
        if self.registered or self.closed or self.capping or \
                self._loggingIn or self.nick == "*" or self.user is None:
            return
        if self.avatar is None:
            if self.password is None:
                self.close(NO_LOGIN)
                return
            account, colon, password = self.password.partition(":")
            if not colon:
                account, password = self.user, self.password
            self.password = None
            self._login(account, password, sasl=False)
            return
        self.registered = True
        self.welcome()
        self.choose()
        # The irc route is open now: texts that waited for it go.
        from .texts import opened
        opened(self)

    def welcome(self):
        """001-005 and the MOTD."""
        from .protocol import NETWORK, SERVER, VERSION
        self.numeric("001", f"Welcome to {NETWORK}, a text adventure, "
                     f"{self.nick}")
        self.numeric("002", f"Your host is {SERVER}, running "
                     f"{VERSION}")
        self.numeric("003", "This server is a game; it was created when the "
                     "world began")
        self.numeric("004", SERVER, VERSION, "iP", "nt")
        self.numeric("005", "CHANTYPES=#&", "PREFIX=(o)@",
                     f"NETWORK={NETWORK}", "CASEMAPPING=ascii", "UTF8ONLY",
                     "CHATHISTORY=100", "MSGREFTYPES=timestamp,msgid",
                     f"NICKLEN={MAX_NICK}", "CHANNELLEN=40",
                     "are supported by this server")
        self.numeric("375", f"- {SERVER} Message of the day -")
        for line in (
                f"- {self.server.banner(authenticated=True)}",
                "- &here is the room you are in: talk there to say things.",
                "- Anything you /msg *game is a game command "
                "(look, inventory, north...).",
                "- #channels are the game's channels; /msg NAME is a tell."):
            self.numeric("372", line)
        self.numeric("376", "End of /MOTD command")

    def choose(self):
        """Play the character the nick names, or say how to choose one."""
        try:
            characters = self.avatar.characters()
        except Exception:
            characters = []
        wanted = nameFor(self.nick).casefold()
        for info in characters:
            if info.name.casefold() == wanted or \
                    nickFor(info.name).casefold() == self.nick.casefold():
                self.play(info.name)
                return
        self.askForCharacter(characters)

    def askForCharacter(self, characters):
        """Tell a logged-in client which characters it may play."""
        if characters:
            names = ", ".join(nickFor(c.name) for c in characters)
            self.serviceNotice(
                f"Your characters: {names}. Change your nick to one of "
                f"them to play it (/nick NAME), or /msg *game create NAME "
                f"male|female|neuter|plural for a new one.")
        else:
            self.serviceNotice(
                "You have no characters yet: /msg *game create NAME "
                "male|female|neuter|plural")

    def menuCommand(self, text):
        """A line to *game before playing: create or play a character."""
        words = text.split()
        if len(words) == 3 and words[0].lower() == "create":
            try:
                info = self.avatar.createCharacter(words[1], words[2])
            except Refused as e:
                self.serviceNotice(str(e))
                return
            self.play(info.name)
        elif len(words) == 2 and words[0].lower() == "play":
            self.play(nameFor(words[1]))
        else:
            self.askForCharacter(self.avatar.characters())
