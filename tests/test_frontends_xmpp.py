"""
End to end, on loopback: a private Prosody (Debian's, started here on
free ports), the real server (`imaginary serve` in its own process)
joined to it as the XEP-0114 component game.test, players on telnet, and
slixmpp as Bob's chat client (on its own asyncio loop in a thread).

Carol texts Bob with a world plugin's `page` verb (notify() from a verb),
so what reaches Bob comes from carol@game.test; Bob's answer comes back
to Carol's telnet as a tell.  Without XMPP and with Bob out of the game,
the text goes by mail (aiosmtpd as the relay); quiet hours hold it.
"""

import asyncio
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
from zope.interface.verify import verifyObject

from imaginary.frontends import xmpp
from imaginary.notify import api, model
from imaginary.testing import GAME_PROMPT
from liveserver import ENV, ROOT, Server, freePort, newPlayer
from mailkit import Relay, spinFor, spinUntil, startRelay

try:
    import slixmpp
except ImportError:         # the test extra installs it
    slixmpp = None

pytestmark = pytest.mark.skipif(
    shutil.which("prosody") is None or slixmpp is None,
    reason="needs prosody (Debian) and slixmpp (PyPI)")

SECRET = "s3cret-component"
CONFIG = """\
local dir = "{dir}"
run_as_root = true
data_path = dir .. "/data"
pidfile = dir .. "/prosody.pid"
certificates = dir
log = {{ {{ levels = {{ min = "debug" }}, to = "file",
           filename = dir .. "/prosody.log" }} }}
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {c2s} }}
c2s_interfaces = {{ "127.0.0.1" }}
c2s_direct_tls_ports = {{ }}
component_ports = {{ {comp} }}
component_interfaces = {{ "127.0.0.1" }}
s2s_ports = {{ }}
modules_enabled = {{ "roster"; "saslauth"; "disco"; "ping"; "posix"; }}
modules_disabled = {{ "s2s"; "s2s_auth_certs"; }}
authentication = "internal_hashed"
storage = "internal"
c2s_require_encryption = false
allow_registration = false
VirtualHost "players.test"
Component "game.test"
    component_secret = "{secret}"
"""

PAGE = '''\
"""page <character> <words>: text that character's player (tests)."""
from imaginary.mail.model import characterNamed
from imaginary.notify import notify
from imaginary.verbs.base import Verb, VerbSource


class Page(Verb):
    """page <character> <words>"""
    names = ("page",)
    syntax = ("page {text}",)

    def run(self, context, text):
        """Text the player of the character named first."""
        name, _, words = text.partition(" ")
        sent = notify(context.actor, characterNamed(context.store, name),
                      words)
        context.tell("page: " + ("off" if sent is None else
                                 sent.state + " " + str(sent.route)))


pageVerbs = VerbSource("page", [Page])
'''


class Prosody:
    """A private Prosody on free loopback ports; ready when its log says."""

    def __init__(self, folder):
        self.dir = str(folder)
        self.c2s, self.comp = freePort(), freePort()
        self.config = os.path.join(self.dir, "prosody.cfg.lua")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(dir=self.dir, c2s=self.c2s, comp=self.comp,
                                  secret=SECRET))
        self.process = None

    def register(self, user, password="pw"):
        subprocess.run(["prosodyctl", "--config", self.config, "register",
                        user, "players.test", password], check=True,
                       capture_output=True)

    def start(self):
        seen = len(self.log())      # a restart appends to the same log
        self.process = subprocess.Popen(
            ["prosody", "--config", self.config, "-F"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        # Not "the port answers": a Prosody whose port is taken runs on.
        want = [f"Activated service 'c2s' on [127.0.0.1]:{self.c2s}",
                f"Activated service 'component' on [127.0.0.1]:{self.comp}"]
        deadline = time.monotonic() + 10
        while not all(w in self.log()[seen:] for w in want):
            if "Failed to open server port" in self.log()[seen:] or \
                    self.process.poll() is not None or \
                    time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("prosody did not start:\n" + self.log())
            time.sleep(0.02)
        return self

    def log(self):
        try:
            with open(os.path.join(self.dir, "prosody.log")) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)
        self.process = None


class ChatClient:
    """slixmpp as a player's chat client, on an asyncio loop in a thread."""

    def __init__(self, jid, password, port):
        self.inbox = queue.Queue()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever,
                                       daemon=True)
        self.thread.start()
        self._run(self._connect(jid, password, port), 15)

    def _run(self, coroutine, timeout):
        return asyncio.run_coroutine_threadsafe(
            coroutine, self.loop).result(timeout)

    async def _connect(self, jid, password, port):
        client = slixmpp.ClientXMPP(jid, password, plugin_config={
            "feature_mechanisms": {"unencrypted_scram": True}})
        client.enable_direct_tls = client.enable_starttls = False
        client.enable_plaintext = True
        ready = self.loop.create_future()

        def started(_):
            client.send_presence()
            if not ready.done():
                ready.set_result(None)
        client.add_event_handler("session_start", started)
        client.add_event_handler("message", lambda m: self.inbox.put(
            (str(m["from"]), m["type"], m["body"])))
        client.connect("127.0.0.1", port)
        self.client = client
        await asyncio.wait_for(ready, 10)

    def say(self, to, body):
        """Send a chat message."""
        self.loop.call_soon_threadsafe(lambda: self.client.send_message(
            mto=to, mbody=body, mtype="chat"))

    def next(self, timeout=10):
        """(from, type, body) of the next message; queue.Empty if none."""
        return self.inbox.get(timeout=timeout)

    def close(self):
        async def close():
            await self.client.disconnect()
            task = self.client._run_out_filters     # cancelled only in __del__
            if task:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        try:
            self._run(close(), 10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


def imaginary(store, *args):
    """Run `imaginary <args> --store STORE` (the server stopped)."""
    return subprocess.run([sys.executable, "-m", "imaginary.cli", *args,
                           "--store", store], cwd=ROOT, env=ENV, check=True,
                          capture_output=True, text=True).stdout


def waitFor(predicate, what, timeout=15):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not in time: {what}")
        time.sleep(0.05)


def send(child, line, pattern):
    """Send C{line} and wait for C{pattern} (a regex), then the prompt."""
    child.sendline(line)
    child.expect(pattern)
    match = child.match
    child.expect_exact(GAME_PROMPT)
    return match


@pytest.fixture
def game(tmp_path):
    """The store's folder, a plugin folder with `page`, and clean-ups."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "page.py").write_text(PAGE)
    secret = tmp_path / "secret"
    secret.write_text(SECRET + "\n")
    store = str(tmp_path / "game.store")
    stops = []
    game = type("Game", (), dict(
        store=store, plugins=str(plugins), secret=str(secret),
        tmp=tmp_path, stops=stops))
    yield game
    for stop in reversed(stops):
        stop()


def startServer(game, prosody=None):
    if prosody is not None:
        imaginary(game.store, "xmpp", "--domain", "game.test", "--server",
                  f"tcp:127.0.0.1:{prosody.comp}", "--secret-file",
                  game.secret)
    server = Server(game.store, options=["--plugins", game.plugins])
    server.start()
    game.stops.append(server.stop)
    if prosody is not None:
        waitFor(lambda: "XMPP component game.test connected" in server.log(),
                "the component's handshake")
    return server


def quit(child):
    child.sendline("quit")
    child.expect(r"(?i)goodbye|closed")
    child.close()


def verifiedJID(server, bob, chat):
    send(bob, "account notify on", "Texts from characters are on")
    send(bob, "account notify jid bob@players.test",
         "A code is on its way to bob@players.test")
    sender, _, body = chat.next()
    assert sender == "game.test"
    code = re.search(r"\b(\d{6})\b", body).group(1)
    send(bob, f"account notify verify {code}",
         "Your Jabber ID bob@players.test is verified.")


def test_a_text_by_xmpp_and_the_answer_as_a_tell(game):
    prosody = Prosody(game.tmp).start()
    game.stops.append(prosody.stop)
    prosody.register("bob")
    server = startServer(game, prosody)
    chat = ChatClient("bob@players.test/phone", "pw", prosody.c2s)
    game.stops.insert(1, chat.close)    # before Prosody stops
    bob = newPlayer(server, "bobby", "Bob")
    verifiedJID(server, bob, chat)
    quit(bob)                           # offline in the game

    carol = newPlayer(server, "carol", "Carol")
    send(carol, "page bob Meet me at the gate, Bob.", "page: sent xmpp")
    assert chat.next() == ("carol@game.test", "chat",
                           "Meet me at the gate, Bob.")

    chat.say("carol@game.test", "On my way ☕")
    carol.expect_exact("Bob texts you, 'On my way ☕'")
    chat.say("carol@game.test", "stop")
    sender, _, body = chat.next()
    assert (sender, body) == ("carol@game.test", (
        "Texts by xmpp are off now; type 'account notify on xmpp' in the "
        "game to have them again."))
    # Stopped: the next text waits (no mail here, Bob is away).
    send(carol, "page bob Are you there?", "page: pending None")
    with pytest.raises(queue.Empty):
        chat.next(timeout=1)
    quit(carol)


def test_quiet_hours_hold_a_text_until_they_end(game):
    prosody = Prosody(game.tmp).start()
    game.stops.append(prosody.stop)
    prosody.register("bob")
    server = startServer(game, prosody)
    chat = ChatClient("bob@players.test/phone", "pw", prosody.c2s)
    game.stops.insert(1, chat.close)
    bob = newPlayer(server, "bobby", "Bob")
    verifiedJID(server, bob, chat)
    # Quiet from this minute to the next one (UTC), with 5 s at least
    # left, so the text is held and then goes at the minute.
    if time.gmtime().tm_sec > 54:
        time.sleep(61 - time.gmtime().tm_sec)
    now = time.gmtime()
    start = now.tm_hour * 60 + now.tm_min
    end = (start + 1) % (24 * 60)
    span = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
    send(bob, f"account notify quiet {span} UTC", "Quiet hours: ")
    quit(bob)
    carol = newPlayer(server, "carol", "Carol")
    send(carol, "page bob Sleep well.", "page: pending None")
    ends = (time.time() // 60 + 1) * 60
    with pytest.raises(queue.Empty):
        chat.next(timeout=max(0.5, ends - time.time() - 1))
    assert chat.next(timeout=15) == ("carol@game.test", "chat",
                                     "Sleep well.")
    assert time.time() >= ends
    quit(carol)


def test_offline_everywhere_without_xmpp_a_text_goes_by_mail(game):
    relay = Relay()
    controller = startRelay(relay)
    game.stops.append(controller.stop)
    imaginary(game.store, "mail", "--domain", "game.test", "--relay-host",
              "127.0.0.1", "--relay-port", str(controller.port),
              "--relay-security", "plain", "--relay-user", "none")
    server = startServer(game)
    bob = newPlayer(server, "bobby", "Bob")
    send(bob, "account email bob@mail.test", "A code is on its way")
    waitFor(lambda: len(relay.envelopes) == 1, "the code by mail")
    code = re.search(r"\b(\d{6})\b", relay.messages()[0].get_content())
    send(bob, f"account verify {code.group(1)}", "is verified")
    send(bob, "account notify on", "Texts from characters are on")
    quit(bob)

    carol = newPlayer(server, "carol", "Carol")
    send(carol, "page bob Come quick.", "page: sent email")
    waitFor(lambda: len(relay.envelopes) == 2, "the text by mail")
    envelope = relay.envelopes[1]
    assert envelope.rcpt_tos == ["bob@mail.test"]
    message = relay.messages()[1]
    assert message["From"].addresses[0].addr_spec == "carol@game.test"
    assert message["Subject"] == "A text from Carol"
    assert message.get_content().startswith("Come quick.\r\n")
    quit(carol)


# -- the component in this process, against Prosody ----------------------------

class InProcess:
    """Texting's store (Bob offline, his JID verified) and a component."""

    def __init__(self, game, prosody, secret=SECRET):
        from notifykit import Texting
        self.t = Texting()
        self.t.optIn(jid="bob@players.test", jidVerified=True)
        self.t.offline()
        secretFile = game.tmp / "secret-in-process"
        secretFile.write_text(secret + "\n")

        def configure():
            config = model.config(self.t.store)
            config.xmppDomain = "game.test"
            config.xmppServer = f"tcp:127.0.0.1:{prosody.comp}"
            config.xmppSecretFile = str(secretFile)
        self.t.store.transact(configure)
        self.manager = xmpp.buildComponent(self.t.store)
        self.manager.getFactory().maxDelay = 1     # rejoin fast (tests)
        [self.component] = [s for s in self.manager
                            if isinstance(s, xmpp.XMPPComponent)]
        self.service = xmpp.ComponentService(self.manager)
        self.service.startService()
        game.stops.insert(0, self.stop)

    def stop(self):
        spinFor(0.1)
        d = self.service.stopService()
        if d is not None:
            done = []
            d.addBoth(done.append)
            spinUntil(lambda: done)
        spinFor(0.1)

    def route(self):
        return api.routeNamed(self.t.store, "xmpp")


def test_a_wrong_secret_stops_the_retries(game):
    prosody = Prosody(game.tmp).start()
    game.stops.append(prosody.stop)
    side = InProcess(game, prosody, secret="wrong")
    spinUntil(lambda: side.component.failure is not None)
    assert "not-authorized" in side.component.failure
    assert not side.manager.getFactory().continueTrying
    spinFor(1.5)        # no second try
    assert prosody.log().count("Given token does not match") == 1
    assert side.route() is None


def test_a_text_waits_while_the_server_is_down_and_goes_on_rejoining(game):
    prosody = Prosody(game.tmp)
    prosody.register("bob")
    prosody.start()
    game.stops.append(prosody.stop)
    side = InProcess(game, prosody)
    spinUntil(lambda: side.route() is not None)
    assert verifyObject(api.INotifyRoute, side.route())
    prosody.stop()
    spinUntil(lambda: side.route() is None)
    item = side.t.text("While you were out.")
    assert item.state == "pending"
    prosody.start()
    spinUntil(lambda: item.state == "sent", timeout=15)
    assert item.route == "xmpp"
    spinFor(0.3)        # the component's write leaves with the reactor
    # Prosody kept it for Bob (offline then), and gives it at login.
    chat = ChatClient("bob@players.test/phone", "pw", prosody.c2s)
    game.stops.insert(1, chat.close)
    spinUntil(lambda: not chat.inbox.empty())
    assert chat.next() == ("alice@game.test", "chat", "While you were out.")


def test_strangers_and_unknown_characters_are_answered(game):
    prosody = Prosody(game.tmp)
    prosody.register("bob")
    prosody.register("eve")
    prosody.start()
    game.stops.append(prosody.stop)
    side = InProcess(game, prosody)
    spinUntil(lambda: side.route() is not None)
    eve = ChatClient("eve@players.test/x", "pw", prosody.c2s)
    game.stops.insert(1, eve.close)
    bob = ChatClient("bob@players.test/x", "pw", prosody.c2s)
    game.stops.insert(1, bob.close)
    eve.say("alice@game.test", "hello")
    spinUntil(lambda: not eve.inbox.empty())
    assert eve.next() == ("alice@game.test", "chat", (
        "This address is not known to the game: verify it with 'account "
        "notify jid <jid>' there first."))
    bob.say("nobody@game.test", "hello")
    spinUntil(lambda: not bob.inbox.empty())
    assert bob.next() == ("nobody@game.test", "chat",
                          "There is nobody called 'nobody' in the game.")
    bob.say("alice@game.test", "hello")
    spinUntil(lambda: not bob.inbox.empty())
    assert bob.next() == ("alice@game.test", "chat", (
        "Alice has not texted you; you can answer only characters who "
        "did."))
    assert side.t.actor.output() == []
