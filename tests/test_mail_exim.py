"""
Once with a real MTA: Exim (exim4-daemon-light) with a private
configuration, started by the test on loopback.  The game relays a
character's mail through Exim to a file; swaks sends through Exim,
which routes the game's domain to the game's SMTP front end, into a
character's mailbox.  Skipped where Exim is not installed or the test
does not run as root (Exim's -C drops to its own user, which then owns
its spool).
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import time

import pytest
from twisted.internet import reactor

from imaginary.frontends import smtp as front
from imaginary.mail import api, model, outbound

from liveserver import freePort
from mailkit import Game, spinUntil
from sessionkit import wait

EXIM = "/usr/sbin/exim4"
SWAKS = shutil.which("swaks")

pytestmark = pytest.mark.skipif(
    not os.path.exists(EXIM) or os.geteuid() != 0,
    reason="needs exim4-daemon-light and root")

CONFIG = """\
primary_hostname = mta.test.local
daemon_smtp_ports = {port}
local_interfaces = 127.0.0.1
acl_smtp_rcpt = acl_check_rcpt
spool_directory = {root}/spool
log_file_path = {root}/log/%slog
pid_file_path = {root}/spool/exim.pid
exim_user = Debian-exim
exim_group = Debian-exim
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =
keep_environment =
begin acl
acl_check_rcpt:
  accept hosts = 127.0.0.1
  deny
begin routers
to_game:
  driver = manualroute
  domains = game.example
  transport = to_game
  route_list = * 127.0.0.1
  self = send
catchall:
  driver = accept
  transport = to_file
begin transports
to_game:
  driver = smtp
  port = {gamePort}
  allow_localhost
  hosts_avoid_tls = *
to_file:
  driver = appendfile
  file = {root}/mail/all.mbox
  user = Debian-exim
  create_file = anywhere
  envelope_to_add
  return_path_add
"""


@pytest.fixture
def exim():
    """Exim in the foreground on a free port; its folder and both ports."""
    root = tempfile.mkdtemp(prefix="imaginary-exim-")
    os.chmod(root, 0o755)
    user = pwd.getpwnam("Debian-exim")
    for folder in ("spool", "log", "mail"):
        os.mkdir(os.path.join(root, folder))
        os.chown(os.path.join(root, folder), user.pw_uid, user.pw_gid)
    os.chmod(os.path.join(root, "mail"), 0o1777)
    port, gamePort = freePort(), freePort()
    config = os.path.join(root, "exim.conf")
    with open(config, "w") as f:
        f.write(CONFIG.format(port=port, root=root, gamePort=gamePort))
    process = subprocess.Popen([EXIM, "-C", config, "-bdf", "-q1s"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    import socket
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(process.stdout.read())
            time.sleep(0.05)

    class Exim:
        pass
    e = Exim()
    e.root, e.port, e.gamePort = root, port, gamePort
    e.mbox = os.path.join(root, "mail", "all.mbox")

    def log():
        path = os.path.join(root, "log", "mainlog")
        return open(path).read() if os.path.exists(path) else ""
    e.log = log
    yield e
    process.terminate()
    process.wait(10)
    shutil.rmtree(root, ignore_errors=True)


def test_the_game_relays_through_exim(exim):
    game = Game(port=exim.port)
    try:
        game.store.transact(api.send, game.alice, "ann@player.example",
                            "Through Exim — ✓", "Hello from the game.")
        spinUntil(lambda: game.store.findFirst(outbound.OutboundMail).state
                  in ("sent", "bounced"), timeout=20)
        item = game.store.findFirst(outbound.OutboundMail)
        assert item.state == "sent", item.lastReply
        deadline = time.monotonic() + 20
        while not (os.path.exists(exim.mbox) and
                   b"Hello from the game." in open(exim.mbox, "rb").read()):
            assert time.monotonic() < deadline, exim.log()
            time.sleep(0.1)
        mbox = open(exim.mbox, "rb").read()
        assert mbox.count(b"\nMessage-ID: " + item.messageID.encode()) == 1
        assert b"Return-path: <alice@game.example>" in mbox
        assert b"Envelope-to: ann@player.example" in mbox
        assert b"Subject: Through Exim =?utf-8?" in mbox     # RFC 2047
    finally:
        game.close()


@pytest.mark.skipif(SWAKS is None, reason="swaks is not installed")
def test_swaks_through_exim_into_the_game(exim):
    game = Game(relayHost=None)
    factory = front.SMTPFactory(_Server(game))
    port = reactor.listenTCP(exim.gamePort, factory, interface="127.0.0.1")
    try:
        done = subprocess.Popen(
            [SWAKS, "--server", f"127.0.0.1:{exim.port}", "--to",
             "alice@game.example", "--from", "ann@player.example",
             "--header", "Subject: via Exim", "--body", "Hello, Alice."],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        spinUntil(lambda: done.poll() is not None, timeout=30)
        output = done.stdout.read()
        assert done.returncode == 0, output
        spinUntil(lambda: model.mailboxOf(game.alice).messages(),
                  timeout=30)
        [m] = model.mailboxOf(game.alice).messages()
        assert (m.subject, m.body, m.senderAddress) == (
            "via Exim", "Hello, Alice.", "ann@player.example")
        assert "=> alice@game.example" in exim.log()
    finally:
        wait(port.stopListening())
        game.close()


class _Server:
    """What the SMTP front end needs of the server: store and reactor."""

    def __init__(self, game):
        self.store = game.store
        self.reactor = reactor
