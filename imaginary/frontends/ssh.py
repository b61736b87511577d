"""
The SSH front end: Twisted conch in front of the same session layer as
telnet.

Players log in with their account name as the SSH user name, by password
or by a public key the account holds (see keys.py), through the server's
one Portal (the SSH public-key checker is added to it here).  The portal's
IPlayer avatar is wrapped in a conch user; after login the dialogue
starts at the character menu: SSH already proved who they are.

With a PTY (C{ssh} from a terminal) the game runs inside conch's insults
terminal emulation with line editing and history (terminal.py); without
one (C{ssh -T}) it reads and writes plain lines.  A command given on the
ssh command line is refused with a message: the game is interactive.

The server's host key is generated on first start and kept in the store's
directory (C{ssh_host_ed25519_key}), so clients see the same key on every
restart.  Failed password logins count against the server's one login throttle, as
telnet's do; a throttled client is told how long to wait in an SSH
banner.  What a client sends is read at most at the input byte rate
(limits.InputThrottle), as telnet's is.
"""

import os
import struct
import time

from cryptography.hazmat.primitives.asymmetric import ed25519
from twisted.conch.avatar import ConchUser
from twisted.conch.checkers import SSHPublicKeyChecker
from twisted.conch.insults.insults import ServerProtocol
from twisted.conch.interfaces import IConchUser, ISession
from twisted.conch.ssh import factory, keys, session, transport, userauth
from twisted.conch.ssh.common import NS, getNS
from twisted.conch.ssh.connection import SSHConnection
from twisted.internet import defer
from twisted.internet.protocol import connectionDone
from twisted.logger import Logger
from twisted.python import components
from zope.interface import implementer

from imaginary.session.loginwindow import TOO_MANY, TOO_SLOW, LoginWindow
from imaginary.session.interfaces import IPlayer
from imaginary.session.login import (
    AccountBanned, LoginThrottled, PasswordCredentials, refusal)
from imaginary.session.metrics import Traffic

from .keys import AccountKeys
from .limits import InputThrottle
from .terminal import PlainLineGame, TerminalGame

log = Logger()

HOST_KEY_FILE = "ssh_host_ed25519_key"
MSG_USERAUTH_BANNER = 53


def hostKey(storePath):
    """
    The server's private host key, made on first use and kept in the
    store's directory (mode 0600).  Without a path, a key for this run.
    """
    if storePath is None:
        return keys.Key(ed25519.Ed25519PrivateKey.generate())
    path = os.path.join(storePath, HOST_KEY_FILE)
    if os.path.exists(path):
        with open(path, "rb") as f:
            return keys.Key.fromString(f.read())
    key = keys.Key(ed25519.Ed25519PrivateKey.generate())
    fd = os.open(path + ".new", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.toString("openssh"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(path + ".new", path)
    with open(path + ".pub", "wb") as f:
        f.write(key.public().toString("openssh") + b" imaginary host key\n")
    log.info("generated the SSH host key {path}", path=path)
    return key


class AddressedPortal:
    """
    The server's portal as one SSH connection uses it: every credential
    carries the client's address (for the login throttle), and the IPlayer
    avatar comes back wrapped in a conch user.
    """

    def __init__(self, portal, address):
        self.portal = portal
        self.address = address

    def listCredentialsInterfaces(self):
        """What the portal can check (conch offers auth methods by it)."""
        return self.portal.listCredentialsInterfaces()

    def login(self, creds, mind, *interfaces):
        """
        IPortal: log in with C{creds} (carrying the client's address) and hand
        back the IPlayer avatar wrapped as a conch user.
        """
        if IConchUser not in interfaces:
            return defer.fail(NotImplementedError("SSH users log in here"))
        if getattr(creds, "address", None) is None:
            try:
                creds.address = self.address
            except AttributeError:
                pass        # frozen credentials already carry theirs
        d = self.portal.login(creds, mind, IPlayer)

        def wrap(result):
            _, player, logout = result
            return IConchUser, PlayerConchUser(player), logout
        return d.addCallback(wrap)


class GameUserAuth(userauth.SSHUserAuthServer):
    """
    Logs in through the server's portal; a password refused by the login
    throttle is answered with a banner saying how long to wait.
    """

    def serviceStarted(self):
        """
        Start user authentication, with the portal as this client's address
        uses it.
        """
        userauth.SSHUserAuthServer.serviceStarted(self)
        peer = self.transport.transport.getPeer()
        self.portal = AddressedPortal(self.transport.factory.server.portal,
                                      getattr(peer, "host", str(peer)))

    def auth_password(self, packet):
        """
        A password attempt: checked through the shared portal and its throttle,
        with the client's address.
        """
        password = getNS(packet[1:])[0]
        creds = PasswordCredentials(
            self.user.decode("utf-8", "replace"),
            password.decode("utf-8", "replace"), self.portal.address)

        def failed(failure):
            if failure.check(LoginThrottled, AccountBanned):
                self.transport.sendPacket(MSG_USERAUTH_BANNER, NS(
                    (refusal(failure) + "\r\n").encode()) + NS(b"en"))
            return failure
        d = self.portal.login(creds, None, IConchUser)
        return d.addErrback(failed).addErrback(self._ebPassword)


class PlayerConchUser(ConchUser):
    """A logged-in SSH user: the portal's IPlayer avatar, for conch."""

    def __init__(self, player):
        ConchUser.__init__(self)
        self.player = player
        self.channelLookup[b"session"] = session.SSHSession


class _Pipe:
    """A minimal transport: what one side writes, the other receives."""

    disconnecting = False

    def __init__(self, write, loseConnection, peer):
        self.write = write
        self._lose = loseConnection
        self._peer = peer

    def loseConnection(self):
        self.disconnecting = True
        self._lose()

    def writeSequence(self, data):
        for chunk in data:
            self.write(chunk)

    def getPeer(self):
        return self._peer

    def getHost(self):
        return self._peer


@implementer(ISession)
class GameSSHSession:
    """
    One SSH session channel of a PlayerAvatar: a PTY shell, a plain shell,
    or a refused command.

    Two pipes join the channel and the game: what the client sends goes to
    the game protocol's dataReceived, what the game writes goes to the
    channel.  Closing is guarded so that either side may start it once.
    """

    def __init__(self, avatar):
        self.avatar = avatar
        self.term = None
        self.size = (24, 80)
        self.protocol = None
        self.proto = None
        self.exitStatus = 0
        self._closing = False

    def getPty(self, term, windowSize, modes):
        """
        The client asked for a terminal: remember its type (for colours) and
        size.
        """
        self.term = term.decode("ascii", "replace")
        rows, cols = windowSize[:2]
        self.size = (rows or 24, cols or 80)

    def openShell(self, proto):
        """
        A shell: the game, full-screen-aware (TerminalGame) with a terminal,
        else plain lines (PlainLineGame).
        """
        channel = proto.session
        server = channel.conn.transport.factory.server
        peer = channel.conn.transport.transport.getPeer()
        player = self.avatar.player
        self.proto = proto

        def queued():
            return len(channel.buf)

        def abort():
            # The whole TCP connection: closing the channel would wait for
            # its buffer to drain, and the SSH window of a client that
            # stopped reading never opens again.
            channel.conn.transport.transport.abortConnection()
        if self.term is None:
            self.protocol = PlainLineGame(server, player, peer, queued,
                                          abort=abort)
        else:
            self.protocol = ServerProtocol(
                TerminalGame, server, player, peer,
                colours=colourDepth(self.term), size=self.size,
                queued=queued, abort=abort)
        # The channel's bytes each way, counted for the admin page.
        traffic = Traffic()
        toGame = self.protocol.dataReceived

        def toClient(data):
            traffic.bytesOut += len(data)
            proto.write(data)

        def fromClient(data):
            traffic.bytesIn += len(data)
            traffic.lastInput = time.monotonic()
            toGame(data)
        self.protocol.makeConnection(_Pipe(toClient, self._close, peer))
        proto.makeConnection(_Pipe(fromClient, self._ended, peer))
        getattr(self.protocol, "terminalProtocol", self.protocol).traffic = \
            traffic

    def _close(self):
        """The game ends the session: report the exit, close the channel."""
        if self._closing or self.proto is None:
            return
        self._closing = True
        channel = self.proto.session
        channel.conn.sendRequest(channel, b"exit-status",
                                 struct.pack(">L", self.exitStatus))
        self.proto.loseConnection()

    def _ended(self):
        """The channel went away: the game's connection is lost."""
        protocol, self.protocol = self.protocol, None
        if protocol is not None:
            protocol.connectionLost(connectionDone)

    def execCommand(self, proto, command):
        """Commands are refused: the game is interactive."""
        proto.write(b"Imaginary is an interactive game: connect without a "
                    b"command (ssh -p PORT NAME@HOST).\r\n")
        self.proto = proto
        self.exitStatus = 1
        # After the reply to the exec request, not before it.
        from twisted.internet import reactor
        reactor.callLater(0, self._close)

    def windowChanged(self, windowSize):
        """The client's window changed size: rewrap to it."""
        rows, cols = windowSize[:2]
        self.size = (rows or 24, cols or 80)
        game = getattr(self.protocol, "terminalProtocol", None)
        if game is not None:
            game.terminalSize(self.size[1], self.size[0])

    def eofReceived(self):
        # The client will send nothing more (ssh -T with its input ended).
        """The client will send nothing more: end the session."""
        self._close()

    def closed(self):
        """The channel is closed: end the session."""
        self._ended()


components.registerAdapter(GameSSHSession, PlayerConchUser, ISession)


def colourDepth(term):
    """The colour depth to assume for a TERM name."""
    term = (term or "").lower()
    if term in ("", "dumb", "unknown"):
        return None
    if "truecolor" in term or "24bit" in term or "direct" in term:
        return "truecolour"
    if "256" in term:
        return "256"
    return "16"


class GameSSHTransport(transport.SSHServerTransport):
    """
    Conch's server transport, but a client that says goodbye normally
    (OpenSSH closing after ^D or 'quit': "disconnected by user") is logged
    as information, not as an error: the operator's log shows errors only
    for what went wrong.

    Until it has logged in, a connection counts against its address's
    cap in the server (shared with telnet) and has the server's login
    grace time to do so, from the first byte: conch's own login timeout
    starts only after the key exchange, and lasts hours.
    """

    _window = None

    def connectionMade(self):
        """Remember the client's address, then start the SSH transport."""
        peer = self.transport.getPeer()
        self._address = getattr(peer, "host", str(peer))
        # Bound the bytes read (and decrypted) per second, as for telnet.
        self.throttle = InputThrottle(self.transport)
        self._window = LoginWindow(self.factory.server, self._address,
                                   self._tooSlow)
        if not self._window.open():
            # Before its version line a server may send lines of text
            # (RFC 4253, 4.2): OpenSSH shows them.
            self.transport.write(TOO_MANY.encode() + b"\r\n")
            self.transport.loseConnection()
            return
        transport.SSHServerTransport.connectionMade(self)

    def _tooSlow(self):
        log.info("closing an SSH connection from {address} that did not log "
                 "in in time", address=self._address)
        self.sendDisconnect(transport.DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
                            TOO_SLOW.encode())

    def _loginOver(self):
        if self._window is not None:
            self._window.close()

    def setService(self, service):
        # The connection service starts once userauth accepted the user.
        """
        Switch to C{service}; the connection service means the login is over.
        """
        if service.name == b"ssh-connection":
            self._loginOver()
        transport.SSHServerTransport.setService(self, service)

    throttle = None

    def dataReceived(self, data):
        """Bytes in, through the byte-rate limit, to conch's transport."""
        if self.throttle is not None:
            self.throttle.received(len(data))
        transport.SSHServerTransport.dataReceived(self, data)

    def connectionLost(self, reason=None):
        """The login (if still going) is over, then conch's transport ends."""
        if self.throttle is not None:
            self.throttle.stop()
        self._loginOver()
        transport.SSHServerTransport.connectionLost(self, reason)

    def receiveError(self, reasonCode, description):
        """
        A client disconnecting by its own choice is logged as such, not as an
        error.
        """
        if reasonCode == transport.DISCONNECT_BY_APPLICATION:
            log.info("SSH client at {address} disconnected",
                     address=getattr(self.transport.getPeer(), "host", "?"))
            return
        transport.SSHServerTransport.receiveError(self, reasonCode,
                                                  description)


class GameSSHFactory(factory.SSHFactory):
    """The SSH server factory for one ImaginaryServer."""

    noisy = False
    protocol = GameSSHTransport

    def __init__(self, server):
        self.server = server
        key = hostKey(server.storePath)
        self.privateKeys = {key.sshType(): key}
        self.publicKeys = {key.sshType(): key.public()}
        # Public keys are the SSH front end's own way to prove who you are.
        server.portal.registerChecker(
            SSHPublicKeyChecker(AccountKeys(server.store)))
        self.portal = server.portal
        self.services = dict(self.services)
        self.services[b"ssh-userauth"] = GameUserAuth
        self.services[b"ssh-connection"] = SSHConnection

    def getPrimes(self):
        # No moduli file: clients use curve25519/ECDH key exchange instead.
        """
        No Diffie-Hellman group moduli: clients use curve25519 or ECDH key
        exchange.
        """
        return None


def sshFactory(server):
    """The factory ImaginaryServer listens with on its SSH endpoint."""
    return GameSSHFactory(server)
