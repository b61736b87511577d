"""
A group's list end to end, with real parts on loopback: the real server
(``imaginary serve --smtp``, tests/liveserver.py) with aiosmtpd as the
relay recording envelopes (tests/mailkit.py), a twisted.names server for
the DMARC lookups (tests/dnskit.py) and swaks as the members' mail
client; then once through Exim (swaks -> Exim -> the game's SMTP front
end -> the list), as tests/test_mail_exim.py starts it.
"""

import os
import shutil
import subprocess
import sys

import pytest

from imaginary.language.grammar import FEMALE, MALE
from imaginary.mail import listmail, lists, model
from imaginary.simulation import groups
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import Store

from dnskit import DNSProcess, startDNS
from listkit import makeGroup, makePlayer
from liveserver import ENV, ROOT, Server, freePort
from mailkit import Relay, startRelay
from test_mail_crash import waitFor
from test_mail_exim import exim  # noqa: F401 (the fixture listExim uses)

SWAKS = shutil.which("swaks")
pytestmark = pytest.mark.skipif(SWAKS is None,
                                reason="swaks is not installed")
DMARC = {"_dmarc.strict.example": "v=DMARC1; p=reject"}


def swaks(port, sender, subject, body, *headers,
          to="owls@lists.game.example"):
    """swaks to the list; (exit code, its transcript)."""
    args = [SWAKS, "--server", f"127.0.0.1:{port}", "--from", sender,
            "--to", to, "--header",
            f"Subject: {subject}", "--body", body]
    for header in headers:
        args += ["--header", header]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout + done.stderr


def populate(path):
    """Ann (ann@strict.example), Ben and Cy in Owls; Ann and Ben take
    list mail, Cy doesn't; Dee is a player outside it."""
    store = Store(path)
    try:
        world = ImaginaryWorld.get(store)
        ann = world.createCharacter("Ann", FEMALE)
        ben = world.createCharacter("Ben", MALE)
        cy = world.createCharacter("Cy", MALE)
        dee = world.createCharacter("Dee", FEMALE)
        group = makeGroup(ann, "Owls", "owls", ben, cy)
        makePlayer(ann, "ann@strict.example", listMailFor=group)
        makePlayer(ben, "ben@player.example", listMailFor=group)
        makePlayer(cy, "cy@player.example")
        makePlayer(dee, "dee@player.example")
    finally:
        store.close()


def configure(path, relayPort, dnsPort):
    done = subprocess.run(
        [sys.executable, "-m", "imaginary.cli", "mail", "--store", path,
         "--domain", "game.example", "--relay-host", "127.0.0.1",
         "--relay-port", str(relayPort), "--relay-security", "plain",
         "--retry-delays", "1,1,1", "--attempt-timeout", "5",
         "--web-url", "https://game.example",
         "--dns-server", f"127.0.0.1:{dnsPort}"],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"dns-server: 127.0.0.1:{dnsPort}" in done.stdout


def test_a_post_by_mail_reaches_every_member_and_a_reply_threads(tmp_path):
    path = str(tmp_path / "store")
    Server(path).start().stop()
    populate(path)
    relay = Relay()
    controller = startRelay(relay)
    dns = DNSProcess(DMARC)
    smtpPort = freePort()
    server = None
    try:
        configure(path, controller.port, dns.port)
        server = Server(path, options=[
            "--smtp", f"tcp:{smtpPort}:interface=127.0.0.1"]).start()
        waitFor(lambda: _answers(smtpPort))
        code, said = swaks(smtpPort, "ann@strict.example", "The well",
                           "Meet at dusk.",
                           "Message-Id: <first@strict.example>",
                           "From: Ann Archer <ann@strict.example>")
        assert code == 0, said
        # A non-member is refused at RCPT, with the reason.
        code, said = swaks(smtpPort, "dee@player.example", "Let me in",
                           "Please.")
        assert code != 0
        assert "550 5.7.1 owls@lists.game.example is a members-only " \
               "list; post from the address your account verified" in said
        # An unknown list is refused as an unknown character is.
        code, said = swaks(smtpPort, "ann@strict.example", "Hello", "x",
                           to="bats@lists.game.example")
        assert code != 0 and "550 5.1.1 No such list here" in said
        waitFor(lambda: len(relay.envelopes) >= 1)
        [first] = relay.envelopes
        assert first.mail_from == "owls@lists.game.example"
        assert first.rcpt_tos == ["ben@player.example"]   # not the author
        [message] = relay.messages()
        assert message["Subject"] == "[owls] The well"
        assert message["Message-ID"] == "<first@strict.example>"
        assert message["List-Id"] == "Owls <owls.lists.game.example>"
        assert message["List-Post"] == "<mailto:owls@lists.game.example>"
        assert "https://game.example/unsubscribe/l" in \
            message["List-Unsubscribe"]
        assert message["List-Unsubscribe-Post"] == \
            "List-Unsubscribe=One-Click"
        assert message["Precedence"] == "list"
        # strict.example publishes p=reject: From is the list's.
        assert message["From"] == \
            "Ann Archer via Owls <owls@lists.game.example>"
        assert message["X-Original-From"] == \
            "Ann Archer <ann@strict.example>"
        # Ben answers from his mail client: threaded, tagged once.
        code, said = swaks(smtpPort, "ben@player.example",
                           "Re: [owls] The well", "Rope it is.",
                           "In-Reply-To: <first@strict.example>",
                           "References: <first@strict.example>")
        assert code == 0, said
        waitFor(lambda: len(relay.envelopes) >= 2)
        second = relay.envelopes[1]
        assert second.rcpt_tos == ["ann@strict.example"]
        reply = relay.messages()[1]
        assert reply["Subject"] == "Re: [owls] The well"
        assert reply["In-Reply-To"] == "<first@strict.example>"
        assert reply["From"] == "ben@player.example"     # p=none (NXDOMAIN)
        assert reply["Reply-To"] == "owls@lists.game.example"
    finally:
        if server is not None:
            log = server.stop()
        controller.stop()
        dns.stop()
    store = Store(path)
    try:
        group = groups.findGroup(store, "owls")
        [thread] = lists.threads(group)
        assert [(p.author, p.subject) for p in thread] == [
            ("Ann", "The well"), ("Ben", "Re: The well")]
        for name in ("Ann", "Ben", "Cy"):
            box = model.mailboxOf(model.characterNamed(store, name))
            assert [m.subject for m in box.messages()] == [
                "[owls] The well", "Re: [owls] The well"], name
        dee = model.mailboxOf(model.characterNamed(store, "Dee"))
        assert dee.messages() == []
    finally:
        store.close()
    assert "Traceback" not in log


def _answers(port):
    import socket
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return True
    except OSError:
        return False


# -- once through Exim ------------------------------------------------------

EXIM = "/usr/sbin/exim4"


@pytest.fixture
def listExim(request, monkeypatch):
    """tests/test_mail_exim.py's Exim, routing the lists' domain to the
    game too."""
    if not os.path.exists(EXIM) or os.geteuid() != 0:
        pytest.skip("needs exim4-daemon-light and root")
    import test_mail_exim
    monkeypatch.setattr(test_mail_exim, "CONFIG", test_mail_exim.CONFIG.replace(
        "domains = game.example\n",
        "domains = game.example : lists.game.example\n"))
    return request.getfixturevalue("exim")


def test_swaks_through_exim_to_the_list(listExim):
    from twisted.internet import reactor
    from imaginary.frontends import smtp as front
    from mailkit import Game, spinUntil
    from sessionkit import wait
    from test_mail_exim import _Server
    relay = Relay()
    controller = startRelay(relay)
    dnsPort, listening = startDNS(DMARC)
    game = Game(port=controller.port)
    port = None
    try:
        group = makeGroup(game.alice, "Owls", "owls", game.bob)
        makePlayer(game.alice, "alice@player.example", listMailFor=group)
        makePlayer(game.bob, "bob@player.example")
        game.store.transact(lambda: setattr(
            listmail.listSettings(game.store), "dnsServer",
            f"127.0.0.1:{dnsPort}"))
        port = reactor.listenTCP(listExim.gamePort,
                                 front.SMTPFactory(_Server(game)),
                                 interface="127.0.0.1")
        for sender in ("bob@player.example", "dee@player.example"):
            done = subprocess.Popen(
                [SWAKS, "--server", f"127.0.0.1:{listExim.port}", "--to",
                 "owls@lists.game.example", "--from", sender, "--header",
                 "Subject: via Exim", "--body", "Hello, owls."],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            spinUntil(lambda: done.poll() is not None, timeout=30)
            assert done.returncode == 0, done.stdout.read()
        spinUntil(lambda: model.mailboxOf(game.alice).messages() and
                  relay.envelopes, timeout=30)
        [m] = model.mailboxOf(game.alice).messages()
        assert (m.sender, m.subject, m.body) == (
            "Bob", "[owls] via Exim", "Hello, owls.")
        [envelope] = relay.envelopes
        assert envelope.rcpt_tos == ["alice@player.example"]
        [copy] = relay.messages()
        assert copy["List-Id"] == "Owls <owls.lists.game.example>"
        assert copy["Subject"] == "[owls] via Exim"
        # Exim took Dee's post, and the game refused it: Exim's bounce
        # says why (never dropped).
        spinUntil(lambda: "members-only list" in listExim.log(),
                  timeout=30)
        assert "=> owls@lists.game.example" in listExim.log()
        assert len(list(game.store.query(lists.ListPost))) == 1
    finally:
        if port is not None:
            wait(port.stopListening())
        for each in listening:
            wait(each.stopListening())
        controller.stop()
        game.close()
