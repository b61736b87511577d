"""
The running server: the store, the world, the verbs and who is connected.

ImaginaryServer is a Twisted service.  It opens the store, builds the
default world when the store is empty, starts the store's scheduler, and
listens with each front end it was given (front ends are plugins: it
knows them only as IFrontEndType, by name, with an endpoint string each).
It owns what all front ends share: one cred Portal, the login throttle,
the account service and the character sessions.  On stop (SIGTERM,
'shutdown') it closes every connection, then the store, so everything
acknowledged is on disk.
"""

import os
import time

from twisted.application import service
from twisted.internet import defer, endpoints, task
from twisted.logger import Logger
from zope.interface import implementer

from imaginary.accounts import (
    AccountCharacter, LoginThrottle, looksLike)
from imaginary.notify import api as notifyAPI
from imaginary.session.avatar import AccountService
from imaginary.session.character import POLICIES, CharacterSession
from imaginary.session.interfaces import IFrontEndType
from imaginary.session.login import makePortal
from imaginary.session.metrics import ServerMetrics
from imaginary.simulation.channels import ensureDefaultChannel
from imaginary.simulation.thing import Thing
from imaginary.simulation.events import runEventTransaction
from imaginary.simulation.world import ImaginaryWorld, rest
from imaginary.store import IScheduler, Store
from imaginary.verbs.base import VerbRegistry
from imaginary.verbs.control import IGameControl
from imaginary.verbs.runner import installCommandRunner

log = Logger()

DRAIN_SECONDS = 3.0     # how long shutdown waits for goodbyes to be sent
# A connection that has not logged in after this long is closed (as
# OpenSSH's LoginGraceTime): idle sockets must not pile up to the fd limit.
LOGIN_GRACE_SECONDS = float(os.environ.get("IMAGINARY_LOGIN_GRACE_SECONDS",
                                           "120"))
# Connections logging in at once from one address, over every front end.
MAX_UNAUTHENTICATED_PER_ADDRESS = int(os.environ.get(
    "IMAGINARY_MAX_UNAUTHENTICATED_PER_ADDRESS", "20"))
NAME = "Imaginary"


def _version():
    """The installed distribution's version: pyproject.toml says it once."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("imaginary")
    except PackageNotFoundError:        # run from a checkout, not installed
        return "0+unknown"


VERSION = _version()


@implementer(IGameControl)
class ImaginaryServer(service.MultiService):
    """The game: one store, one world, many sessions."""

    def __init__(self, storePath, listen=None, reactor=None, store=None,
                 policy="share", ircBridge=None):
        """
        C{listen}: {front end name: endpoint string}, e.g.
        {"telnet": "tcp:4023:interface=127.0.0.1"}.  C{policy}: what a
        second connection to a character does, "share" (both play it)
        or "takeover" (the older one is closed).  C{ircBridge}: the IRC
        bridge's configuration (imaginary.bridge.config.BridgeConfig),
        or None for no bridge (channel links are then refused).
        """
        service.MultiService.__init__(self)
        if reactor is None:
            from twisted.internet import reactor
        if policy not in POLICIES:
            raise ValueError(f"unknown connection policy {policy!r}")
        self.reactor = reactor
        self.storePath = storePath
        self.listenOn = dict(listen or {})
        self.policy = policy
        self.store = store
        self.world = None
        self.registry = None
        self.portal = self.tokens = self.accounts = None
        self.sessions = {}       # character storeID -> CharacterSession
        self.connections = set()  # every open connection's dialogue
        self.throttle = LoginThrottle()
        self.loggingIn = {}      # address -> connections not logged in yet
        self.loginGrace = LOGIN_GRACE_SECONDS
        self.maxLoggingIn = MAX_UNAUTHENTICATED_PER_ADDRESS
        self.started = time.time()
        self.ports = {}
        self.metrics = ServerMetrics(reactor)    # for the admin page
        self.ircBridgeConfig = ircBridge
        self.bridge = None

    # -- lifecycle -----------------------------------------------------------

    def open(self, build=True):
        """
        Open the store, the verbs, the portal and the account service, and
        the world (building the default world into an empty store) unless
        C{build} is false: startService builds it only once it listens.
        """
        if self.store is None:
            self.store = Store(self.storePath)
        if build:
            self._openWorld()
        self.registry = VerbRegistry.fromPlugins()
        installCommandRunner(self.store, self.registry, self.metrics)
        self.portal, self.tokens = makePortal(self)
        self.accounts = AccountService(self)
        # The IRC bridge is always there, as the store's IChannelRelay (so
        # 'channel link' can say what is missing); it connects only to
        # networks that links point to, once the server has started.
        from imaginary.bridge.service import IRCBridge
        self.bridge = IRCBridge(self.store, self.ircBridgeConfig,
                                self.reactor)
        self.bridge.setServiceParent(self)
        self._openXMPP()

    def _openXMPP(self):
        """The XMPP component (texts to players), when configured."""
        from imaginary.frontends.xmpp import ComponentService, buildComponent
        try:
            manager = buildComponent(self.store, self.reactor)
        except OSError as e:
            log.error("XMPP component not started: cannot read its secret "
                      "file: {why}", why=e)
            return
        if manager is not None:
            ComponentService(manager).setServiceParent(self)

    def _openWorld(self):
        if self.store.findFirst(ImaginaryWorld) is None:
            from imaginary.shipped import defaultWorld
            default = defaultWorld()
            self.store.transact(default.build, self.store)
            log.info("built the default world in {path}",
                     path=self.storePath)
        self.world = ImaginaryWorld.get(self.store)
        # Worlds made before channels existed get the default channel, with
        # every character that is played from an account on it.
        self.store.transact(ensureDefaultChannel, self.store, (
            link.character for link in self.store.query(AccountCharacter)))
        # Nobody is in play yet: characters left in a room by a crash (or by
        # a version that kept them there) rest until their player is back.
        self.store.transact(self._restEveryone)

    def _restEveryone(self):
        for link in self.store.query(AccountCharacter):
            rest(link.character, quietly=True)

    def startService(self):
        """
        Listen, then build the world if the store has none and start the
        timers.  Returns a Deferred that fails (with every listener
        stopped and nothing built) when a listener can't start: an
        operator whose port is taken must not find a world made in a
        store they meant to serve elsewhere.
        """
        if self.portal is None:
            self.open(build=False)
        d = self.listen()

        def listening(_):
            if self.world is None:
                self._openWorld()
            IScheduler(self.store).startService(self.reactor)
            # Texts that waited for a route the restart may have opened.
            runEventTransaction(self.store, notifyAPI.flush, self.store)
            self.metrics.start()
            service.MultiService.startService(self)

        def failed(failure):
            ports, self.ports = self.ports, {}
            stopped = [defer.maybeDeferred(port.stopListening)
                       for port in ports.values()]
            return defer.gatherResults(stopped).addBoth(lambda _: failure)
        return d.addCallbacks(listening, failed)

    def listen(self):
        """
        Start the listeners; returns a Deferred firing when all listen, or
        failing with ListenFailed (saying which front end and endpoint)
        once every attempt is over.
        """
        kinds = {kind.name: kind for kind in frontEndTypes()}
        waits = []
        for name, endpoint in self.listenOn.items():
            if not endpoint:
                continue
            if name not in kinds:
                return defer.fail(ListenFailed(
                    f"no front end called {name!r} is installed"))
            try:
                factory = kinds[name].makeFactory(self)
                listening = endpoints.serverFromString(
                    self.reactor, endpoint).listen(factory)
            except Exception as e:
                # A malformed endpoint string fails here, not in a Deferred.
                listening = defer.fail(e)
            listening.addCallbacks(self._listening, self._cannotListen,
                                   callbackArgs=(name,),
                                   errbackArgs=(name, endpoint))
            waits.append(listening)
        if not waits:
            return defer.succeed([])
        # Wait for every attempt (not only the first failure), so the
        # ports that did open are known and can be closed again.
        return defer.DeferredList(waits, consumeErrors=True).addCallback(
            _firstFailure)

    def _cannotListen(self, failure, kind, endpoint):
        reason = failure.value
        why = getattr(reason, "socketError", None) or reason
        why = getattr(why, "strerror", None) or str(why) or \
            type(reason).__name__
        raise ListenFailed(f"cannot listen for {kind} on {endpoint}: {why}")

    def _listening(self, port, kind):
        self.ports[kind] = port
        address = port.getHost()
        log.info("Imaginary is listening for {kind} on {host} port {port}; "
                 "players connect there.", kind=kind, host=address.host,
                 port=address.port)
        return port

    def stopService(self):
        """
        Tell everyone, close every connection, wait (a few seconds at
        most) for what they were told to be sent, then close the store.
        """
        for session in list(self.connections):
            session.tell("The server is shutting down. Goodbye!")
            session.close()
        # Sessions no dialogue holds (lingering, or another kind of front
        # end's) end too, their timers with them, before the store closes.
        for character in list(self.sessions.values()):
            character.close("The server is shutting down. Goodbye!")
            character.end()
        for port in self.ports.values():
            port.stopListening()
        self.ports = {}
        self.metrics.stop()
        d = defer.maybeDeferred(service.MultiService.stopService, self)
        d.addBoth(lambda _: self._drained(DRAIN_SECONDS))

        def closeStore(_):
            if self.store is not None:
                self.store.close()
                log.info("store closed")
        return d.addCallback(closeStore)

    def _drained(self, limit):
        """A Deferred that fires once every connection is gone (or later)."""
        deadline = self.reactor.seconds() + limit

        def check():
            if not self.connections or self.reactor.seconds() >= deadline:
                return None
            return task.deferLater(self.reactor, 0.02, check)
        return defer.maybeDeferred(check)

    def shutdown(self):
        """Save and stop the whole process."""
        self.reactor.callLater(0, self.reactor.stop)

    # -- sessions --------------------------------------------------------------

    def banner(self, authenticated=False):
        """What a new connection sees first."""
        if authenticated:
            return f"Welcome to {NAME}, a text adventure."
        # Two short lines: the banner goes out before a client can tell
        # its width, and fits even a narrow window this way.
        return (f"Welcome to {NAME}, a text adventure.\n"
                f"Type 'new' to create an account.")

    def connectionOpened(self, connection):
        """A connection began (its dialogue calls this)."""
        self.connections.add(connection)

    def connectionClosed(self, connection):
        """A connection is over."""
        self.connections.discard(connection)

    def startLogin(self, address):
        """
        A connection from C{address} begins to log in: True if it may (it
        is then counted until loginOver), False when that address already
        has C{maxLoggingIn} connections logging in.  Every front end
        counts here, so the cap holds across them.
        """
        count = self.loggingIn.get(address, 0)
        if count >= self.maxLoggingIn:
            log.info("refused a connection from {address}: {count} are "
                     "logging in from there already", address=address,
                     count=count)
            return False
        self.loggingIn[address] = count + 1
        return True

    def loginOver(self, address):
        """A connection counted by startLogin logged in or went away."""
        count = self.loggingIn.get(address, 0) - 1
        if count > 0:
            self.loggingIn[address] = count
        else:
            self.loggingIn.pop(address, None)

    def sessionFor(self, character):
        """The CharacterSession playing C{character}, or None."""
        return self.sessions.get(character.storeID)

    def attach(self, avatar, character, frontEnd, resumable=False):
        """
        Attach a front end to C{character}'s session (starting it: the
        character arrives in the world), under the server's policy.
        """
        session = self.sessions.get(character.storeID)
        if session is None:
            session = CharacterSession(self, avatar.account, character)
            self.sessions[character.storeID] = session
            runEventTransaction(self.store, self.world.enterPlay, character)
            log.info("{name} entered the game", name=character.name)
        attached = session.attach(frontEnd, self.policy, resumable)
        # A character in play opens the game route: texts that waited.
        runEventTransaction(self.store, notifyAPI.flush, self.store,
                            avatar.account)
        return attached

    def sessionEnded(self, session):
        """The last connection left C{session}: the character leaves."""
        character = session.character
        if self.sessions.get(character.storeID) is session:
            del self.sessions[character.storeID]
            if not character._deleted:
                runEventTransaction(self.store, self.world.leavePlay,
                                    character)
            else:
                self.world.loggedOut(character)
            log.info("{name} left the game", name=character.name)

    def lookAlikeName(self, name):
        """
        The name of a character (or other named thing) that would pass for
        C{name} (accounts.looksLike), or None when the name is free.
        """
        for thing in self.store.query(Thing, Thing.proper == True):  # noqa
            if looksLike(thing.name, name):
                return thing.name
        return None

    def mssp(self):
        """Server status for MUD-list crawlers (MSSP)."""
        # MSSP is asked over telnet: the port it names is telnet's.
        port = self.ports.get("telnet")
        return {"NAME": NAME, "PLAYERS": str(len(self.sessions)),
                "UPTIME": str(int(self.started)), "CODEBASE":
                f"Imaginary {VERSION}",
                "PORT": str(port.getHost().port) if port else "",
                "CRAWL DELAY": "-1"}

    # -- game control: IGameControl, what admin verbs may ask -----------------
    # (shutdown() is in the lifecycle block above.)  self.sessions holds
    # one CharacterSession per character played; self.connections every
    # connection's dialogue, logged in (with an account) or not.

    def announce(self, message):
        """Tell C{message} to every character being played now."""
        for session in list(self.sessions.values()):
            session.tell(message)

    def disconnectCharacter(self, character, message):
        """
        Tell every connection playing C{character} C{message} and close
        them; returns how many there were.
        """
        session = self.sessionFor(character)
        if session is None:
            return 0
        count = len(session.attachments)
        session.close(message)
        return count

    def disconnectAccount(self, account, message):
        """Tell and close every connection logged in to C{account}."""
        doomed = [session for session in self.connections
                  if getattr(session, "account", None) is account]
        for session in doomed:
            session.tell(message)
            session.close()
        return len(doomed)


class ListenFailed(Exception):
    """A front end could not listen; the message says which and why."""


def _firstFailure(results):
    """The first failure of a DeferredList's results, raised; else them."""
    for ok, result in results:
        if not ok:
            result.raiseException()
    return [result for _, result in results]


def frontEndTypes():
    """Every installed front end (IFrontEndType plugins), by name."""
    from imaginary.plugin import defaultLoader
    found = {}
    for kind in defaultLoader().provided(IFrontEndType):
        found.setdefault(kind.name, kind)
    return sorted(found.values(), key=lambda kind: kind.name)
