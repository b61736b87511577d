"""
The IRC bridge's relay logic, on task.Clock and StringTransport: the link
verbs, lines both ways, no echo, outages told and lines kept, jittered
backoff, SASL PLAIN before joining.  (tests/test_bridge_ngircd.py does it
again against a real IRC server and the real game server.)
"""

import base64

import pytest
from twisted.internet import defer, error, task
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure

from imaginary.bridge.config import BridgeConfig, Network
from imaginary.bridge.service import IRCBridge
from imaginary.simulation import channels as model
from imaginary.store import Store
from transcript import R, Transcript

URL = "irc://127.0.0.1:6667/#ooc"


class FakeNetwork:
    """Where the bridge connects: a StringTransport per connection, or a
    refusal while C{up} is false."""

    def __init__(self):
        self.up = True
        self.attempts = []      # clock time of each attempt
        self.client = None
        self.transport = None

    def connect(self, settings, host, port, useTLS, factory):
        self.attempts.append((host, port, useTLS))
        if not self.up:
            return defer.fail(error.ConnectionRefusedError())
        self.client = factory.buildProtocol(None)
        self.transport = StringTransport()
        self.client.makeConnection(self.transport)
        return defer.succeed(self.client)

    def sent(self):
        """The lines the bridge sent since last asked."""
        data = self.transport.value().decode("utf-8")
        self.transport.clear()
        return [line for line in data.split("\r\n") if line]

    def says(self, *lines):
        for line in lines:
            self.client.dataReceived(line.encode("utf-8") + b"\r\n")

    def welcome(self, nick="Bridge"):
        """Registration done, and the JOIN the bridge asked for."""
        self.says(f":irc.test 001 {nick} :Welcome",
                  f":irc.test 005 {nick} NETWORK=TestNet :are supported")
        joins = [line for line in self.sent() if line.startswith("JOIN")]
        for line in joins:
            self.says(f":{nick}!b@127.0.0.1 {line}")
        return joins

    def drop(self):
        """The server goes away."""
        self.up = False
        self.client.connectionLost(Failure(error.ConnectionLost()))


def makeBridge(store, clock, fake, **network):
    settings = dict(name="testnet", host="127.0.0.1", nick="Bridge")
    settings.update(network)
    config = BridgeConfig(networks=(Network(**settings),), keepLines=20)
    bridge = IRCBridge(store, config, reactor=clock, connect=fake.connect,
                       random=lambda: 0.5)
    bridge.startService()
    return bridge


@pytest.fixture
def game():
    """Alice (an admin) and Bob on ooc, a bridge configured for testnet."""
    store = Store()
    store.transact(model.ensureDefaultChannel, store)
    t = Transcript(store, actorLevel="admin")
    t.clock = task.Clock()
    t.fake = FakeNetwork()
    t.bridge = makeBridge(store, t.clock, t.fake)
    return t


def linked(t):
    t.check("channel link ooc " + URL, actor=[
        "You link ooc to #ooc on testnet: its lines go there and come "
        "back, through the IRC bridge."])
    t.clock.advance(0)
    assert t.fake.sent() == ["NICK Bridge", "USER bridge foo bar "
                             ":Imaginary channel bridge"]
    assert t.fake.welcome() == ["JOIN #ooc"]


def test_lines_go_both_ways_and_never_echo(game):
    t = game
    linked(t)
    t.check("ooc hello irc", actor=["[ooc] You say, 'hello irc'"],
            observer=["[ooc] Alice says, 'hello irc'"])
    t.check("ooc :waves", by=t.observer, actor=["[ooc] Bob waves"],
            observer=["[ooc] Bob waves"])
    assert t.fake.sent() == ["PRIVMSG #ooc :<Alice> hello irc"]
    t.clock.advance(1)
    assert t.fake.sent() == ["PRIVMSG #ooc :* Bob waves"]
    # From IRC: shown with the nick and network, kept, with the data.
    t.fake.says(":carol!c@h PRIVMSG #ooc :hi \x02there\x02",
                ":carol!c@h PRIVMSG #ooc :\x01ACTION grins\x01",
                ":Bridge!b@h PRIVMSG #ooc :<Alice> echoed back",
                ":dave!d@h PRIVMSG Bridge :a private word")
    for who in (t.actor, t.observer):
        assert who.output() == ["[ooc] carol@testnet says, 'hi there'",
                                "[ooc] carol@testnet grins"]
    data = [e.data["channel"] for e in t.observer.collector.events
            if e is not None and e.data and "channel" in e.data]
    assert data[-2] == {"channel": "ooc", "talker": "carol@testnet",
                        "text": "hi there", "via": "irc"}
    channel = model.findChannel(t.store, "ooc")
    assert [(line.talker, line.said, line.emote) for line in
            channel.history(2)] == [("carol@testnet", "hi there", False),
                                    ("carol@testnet", "grins", True)]
    # Nothing from IRC went back to IRC.
    t.clock.advance(5)
    assert t.fake.sent() == []


def test_a_burst_is_merged_and_sent_a_second_apart(game):
    t = game
    linked(t)
    for n in range(5):
        t.actor.do(f"ooc line {n}")
    assert t.fake.sent() == ["PRIVMSG #ooc :<Alice> line 0"]
    t.clock.advance(1)
    assert t.fake.sent() == ["PRIVMSG #ooc :<Alice> line 1 | <Alice> line 2"
                             " | <Alice> line 3 | <Alice> line 4"]
    t.actor.do("ooc " + "long " * 150)
    t.clock.pump([1] * 5)
    long = t.fake.sent()
    assert len(long) == 2 and all(len(line.encode()) < 400 for line in long)


def test_an_outage_is_told_lines_kept_and_sent_when_back(game):
    t = game
    linked(t)
    t.clock.advance(30)
    t.fake.drop()
    told = ["[ooc] The IRC bridge to testnet is down since 00:00 UTC; "
            "retrying."]
    assert t.actor.output() == told and t.observer.output() == told
    t.check("ooc are you there?", actor=["[ooc] You say, 'are you there?'"],
            observer=["[ooc] Alice says, 'are you there?'"])
    t.observer.do("ooc :sighs")
    t.observer.output()
    t.actor.output()
    t.check("channel links", actor=[
        "Channels relayed to IRC:",
        R(r"  ooc: irc://127\.0\.0\.1:6667/#ooc \(#ooc on testnet: down "
          r"since 00:00 UTC \(.*\); retrying\)")])
    # Jittered exponential backoff (the jitter is 0 here: random() = 0.5),
    # and the outage told once, not once per attempt.
    t.clock.pump([1] * 20)
    assert len(t.fake.attempts) == 1 + 4     # at 31, 33, 37 and 45 s
    assert t.actor.output() == []
    t.fake.up = True
    t.clock.advance(10)
    assert len(t.fake.attempts) == 5
    t.clock.advance(1)                       # 61 s
    assert len(t.fake.attempts) == 6
    t.fake.sent()
    t.fake.welcome()
    back = ["[ooc] The IRC bridge to testnet is back (down since 00:00 UTC); "
            "2 lines said meanwhile go there now."]
    assert t.actor.output() == back and t.observer.output() == back
    assert t.fake.sent() == [
        "PRIVMSG #ooc :<Alice> are you there? | * Bob sighs"]
    t.check("channel who ooc", actor=[
        "On ooc: Alice, Bob.",
        "Relayed to IRC: irc://127.0.0.1:6667/#ooc (#ooc on testnet: "
        "relaying as Bridge)."])


def test_jitter_spreads_the_retries():
    waits = []
    for r in (0.0, 1.0):
        store = Store()
        t = Transcript(store, actorLevel="admin")
        clock, fake = task.Clock(), FakeNetwork()
        fake.up = False
        makeBridge(store, clock, fake)
        t.actor.do("channel create cafe")
        t.actor.do("channel link cafe " + URL)
        bridge = model.IChannelRelay(store)
        bridge.random = lambda r=r: r
        clock.advance(0)
        assert len(fake.attempts) == 1
        when = [call.getTime() for call in clock.getDelayedCalls()]
        waits.append(when)
    assert waits == [[0.75], [1.25]]


def test_sasl_plain_before_registration_and_joining():
    store = Store()
    store.transact(model.ensureDefaultChannel, store)
    t = Transcript(store, actorLevel="admin")
    clock, fake = task.Clock(), FakeNetwork()
    makeBridge(store, clock, fake, saslUsername="game",
               saslPassword="s3cret\u00e9")
    t.actor.do("channel link ooc " + URL)
    clock.advance(0)
    assert fake.sent() == ["CAP LS 302", "NICK Bridge",
                           "USER bridge foo bar :Imaginary channel bridge"]
    fake.says(":irc.test CAP * LS * :multi-prefix",
              ":irc.test CAP * LS :sasl=EXTERNAL,PLAIN server-time")
    assert fake.sent() == ["CAP REQ :sasl"]
    fake.says(":irc.test CAP Bridge ACK :sasl")
    assert fake.sent() == ["AUTHENTICATE PLAIN"]
    fake.says("AUTHENTICATE +")
    (line,) = fake.sent()
    assert base64.b64decode(line.split()[1]) == \
        "game\0game\0s3cret\u00e9".encode()
    fake.says(":irc.test 900 Bridge Bridge!b@h game :You are now logged in")
    assert fake.sent() == []        # no CAP END, no JOIN before 903
    fake.says(":irc.test 903 Bridge :SASL authentication successful")
    assert fake.sent() == ["CAP END"]
    assert fake.welcome() == ["JOIN #ooc"]


@pytest.mark.parametrize("answers, why", [
    ([":irc.test CAP * LS :multi-prefix"],
     "the network offers no SASL PLAIN login"),
    ([":irc.test CAP * LS :sasl=EXTERNAL"],
     "the network offers no SASL PLAIN login"),
    ([":irc.test CAP * LS :sasl", ":irc.test CAP Bridge ACK :sasl",
      "AUTHENTICATE +", ":irc.test 904 Bridge :SASL authentication failed"],
     "SASL login failed: the network refused the credentials"),
])
def test_a_failed_sasl_login_never_joins(answers, why):
    store = Store()
    store.transact(model.ensureDefaultChannel, store)
    t = Transcript(store, actorLevel="admin")
    clock, fake = task.Clock(), FakeNetwork()
    makeBridge(store, clock, fake, saslUsername="game", saslPassword="pw")
    t.actor.do("channel link ooc " + URL)
    t.actor.output()
    clock.advance(0)
    fake.says(*answers)
    # Whatever a server says next, we leave: QUIT, and no JOIN ever.
    fake.says(":irc.test 001 Bridge :Welcome")
    sent = fake.sent()
    assert "QUIT :bridge leaving" in sent
    assert not [line for line in sent if line.startswith("JOIN")]
    assert fake.transport.disconnecting
    fake.client.connectionLost(Failure(error.ConnectionDone()))
    assert t.actor.output() == [
        "[ooc] The IRC bridge to testnet is down since 00:00 UTC; "
        "retrying."]
    t.observer.output()
    t.check("channel links", actor=[
        "Channels relayed to IRC:",
        f"  ooc: {URL} (#ooc on testnet: down since 00:00 UTC ({why}); "
        f"retrying)"])


def test_unlink_parts_and_stops_relaying(game):
    t = game
    linked(t)
    t.check("channel unlink ooc", by=t.observer, actor=[
        "Only an admin may link channels to IRC."])
    t.check("channel unlink ooc", actor=[
        "ooc is no longer relayed to IRC."])
    t.clock.advance(0)
    assert t.fake.sent() == ["QUIT :the game is closing the bridge"]
    t.actor.do("ooc still here")
    t.actor.output()
    t.observer.output()
    t.clock.advance(5)
    assert t.fake.sent() == []
    t.check("channel unlink ooc", actor=["ooc is not relayed to IRC."])
    t.check("channel links", actor=["No channel is relayed to IRC."])


def test_link_refusals(game):
    t = game
    t.check("channel link ooc " + URL, by=t.observer, actor=[
        "Only an admin may link channels to IRC."])
    t.check("channel link ooc http://example.com/", actor=[
        "'http://example.com/' is not an irc:// address: write "
        "irc://host:port/#channel."])
    t.check("channel link ooc irc://elsewhere.example:6667/#ooc", actor=[
        "The IRC bridge may not go to elsewhere.example:6667: the server's "
        "configuration lists the networks it may reach."])
    t.check("channel link ooc", actor=[
        "Usage: channel link <channel> irc://host:port/#channel"])
    t.actor.do("channel link ooc " + URL)
    t.actor.output()
    t.check("channel link ooc irc://127.0.0.1/%23other", actor=[
        f"ooc is relayed to {URL} already; 'channel unlink ooc' first."])
    t.actor.do("channel create cafe private")
    t.actor.output()
    t.check("channel link cafe irc://127.0.0.1:6667/%23OOC", actor=[
        "ooc is relayed there already."])
    t.check("channel link cafe irc://127.0.0.1:6667/%23cafe", actor=[
        "You link cafe to #cafe on testnet: its lines go there and come "
        "back, through the IRC bridge. cafe is private: whoever is on the "
        "IRC channel reads it now."])
    # Destroying a linked channel ends its link (and the connection).
    t.check("channel destroy cafe", actor=["You destroy cafe."])
    t.clock.advance(0)
    t.check("channels", actor=[
        "Channels:",
        "  ooc (public, 2 members, you are on it): Out-of-character talk "
        "for everyone in the game. [relayed to IRC: "
        f"{URL} (#ooc on testnet: connecting)]"])


def test_without_configuration_links_are_refused():
    store = Store()
    store.transact(model.ensureDefaultChannel, store)
    t = Transcript(store, actorLevel="admin")
    t.check("channel link ooc " + URL, actor=["That needs a running server."])
    bridge = IRCBridge(store, None, reactor=task.Clock())
    bridge.startService()
    t.check("channel link ooc " + URL, actor=[
        "The IRC bridge is not configured on this server: the operator "
        "starts it with 'imaginary serve --irc-bridge FILE' (see "
        "docs/irc-bridge.md)."])


def test_latin1_and_kicks_do_not_break_the_connection(game):
    t = game
    linked(t)
    t.fake.client.dataReceived(b":old!o@h PRIVMSG #ooc :caf\xe9\r\n")
    assert t.actor.output() == ["[ooc] old@testnet says, 'caf\u00e9'"]
    t.fake.says(":op!o@h KICK #ooc Bridge :go away")
    assert t.actor.output() == [
        "[ooc] The IRC bridge is off #ooc on testnet: kicked by op: go "
        "away."]
    t.fake.says(":irc.test 474 Bridge #ooc :Cannot join channel (+b)")
    assert t.actor.output() == [
        "[ooc] The IRC bridge can't join #ooc on testnet: Cannot join "
        "channel (+b)."]
    t.bridge.stopService()
    assert t.fake.sent()[-1] == "QUIT :the game is closing the bridge"


def test_channels_on_one_network_share_its_connection(game):
    t = game
    linked(t)
    t.actor.do("channel create cafe")
    t.actor.output()
    t.check("channel link cafe irc://127.0.0.1:6667/%23cafe", actor=[
        "You link cafe to #cafe on testnet: its lines go there and come "
        "back, through the IRC bridge."])
    t.clock.advance(0)
    assert len(t.fake.attempts) == 1            # no second connection
    assert t.fake.sent() == ["JOIN #cafe"]
    t.fake.says(":Bridge!b@h JOIN :#cafe")
    t.actor.do("cafe first")
    t.actor.do("ooc second")
    assert t.fake.sent() == ["PRIVMSG #cafe :<Alice> first"]
    t.clock.advance(1)
    assert t.fake.sent() == ["PRIVMSG #ooc :<Alice> second"]
    t.fake.says(":dan!d@h PRIVMSG #CAFE :only cafe hears")
    assert t.actor.output()[-1] == "[cafe] dan@testnet says, 'only cafe " \
        "hears'"
    assert t.observer.output() == ["[ooc] Alice says, 'second'"]
    t.actor.do("channel unlink cafe")
    t.clock.advance(0)
    assert t.fake.sent() == ["PART #cafe"]
    t.fake.says(":Bridge!b@h PART #cafe")
    t.actor.do("cafe unheard")
    t.actor.do("ooc still relayed")
    t.clock.advance(1)
    assert t.fake.sent() == ["PRIVMSG #ooc :<Alice> still relayed"]


def test_channel_who_names_the_people_on_irc(game):
    t = game
    linked(t)
    t.fake.says(":irc.test 353 Bridge = #ooc :Bridge @carol +dave",
                ":irc.test 366 Bridge #ooc :End of NAMES list",
                ":erin!e@h JOIN :#ooc", ":dave!d@h NICK :david",
                ":carol!c@h PART #ooc :bye", ":zed!z@h JOIN #elsewhere")
    t.check("channel who ooc", actor=[
        "On ooc: Alice, Bob.",
        f"Relayed to IRC: {URL} (#ooc on testnet: relaying as Bridge).",
        "On IRC: david, erin."])
    t.fake.says(":erin!e@h QUIT :gone", ":op!o@h KICK #ooc david :out")
    t.check("channel who ooc", actor=[
        "On ooc: Alice, Bob.",
        f"Relayed to IRC: {URL} (#ooc on testnet: relaying as Bridge)."])
    t.fake.says(":fay!f@h JOIN #ooc")
    t.fake.drop()
    t.actor.output()
    t.observer.output()
    t.check("channel who ooc", actor=[
        "On ooc: Alice, Bob.",
        R(r"Relayed to IRC: .* down since .*")])


def test_a_stalled_registration_or_a_silent_server_is_left(game):
    t = game
    t.actor.do("channel link ooc " + URL)
    t.clock.advance(0)
    t.fake.sent()
    t.clock.advance(59)
    assert t.fake.sent() == []
    t.clock.advance(1)
    assert t.fake.sent() == ["QUIT :bridge leaving"]
    assert t.fake.transport.disconnecting
    t.fake.client.connectionLost(Failure(error.ConnectionDone()))
    t.clock.advance(1)                  # the retry (1 s, no jitter here)
    assert t.fake.welcome() == ["JOIN #ooc"]
    t.clock.advance(60)
    assert t.fake.sent() == ["PING irc.test"]
    t.fake.says(":irc.test PONG irc.test")
    t.clock.pump([60] * 3)
    assert t.fake.sent() == ["PING irc.test"] * 3
    t.clock.advance(60)                 # 240 s of silence
    assert t.fake.sent() == ["QUIT :bridge leaving"]
    # A server that reads nothing doesn't keep the connection: aborted.
    t.clock.advance(9)
    assert not t.fake.transport.disconnected
    t.clock.advance(1)
    assert t.fake.transport.disconnected        # abortConnection()
