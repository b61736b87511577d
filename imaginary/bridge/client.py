"""
The bridge's IRC client connection: twisted.words' IRCClient, with SASL.

IRCClient registers (NICK, USER) as soon as it connects and has no SASL.
With credentials configured, this client asks for capabilities first
(C{CAP LS 302}: the server then holds registration until C{CAP END}),
requests C{sasl}, logs in with C{AUTHENTICATE PLAIN}, and ends the
negotiation only on 903 (logged in).  A network that offers no SASL, or
refuses the credentials, is left at once (QUIT): the operator asked for
an account, and the bridge must not sit in channels under a nick it
doesn't own.  Without credentials nothing is negotiated.

Everything the network says that matters goes to the client's
C{network} (imaginary.bridge.service.Network): signed on, a channel
joined, a line said, a channel refused, the connection lost.
"""

import base64

from twisted.internet import task
from twisted.logger import Logger
from twisted.words.protocols import irc

log = Logger()

AUTHENTICATE_CHUNK = 400    # SASL payloads go in pieces of this size
PING_EVERY = 60.0           # seconds between our PINGs
SILENT_LIMIT = 200.0        # no byte from the server for this long: dead
REGISTRATION_LIMIT = 60.0   # seconds from connecting to being welcomed
ABORT_AFTER = 10.0          # seconds a connection we left may take to close
# Numerics about SASL (IRCv3), which Twisted's table doesn't name.
SASL_FAILED = {"902": "the account is locked or the nick is unavailable",
               "904": "the network refused the credentials",
               "905": "the credentials are too long",
               "906": "the login was aborted",
               "907": "already logged in"}
JOIN_REFUSED = {"ERR_CHANNELISFULL", "ERR_INVITEONLYCHAN",
                "ERR_BANNEDFROMCHAN", "ERR_BADCHANNELKEY",
                "ERR_TOOMANYCHANNELS", "ERR_NOSUCHCHANNEL"}


def decodeLine(line):
    """A line from the server as text: UTF-8, or Latin-1 when it isn't
    (older clients on the other side send that; never an error)."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("latin-1")


class BridgeClient(irc.IRCClient):
    """One connection of the bridge to one IRC network."""

    heartbeatInterval = PING_EVERY

    def __init__(self, network, settings, clock, realname):
        """C{settings}: imaginary.bridge.config.Network; C{clock}: where
        timers run (the reactor, or a task.Clock in tests)."""
        self.network = network
        self.settings = settings
        self.clock = clock
        self.nickname = settings.nick
        self.username = settings.nick.lower()[:10]
        self.realname = realname
        self.saslDone = False
        self.capabilities = set()
        self.lastHeard = clock.seconds()
        self.failed = None
        self.registering = None
        self.closed = False

    # -- connection ----------------------------------------------------------

    def connectionMade(self):
        """Ask for SASL before registering, when there are credentials."""
        # The heartbeat starts only once welcomed: a server that stalls
        # the registration (or the SASL exchange) is left after a while.
        self.registering = self.clock.callLater(
            REGISTRATION_LIMIT, self.fail,
            f"not registered within {REGISTRATION_LIMIT:.0f} seconds")
        if self.settings.sasl:
            self.sendLine("CAP LS 302")
        irc.IRCClient.connectionMade(self)

    def dataReceived(self, data):
        """Note that the server is alive (see _sendHeartbeat)."""
        self.lastHeard = self.clock.seconds()
        irc.IRCClient.dataReceived(self, data)

    def lineReceived(self, line):
        """Decode leniently; IRCClient's strict UTF-8 would drop the
        connection on the first Latin-1 line."""
        if isinstance(line, bytes):
            line = decodeLine(line)
        irc.IRCClient.lineReceived(self, line)

    def connectionLost(self, reason):
        """Tell the network (it reconnects unless it is stopping)."""
        self.closed = True
        self._stopRegistrationTimer()
        irc.IRCClient.connectionLost(self, reason)
        self.network.connectionLost(self, self.failed or reason)

    def _createHeartbeat(self):
        # IRCClient's heartbeat runs on the global reactor; ours on the
        # clock we were given, so tests drive it.
        heartbeat = task.LoopingCall(self._sendHeartbeat)
        heartbeat.clock = self.clock
        return heartbeat

    def _sendHeartbeat(self):
        # A server that vanished without a FIN (a cable, a suspended VM)
        # is noticed here: nothing heard for SILENT_LIMIT seconds.
        if self.clock.seconds() - self.lastHeard > SILENT_LIMIT:
            self.fail("the network stopped answering")
            return
        irc.IRCClient._sendHeartbeat(self)

    def fail(self, reason):
        """Give up on this connection, saying C{reason} to the network."""
        if self.failed is None:
            self.failed = reason
            log.warn("IRC bridge to {network}: {reason}",
                     network=self.settings.name, reason=reason)
            if self.transport is not None:
                self.sendLine("QUIT :bridge leaving")
                self.transport.loseConnection()
                # A peer that doesn't read (a silent server) would keep
                # a closing connection open until TCP gives up: abort.
                self.clock.callLater(ABORT_AFTER, self._abort)

    def _abort(self):
        if self.transport is not None and not self.closed:
            self.transport.abortConnection()

    # -- SASL ---------------------------------------------------------------

    def irc_CAP(self, prefix, params):
        """CAP LS, ACK and NAK during the negotiation."""
        if len(params) < 3:
            return
        sub = params[1].upper()
        if sub == "LS":
            # "CAP * LS * :..." continues on further lines; the last
            # one has no "*".
            for cap in params[-1].split():
                name, _, values = cap.partition("=")
                self.capabilities.add(name.lower())
                if name.lower() == "sasl" and values and \
                        "PLAIN" not in values.upper().split(","):
                    self.capabilities.discard("sasl")
            if len(params) > 3 and params[2] == "*":
                return
            if "sasl" in self.capabilities:
                self.sendLine("CAP REQ :sasl")
            else:
                self.fail("the network offers no SASL PLAIN login")
        elif sub == "ACK" and "sasl" in params[-1].lower().split():
            self.sendLine("AUTHENTICATE PLAIN")
        elif sub == "NAK":
            self.fail("the network refused the SASL capability")

    def irc_AUTHENTICATE(self, prefix, params):
        """The server is ready for the PLAIN payload: send it."""
        if not params or params[0] != "+":
            return
        user = self.settings.saslUsername
        payload = base64.b64encode(
            f"{user}\0{user}\0{self.settings.saslPassword}".encode("utf-8")
        ).decode("ascii")
        chunks = [payload[i:i + AUTHENTICATE_CHUNK]
                  for i in range(0, len(payload), AUTHENTICATE_CHUNK)]
        if not chunks or len(chunks[-1]) == AUTHENTICATE_CHUNK:
            chunks.append("+")  # a payload of whole chunks ends with "+"
        for chunk in chunks:
            self.sendLine("AUTHENTICATE " + chunk)

    def irc_unknown(self, prefix, command, params):
        """The SASL numerics (903 logged in; 902, 904-907 refused)."""
        if command == "903":
            self.saslDone = True
            self.sendLine("CAP END")
        elif command in SASL_FAILED:
            self.fail(f"SASL login failed: {SASL_FAILED[command]}")

    # -- registration and channels ------------------------------------------

    def _stopRegistrationTimer(self):
        if self.registering is not None and self.registering.active():
            self.registering.cancel()
        self.registering = None

    def signedOn(self):
        """Registered (001): with SASL asked for, only once it succeeded."""
        self._stopRegistrationTimer()
        if self.settings.sasl and not self.saslDone:
            self.fail("the network registered us without the SASL login")
            return
        self.network.signedOn(self)

    def joined(self, channel):
        """We are on C{channel}: lines may go there now."""
        self.network.joined(self, channel)

    def left(self, channel):
        """We left C{channel} (an unlink)."""
        self.network.parted(self, channel)

    def kickedFrom(self, channel, kicker, message):
        """Kicked off C{channel} by an operator there."""
        self.network.parted(self, channel,
                            f"kicked by {kicker}: {message}")

    def handleCommand(self, command, prefix, params):
        """Refusals to JOIN (banned, invite only, full, a key...)."""
        if command in JOIN_REFUSED and len(params) > 1:
            self.network.refused(self, params[1], params[-1])
        irc.IRCClient.handleCommand(self, command, prefix, params)

    # -- who is on our channels (for 'channel who') -------------------------

    def irc_RPL_NAMREPLY(self, prefix, params):
        """Names on a channel we joined (353), with their prefixes."""
        if len(params) >= 4:
            self.network.names(params[2], [
                name.lstrip("~&@%+") for name in params[3].split()])

    def userJoined(self, user, channel):
        """Someone came onto one of our channels."""
        self.network.names(channel, [user.split("!", 1)[0]])

    def userLeft(self, user, channel):
        """Someone left one of our channels."""
        self.network.nickGone(user.split("!", 1)[0], channel)

    def userQuit(self, user, quitMessage):
        """Someone left the network (off every channel)."""
        self.network.nickGone(user.split("!", 1)[0])

    def userKicked(self, kickee, channel, kicker, message):
        """Someone was kicked off one of our channels."""
        self.network.nickGone(kickee, channel)

    def userRenamed(self, oldname, newname):
        """Someone changed nick."""
        self.network.renamed(oldname, newname)

    # -- talk ---------------------------------------------------------------

    def _fromOthers(self, user):
        nick = user.split("!", 1)[0]
        if irc_lower(nick) == irc_lower(self.nickname):
            return None     # our own line coming back (echo-message)
        return nick

    def privmsg(self, user, channel, message):
        """A line on a channel: to the game (not private messages)."""
        nick = self._fromOthers(user)
        if nick is not None and channel[:1] in "#&+!":
            self.network.heard(channel, nick, irc.stripFormatting(message))

    def action(self, user, channel, data):
        """A /me on a channel: an emote in the game."""
        nick = self._fromOthers(user)
        if nick is not None and channel[:1] in "#&+!":
            self.network.heard(channel, nick, irc.stripFormatting(data),
                               emote=True)

    def say(self, channel, text):
        """Send one PRIVMSG (the outbox chose and merged it)."""
        self.sendLine(f"PRIVMSG {channel} :{text}")


def irc_lower(name):
    """IRC's case folding (rfc1459: []\\~ are the capitals of {}|^)."""
    return name.lower().translate(str.maketrans("[]\\~", "{}|^"))
