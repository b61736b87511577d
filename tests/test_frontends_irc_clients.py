"""
Real IRC clients against the real server: irssi in a tmux pane, typed at
with send-keys (Enter is the key), and WeeChat's headless client in
another, driven by the commands it is started with and read through its
logger's files (weechat-headless has no screen and reads no keys).  The
other player is a raw socket.

Each client logs in with SASL, sees no error numerics, walks through two
rooms talking in &here, uses a #channel, sends and receives a tell, and
after losing its connection comes back to the lines it missed, shown at
the time they were said (server-time).
"""

import os
import shutil
import signal
import time

import pytest

from irckit import PASSWORD, RawIRC, startIRCServer
# The real-clients module's tmux terminals, and the fixture that kills
# them (and their programs) after each test.
from test_frontends_realclients import terminals  # noqa: F401

WAIT = 15.0
# What a client shows for an error numeric we might send by mistake.
ERRORS = ("Unknown command", "not registered", "Erroneous", "too long",
          "No such", "Not enough parameters", "SASL authentication failed")


@pytest.fixture(scope="module")
def game(tmp_path_factory):
    store = str(tmp_path_factory.mktemp("ircclients") / "store")
    server, port = startIRCServer(store, ["alice", "bob", "carol", "dave"])
    yield port
    log = server.stop()
    assert "Traceback" not in log, log[-3000:]


def rawPlayer(port, account, nick):
    """The other player: a raw socket, in the Town Square."""
    client = RawIRC(port)
    client.register(account, nick)
    client.expectCommand("376")
    client.send(f"PRIVMSG *game :create {nick} male")
    client.expectCommand("366")
    return client


def said(client, target, text, source):
    """Wait until C{client} gets PRIVMSG C{target} C{text} from C{source}."""
    return client.expect(lambda line: line.command == "PRIVMSG" and
                         line.params == (target, text) and
                         line.source.startswith(source + "!"),
                         timeout=WAIT)[-1]


def paneProcess(terminal):
    """The pid of the program in the terminal's pane."""
    return int(terminal._tmux("display-message", "-p", "-t", "S",
                              "#{pane_pid}").strip())


def killed(terminal):
    """SIGKILL the client: its connection drops without a QUIT."""
    os.kill(paneProcess(terminal), signal.SIGKILL)


def saidAt(player, text):
    """Have C{player} say C{text}; the clock times it may show for it."""
    before = time.time()
    player.send(f"PRIVMSG &here :{text}")
    player.pump(0.5)
    return {time.strftime("%H:%M:%S", time.localtime(second))
            for second in range(int(before), int(time.time()) + 1)}


# -- irssi -----------------------------------------------------------------

IRSSI_CONFIG = """\
servers = (
  {{ address = "127.0.0.1"; chatnet = "game"; port = "{port}";
    use_tls = "no"; tls_verify = "no"; autoconnect = "yes"; }}
);
chatnets = {{
  game = {{ type = "IRC"; sasl_mechanism = "PLAIN";
    sasl_username = "{account}"; sasl_password = "{password}"; }};
}};
settings = {{
  core = {{ real_name = "Player"; user_name = "{account}";
    nick = "{nick}"; }};
}};
"""


def startIrssi(terminals, tmp_path, port, name="irssi"):
    home = tmp_path / "irssi-home"
    home.mkdir(exist_ok=True)
    (home / "config").write_text(IRSSI_CONFIG.format(
        port=port, account="alice", password=PASSWORD, nick="Alice"))
    irssi = terminals(name, f"exec irssi --home={home}",
                      env={"TERM": "screen"}, size=(160, 50))
    # Seconds in the times shown: a replayed line shows when it was said.
    irssi.type("/set timestamp_format %H:%M:%S")
    # irssi asks for server-time but shows it only when told to.
    irssi.type("/set show_server_time on")
    # irssi sends nothing typed before it has finished registering (its
    # MODE +i answered); what is typed sooner is lost.
    irssi.waitFor("Your user mode is", WAIT)
    return irssi


@pytest.mark.skipif(shutil.which("irssi") is None, reason="needs irssi")
def test_irssi(game, terminals, tmp_path):
    bob = rawPlayer(game, "bob", "Bob")
    irssi = startIrssi(terminals, tmp_path, game)
    irssi.type("/msg *game create Alice female")
    bob.expect(lambda line: line.command == "JOIN" and
               line.source.startswith("Alice!"), timeout=WAIT)
    irssi.type("/join &here")
    irssi.waitFor("Topic for &here: Town Square", WAIT)
    # Talking in &here, both ways.
    irssi.type("hello bob")
    said(bob, "&here", "hello bob", "Alice")
    bob.send("PRIVMSG &here :hello alice")
    irssi.waitFor("< Bob> hello alice", WAIT)
    irssi.type("/me waves")
    said(bob, "&here", "\x01ACTION waves\x01", "Alice")
    # The next room: the topic changes in place, Bob follows and talks.
    irssi.type("/msg *game north")
    irssi.waitFor("changed the topic of &here to: The Wayside Inn", WAIT)
    bob.send("PRIVMSG *game :north")
    irssi.waitFor("Bob [player@imaginary] has joined &here", WAIT)
    bob.send("PRIVMSG &here :in the inn too")
    irssi.waitFor("< Bob> in the inn too", WAIT)
    # A #channel: the game's public one.
    irssi.type("/msg #ooc hi ooc")
    said(bob, "#ooc", "hi ooc", "Alice")
    bob.send("PRIVMSG #ooc :ooc answer")
    irssi.type("/window goto #ooc")
    irssi.waitFor("< Bob> ooc answer", WAIT)
    # Tells, both ways.
    bob.send("PRIVMSG Alice :psst")
    irssi.type("/query Bob")
    irssi.waitFor("<Bob> psst", WAIT)
    irssi.type("psst back")
    said(bob, "Bob", "psst back", "Alice")
    screen = irssi.screen()
    for error in ERRORS:
        assert error not in screen, screen
    # The connection drops (no QUIT); Bob talks meanwhile.
    killed(irssi)
    time.sleep(1.0)
    when = saidAt(bob, "said while you were away")
    time.sleep(2.1)      # the time shown must be then, not now
    again = startIrssi(terminals, tmp_path, game, name="irssi2")
    again.type("/window goto &here")
    screen = again.waitFor("said while you were away", WAIT)
    line = next(text for text in screen.splitlines()
                if "said while you were away" in text)
    assert line[:8] in when, (when, line)
    for error in ERRORS:
        assert error not in screen, screen
    bob.send("QUIT")


# -- WeeChat (headless) ------------------------------------------------------

def weechatCommands(port, account, nick, steps):
    """The -r commands: settings, the server, then C{steps} as /waits."""
    server = "irc.server.game"
    commands = [
        "/set logger.file.flush_delay 0",
        '/set logger.file.time_format "%H:%M:%S"',
        f"/server add game 127.0.0.1/{port} -notls",
        "/set irc.server.game.sasl_mechanism plain",
        f"/set irc.server.game.sasl_username {account}",
        f"/set irc.server.game.sasl_password {PASSWORD}",
        f"/set irc.server.game.nicks {nick}",
        f"/set irc.server.game.username {account}",
        "/connect game"]
    for at, buffer, command in steps:
        commands.append(f"/wait {at} /command -buffer "
                        f"{buffer or server} irc {command}")
    return ";".join(commands)


def weechatLog(home, buffer):
    """A buffer's lines as the logger wrote them ('' before any)."""
    # The logger names files after buffers, in lower case.
    name = "irc.server.game" if buffer == "server" else f"irc.game.{buffer}"
    path = os.path.join(home, "logs", f"{name.lower()}.weechatlog")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def waitLog(home, buffer, text, timeout=WAIT):
    """Wait until C{text} is in a buffer's log; returns its line."""
    deadline = time.monotonic() + timeout
    while True:
        for line in weechatLog(home, buffer).splitlines():
            if text in line:
                return line
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not in {buffer}'s log:\n"
                                 f"{weechatLog(home, buffer)}")
        time.sleep(0.1)


def startWeechat(terminals, home, name, command):
    return terminals(name, f"exec weechat-headless -d {home} -r "
                     f"'{command}'", size=(160, 50))


@pytest.mark.skipif(shutil.which("weechat-headless") is None,
                    reason="needs weechat-headless")
def test_weechat(game, terminals, tmp_path):
    dave = rawPlayer(game, "dave", "Dave")
    home = str(tmp_path / "weechat-home")
    here = "irc.game.&here"
    # WeeChat reads no keys: what it types is scheduled when it starts,
    # a few seconds apart, and the test answers as each step shows up.
    steps = [(3, None, "/msg *game create Carol female"),
             (6, None, "/msg &here hello dave"),
             (8, here, "/me waves"),
             (10, None, "/msg #ooc hi ooc"),
             (12, None, "/msg Dave psst"),
             (14, None, "/msg *game north"),
             (18, here, "/msg &here in the inn")]
    weechat = startWeechat(terminals, home, "weechat", weechatCommands(
        game, "carol", "Carol", steps))
    waitLog(home, "server", "SASL authentication successful")
    said(dave, "&here", "hello dave", "Carol")
    dave.send("PRIVMSG &here :hello carol")
    said(dave, "&here", "\x01ACTION waves\x01", "Carol")
    said(dave, "#ooc", "hi ooc", "Carol")
    dave.send("PRIVMSG #ooc :ooc answer")
    said(dave, "Dave", "psst", "Carol")
    dave.send("PRIVMSG Carol :psst back")
    dave.expect(lambda line: line.command == "PART" and
                line.source.startswith("Carol!"), timeout=WAIT)
    dave.send("PRIVMSG *game :north")
    said(dave, "&here", "in the inn", "Carol")
    dave.send("PRIVMSG &here :me too")
    waitLog(home, "&here", "hello carol")
    waitLog(home, "&here", "Topic for &here")
    waitLog(home, "&here", "The Wayside Inn")
    waitLog(home, "&here", "me too")
    waitLog(home, "#ooc", "ooc answer")
    waitLog(home, "dave", "psst back")
    for buffer in ("server", "&here", "#ooc", "dave"):
        text = weechatLog(home, buffer)
        for error in ERRORS:
            assert error not in text, text
    # The connection drops (no QUIT); Dave talks meanwhile.
    killed(weechat)
    time.sleep(1.0)
    when = saidAt(dave, "said while you were away")
    time.sleep(2.1)
    startWeechat(terminals, home, "weechat2",
                 weechatCommands(game, "carol", "Carol", []))
    line = waitLog(home, "&here", "said while you were away")
    assert line[:8] in when, (when, line)
    dave.send("QUIT")
