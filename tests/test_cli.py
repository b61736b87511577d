"""
Tests of imaginary.cli: the `imaginary` command as an operator runs it
(subprocesses on stores in tmp), with its refusals.
"""

import subprocess
import sys

from liveserver import ENV, ROOT


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "imaginary.cli", *args],
                          cwd=ROOT, env=ENV, capture_output=True, text=True,
                          input=stdin, timeout=60)


def test_accounts_from_the_command_line(tmp_path):
    store = str(tmp_path / "store")
    pw = tmp_path / "pw"
    pw.write_text("secret99\n")
    done = run("account", "create", "--admin", "Root Admin",
               "--password-file", str(pw), "--store", store)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "created admin account Root Admin\n"
    again = run("account", "create", "root admin", "--password-file",
                str(pw), "--store", store)
    assert again.returncode != 0
    assert "the account 'root admin' exists" in again.stderr
    pw.write_text("short\n")
    weak = run("account", "create", "bob", "--password-file", str(pw),
               "--store", store)
    assert "at least 6 characters" in weak.stderr
    pw.write_text("secret99\n")
    bad = run("account", "create", "bob;--", "--password-file", str(pw),
              "--store", store)
    assert "semicolon is not allowed" in bad.stderr
    # A password is never taken from the command line.
    argv = run("account", "create", "bob", "--password", "secret99",
               "--store", store)
    assert argv.returncode == 2 and "unrecognized arguments" in argv.stderr
    listing = run("account", "list", "--store", store)
    assert listing.stdout == "Root Admin\tadmin\n"


def test_add_key_refuses_a_private_key(tmp_path):
    store = str(tmp_path / "store")
    (tmp_path / "pw").write_text("secret99\n")
    run("account", "create", "alice", "--password-file",
        str(tmp_path / "pw"), "--store", store)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                    str(tmp_path / "k")], check=True)
    private = run("account", "add-key", "alice", "--key-file",
                  str(tmp_path / "k"), "--store", store)
    assert private.returncode != 0
    assert "That is a private key" in private.stderr
    public = run("account", "add-key", "alice", "--key-file",
                 str(tmp_path / "k.pub"), "--store", store)
    assert public.stdout == "added a key to alice\n"
    nobody = run("account", "add-key", "zed", "--key-file",
                 str(tmp_path / "k.pub"), "--store", store)
    assert "no account 'zed'" in nobody.stderr


def test_check_and_world_round_trip(tmp_path):
    store = str(tmp_path / "store")
    empty = run("world", "export", str(tmp_path / "w.json"), "--store",
                store)
    assert "the store holds no world" in empty.stderr
    built = run("world", "import", str(ROOT + "/world/default.json"),
                "--store", store)
    assert built.returncode == 0, built.stderr
    exported = run("world", "export", str(tmp_path / "w.json"), "--store",
                   store)
    assert exported.returncode == 0, exported.stderr
    twice = run("world", "import", str(tmp_path / "w.json"), "--store",
                store)
    assert "already holds a world" in twice.stderr
    fresh = run("world", "import", str(tmp_path / "w.json"), "--store",
                str(tmp_path / "fresh"))
    assert fresh.returncode == 0, fresh.stderr
    check = run("check", "--store", store)
    assert check.returncode == 0 and "store is sound" in check.stdout
    notAStore = tmp_path / "notes.txt"
    notAStore.write_text("not a database")
    refused = run("check", "--store", str(notAStore))
    assert refused.returncode == 2
    assert notAStore.read_text() == "not a database"


def test_commands_come_from_plugins_too(tmp_path):
    # `play` (the local terminal) and `account add-key` (SSH) are the
    # front ends' own commands, contributed as plugins like this one.
    (tmp_path / "census.py").write_text(
        "from twisted.plugin import IPlugin\n"
        "from zope.interface import implementer\n"
        "from imaginary.cli import ICommand\n"
        "@implementer(IPlugin, ICommand)\n"
        "class Census:\n"
        "    name = 'account count'\n"
        "    help = 'count the accounts'\n"
        "    def configure(self, parser): pass\n"
        "    def run(self, args):\n"
        "        print('no store opened:', args.store)\n"
        "        return 0\n"
        "census = Census()\n")
    done = run("--plugins", str(tmp_path), "account", "--help")
    assert done.returncode == 0, done.stderr
    for action in ("create", "list", "add-key", "count"):
        assert action in done.stdout
    done = run("--plugins", str(tmp_path), "account", "count", "--store",
               "x.store")
    assert done.stdout == "no store opened: x.store\n"
    assert "play" in run("--help").stdout


def test_the_shipped_commands_provide_ICommand():
    from zope.interface.verify import verifyObject
    from imaginary.cli import ICommand
    from imaginary.plugin import defaultLoader
    commands = {c.name: c for c in defaultLoader().provided(ICommand)}
    assert sorted(commands) == ["account add-key", "groups", "mail", "play",
                                "xmpp"]
    for command in commands.values():
        assert verifyObject(ICommand, command)


def serve(store, *options):
    """`imaginary serve` on a free port, expected to refuse at once."""
    from liveserver import freePort
    return run("serve", "--store", store, "--telnet",
               f"tcp:{freePort()}:interface=127.0.0.1", *options)


def refusedInOneLine(done):
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    return done.stderr


def test_serve_refuses_a_store_it_cant_use_in_one_line(tmp_path):
    import sqlite3
    world = ROOT + "/world/default.json"
    for name in ("damaged", "newer", "readonly", "inuse"):
        built = run("world", "import", world, "--store",
                    str(tmp_path / name))
        assert built.returncode == 0, built.stderr
    with open(tmp_path / "damaged" / "db.sqlite", "r+b") as f:
        f.seek(100)
        f.write(b"\xff" * 4000)
    assert "is damaged" in refusedInOneLine(
        serve(str(tmp_path / "damaged")))
    db = sqlite3.connect(tmp_path / "newer" / "db.sqlite")
    db.execute("UPDATE imaginary_types SET version = version + 5")
    db.commit()
    db.close()
    assert "written by a newer version of Imaginary" in refusedInOneLine(
        serve(str(tmp_path / "newer")))
    # SQLite calls a store it may not write "disk I/O error", which would
    # send an operator to repair a healthy store.
    readonly = tmp_path / "readonly"
    locked = _makeReadOnly(readonly)
    try:
        said = refusedInOneLine(serve(str(readonly)))
        assert "is read-only" in said and "damaged" not in said
    finally:
        _makeWritable(readonly, locked)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\n"
         "from imaginary.store import Store\n"
         f"s = Store({str(tmp_path / 'inuse')!r})\n"
         "print('open', flush=True)\nsys.stdin.read()\n"],
        cwd=ROOT, env=ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True)
    try:
        assert holder.stdout.readline() == "open\n"
        assert "in use by another process" in refusedInOneLine(
            serve(str(tmp_path / "inuse")))
    finally:
        holder.communicate("", timeout=30)


def _makeReadOnly(store):
    # Root ignores permission bits: the immutable flag stops it too.
    import os
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(store / "db.sqlite"),
                        str(store)], check=True)
        return True
    os.chmod(store / "db.sqlite", 0o444)
    os.chmod(store, 0o555)
    return False


def _makeWritable(store, immutable):
    import os
    if immutable:
        subprocess.run(["chattr", "-i", str(store / "db.sqlite"),
                        str(store)], check=True)
    else:
        os.chmod(store, 0o755)
        os.chmod(store / "db.sqlite", 0o644)


def test_a_port_in_use_is_one_line_and_builds_nothing(tmp_path):
    import socket
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        store = str(tmp_path / "store")
        said = refusedInOneLine(run(
            "serve", "--store", store, "--telnet",
            f"tcp:{port}:interface=127.0.0.1"))
        assert said == (f"imaginary: cannot listen for telnet on tcp:{port}"
                        f":interface=127.0.0.1: Address already in use\n")
        # The world was not built into a store nobody could play in.
        empty = run("world", "export", str(tmp_path / "w.json"), "--store",
                    store)
        assert "the store holds no world" in empty.stderr
        # A second front end that can't listen closes the first again.
        from liveserver import freePort
        said = refusedInOneLine(run(
            "serve", "--store", store, "--telnet",
            f"tcp:{freePort()}:interface=127.0.0.1", "--ssh",
            f"tcp:{port}:interface=127.0.0.1"))
        assert said.startswith("imaginary: cannot listen for ssh on ")
        assert "the store holds no world" in run(
            "world", "export", str(tmp_path / "w.json"), "--store",
            store).stderr
    finally:
        taken.close()


SLOW_PLUGIN = '''
import os, time
from imaginary.frontends import FrontEndType

def _pause(phase):
    if os.environ.get("PAUSE_AT") == phase:
        open(os.environ["PAUSE_MARK"], "w").close()
        time.sleep(30)

_pause("plugins")

def factory(server):
    _pause("listen")
    raise AssertionError("interrupted before this")

slow = FrontEndType(name="slow", description="pauses", defaultEndpoint=None,
                    factory="imaginary.plugins.slowstart:factory")
'''


def test_ctrl_c_while_starting_is_one_line(tmp_path):
    import os
    import signal
    import time
    from liveserver import freePort
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "slowstart.py").write_text(SLOW_PLUGIN)
    # Interrupted while plugins are found, then while listening (the
    # store open, the world not yet built).
    for phase in ("plugins", "listen"):
        mark = tmp_path / f"{phase}.mark"
        process = subprocess.Popen(
            [sys.executable, "-m", "imaginary.cli", "--plugins",
             str(tmp_path / "plugins"), "serve", "--store",
             str(tmp_path / "store"), "--telnet",
             f"tcp:{freePort()}:interface=127.0.0.1", "--slow",
             "tcp:0:interface=127.0.0.1"], cwd=ROOT,
            env=dict(ENV, PAUSE_AT=phase, PAUSE_MARK=str(mark)),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while not os.path.exists(mark) and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 130, (out, err)
        assert err == "imaginary: interrupted; stopped\n", (out, err)
        assert "Traceback" not in out
    # Interrupted before the world was built: the store is sound, empty.
    check = run("check", "--store", str(tmp_path / "store"))
    assert check.returncode == 0 and "store is sound" in check.stdout


def test_two_servers_started_at_once_on_a_fresh_store_one_wins(tmp_path):
    """
    Two `serve` started at the same instant on a store that doesn't exist
    yet: one serves, the other says the store is in use (never both
    refusing, leaving nothing running).  A few rounds: it is a race.
    """
    import time
    from liveserver import freePort
    for round in range(2):
        store = str(tmp_path / f"fresh{round}")
        servers = [subprocess.Popen(
            [sys.executable, "-m", "imaginary.cli", "serve", "--store",
             store, "--telnet", f"tcp:{freePort()}:interface=127.0.0.1"],
            cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True) for _ in range(2)]
        try:
            deadline = time.time() + 30
            while all(s.poll() is None for s in servers):
                assert time.time() < deadline, "neither refused"
                time.sleep(0.05)
            [loser] = [s for s in servers if s.poll() is not None]
            [winner] = [s for s in servers if s is not loser]
            _, err = loser.communicate(timeout=10)
            assert loser.returncode == 2, err
            assert "in use by another process" in err, err
            time.sleep(0.5)
            assert winner.poll() is None, winner.communicate()
        finally:
            for s in servers:
                if s.poll() is None:
                    s.terminate()
                    s.communicate(timeout=30)
