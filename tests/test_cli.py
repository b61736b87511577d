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
    assert sorted(commands) == ["account add-key", "play"]
    for command in commands.values():
        assert verifyObject(ICommand, command)
