"""
The running server: the store, the world, the verbs and who is connected.

ImaginaryServer is a Twisted service.  Its children are the listeners
(telnet, SSH), each started from an endpoint string.  It opens the store,
builds the default world when the store is empty, starts the store's
scheduler, and on stop (SIGTERM, 'shutdown') closes every session, then
the store, so everything acknowledged is on disk.
"""

import time

from twisted.application import service
from twisted.internet import defer, endpoints, task
from twisted.logger import Logger
from zope.interface import implementer

from imaginary.accounts import LoginThrottle, nameKey
from imaginary.simulation.thing import Thing
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import IScheduler, Store
from imaginary.verbs.base import VerbRegistry
from imaginary.verbs.control import IGameControl
from imaginary.verbs.runner import installCommandRunner

log = Logger()

DRAIN_SECONDS = 3.0     # how long shutdown waits for goodbyes to be sent
NAME = "Imaginary"
VERSION = "0.1.0"


@implementer(IGameControl)
class ImaginaryServer(service.MultiService):
    """The game: one store, one world, many sessions."""

    def __init__(self, storePath, telnet=None, ssh=None, reactor=None,
                 store=None):
        service.MultiService.__init__(self)
        if reactor is None:
            from twisted.internet import reactor
        self.reactor = reactor
        self.storePath = storePath
        self.telnetEndpoint = telnet
        self.sshEndpoint = ssh
        self.store = store
        self.world = None
        self.registry = None
        self.sessions = {}       # character storeID -> Session
        self.connections = set()  # every open Session, logged in or not
        self.throttle = LoginThrottle()
        self.started = time.time()
        self.ports = {}

    # -- lifecycle -----------------------------------------------------------

    def open(self):
        """Open the store and the world (building the default world)."""
        if self.store is None:
            self.store = Store(self.storePath)
        if self.store.findFirst(ImaginaryWorld) is None:
            from imaginary.shipped import defaultWorld
            default = defaultWorld()
            self.store.transact(default.build, self.store)
            log.info("built the default world in {path}",
                     path=self.storePath)
        self.world = ImaginaryWorld.get(self.store)
        self.registry = VerbRegistry.fromPlugins()
        installCommandRunner(self.store, self.registry)

    def startService(self):
        if self.world is None:
            self.open()
        IScheduler(self.store).startService(self.reactor)
        service.MultiService.startService(self)
        return self.listen()

    def listen(self):
        """Start the listeners; returns a Deferred firing when all listen."""
        from twisted.internet.defer import gatherResults
        from imaginary.frontends.telnet_service import TelnetFactory
        waits = []
        if self.telnetEndpoint:
            endpoint = endpoints.serverFromString(self.reactor,
                                                  self.telnetEndpoint)
            waits.append(endpoint.listen(TelnetFactory(self)).addCallback(
                self._listening, "telnet"))
        if self.sshEndpoint:
            from imaginary.frontends.ssh import sshFactory
            endpoint = endpoints.serverFromString(self.reactor,
                                                  self.sshEndpoint)
            waits.append(endpoint.listen(sshFactory(self)).addCallback(
                self._listening, "ssh"))
        return gatherResults(waits, consumeErrors=True)

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
        for port in self.ports.values():
            port.stopListening()
        self.ports = {}
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
        return (f"Welcome to {NAME}, a text adventure. Type 'new' to create "
                f"an account.")

    def sessionOpened(self, session):
        """A connection's session began (called by Session)."""
        self.connections.add(session)

    def sessionClosed(self, session):
        """A connection's session is over (its connection is gone)."""
        self.connections.discard(session)

    def sessionFor(self, character):
        """The session playing C{character}, or None."""
        return self.sessions.get(character.storeID)

    def loggedIn(self, session, character):
        self.sessions[character.storeID] = session
        self.world.loggedIn(character)
        log.info("{name} entered the game", name=character.name)

    def loggedOut(self, session, character):
        if self.sessions.get(character.storeID) is session:
            del self.sessions[character.storeID]
            self.world.loggedOut(character)
            log.info("{name} left the game", name=character.name)

    def characterNameFree(self, name):
        """Whether no character or account already has a look-alike name."""
        key = nameKey(name)
        for thing in self.store.query(Thing, Thing.proper == True):  # noqa
            if nameKey(thing.name) == key:
                return False
        return True

    def mssp(self):
        """Server status for MUD-list crawlers (MSSP)."""
        ports = [str(p.getHost().port) for p in self.ports.values()]
        return {"NAME": NAME, "PLAYERS": str(len(self.sessions)),
                "UPTIME": str(int(self.started)), "CODEBASE":
                f"Imaginary {VERSION}", "PORT": ports[0] if ports else "",
                "CRAWL DELAY": "-1"}

    # -- game control: IGameControl, what admin verbs may ask -----------------
    # (shutdown() is in the lifecycle block above.)  Kept to self.sessions,
    # self.connections and their tell/close, so the session layer below
    # may change how it stores them.

    def announce(self, message):
        """Tell C{message} to every character being played now."""
        for session in list(self.sessions.values()):
            session.tell(message)

    def disconnectCharacter(self, character, message):
        """Tell C{character}'s session C{message} and close it; 0 or 1."""
        session = self.sessionFor(character)
        if session is None:
            return 0
        session.tell(message)
        session.close()
        return 1

    def disconnectAccount(self, account, message):
        """Tell and close every connection logged in to C{account}."""
        doomed = [session for session in self.connections
                  if getattr(session, "account", None) is account]
        for session in doomed:
            session.tell(message)
            session.close()
        return len(doomed)
