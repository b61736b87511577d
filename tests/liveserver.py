"""
The real server in its own process, for end-to-end tests.

``Server`` starts ``imaginary serve`` on free loopback ports (telnet, and
SSH when asked), waits until every port answers, and on stop sends SIGTERM
and returns the log.  The log goes to a file, not a pipe, so a chatty
server can never block on a reader that isn't reading.
"""

import os
import signal
import socket
import subprocess
import sys
import time

import pexpect

from imaginary.testing import (
    ACCOUNT_PROMPT, GAME_PROMPT, PASSWORD, loginSteps, newAccountSteps, play)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, IMAGINARY_BCRYPT_ROUNDS="4")
TELNET = "/usr/bin/telnet"


def freePort():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """The real server on free loopback ports, on a store in tmp."""

    def __init__(self, store, ssh=False, env=None, options=()):
        self.store = store
        self.ssh = ssh
        self.options = list(options)    # more `imaginary serve` options
        self.env = dict(ENV, **(env or {}))
        self.process = None
        self.logPath = store.rstrip("/") + ".log"
        self.port = self.sshPort = None

    def start(self):
        self.port = freePort()
        args = [sys.executable, "-m", "imaginary.cli", "serve", "--store",
                self.store, "--telnet", f"tcp:{self.port}:interface=127.0.0.1"]
        if self.ssh:
            self.sshPort = freePort()
            args += ["--ssh", f"tcp:{self.sshPort}:interface=127.0.0.1"]
        args += self.options
        self._log = open(self.logPath, "a")
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=self._log,
            stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 20
        for port in [p for p in (self.port, self.sshPort) if p]:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), 1).close()
                    break
                except OSError:
                    if self.process.poll() is not None or \
                            time.time() > deadline:
                        self.stop()
                        raise RuntimeError(self.log())
                    time.sleep(0.05)
        return self

    def log(self):
        with open(self.logPath, errors="replace") as f:
            return f.read()

    def kill(self):
        """SIGKILL: the process dies at once, mid-whatever."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(15)
        self._log.close()
        self.process = None

    def stop(self):
        """Stop with SIGTERM (a clean shutdown); returns the log so far."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(15)
        if self.process is not None:
            self._log.close()
        self.process = None
        return self.log()


def spawnTelnet(server, **kwargs):
    """The real telnet client under pexpect, connecting (nothing awaited)."""
    # TERM=dumb: the client announces a terminal without colours (TTYPE),
    # so the server sends plain text these tests can match.
    return pexpect.spawn(TELNET, ["127.0.0.1", str(server.port)],
                         encoding="utf-8", timeout=10,
                         env=dict(ENV, TERM="dumb"), **kwargs)


def telnet(server):
    """The real telnet client under pexpect, at the account prompt."""
    child = spawnTelnet(server)
    child.expect_exact(ACCOUNT_PROMPT)
    return child


def newPlayer(server, account, character, gender="female"):
    """A new account and character over telnet, at the game prompt."""
    child = spawnTelnet(server)
    play(newAccountSteps(account, PASSWORD, character, gender),
         child.expect_exact, child.sendline, end=False)
    child.expect(r"\[ Town Square \]")
    child.expect_exact(GAME_PROMPT)
    return child


def login(server, account, character, password=PASSWORD):
    """Log in to an existing character over telnet."""
    child = spawnTelnet(server)
    play(loginSteps(account, password, character), child.expect_exact,
         child.sendline)
    return child
