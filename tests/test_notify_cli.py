"""
`imaginary xmpp`: the XMPP component's settings and the hourly limit, in
the store; every refusal changes nothing.  And the server does not start
a component whose secret it cannot read (it says so and serves on).
"""

import subprocess
import sys

from imaginary.notify import model
from imaginary.store import Store
from liveserver import ENV, ROOT


def xmpp(store, *args):
    return subprocess.run([sys.executable, "-m", "imaginary.cli", "xmpp",
                           "--store", store, *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=60)


def test_settings_shown_set_and_refused(tmp_path):
    store = str(tmp_path / "game.store")
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    done = xmpp(store)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("domain: None\nserver: None\nsecret-file: None\n"
                           "per-hour: 10\n")
    done = xmpp(store, "--domain", "Game.Example")
    assert done.stdout.endswith("The component starts once --server and "
                                "--secret-file are set too.\n")
    done = xmpp(store, "--server", "tcp:127.0.0.1:5347", "--secret-file",
                str(secret), "--per-hour", "3")
    assert done.stdout == (f"domain: game.example\nserver: "
                           f"tcp:127.0.0.1:5347\nsecret-file: {secret}\n"
                           f"per-hour: 3\n")
    for args, why in [
            (("--secret-file", str(tmp_path / "missing")), "cannot read"),
            (("--per-hour", "0"), "--per-hour must be at least 1"),
            (("--server", "127.0.0.1:5347"), "--server is an endpoint")]:
        done = xmpp(store, *args)
        assert done.returncode != 0 and why in done.stderr, done.stderr
    opened = Store(store)
    config = model.config(opened)
    assert (config.xmppDomain, config.xmppServer, config.xmppSecretFile,
            config.perHour) == ("game.example", "tcp:127.0.0.1:5347",
                                str(secret), 3)
    assert config.xmppSecret() == "s3cret"
    opened.close()
    done = xmpp(store, "--domain", "none")
    assert done.stdout.startswith("domain: None\n")


def test_a_server_whose_secret_is_gone_serves_without_the_component(
        tmp_path):
    from liveserver import Server
    store = str(tmp_path / "game.store")
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    xmpp(store, "--domain", "game.example", "--server",
         "tcp:127.0.0.1:9", "--secret-file", str(secret))
    secret.unlink()
    server = Server(store).start()
    log = server.stop()
    assert "XMPP component not started: cannot read its secret file" in log
