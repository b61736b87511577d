"""
The IRC bridge: a child service of the server, one Network per IRC network.

C{IRCBridge} is installed on the store as its IChannelRelay (the seam the
channel verbs see; imaginary/simulation/channels.py): talk() adds the
bridge's observer to a linked channel's audience, so a line said in the
game reaches the bridge only once its transaction commits, and the link
verbs tell it when links change.  It reads the ChannelLink items, groups
them by network (host and port), and keeps one C{Network} for each: a
connection that is made, lost, and made again with jittered exponential
backoff, joining the linked channels once signed on (after SASL).

Lines from IRC are said on the game channel by "Nick@network" (kept in
its history, told to its members in play), never sent back to IRC: the
bridge is not in that event's audience, and its own nick's lines are
ignored.  While a network is down the members in play are told once
("the IRC bridge to net is down since 14:02 UTC; retrying") and again when
it is back, and lines said in the game wait in the Outbox (bounded).
"""

import random
import time

from twisted.application import service
from twisted.internet import defer, endpoints, protocol
from twisted.logger import Logger
from zope.interface import implementer

from imaginary.interfaces import IEventObserver
from imaginary.simulation import channels as model
from imaginary.simulation.events import runEventTransaction
from imaginary.simulation.world import ImaginaryWorld
from imaginary.verbs import channels as verbs

from .client import BridgeClient, irc_lower
from .config import parseTarget
from .outbox import Outbox

log = Logger()

RETRY_FIRST = 1.0       # seconds before the first retry
JITTER = 0.25           # each wait is its value +/- 25%, at random
STOP_WAIT = 2.0         # how long stopping waits for QUITs to be sent


def _clock(when):
    return time.strftime("%H:%M", time.gmtime(when))


@implementer(model.IChannelRelay)
class IRCBridge(service.Service):
    """
    The bridge for one store.  C{config}: a BridgeConfig, or None when the
    operator configured no bridge (links are then refused, and existing
    ones wait).  C{connect(settings, host, port, useTLS, factory)}
    returns a Deferred firing with the connected protocol (tests give
    their own, over StringTransport).
    """

    name = "irc-bridge"

    def __init__(self, store, config, reactor=None, connect=None,
                 random=random.random):
        if reactor is None:
            from twisted.internet import reactor
        self.store = store
        self.config = config
        self.reactor = reactor
        self.connect = connect or self._connectTCP
        self.random = random
        self.networks = {}      # (host lower, port) -> Network
        self.links = {}         # target key -> (Target, channel storeID)
        self._syncing = None
        store.inMemoryPowerUp(self, model.IChannelRelay)

    # -- the service --------------------------------------------------------

    def startService(self):
        """Connect to every network a link points to."""
        service.Service.startService(self)
        self.sync()

    def stopService(self):
        """Leave every network (QUIT), waiting a little for it to go."""
        service.Service.stopService(self)
        if self._syncing is not None and self._syncing.active():
            self._syncing.cancel()
        waits = [network.stop() for network in self.networks.values()]
        self.networks = {}
        return defer.DeferredList(waits)

    def sync(self):
        """Make the networks match the ChannelLink items in the store."""
        self._syncing = None
        if self.config is None or not self.running:
            return
        links = {}
        for link in self.store.query(model.ChannelLink):
            try:
                target = parseTarget(link.url)
                settings = self.config.networkFor(target)
            except ValueError as e:
                log.warn("IRC bridge: {channel} stays unrelayed: {why}",
                         channel=link.channel.name, why=e)
                continue
            links[target.key] = (target, settings, link.channel.storeID)
        self.links = {key: (t, c) for key, (t, _, c) in links.items()}
        wanted = {}
        for target, settings, _ in links.values():
            key = (target.host.lower(), target.port)
            wanted.setdefault(key, (settings, target, []))[2].append(
                target.channel)
        for key in list(self.networks):
            if key not in wanted:
                self.networks.pop(key).stop()
        for key, (settings, target, channels) in wanted.items():
            network = self.networks.get(key)
            if network is None:
                network = self.networks[key] = Network(
                    self, settings, target.host, target.port,
                    self.config.useTLS(settings, target))
                network.setChannels(channels)
                network.start()
            else:
                network.setChannels(channels)

    def _connectTCP(self, settings, host, port, useTLS, factory):
        endpoint = endpoints.HostnameEndpoint(self.reactor, host, port,
                                              timeout=20)
        if useTLS:
            from twisted.internet import ssl
            if settings.verify:
                trust = {}
                if settings.caPEM:
                    trust["trustRoot"] = ssl.Certificate.loadPEM(
                        settings.caPEM)
                options = ssl.optionsForClientTLS(host, **trust)
            else:
                options = ssl.CertificateOptions(verify=False)
            endpoint = endpoints.wrapClientTLS(options, endpoint)
        return endpoint.connect(factory)

    # -- IChannelRelay: what the channel verbs ask --------------------------

    def observerFor(self, channel):
        """The observer relaying C{channel}'s lines, if it is linked."""
        for target, storeID in self.links.values():
            if storeID == channel.storeID:
                return _LinkObserver(self, target)
        return None

    def check(self, url):
        """(key, "#chan on network") for a URL the configuration allows."""
        if self.config is None:
            raise ValueError(
                "The IRC bridge is not configured on this server: the "
                "operator starts it with 'imaginary serve --irc-bridge "
                "FILE' (see docs/irc-bridge.md).")
        target = parseTarget(url)
        settings = self.config.networkFor(target)
        return target.key, f"{target.channel} on {settings.name}"

    def linksChanged(self):
        """Sync after the verb's transaction commits (a rollback leaves
        the links as they were, and sync reads them as they are)."""
        if self._syncing is None:
            self._syncing = self.reactor.callLater(0, self.sync)

    def names(self, link):
        """The IRC nicks on the other side of C{link} (the bridge's own
        left out), or () when it isn't relaying."""
        network = self._networkOf(link)
        if network is None:
            return ()
        return network.others(parseTarget(link.url).channel)

    def _networkOf(self, link):
        try:
            target = parseTarget(link.url)
        except ValueError:
            return None
        return self.networks.get((target.host.lower(), target.port))

    def status(self, link):
        """How a link is doing, in a few words."""
        if self.config is None:
            return "the IRC bridge is not configured on this server"
        try:
            target = parseTarget(link.url)
            self.config.networkFor(target)
        except ValueError as e:
            return f"not relayed: {e}"
        network = self.networks.get((target.host.lower(), target.port))
        if network is None:
            return "starting"
        return network.status(target.channel)

    # -- what the networks report ------------------------------------------

    def heard(self, network, ircChannel, nick, text, emote=False):
        """A line said on IRC: say it on the linked game channel."""
        channel = self._channelFor(network, ircChannel)
        if channel is None:
            return
        runEventTransaction(self.store, verbs.hear, self._world(), channel,
                            f"{nick}@{network.label}", text, emote)

    def tell(self, network, text):
        """Tell every game channel linked to C{network} about it."""
        for channel in self._channelsOf(network):
            runEventTransaction(self.store, verbs.notice, self._world(),
                                channel, text)

    def _world(self):
        # findFirst, not ImaginaryWorld.get: the bridge never makes one.
        return self.store.findFirst(ImaginaryWorld)

    def _channelFor(self, network, ircChannel):
        key = f"{network.host.lower()}:{network.port}/" \
              f"{irc_lower(ircChannel)}"
        for target, storeID in self.links.values():
            if irc_lower(target.key) == key:
                return self.store.getItemByID(storeID, default=None)
        return None

    def _channelsOf(self, network):
        found = []
        for target, storeID in self.links.values():
            if (target.host.lower(), target.port) == (network.host.lower(),
                                                      network.port):
                channel = self.store.getItemByID(storeID, default=None)
                if channel is not None:
                    found.append(channel)
        return found


@implementer(IEventObserver)
class _LinkObserver:
    """In a linked channel's audience: relays each line after the commit."""

    listener = None     # IEventObserver: prepare is asked every time

    def __init__(self, bridge, target):
        self.bridge = bridge
        self.target = target

    def prepare(self, event):
        """A channel line said in the game: relay it once committed."""
        said = (event.data or {}).get("channel")
        if not said or said.get("via"):
            return None     # not a line, or one from outside the game
        if said.get("emote"):
            line = f"* {said['talker']} {said['text']}"
        else:
            line = f"<{said['talker']}> {said['text']}"
        key = (self.target.host.lower(), self.target.port)
        channel = self.target.channel

        def relay():
            network = self.bridge.networks.get(key)
            # (Unlinked between the line and its delivery: nowhere to go.)
            if network is not None and irc_lower(channel) in \
                    network.channels:
                network.outbox.put(irc_lower(channel), line)
        return relay


class _Factory(protocol.ClientFactory):
    def __init__(self, network):
        self.network = network

    def buildProtocol(self, addr):
        """A BridgeClient reporting to this factory's Network."""
        network = self.network
        client = BridgeClient(network, network.settings,
                              network.bridge.reactor,
                              network.bridge.config.realname)
        client.factory = self
        return client


class Network:
    """
    One IRC network: its connection (made again after every loss, with
    jittered exponential backoff), the channels to be on, and the Outbox
    of lines toward them.
    """

    def __init__(self, bridge, settings, host, port, useTLS):
        self.bridge = bridge
        self.settings = settings
        self.host = host
        self.port = port
        self.useTLS = useTLS
        self.clock = bridge.reactor
        self.channels = {}      # irc_lower(channel) -> channel as written
        self.onChannels = set()     # irc_lower names we are on
        self.refusals = {}      # irc_lower name -> why we are not on it
        self.people = {}        # irc_lower name -> {irc_lower nick: nick}
        self.client = None      # connected (maybe not signed on yet)
        self.signedOnClient = None
        self.attempts = 0
        self.retry = None
        self.downSince = None
        self.toldDown = False
        self.lastError = ""
        self.stopping = False
        self.gone = None        # fires when a stopping connection is over
        self.label = settings.name
        self.outbox = Outbox(self.clock, self._say, self._ready,
                             limit=bridge.config.keepLines)

    def setChannels(self, channels):
        """Be on exactly C{channels} (joins and parts as needed)."""
        wanted = {irc_lower(c): c for c in channels}
        client = self.signedOnClient
        for name in set(self.channels) - set(wanted):
            self.outbox.forget(name)
            self.onChannels.discard(name)
            if client is not None:
                client.part(self.channels[name])
        for name in set(wanted) - set(self.channels):
            if client is not None:
                client.join(wanted[name])
        self.channels = wanted

    # -- connecting ---------------------------------------------------------

    def start(self):
        """Connect now."""
        self.stopping = False
        self._connect()

    def _connect(self):
        self.retry = None
        if self.stopping:
            return
        d = defer.maybeDeferred(self.bridge.connect, self.settings,
                                self.host, self.port, self.useTLS,
                                _Factory(self))
        d.addCallbacks(self._connected, self._cannotConnect)

    def _connected(self, client):
        self.client = client
        if self.stopping:
            client.transport.loseConnection()

    def _cannotConnect(self, failure):
        self._down(failure.getErrorMessage())

    def connectionLost(self, client, reason):
        """The connection ended (the client says why)."""
        if client is not self.client:
            return
        self.client = self.signedOnClient = None
        self.people.clear()
        if self.stopping:
            self._gone()
            return
        self.onChannels.clear()
        self.outbox.stop()
        why = reason if isinstance(reason, str) else \
            reason.getErrorMessage()
        self._down(why)

    def _down(self, why):
        self.lastError = why
        if self.stopping:
            return
        now = self.clock.seconds()
        if self.downSince is None:
            self.downSince = now
        if not self.toldDown:
            self.toldDown = True
            log.warn("IRC bridge to {network} is down: {why}",
                     network=self.label, why=why)
            self.bridge.tell(self, f"The IRC bridge to {self.label} is down "
                                   f"since {_clock(self.downSince)} UTC; "
                                   f"retrying.")
        wait = min(self.bridge.config.retryMax,
                   RETRY_FIRST * 2 ** min(self.attempts, 20))
        wait *= 1 + JITTER * (2 * self.bridge.random() - 1)
        self.attempts += 1
        self.retry = self.clock.callLater(wait, self._connect)

    def signedOn(self, client):
        """Registered (after SASL when configured): join the channels."""
        self.signedOnClient = client
        self.attempts = 0
        # The network's own name (005 NETWORK=) when the operator gave
        # none: a host is a poor name to show players.
        if self.settings.name == self.host:
            named = client.supported.getFeature("NETWORK")
            if named:
                self.label = named
        for channel in self.channels.values():
            client.join(channel)
        log.info("IRC bridge signed on to {network} as {nick}",
                 network=self.label, nick=client.nickname)

    def joined(self, client, channel):
        """On C{channel}: say what waited, and that we are back."""
        name = irc_lower(channel)
        if name not in self.channels:
            client.part(channel)    # unlinked meanwhile
            return
        self.onChannels.add(name)
        self.refusals.pop(name, None)
        if self.downSince is not None:
            waited = len(self.outbox)
            since = _clock(self.downSince)
            self.downSince = None
            if self.toldDown:
                self.toldDown = False
                kept = (f"; {waited} line{'s' if waited != 1 else ''} said "
                        f"meanwhile go there now" if waited else "")
                self.bridge.tell(self, f"The IRC bridge to {self.label} is "
                                       f"back (down since {since} UTC)"
                                       f"{kept}.")
        self.outbox.start()

    def parted(self, client, channel, why=None):
        """Off C{channel} (parted after an unlink, or kicked)."""
        name = irc_lower(channel)
        self.onChannels.discard(name)
        self.people.pop(name, None)
        if why and name in self.channels:
            self.refusals[name] = why
            self.bridge.tell(self, f"The IRC bridge is off {channel} on "
                                   f"{self.label}: {why}.")

    def refused(self, client, channel, why):
        """The network would not let us join C{channel}."""
        name = irc_lower(channel)
        if name in self.channels and self.refusals.get(name) != why:
            self.refusals[name] = why
            self.bridge.tell(self, f"The IRC bridge can't join {channel} on "
                                   f"{self.label}: {why}.")

    def names(self, channel, nicks):
        """C{nicks} are on C{channel} (NAMES, or a JOIN)."""
        name = irc_lower(channel)
        if name in self.channels:
            on = self.people.setdefault(name, {})
            for nick in nicks:
                if nick:
                    on[irc_lower(nick)] = nick

    def nickGone(self, nick, channel=None):
        """C{nick} left C{channel} (None: every channel: a QUIT)."""
        for name, on in self.people.items():
            if channel is None or name == irc_lower(channel):
                on.pop(irc_lower(nick), None)

    def renamed(self, old, new):
        """C{old} is called C{new} now."""
        for on in self.people.values():
            if on.pop(irc_lower(old), None) is not None:
                on[irc_lower(new)] = new

    def others(self, channel):
        """The nicks on C{channel} besides the bridge's own, sorted."""
        me = irc_lower(self.signedOnClient.nickname) if \
            self.signedOnClient is not None else None
        return sorted((nick for key, nick in self.people.get(
            irc_lower(channel), {}).items() if key != me), key=str.lower)

    def heard(self, channel, nick, text, emote=False):
        """A line on one of our channels, from someone else."""
        if irc_lower(channel) in self.channels:
            self.bridge.heard(self, channel, nick, text, emote)

    def stop(self):
        """Leave the network for good; a Deferred firing once it's gone."""
        self.stopping = True
        self.outbox.stop()
        if self.retry is not None and self.retry.active():
            self.retry.cancel()
        self.retry = None
        client = self.client
        if client is None or client.transport is None:
            return defer.succeed(None)
        self.gone = defer.Deferred()
        timeout = self.clock.callLater(STOP_WAIT, self._gone)
        self.gone.addBoth(lambda _: timeout.cancel() if timeout.active()
                          else None)
        client.sendLine("QUIT :the game is closing the bridge")
        client.transport.loseConnection()
        return self.gone

    def _gone(self):
        gone, self.gone = self.gone, None
        if gone is not None:
            gone.callback(None)

    # -- sending ------------------------------------------------------------

    def _ready(self, name):
        return self.signedOnClient is not None and name in self.onChannels

    def _say(self, name, text):
        self.signedOnClient.say(self.channels.get(name, name), text)

    def status(self, channel):
        """A few words on C{channel}'s relay, for 'channel links'."""
        name = irc_lower(channel)
        on = f"{channel} on {self.label}"
        if self.downSince is not None and self.signedOnClient is None:
            return (f"{on}: down since {_clock(self.downSince)} UTC "
                    f"({self.lastError}); retrying")
        if name in self.onChannels:
            return f"{on}: relaying as {self.signedOnClient.nickname}"
        if name in self.refusals:
            return f"{on}: not joined ({self.refusals[name]})"
        return f"{on}: connecting"
