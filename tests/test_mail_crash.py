"""
Mail with the real server (``imaginary serve`` in its own process,
tests/liveserver.py): across a kill -9, a message the game acknowledged
is delivered once after the restart, whether the server died with it
queued (the relay was down) or in the middle of a try (the relay never
answered); and ``--smtp`` takes mail for a character in play, who is
told at once.
"""

import socket
import subprocess
import sys
import time

from imaginary.mail import model, outbound
from imaginary.store import Store

from liveserver import ENV, ROOT, Server, freePort, newPlayer
from mailkit import Relay, startRelay



def configure(store, port, timeout=2):
    """`imaginary mail` on the stopped server's store."""
    done = subprocess.run(
        [sys.executable, "-m", "imaginary.cli", "mail", "--store", store,
         "--domain", "game.example", "--relay-host", "127.0.0.1",
         "--relay-port", str(port), "--relay-security", "plain",
         "--retry-delays", "1,1,1,1,1,1,1,1,1,1", "--attempt-timeout",
         str(timeout), "--allow-outside", "yes"],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "relay-host: 127.0.0.1" in done.stdout


def waitFor(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "not true in time"
        time.sleep(0.1)


def queueOne(server):
    child = newPlayer(server, "alice", "Alice")
    child.sendline("mail send ann@player.example Hello = from the game")
    child.expect_exact("is on its way")
    return child


def finalState(path):
    store = Store(path)
    try:
        [item] = list(store.query(outbound.OutboundMail))
        alice = model.characterNamed(store, "Alice")
        return item.state, [m.subject for m in
                            model.mailboxOf(alice).messages()]
    finally:
        store.close()


def test_queued_mail_survives_kill_9_and_goes_once(tmp_path):
    path = str(tmp_path / "store")
    port = freePort()
    Server(path).start().stop()         # make the store and its world
    configure(path, port)
    server = Server(path).start()
    try:
        child = queueOne(server)
        time.sleep(0.5)                 # the first try: refused
        server.kill()
        child.close()
        relay = Relay()
        controller = startRelay(relay, port=port)
        try:
            server.start()
            waitFor(lambda: relay.envelopes)
            time.sleep(3)               # more retries would come by now
            assert len(relay.envelopes) == 1
            [message] = relay.messages()
            assert message["Subject"] == "Hello"
        finally:
            controller.stop()
    finally:
        server.stop()
    state, subjects = finalState(path)
    assert state == "sent"
    assert subjects == ["Retrying: Hello", "Sent: Hello"]


def test_mail_caught_mid_try_is_sent_once_after_kill_9(tmp_path):
    path = str(tmp_path / "store")
    Server(path).start().stop()
    # A relay that takes the connection and never says a word.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    port = silent.getsockname()[1]
    configure(path, port, timeout=2)
    server = Server(path).start()
    try:
        child = queueOne(server)
        time.sleep(0.5)                 # connected, waiting for a banner
        server.kill()
        child.close()
        silent.close()
        relay = Relay()
        controller = startRelay(relay, port=port)
        try:
            server.start()
            # The try's watchdog (twice its 2 s limit) finds it in doubt.
            waitFor(lambda: relay.envelopes, timeout=20)
            time.sleep(3)
            assert len(relay.envelopes) == 1
        finally:
            controller.stop()
    finally:
        server.stop()
    state, subjects = finalState(path)
    assert state == "sent"
    assert subjects == ["Sent: Hello"]


def test_serve_with_smtp_takes_mail_for_a_character_in_play(tmp_path):
    import smtplib
    from email.message import EmailMessage
    path = str(tmp_path / "store")
    Server(path).start().stop()
    configure(path, freePort())
    smtpPort = freePort()
    server = Server(path, options=[
        "--smtp", f"tcp:{smtpPort}:interface=127.0.0.1"]).start()
    try:
        child = newPlayer(server, "alice", "Alice")
        waitFor(lambda: _answers(smtpPort))
        message = EmailMessage()
        message["From"] = "Ann <ann@player.example>"
        message["To"] = "alice@game.example"
        message["Subject"] = "Over the wire"
        message.set_content("Hello, Alice.")
        with smtplib.SMTP("127.0.0.1", smtpPort, timeout=20) as client:
            client.send_message(message)
        child.expect_exact("You have new mail from Ann: 'Over the wire' "
                           "(type 'mail read 1').")
        child.sendline("mail read 1")
        child.expect_exact("Hello, Alice.")
        child.close()
    finally:
        server.stop()


def _answers(port):
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return True
    except OSError:
        return False
