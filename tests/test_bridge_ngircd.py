"""
The IRC bridge end to end: a real ngIRCd on a free loopback port, the real
game server (``imaginary serve --irc-bridge FILE``) in its own process, a
raw-socket IRC client on the IRC side and a telnet player in the game.
Relay both ways, kill ngIRCd, see the outage in the game, say a line
meanwhile, restart ngIRCd on the same port, see the bridge come back and
the kept line arrive.

ngIRCd 26 offers no SASL (it NAKs the capability), so the bridge logs in
here without credentials; SASL is tested against the protocol in
tests/test_bridge_service.py.
"""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from imaginary.testing import (
    CHARACTER_PROMPT, GAME_PROMPT, PASSWORD, loginSteps, play)
from liveserver import ENV, ROOT, Server, freePort, spawnTelnet

NGIRCD = "/usr/sbin/ngircd"

pytestmark = pytest.mark.skipif(
    not os.path.exists(NGIRCD) and not os.environ.get("IMAGINARY_E2E"),
    reason="ngircd is not installed (bin/_clients.sh installs it)")


class NgIRCd:
    """ngIRCd in the foreground on 127.0.0.1:port, no PAM, ident or DNS."""

    def __init__(self, folder, port, tlsPort=None, cert=None, key=None):
        self.port = port
        self.config = os.path.join(folder, "ngircd.conf")
        self.logPath = os.path.join(folder, "ngircd.log")
        # Run as root, ngIRCd changes to 'nobody': it must read its files.
        os.chmod(folder, 0o755)
        with open(self.config, "w") as f:
            f.write(f"""[Global]
Name = irc.test.local
Info = Imaginary's test network
AdminInfo1 = tests
AdminInfo2 = tests
AdminEMail = tests@irc.test.local
Listen = 127.0.0.1
Ports = {port}
Network = testnet
MotdPhrase = a test network
[Limits]
MaxConnectionsIP = 0
MaxNickLength = 30
[Options]
PAM = no
Ident = no
DNS = no
""")
            if tlsPort:
                f.write(f"[SSL]\nCertFile = {cert}\nKeyFile = {key}\n"
                        f"Ports = {tlsPort}\n")
        os.chmod(self.config, 0o644)
        self.process = None

    def start(self):
        self.log = open(self.logPath, "a")
        self.process = subprocess.Popen(
            [NGIRCD, "-n", "-f", self.config], stdout=self.log,
            stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return self
            except OSError:
                if self.process.poll() is not None or time.time() > deadline:
                    raise RuntimeError(open(self.logPath).read())
                time.sleep(0.05)

    def kill(self):
        """SIGKILL: the network vanishes mid-conversation."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None
        self.log.close()


class IRCUser:
    """A person on IRC over a raw socket: registers, joins, reads lines."""

    def __init__(self, port, nick):
        self.nick = nick
        self.sock = socket.create_connection(("127.0.0.1", port), 5)
        self.buffer = b""
        self.seen = []
        self.send(f"NICK {nick}", f"USER {nick} 0 * :{nick}")
        self.expect(f" 001 {nick} ")

    def send(self, *lines):
        for line in lines:
            self.sock.sendall(line.encode("utf-8") + b"\r\n")

    def expect(self, text, timeout=10):
        """Wait for a line containing C{text}; returns it."""
        deadline = time.time() + timeout
        while True:
            for i, line in enumerate(self.seen):
                if text in line:
                    del self.seen[:i + 1]
                    return line
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError(f"{self.nick} never saw {text!r}; "
                                     f"saw {self.seen!r}")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            if not data:
                raise AssertionError(f"{self.nick}: connection closed "
                                     f"waiting for {text!r}")
            self.buffer += data
            *lines, self.buffer = self.buffer.split(b"\r\n")
            for line in lines:
                line = line.decode("utf-8", "replace")
                if line.startswith("PING "):
                    self.send("PONG " + line[5:])
                else:
                    self.seen.append(line)

    def close(self):
        self.sock.close()


def adminAccount(store):
    """An admin account made with the command line, before serving."""
    password = store + ".password"
    with open(password, "w") as f:
        f.write(PASSWORD + "\n")
    subprocess.run(
        [sys.executable, "-m", "imaginary.cli", "account", "create",
         "--admin", "root", "--store", store, "--password-file", password],
        cwd=ROOT, env=ENV, check=True, capture_output=True)


def gameWithBridge(tmp_path, config):
    """The game server with the bridge configured by C{config} (INI
    text), and an admin, Ada, at its prompt over telnet."""
    bridgeConfig = tmp_path / "bridge.ini"
    bridgeConfig.write_text(config)
    store = str(tmp_path / "store")
    adminAccount(store)
    server = Server(store, options=["--irc-bridge", str(bridgeConfig)])
    server.start()
    player = spawnTelnet(server)
    play(loginSteps("root", PASSWORD), player.expect_exact,
         player.sendline, end=False)
    player.expect_exact(CHARACTER_PROMPT)
    player.sendline("create Ada female")
    player.expect_exact(GAME_PROMPT)
    return server, player


def test_relay_outage_and_recovery(tmp_path):
    port = freePort()
    irc = NgIRCd(str(tmp_path), port).start()
    server = player = carol = None
    try:
        server, player = gameWithBridge(
            tmp_path, f"[bridge]\nnick = GameBridge\n\n[network testnet]\n"
                      f"host = 127.0.0.1\nport = {port}\n")
        carol = IRCUser(port, "carol")
        carol.send("JOIN #ooc")
        carol.expect(" 366 carol #ooc ")
        player.sendline(f"channel link ooc irc://127.0.0.1:{port}/#ooc")
        player.expect_exact("You link ooc to #ooc on testnet")
        carol.expect(":GameBridge!")        # the bridge joins #ooc

        # Both ways, each line once, nothing echoed.
        player.sendline("ooc hello irc")
        carol.expect("PRIVMSG #ooc :<Ada> hello irc")
        carol.send("PRIVMSG #ooc :hi game")
        player.expect_exact("[ooc] carol@testnet says, 'hi game'")
        carol.send("PRIVMSG #ooc :\x01ACTION waves\x01")
        player.expect_exact("[ooc] carol@testnet waves")
        player.sendline("channel history ooc 3")
        player.expect(r"Ada: hello irc\s+\[[-0-9 :]+\] carol@testnet: "
                      r"hi game\s+\[[-0-9 :]+\] carol@testnet waves")

        # The network goes away: the outage is told in the game.
        carol.close()
        carol = None
        irc.kill()
        down = time.time()      # the bridge sees the connection close now
        player.expect(r"\[ooc\] The IRC bridge to testnet is down since "
                      r"\d\d:\d\d UTC; retrying\.")
        player.sendline("ooc anyone there?")
        player.expect_exact("[ooc] You say, 'anyone there?'")
        # Back on the same port once the bridge's second retry (2.25 to
        # 3.75 s after the loss, with its jitter) has failed and before the
        # third (5.25 s at the soonest), so carol is in #ooc first.
        time.sleep(max(0, down + 4.0 - time.time()))
        irc.start()
        carol = IRCUser(port, "carol")
        carol.send("JOIN #ooc")
        carol.expect(" 366 carol #ooc ")
        # (Long lines are wrapped at the terminal's width: \s+.)
        player.expect(r"\[ooc\] The IRC bridge to testnet is back \(down "
                      r"since \d\d:\d\d UTC\); 1 line said\s+meanwhile "
                      r"go\s+there now\.", timeout=15)
        carol.expect("PRIVMSG #ooc :<Ada> anyone there?")
        player.sendline("channel links")
        player.expect_exact(f"ooc: irc://127.0.0.1:{port}/#ooc (#ooc on "
                            f"testnet: relaying as GameBridge)")
    finally:
        log = stopAll(server, player, carol, irc)
    assert "Traceback" not in log, log


def stopAll(server, player, ircUser, irc):
    """Stop what a test started; returns the game server's log."""
    if player is not None:
        player.close()
    if ircUser is not None:
        ircUser.close()
    log = server.stop() if server is not None else ""
    irc.kill()
    return log


def test_tls_to_a_server_whose_ca_the_operator_trusts(tmp_path):
    """The bridge on ngIRCd's TLS port (ircs://), checking its certificate
    against the CA the configuration names; an IRC user on the plain
    port sees it."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj",
         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True)
    for path in (cert, key):
        os.chmod(path, 0o644)       # ngIRCd reads them as 'nobody'
    port, tlsPort = freePort(), freePort()
    irc = NgIRCd(str(tmp_path), port, tlsPort, cert, key).start()
    server = player = carol = None
    try:
        server, player = gameWithBridge(
            tmp_path, f"[network testnet]\nhost = 127.0.0.1\n"
                      f"port = {tlsPort}\nca_file = {cert}\n")
        carol = IRCUser(port, "carol")
        carol.send("JOIN #ooc")
        carol.expect(" 366 carol #ooc ")
        player.sendline(f"channel link ooc ircs://127.0.0.1:{tlsPort}/#ooc")
        player.expect_exact("You link ooc to #ooc on testnet")
        carol.expect(":ImaginaryBridge!")
        player.sendline("ooc over tls")
        carol.expect("PRIVMSG #ooc :<Ada> over tls")
        carol.send("PRIVMSG #ooc :and back")
        player.expect_exact("[ooc] carol@testnet says, 'and back'")
    finally:
        log = stopAll(server, player, carol, irc)
    assert "Traceback" not in log, log

