"""
End-to-end tests with real MUD clients typed at as a person types: GNU
inetutils telnet, tintin++, TinyFugue (tf5) and KBtin each run in a PTY
under tmux, and keys are pressed with ``tmux send-keys`` (Enter is the
key, a CR, never a newline the test writes itself).  Plus a client that
types the whole login ahead in one write, and the server under the C and
Turkish locales with Unicode names and speech.

Every login walks the steps of imaginary.testing; each client only differs
in how it connects and what it shows.
"""

import os
import signal
import shutil
import subprocess
import time

import pytest

from imaginary.testing import (
    CHARACTER_PROMPT, GAME_PROMPT, NEW_ACCOUNT_PROMPT, NEW_PASSWORD_PROMPT,
    PASSWORD, REPEAT_PASSWORD_PROMPT, loginSteps, newAccountSteps, play,
    typedAhead)
from liveserver import TELNET, Server
from rawtelnet import RawTelnet

TINTIN = "/usr/games/tt++"
TF5 = "/usr/bin/tf5"
KBTIN = "/usr/bin/kbtin"
WAIT = 5.0          # seconds a screen may take to show an answer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(str(tmp_path_factory.mktemp("realclients") / "store")).start()
    yield s
    s.stop()


def rawPlayer(port, account, character, gender="female"):
    """A RawTelnet client that made an account and character, in the game."""
    client = RawTelnet(port)
    play(newAccountSteps(account, PASSWORD, character, gender),
         client.expect, client.line, end=False)
    client.expect("Exits:")
    client.expect(GAME_PROMPT)
    return client


def lines(text):
    """Text as lines without the telnet CRs, prompts or EOR marks."""
    out = []
    for line in text.replace("<MARK>", "").replace("\r", "").split("\n"):
        while line.startswith(GAME_PROMPT):
            line = line[len(GAME_PROMPT):]
        out.append(line.rstrip())
    return out


def heardOnce(client, line, timeout=WAIT):
    """Wait for C{line} at C{client}; it must be a whole line, once."""
    client.expect(line, timeout=timeout)
    client.pump(0.2)
    seen = lines(client.shown())
    assert seen.count(line) == 1, seen
    return seen


class Terminal:
    """
    One program in a tmux pane (its own tmux server, on its own socket),
    typed at with send-keys and read with capture-pane.
    """

    def __init__(self, name, command, tmp_path, env=None, size=(100, 30)):
        self.socket = f"imaginary-test-{name}-{os.getpid()}"
        home = tmp_path / f"home-{name}"
        home.mkdir(exist_ok=True)
        self.env = dict(os.environ, HOME=str(home), **(env or {}))
        self._tmux("new-session", "-d", "-s", "S", "-x", str(size[0]),
                   "-y", str(size[1]), command)
        # Keep the pane (and what it shows) when the program exits.
        self._tmux("set-option", "-t", "S", "remain-on-exit", "on")

    def _tmux(self, *args):
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null"] + list(args),
            env=self.env, check=True, capture_output=True, text=True,
            timeout=10).stdout

    def type(self, text):
        """Type C{text} literally, then press Enter."""
        if text:
            self._tmux("send-keys", "-t", "S", "-l", text)
        self._tmux("send-keys", "-t", "S", "Enter")

    def screen(self):
        """What the pane shows, scrollback included, wrapped lines joined."""
        return self._tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "S")

    def waitFor(self, text, timeout=WAIT):
        """Wait until C{text} is on the screen; returns the screen."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if text in shown:
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{text!r} not on the screen after {timeout} s:\n{shown}")
            time.sleep(0.05)

    def waitForPrompt(self, prompt):
        """Wait for a prompt (capture-pane drops its trailing space)."""
        return self.waitFor(prompt.rstrip())

    def close(self):
        """Kill the program, this tmux server, and remove its socket."""
        # tmux's kill-server only hangs the pane up, and a program that
        # ignores SIGHUP (weechat-headless does) would run on, orphaned,
        # spinning a core for as long as the machine is up.
        panes = subprocess.run(
            ["tmux", "-L", self.socket, "list-panes", "-a", "-F",
             "#{pane_pid}"], env=self.env, capture_output=True, text=True,
            timeout=10).stdout.split()
        for pid in panes:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        subprocess.run(["tmux", "-L", self.socket, "kill-server"],
                       env=self.env, capture_output=True, timeout=10)
        folder = os.path.join(os.environ.get("TMUX_TMPDIR", "/tmp"),
                              f"tmux-{os.getuid()}")
        try:
            os.unlink(os.path.join(folder, self.socket))
        except FileNotFoundError:
            pass


@pytest.fixture
def terminals(tmp_path):
    """Start Terminals with C{terminals(name, command)}; all killed after."""
    made = []

    def start(name, command, **kwargs):
        terminal = Terminal(name, command, tmp_path, **kwargs)
        made.append(terminal)
        return terminal
    yield start
    for terminal in made:
        terminal.close()


def needs(path):
    """Fail (not skip) when a client or tmux is missing."""
    if shutil.which(path) is None or shutil.which("tmux") is None:
        pytest.fail(f"{path} or tmux is not installed (bin/test installs "
                    f"the clients the end-to-end tests use)")


def createAndSay(terminal, account, character, speech, observer):
    """
    Walk the new-account steps on a client's screen, one Enter per line,
    then say C{speech}: the speaker sees its line, the observer in the
    same room hears it exactly once.
    """
    play(newAccountSteps(account, PASSWORD, character), terminal.waitForPrompt,
         terminal.type, end=False)
    terminal.waitFor("[ Town Square ]")
    observer.take()
    terminal.type(f"say {speech}")
    shown = terminal.waitFor(f"You say, '{speech}'")
    assert f"You say, '{speech}'" in [line.strip() for line in
                                      shown.splitlines()]
    heardOnce(observer, f"{character} says, '{speech}'")
    return shown


def test_plain_telnet_with_the_enter_key(server, terminals):
    """
    inetutils telnet goes into character mode after the server's WILL SGA
    and sends Enter as CR NUL: each line must be answered after one Enter.
    """
    needs(TELNET)
    observer = rawPlayer(server.port, "telwatch", "Telwatch")
    telnet = terminals("telnet",
                       f"env TERM=dumb {TELNET} 127.0.0.1 {server.port}")
    telnet.waitFor("Account name (or 'new'):")
    telnet.type("new")
    # One Enter (CR NUL on the wire) and the server answers.
    telnet.waitForPrompt(NEW_ACCOUNT_PROMPT)
    telnet.type("telly")
    telnet.waitForPrompt(NEW_PASSWORD_PROMPT)
    telnet.type(PASSWORD)
    telnet.waitForPrompt(REPEAT_PASSWORD_PROMPT)
    telnet.type(PASSWORD)
    telnet.waitForPrompt(CHARACTER_PROMPT)
    telnet.type("create Tess female")
    telnet.waitFor("[ Town Square ]")
    observer.take()
    telnet.type("say hello from telnet")
    shown = telnet.waitFor("You say, 'hello from telnet'")
    heardOnce(observer, "Tess says, 'hello from telnet'")
    # The server hid the password (WILL ECHO); telnet did not echo it.
    assert PASSWORD not in shown
    # CR NUL ended each line once: no empty line reached the game (an empty
    # line at the character menu would have shown the menu again).
    assert shown.count("You have no characters yet.") == 1
    telnet.type("quit")
    telnet.waitFor("Connection closed by foreign host.")
    observer.close()


def test_tintin_with_the_enter_key(server, terminals):
    needs(TINTIN)
    observer = rawPlayer(server.port, "tinwatch", "Tinwatch")
    tintin = terminals("tintin", TINTIN, env={"TERM": "xterm"})
    tintin.waitFor("T I N T I N + +")
    tintin.type(f"#session mud 127.0.0.1 {server.port}")
    tintin.waitFor("Account name (or 'new'):")
    shown = createAndSay(tintin, "tinny", "Tinny",
                         "hello from tintin", observer)
    assert PASSWORD not in shown     # tintin++ honoured WILL ECHO
    # The in-game password change: every password hidden on screen too,
    # though tt++ never answers the later WILL ECHOs (issue 17).
    tintin.type("password")
    tintin.waitForPrompt("Current password: ")
    tintin.type(PASSWORD)
    tintin.waitForPrompt("New password (6 or more characters): ")
    tintin.type("tinnynew99")
    tintin.waitForPrompt("Type it again: ")
    tintin.type("tinnynew99")
    shown = tintin.waitFor("Your password is changed.")
    assert PASSWORD not in shown and "tinnynew99" not in shown, shown
    tintin.type("quit")
    tintin.waitFor("Goodbye.")
    tintin.type("#end")
    observer.close()


def test_tinyfugue_with_the_enter_key(server, terminals):
    needs(TF5)
    observer = rawPlayer(server.port, "tfwatch", "Tfwatch")
    # "tf host port" defines a temporary world and connects (man tf5).
    tf = terminals("tf5", f"{TF5} 127.0.0.1 {server.port}",
                   env={"TERM": "xterm"})
    tf.waitFor("Account name (or 'new'):")
    createAndSay(tf, "fugue", "Fugue", "hello from tinyfugue",
                 observer)
    tf.type("quit")
    tf.waitFor("Goodbye.")
    tf.type("/quit")
    observer.close()


def test_kbtin_with_the_enter_key(server, terminals):
    needs(KBTIN)
    observer = rawPlayer(server.port, "kbwatch", "Kbwatch")
    kbtin = terminals("kbtin", KBTIN, env={"TERM": "xterm"})
    kbtin.waitFor("KBtin")
    kbtin.type(f"#ses mud 127.0.0.1 {server.port}")
    kbtin.waitFor("Account name (or 'new'):")
    createAndSay(kbtin, "kaybee", "Kaybee", "hello from kbtin",
                 observer)
    kbtin.type("quit")
    kbtin.waitFor("Goodbye.")
    kbtin.type("#end")
    observer.close()


def test_typing_ahead_through_the_whole_login(server):
    """
    Every line of a new account, a character and a say in one write,
    before the first prompt: each takes effect, in order.  Then the same
    for a returning login.
    """
    observer = rawPlayer(server.port, "aheadwatch", "Aheadwatch")
    observer.take()
    client = RawTelnet(server.port)
    client.send(typedAhead(
        newAccountSteps("ahead", PASSWORD, "Ahead") +
        [(GAME_PROMPT, "say hi"), (GAME_PROMPT, "say hi again")]).encode())
    shown = client.expect("You say, 'hi again'", timeout=WAIT)
    assert "One moment, please." not in shown
    order = [NEW_ACCOUNT_PROMPT, NEW_PASSWORD_PROMPT, REPEAT_PASSWORD_PROMPT,
             "Account ahead created.", CHARACTER_PROMPT, "[ Town Square ]",
             "You say, 'hi'", "You say, 'hi again'"]
    places = [shown.find(text) for text in order]
    assert -1 not in places and places == sorted(places), \
        dict(zip(order, places))
    heardOnce(observer, "Ahead says, 'hi'")
    heardOnce(observer, "Ahead says, 'hi again'")
    client.close()
    observer.take()
    again = RawTelnet(server.port)
    again.send(typedAhead(loginSteps("ahead", PASSWORD, "Ahead") +
                          [(GAME_PROMPT, "say back")]).encode())
    shown = again.expect("You say, 'back'", timeout=WAIT)
    assert "One moment, please." not in shown
    heardOnce(observer, "Ahead says, 'back'")
    again.close()
    observer.close()


@pytest.mark.parametrize("locale", ["C", "tr_TR.UTF-8"])
def test_unicode_names_and_speech_under_any_locale(tmp_path, terminals,
                                                   locale):
    """
    The server, and a real telnet in a terminal, under LC_ALL=C and under
    LC_ALL=tr_TR.UTF-8: accounts and characters named with the Turkish
    dotted and dotless i and a diaeresis, speech with a sun, heard exactly
    by the other player; a returning login by those names.
    """
    needs(TELNET)
    if locale != "C" and not installedLocale(locale):
        pytest.fail(f"locale {locale} is missing (localedef -i tr_TR "
                    f"-f UTF-8 tr_TR.UTF-8)")
    env = {"LC_ALL": locale, "LANG": locale, "LANGUAGE": ""}
    server = Server(str(tmp_path / "store"), env=env).start()
    try:
        zoe = rawPlayer(server.port, "zoë", "İbrahim", "male")
        isil = terminals(
            "telnet-" + locale.split(".")[0],
            f"env TERM=dumb {TELNET} 127.0.0.1 {server.port}", env=env)
        play(newAccountSteps("Işıl", PASSWORD, "Işıl"), isil.waitForPrompt,
             isil.type, end=False)
        isil.waitFor("[ Town Square ]")
        zoe.take()
        isil.type("say Günaydın, dünya ☀")
        isil.waitFor("You say, 'Günaydın, dünya ☀'")
        heardOnce(zoe, "Işıl says, 'Günaydın, dünya ☀'")
        # Letters whose UTF-8 holds a byte telnet would otherwise take for
        # a key of its own (0x9c in Ü and 本 reads as ^\, 0x83 in ă as ^C):
        # in binary mode it sends them as typed.
        isil.type("say Über ăb 日本語")
        isil.waitFor("You say, 'Über ăb 日本語'")
        heardOnce(zoe, "Işıl says, 'Über ăb 日本語'")
        zoe.line("say İyi akşamlar, Işıl; ıi İI")
        isil.waitFor("İbrahim says, 'İyi akşamlar, Işıl; ıi İI'")
        isil.type("quit")
        isil.waitFor("Goodbye.")
        zoe.take()
        back = RawTelnet(server.port)
        play(loginSteps("Işıl", PASSWORD, "Işıl"), back.expect, back.line)
        back.take()
        back.line("say Zoë")
        heardOnce(zoe, "Işıl says, 'Zoë'")
        zoe.line("who")
        seen = zoe.expect("players online.")
        assert "Işıl" in seen and "İbrahim" in seen
        back.close()
        zoe.close()
    finally:
        log = server.stop()
    assert "Traceback" not in log, log[-3000:]
    assert "Işıl" in log        # the log names her, whatever the locale


def installedLocale(name):
    """Whether C{locale -a} lists C{name} (spelled utf8 or UTF-8)."""
    listed = subprocess.run(["locale", "-a"], capture_output=True,
                            text=True).stdout.split()
    wanted = name.lower().replace("-", "")
    return any(entry.lower().replace("-", "") == wanted for entry in listed)
