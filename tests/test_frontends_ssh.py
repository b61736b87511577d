"""
End-to-end tests of imaginary.frontends.ssh with OpenSSH's own `ssh`.

The real server runs in its own process with telnet and SSH on free
loopback ports.  Accounts and keys are made with the real `imaginary`
command; `ssh` logs in with a throwaway ed25519 key or with a password,
under a PTY (pexpect) where a player would have a terminal.
"""

import os
import re
import subprocess
import sys

import pexpect
import pytest

from liveserver import ENV, ROOT, Server, newPlayer

SSH = "/usr/bin/ssh"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def imaginary(*args):
    """Run the real `imaginary` command; returns its stdout."""
    done = subprocess.run([sys.executable, "-m", "imaginary.cli", *args],
                          cwd=ROOT, env=ENV, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def keygen(path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                    "test@imaginary", "-f", path], check=True)
    return path


def sshArgs(server, user, key=None, password=False, extra=()):
    # ssh keeps the first value given for an option: extras go first.
    args = list(extra) + ["-F", "/dev/null", "-p", str(server.sshPort),
            "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes"]
    if key:
        args += ["-i", key, "-o", "PreferredAuthentications=publickey"]
    if password:
        args += ["-o", "PreferredAuthentications=password",
                 "-o", "PubkeyAuthentication=no",
                 "-o", "NumberOfPasswordPrompts=1"]
    return args + [f"{user}@127.0.0.1"]


def spawnSSH(server, user, key=None, password=False, term="dumb",
             size=(24, 80), extra=()):
    """`ssh -tt` under a PTY of the given size and TERM."""
    return pexpect.spawn(
        SSH, ["-tt"] + sshArgs(server, user, key, password, extra),
        env=dict(ENV, TERM=term), dimensions=size, encoding="utf-8",
        timeout=10)


def passwordVisit(server, user, password, extra=()):
    """Log in over SSH with a password, reach the menu, and quit."""
    child = spawnSSH(server, user, password=True, extra=list(extra))
    child.expect("password:")
    child.send(password + "\r")
    child.expect("Character: ")
    child.send("quit\r")
    child.expect(pexpect.EOF)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One server for the module; alice (a key and a password) exists."""
    tmp = tmp_path_factory.mktemp("ssh")
    store = str(tmp / "store")
    (tmp / "pw").write_text("secret99\n")
    imaginary("account", "create", "alice", "--password-file",
              str(tmp / "pw"), "--store", store)
    key = keygen(str(tmp / "alice_key"))
    imaginary("account", "add-key", "alice", "--key-file", key + ".pub",
              "--store", store)
    server = Server(store, ssh=True).start()
    server.tmp = tmp
    server.key = key
    yield server
    server.stop()


def test_key_login_line_editing_history_and_width(world):
    child = spawnSSH(world, "alice", key=world.key, size=(24, 40))
    child.expect("Character: ")
    child.send("create Carol female\r")
    child.expect(r"\[ Town Square \]")
    child.expect("> ")
    # Wrapped to the 40 columns the PTY announced.
    shown = ANSI.sub("", child.before).splitlines()
    assert max(len(line.rstrip("\r")) for line in shown) <= 40
    assert len(shown) > 4
    child.send("say one\r")
    child.expect("You say, 'one'")
    child.expect("> ")
    # Up arrow recalls the line; three lefts, then insert an X.
    child.send("\x1b[A")
    child.expect("say one")
    child.send("\x1b[D\x1b[D\x1b[DX\r")
    child.expect("You say, 'Xone'")
    child.expect("> ")
    # Backspace removes a whole UTF-8 character, not one byte of it.
    child.send("say caf\u00e9x\x1b[D\x7fe\r")
    child.expect("You say, 'cafex'")
    child.expect("> ")
    # ^U clears what was typed.
    child.send("say nothing\x15look\r")
    child.expect(r"\[ Town Square \]")
    child.expect("> ")
    # The window grows: output is wrapped to the new width.
    child.setwinsize(24, 120)
    child.send("look\r")
    child.expect(r"\[ Town Square \]")
    child.expect("> ")
    shown = ANSI.sub("", child.before).splitlines()
    assert max(len(line.rstrip("\r")) for line in shown) > 40
    # ^D on an empty line quits; ssh exits 0.
    child.send("\x04")
    child.expect("Goodbye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_colours_follow_the_terminal_type(world):
    coloured = spawnSSH(world, "alice", key=world.key,
                        term="xterm-256color")
    coloured.expect("Character: ")
    coloured.send("Carol\r")
    coloured.expect("> ")
    assert "\x1b[38;5;" in coloured.before
    coloured.send("quit\r")
    coloured.expect(pexpect.EOF)
    plain = spawnSSH(world, "alice", key=world.key, term="dumb")
    plain.expect("Character: ")
    plain.send("Carol\r")
    plain.expect("Exits: north")
    plain.expect("> ")
    assert not re.search(r"\x1b\[[0-9;]*m", plain.before)
    plain.send("quit\r")
    plain.expect(pexpect.EOF)


def test_password_login_and_hidden_password_change(world):
    child = spawnSSH(world, "alice", password=True)
    child.expect("password:")
    child.send("secret99\r")
    child.expect("Character: ")
    child.send("create Dora female\r")
    child.expect("> ")
    child.send("password\r")
    child.expect("Current password: ")
    child.send("secret99\r")
    child.expect(r"New password \(6 or more characters\): ")
    child.send("changed99\r")
    child.expect("Type it again: ")
    child.send("changed99\r")
    child.expect("Your password is changed.")
    assert "changed99" not in child.before
    child.expect("> ")
    # Not in the history either: up arrow brings back 'password'.
    child.send("\x1b[A")
    child.expect("password")
    child.send("\x15quit\r")
    child.expect(pexpect.EOF)
    passwordVisit(world, "alice", "changed99")
    # The key still works whatever the password is.
    back = spawnSSH(world, "alice", key=world.key)
    back.expect("Character: ")
    back.send("password\r")     # at the menu this is not a command
    back.expect("no character by that name")
    back.send("quit\r")
    back.expect(pexpect.EOF)


def test_a_command_on_the_ssh_line_is_refused_clearly(world):
    done = subprocess.run(
        [SSH, "-o", "BatchMode=yes"] + sshArgs(world, "alice", world.key)
        + ["look"], capture_output=True, text=True, timeout=20,
        stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert "interactive game" in done.stdout


def test_plain_shell_without_a_pty(world):
    done = subprocess.run(
        [SSH, "-T", "-o", "BatchMode=yes"] + sshArgs(world, "alice",
                                                     world.key),
        input="Carol\nsay plain and simple\nquit\n", capture_output=True,
        text=True, timeout=20)
    assert done.returncode == 0, done.stderr
    assert "You say, 'plain and simple'" in done.stdout
    assert "\x1b" not in done.stdout


def test_unknown_user_and_wrong_key_are_refused(world, tmp_path):
    other = keygen(str(tmp_path / "other"))
    for user, key in (("alice", other), ("nobody", world.key)):
        done = subprocess.run(
            [SSH, "-o", "BatchMode=yes"] + sshArgs(world, user, key),
            capture_output=True, text=True, timeout=20,
            stdin=subprocess.DEVNULL)
        assert done.returncode == 255
        assert "Permission denied" in done.stderr


def test_keys_managed_in_the_game(world, tmp_path):
    second = keygen(str(tmp_path / "second"))
    with open(second + ".pub") as f:
        line = f.read().strip()
    script = f"Carol\nkeys add {line}\nkeys\nquit\n"
    done = subprocess.run(
        [SSH, "-T", "-o", "BatchMode=yes"] + sshArgs(world, "alice",
                                                     world.key),
        input=script, capture_output=True, text=True, timeout=20)
    fingerprint = subprocess.run(["ssh-keygen", "-lf", second + ".pub"],
                                 capture_output=True, text=True,
                                 check=True).stdout.split()[1]
    assert f"Key 2 added: ssh-ed25519 {fingerprint}." in done.stdout
    assert f"2. ssh-ed25519 {fingerprint} (test@imaginary)" in done.stdout
    # The new key logs in, and removes the first.
    done = subprocess.run(
        [SSH, "-T", "-o", "BatchMode=yes"] + sshArgs(world, "alice",
                                                     second),
        input="Carol\nkeys remove 1\nkeys remove 7\nquit\n",
        capture_output=True, text=True, timeout=20)
    assert "Key 1 (SHA256:" in done.stdout
    assert "There is no key number 7; 'keys' lists them." in done.stdout
    refused = subprocess.run(
        [SSH, "-o", "BatchMode=yes"] + sshArgs(world, "alice", world.key),
        capture_output=True, text=True, timeout=20,
        stdin=subprocess.DEVNULL)
    assert refused.returncode == 255
    # Put the module's key back for the other tests.
    done = subprocess.run(
        [SSH, "-T", "-o", "BatchMode=yes"] + sshArgs(world, "alice",
                                                     second),
        input=f"Carol\nkeys add {open(world.key + '.pub').read()}\nquit\n",
        capture_output=True, text=True, timeout=20)
    assert "Key 2 added" in done.stdout


def test_output_while_typing_redraws_the_line(world):
    child = spawnSSH(world, "alice", key=world.key)
    child.expect("Character: ")
    child.send("Carol\r")
    child.expect("> ")
    child.send("say hel")
    child.expect("say hel")
    other = newPlayer(world, "erin", "Erin")
    other.sendline("say hi carol")
    # Carol sees the arrival and the speech above her line, then her
    # prompt and half-typed line again.
    child.expect("Erin says, 'hi carol'\r\n> say hel")
    child.send("lo\r")
    child.expect("You say, 'hello'")
    other.expect("Carol says, 'hello'")
    other.sendline("quit")
    child.send("quit\r")
    child.expect(pexpect.EOF)


def test_throttled_password_logins_and_the_host_key_kept(tmp_path):
    store = str(tmp_path / "store")
    (tmp_path / "pw").write_text("secret99\n")
    imaginary("account", "create", "frank", "--password-file",
              str(tmp_path / "pw"), "--store", store)
    server = Server(store, ssh=True).start()
    known = str(tmp_path / "known_hosts")
    pin = ["-o", "HostKeyAlias=imaginary-test",
           "-o", f"UserKnownHostsFile={known}"]
    try:
        for attempt in range(5):
            child = spawnSSH(server, "frank", password=True,
                             extra=pin + ["-o", "StrictHostKeyChecking="
                                          "accept-new"])
            child.expect("password:")
            child.send("wrong-password\r")
            child.expect("Permission denied")
            child.expect(pexpect.EOF)
        # The right password from the same address now waits...
        child = spawnSSH(server, "frank", password=True,
                         extra=["-o", "LogLevel=INFO"])
        child.expect("password:")
        child.send("secret99\r")
        child.expect("Too many failed logins; wait \\d+ seconds")
        child.expect(pexpect.EOF)
        # ...but not from another address.
        passwordVisit(server, "frank", "secret99", ["-b", "127.0.0.2"])
        with open(os.path.join(store, "ssh_host_ed25519_key.pub")) as f:
            before = f.read()
    finally:
        server.stop()
    # After a restart the server presents the same host key: a client
    # that pinned it connects with strict checking.
    server.start()
    try:
        passwordVisit(server, "frank", "secret99", pin + [
            "-o", "StrictHostKeyChecking=yes", "-b", "127.0.0.3"])
        with open(os.path.join(store, "ssh_host_ed25519_key.pub")) as f:
            assert f.read() == before
        assert oct(os.stat(os.path.join(
            store, "ssh_host_ed25519_key")).st_mode & 0o777) == "0o600"
    finally:
        server.stop()


def test_one_character_from_telnet_and_ssh_at_once(world):
    """Both connections see the character's output; either can type."""
    telnet = newPlayer(world, "sharer", "Shara")
    ssh = spawnSSH(world, "sharer", password=True)
    ssh.expect("password:")
    ssh.send("secret99\r")
    ssh.expect("Character: ")
    ssh.send("Shara\r")
    ssh.expect("> ")
    telnet.expect(re.escape("Shara is now also played from another "
                            "connection (127.0.0.1)."))
    telnet.sendline("say typed over telnet")
    for child in (telnet, ssh):
        child.expect("You say, 'typed over telnet'")
    ssh.send("say typed over ssh\r")
    for child in (ssh, telnet):
        child.expect("You say, 'typed over ssh'")
    telnet.sendline("who")
    telnet.expect("1 player online.")
    ssh.send("quit\r")
    ssh.expect(pexpect.EOF)
    telnet.sendline("say still here")
    telnet.expect("You say, 'still here'")
    telnet.sendline("quit")
    telnet.expect(pexpect.EOF)


def test_a_normal_goodbye_is_not_logged_as_an_error(world):
    newPlayer(world, "leaver", "Leaver").sendline("quit")
    passwordVisit(world, "leaver", "secret99")
    log = world.log()
    assert "Got remote error" not in log
    assert "SSH client at 127.0.0.1 disconnected" in log


def test_logging_in_has_a_grace_time_and_a_cap_shared_with_telnet(tmp_path):
    import socket
    import time
    server = Server(str(tmp_path / "store"), ssh=True, env={
        "IMAGINARY_LOGIN_GRACE_SECONDS": "2",
        "IMAGINARY_MAX_UNAUTHENTICATED_PER_ADDRESS": "3"}).start()

    def connect(port):
        # From 127.0.0.3: the checks that the server was up came from
        # 127.0.0.1, and may be counted until their close is read.
        sock = socket.create_connection(("127.0.0.1", port), 5,
                                        ("127.0.0.3", 0))
        sock.settimeout(10)
        return sock

    def untilClosed(sock):
        received = b""
        while True:
            try:
                data = sock.recv(4096)
            except ConnectionResetError:
                break
            if not data:
                break
            received += data
        return received
    try:
        # Two idle telnet connections and one idle SSH connection (which
        # never even starts its key exchange) fill the address's cap...
        telnets = [connect(server.port) for _ in range(2)]
        idle = connect(server.sshPort)
        assert idle.recv(4096).startswith(b"SSH-2.0-")
        # ...so a further SSH connection is told so, in a line before
        # any SSH version, and closed.
        refused = connect(server.sshPort)
        assert untilClosed(refused) == (b"Too many connections from your "
                                        b"address are logging in; try "
                                        b"again later.\r\n")
        # Nobody logs in: the SSH connection is closed after the grace
        # time, with the reason in its disconnect message.
        started = time.monotonic()
        assert b"You took too long to log in; goodbye." in untilClosed(idle)
        assert time.monotonic() - started < 8
        for sock in telnets:
            assert b"You took too long to log in" in untilClosed(sock)
        # A player logs in as usual afterwards.
        newPlayer(server, "gina", "Gina").close()
    finally:
        server.stop()
