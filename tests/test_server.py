"""
End-to-end tests of imaginary.server: the real server in its own process,
driven over real loopback sockets by the real `telnet` client (under
pexpect) and by raw sockets where the bytes themselves are the point.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time

import pexpect
import pytest

from imaginary.testing import (
    ACCOUNT_PROMPT, CHARACTER_PROMPT, NEW_ACCOUNT_PROMPT, NEW_PASSWORD_PROMPT,
    PASSWORD, REPEAT_PASSWORD_PROMPT, loginSteps, newAccountSteps, play,
    typedAhead)
from liveserver import (
    ENV, ROOT, Server, login, newPlayer, spawnTelnet, telnet)

@pytest.fixture
def server(tmp_path):
    s = Server(str(tmp_path / "store")).start()
    yield s
    s.stop()


def test_two_players_see_each_other(server):
    alice = newPlayer(server, "alice", "Alice")
    bob = newPlayer(server, "bobby", "Bob", "male")
    alice.sendline("say hello bob")
    alice.expect("You say, 'hello bob'")
    bob.expect("Alice says, 'hello bob'")
    bob.sendline("take coin")
    bob.expect("You take the coin.")
    alice.expect("Bob takes a coin.")
    bob.sendline("north")
    alice.expect("Bob leaves to the north.")
    alice.sendline("quit")
    alice.expect(pexpect.EOF)
    bob.sendline("quit")
    bob.expect(pexpect.EOF)


def test_password_is_not_echoed(server):
    """The server offers WILL ECHO before asking for the password and
    withdraws it after; raw bytes show it."""
    s = socket.create_connection(("127.0.0.1", server.port), 5)
    s.settimeout(5)
    seen = []

    def expect(prompt):
        data = b""
        while prompt.encode() not in data:
            data += s.recv(4096)
        seen.append((prompt, data))
        if prompt == NEW_PASSWORD_PROMPT:
            s.sendall(b"\xff\xfd\x01")       # IAC DO ECHO
    play(newAccountSteps("echotest", PASSWORD), expect,
         lambda line: s.sendall(line.encode() + b"\r\n"))
    received = dict(seen)
    assert b"\xff\xfb\x01" in received[NEW_PASSWORD_PROMPT]  # IAC WILL ECHO
    assert PASSWORD.encode() not in received[REPEAT_PASSWORD_PROMPT]
    assert b"\xff\xfc\x01" in received[CHARACTER_PROMPT]     # IAC WONT ECHO
    s.close()


def test_player_refused_builder_verb(server):
    child = newPlayer(server, "carol", "Carol")
    child.sendline("dig north Hall")
    child.expect("You need builder permission to use 'dig'.")


def test_second_login_takes_over_under_the_takeover_policy(tmp_path):
    server = Server(str(tmp_path / "store"),
                    options=["--connections", "takeover"]).start()
    try:
        first = newPlayer(server, "dave", "Dave", "male")
        second = login(server, "dave", "Dave")
        first.expect("You have logged in from elsewhere; closing this "
                     "connection.")
        first.expect(pexpect.EOF)
        second.sendline("who")
        second.expect("1 player online.")
    finally:
        log = server.stop()
    assert log.count("Dave entered the game") == 1


def test_second_login_shares_the_character_by_default(server):
    first = newPlayer(server, "dave", "Dave", "male")
    second = login(server, "dave", "Dave")
    first.expect(re.escape("Dave is now also played from another "
                           "connection (127.0.0.1)."))
    second.sendline("say from the second")
    for child in (first, second):
        child.expect("You say, 'from the second'")
    first.sendline("say from the first")
    for child in (first, second):
        child.expect("You say, 'from the first'")
    second.sendline("quit")
    second.expect(pexpect.EOF)
    first.sendline("who")
    first.expect("1 player online.")
    first.sendline("quit")
    first.expect(pexpect.EOF)
    log = server.stop()
    # Arriving and leaving happen once per character, not per connection.
    assert log.count("Dave entered the game") == 1
    assert log.count("Dave left the game") == 1


def test_wrong_passwords_are_throttled_per_address(server):
    newPlayer(server, "erin", "Erin").sendline("quit")
    s = socket.create_connection(("127.0.0.1", server.port), 5)
    s.settimeout(5)

    def until(marker):
        data = b""
        while marker not in data:
            chunk = s.recv(4096)
            assert chunk, data
            data += chunk
        return data
    until(ACCOUNT_PROMPT.encode())
    for _ in range(5):
        s.sendall(typedAhead(loginSteps("erin", "wrong-password")).encode())
        until(b"don't match")
    s.sendall(typedAhead(loginSteps("erin", PASSWORD)).encode())
    answer = until(ACCOUNT_PROMPT.encode())
    assert re.search(rb"Too many failed logins; wait \d+ seconds", answer)
    s.close()
    # A correct login from another loopback address still gets through.
    other = socket.create_connection(("127.0.0.1", server.port), 5,
                                     source_address=("127.0.0.2", 0))
    other.settimeout(5)
    data = b""
    while ACCOUNT_PROMPT.encode() not in data:
        data += other.recv(4096)
    other.sendall(typedAhead(loginSteps("erin", PASSWORD)).encode())
    data = b""
    while CHARACTER_PROMPT.encode() not in data:
        data += other.recv(4096)
    other.close()


def test_restart_keeps_characters_positions_and_inventories(server):
    child = newPlayer(server, "frank", "Frank", "male")
    child.sendline("take coin")
    child.expect("You take the coin.")
    child.sendline("north")
    child.expect(r"\[ The Wayside Inn \]")
    child.sendline("quit")
    child.expect(pexpect.EOF)
    log = server.stop()
    assert "store closed" in log
    server.start()
    child = login(server, "frank", "Frank")
    child.sendline("look")
    child.expect(r"\[ The Wayside Inn \]")
    child.sendline("inventory")
    child.expect("You are carrying a coin.")


def test_admin_from_the_command_line(server, tmp_path):
    server.stop()
    secret = tmp_path / "pw"
    secret.write_text("adminpass1\n")
    made = subprocess.run(
        [sys.executable, "-m", "imaginary.cli", "account", "create",
         "--admin", "root", "--password-file", str(secret), "--store",
         server.store], cwd=ROOT, env=ENV, capture_output=True, text=True)
    assert made.stdout.strip() == "created admin account root"
    server.start()
    admin = spawnTelnet(server)
    play(loginSteps("root", "adminpass1") +
         [(CHARACTER_PROMPT, "create Boss female")],
         admin.expect_exact, admin.sendline)
    player = newPlayer(server, "gina", "Gina")
    admin.sendline("wall server restarts soon")
    player.expect(r"\[announcement\] server restarts soon")
    admin.sendline("promote gina")
    admin.expect("gina is now a builder.")
    admin.sendline("boot Gina")
    player.expect("You have been disconnected by an admin.")
    player.expect(pexpect.EOF)
    admin.sendline("boot Gina")
    admin.expect("There is nobody called 'Gina' playing right now.")
    # Ban: the player is thrown out and can't come back until unbanned.
    player = login(server, "gina", "Gina")
    admin.sendline("ban gina")
    admin.expect("You ban gina.")
    player.expect("This account is banned.")
    player.expect(pexpect.EOF)
    refused = spawnTelnet(server)
    play(loginSteps("gina"), refused.expect_exact, refused.sendline,
         end=False)
    refused.expect("This account is banned.")
    refused.expect(pexpect.EOF)
    admin.sendline("ban root")
    admin.expect("Admins can't be banned; demote them first.")
    admin.sendline("unban gina")
    admin.expect("You unban gina.")
    login(server, "gina", "Gina").sendline("quit")
    # Shutdown saves and stops the whole process.
    admin.sendline("shutdown")
    admin.expect("Shutting down.")
    admin.expect(pexpect.EOF)
    assert server.process.wait(15) == 0
    log = server.stop()
    assert "store closed" in log
    # Every admin action leaves a line saying who did it.
    for line in ("admin Boss announces 'server restarts soon'",
                 "admin Boss makes gina builder", "admin Boss boots Gina",
                 "admin Boss bans gina", "admin Boss unbans gina",
                 "admin Boss shuts the server down"):
        assert line in log
    check = subprocess.run(
        [sys.executable, "-m", "imaginary.cli", "check", "--store",
         server.store], cwd=ROOT, env=ENV, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_the_twistd_plugin_serves_and_stops_cleanly(tmp_path):
    from liveserver import freePort
    port, sshPort = freePort(), freePort()
    store = str(tmp_path / "store")
    twistd = os.path.join(os.path.dirname(sys.executable), "twistd")
    process = subprocess.Popen(
        [twistd, "-n", "--pidfile=", "imaginary", "--store", store,
         "--telnet", f"tcp:{port}:interface=127.0.0.1",
         "--ssh", f"tcp:{sshPort}:interface=127.0.0.1"],
        cwd=str(tmp_path), env=ENV, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        server = type("S", (), {"port": port})()
        deadline = time.time() + 20
        while True:
            try:
                child = telnet(server)
                break
            except pexpect.EOF:
                assert time.time() < deadline, process.stdout.read()
                time.sleep(0.1)
        child.sendline("new")
        child.expect_exact(NEW_ACCOUNT_PROMPT)
        socket.create_connection(("127.0.0.1", sshPort), 5).close()
    finally:
        process.send_signal(signal.SIGTERM)
        out = process.communicate(timeout=20)[0]
    # twistd ends by re-raising the SIGTERM it handled, after a clean stop.
    assert process.returncode in (0, -signal.SIGTERM), out
    assert "Server Shut Down." in out
    assert f"listening for telnet on 127.0.0.1 port {port}" in out
    assert f"listening for ssh on 127.0.0.1 port {sshPort}" in out
    assert "store closed" in out


def test_a_second_sigterm_during_shutdown_is_harmless(server):
    # A player is connected, so the shutdown takes a moment (goodbyes).
    child = telnet(server)
    server.process.send_signal(signal.SIGTERM)
    time.sleep(0.02)
    server.process.send_signal(signal.SIGTERM)
    child.expect("shutting down")
    assert server.process.wait(15) == 0
    log = server.stop()
    assert "store closed" in log
    assert "Traceback" not in log and "critical" not in log
