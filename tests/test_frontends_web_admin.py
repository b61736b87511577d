"""
/admin and /admin.json: the operator's page, over real HTTP against the
real server (telnet, SSH and the web on loopback ports), and its facts
built from a real store for the parts a fresh world has none of (the
scheduler's events).
"""

import html
import subprocess
import sys
import time

import pexpect

from liveserver import ENV, ROOT, newPlayer
from webkit import Browser, WebServer

from imaginary.frontends.web.admin import (
    NOT_LOGGED_IN, describeRunnable, renderFacts, schedulerFacts, storeFacts)
from imaginary.store import IScheduler, Store
from imaginary.store.attributes import text
from imaginary.store.item import Item
from imaginary.store.scheduler import Scheduler
from imaginary.testing import PASSWORD

from epsilon.extime import Time

SSH = "/usr/bin/ssh"
SCRIPT = "<script>alert(1)</script>"


def imaginary(*args):
    """Run the real `imaginary` command; returns its stdout."""
    done = subprocess.run([sys.executable, "-m", "imaginary.cli", *args],
                          cwd=ROOT, env=ENV, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def sshPlayer(server, account, character):
    """`ssh -tt` logged in with a password, playing a new character."""
    child = pexpect.spawn(SSH, [
        "-tt", "-F", "/dev/null", "-p", str(server.sshPort),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "LogLevel=ERROR", "-o", "PreferredAuthentications=password",
        "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1",
        f"{account}@127.0.0.1"], env=dict(ENV, TERM="dumb"),
        encoding="utf-8", timeout=10)
    child.expect("password:")
    child.send(PASSWORD + "\r")
    child.expect("Character: ")
    child.send(f"create {character} female\r")
    child.expect(r"\[ Town Square \]")
    child.expect("> ")
    return child


def test_admin_page(tmp_path):
    store = str(tmp_path / "store")
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n")
    imaginary("account", "create", "--admin", "root", "--password-file",
              str(pw), "--store", store)
    imaginary("account", "create", "carol", "--password-file", str(pw),
              "--store", store)
    server = WebServer(store)
    server.ssh = True
    server.start()
    try:
        # Nobody logged in: 401, saying how to log in.
        anonymous = Browser(server)
        status, page = anonymous.request("GET", "/admin")
        assert status == 401
        assert html.escape(NOT_LOGGED_IN) in page.decode()
        assert "You are not logged in. Log in on the game's page" in \
            html.unescape(page.decode())
        assert anonymous.lastHeaders["Content-Security-Policy"]
        status, body = anonymous.request("GET", "/admin.json")
        assert status == 401 and "not logged in" in body["error"]

        # A player: 403, with a sentence saying why.
        player = Browser(server)
        player.newAccount("alice")
        status, page = player.request("GET", "/admin")
        assert status == 403
        assert ("The account alice may not see this page: it is only for "
                "the game's administrators.") in html.unescape(page.decode())
        status, body = player.request("GET", "/admin.json")
        assert status == 403 and "may not see this page" in body["error"]

        # Players on each front end; the telnet one types a script.
        telnet = newPlayer(server, "bob", "Bob")
        telnet.sendline(f"say {SCRIPT}")
        telnet.expect_exact("You say, '")
        telnet.expect_exact("> ")
        telnet.sendline(SCRIPT)             # no verb at all
        telnet.expect_exact("> ")
        ssh = sshPlayer(server, "carol", "Carol")
        ssh.send("look\r")
        ssh.expect("> ")

        # The admin, playing on the web and running a few commands.
        admin = Browser(server)
        status, _ = admin.login("root")
        assert status == 200
        admin.createCharacter("Rooty")
        ws = admin.websocket()
        ws.play("Rooty")
        ws.until(lambda m: m["type"] == "prompt")
        status, before = admin.request("GET", "/admin.json")
        assert status == 200
        looksBefore = {v["verb"]: v["count"] for v in before["verbs"]}.get(
            "look", 0)
        for _ in range(3):
            ws.say("look")
            ws.until(lambda m: m["type"] == "prompt")
        ws.say("say hello")
        ws.untilText("You say, 'hello'")
        ws.until(lambda m: m["type"] == "prompt")
        time.sleep(1.2)     # a reactor lag sample or two

        status, facts = admin.request("GET", "/admin.json")
        assert status == 200
        assert admin.lastHeaders["Cache-Control"] == "no-store"
        byKind = {c["frontEnd"]: c for c in facts["connections"]}
        assert set(byKind) == {"telnet", "ssh", "web"}
        mine = byKind["web"]
        assert (mine["account"], mine["character"], mine["address"]) == \
            ("root", "Rooty", "127.0.0.1")
        assert (byKind["telnet"]["account"],
                byKind["telnet"]["character"]) == ("bob", "Bob")
        assert (byKind["ssh"]["account"],
                byKind["ssh"]["character"]) == ("carol", "Carol")
        for connection in facts["connections"]:
            assert connection["bytesIn"] > 20, connection
            assert connection["bytesOut"] > 200, connection
            assert 0 <= connection["idleSeconds"] < 60, connection
        # The web socket's bytes in are the frames of what it sent.
        assert mine["bytesIn"] >= sum(
            len('{"type": "line", "text": "look"}') for _ in range(3))

        verbs = {v["verb"]: v for v in facts["verbs"]}
        assert verbs["look"]["count"] == looksBefore + 3
        # Fewer than 20 commands ran: every one is in the slowest list
        # (with the looks front ends run when a character arrives).
        looks = [s["who"] for s in facts["slowest"] if s["verb"] == "look"]
        assert len(looks) == verbs["look"]["count"]
        assert looks.count("Rooty") >= 3 and "Carol" in looks
        assert verbs["say"]["count"] == 2
        assert verbs["(no verb)"]["count"] == 1
        for verb in verbs.values():
            assert 0 < verb["p50Ms"] <= verb["p99Ms"] <= verb["maxMs"]
        lines = {s["line"] for s in facts["slowest"]}
        assert {"look", "say hello", f"say {SCRIPT}", SCRIPT} <= lines
        ms = [s["ms"] for s in facts["slowest"]]
        assert ms == sorted(ms, reverse=True)
        scripted = [s for s in facts["slowest"] if s["line"] == SCRIPT][0]
        assert scripted["who"] == "Bob" and scripted["verb"] == "(no verb)"

        lag = facts["reactorLag"]
        assert lag["samples"] >= 1
        assert 0 <= lag["recentP99Ms"] <= lag["recentMaxMs"] <= lag["maxMs"]
        assert facts["store"]["files"]["db.sqlite"] > 0
        assert facts["store"]["bytes"] >= facts["store"]["files"][
            "db.sqlite"]
        assert abs(facts["store"]["lastCheckpoint"] - time.time()) < 600
        scheduler = facts["scheduler"]
        assert scheduler["running"] is True
        # The default world's NPCs have their next moves scheduled.
        assert len(scheduler["next"]) == min(10, scheduler["pending"]) > 0
        at = [e["at"] for e in scheduler["next"]]
        assert at == sorted(at)
        assert 0 < facts["uptime"] < 120

        # The page: the same facts, every value escaped.
        status, page = admin.request("GET", "/admin")
        page = page.decode()
        assert status == 200
        assert admin.lastHeaders["Content-Type"].startswith("text/html")
        assert admin.lastHeaders["Content-Security-Policy"]
        assert "<td>root</td><td>Rooty</td><td>web</td><td>127.0.0.1</td>" \
            in page
        assert f"<td>look</td><td>{verbs['look']['count']}</td>" in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script" not in page

        # The level is read on every request: promoted in the game, the
        # player's login sees the page; demoted, it doesn't any more.
        for word in ("promote", "promote"):
            ws.say(f"{word} alice")
            ws.until(lambda m: m["type"] == "prompt")
        status, _ = player.request("GET", "/admin.json")
        assert status == 200
        ws.say("demote alice")
        ws.untilText("alice is now a builder.")
        status, _ = player.request("GET", "/admin.json")
        assert status == 403
        ws.close()
        telnet.close()
        ssh.close()
    finally:
        server.stop()


class Alarm(Item):
    """A scheduled thing for the scheduler's part of the page."""

    typeName = "test_admin_alarm"
    schemaVersion = 1
    name = text()

    def run(self):
        return None


def test_scheduler_facts_list_the_next_events_by_queries_only():
    store = Store()
    clock = type("Clock", (), {"seconds": staticmethod(lambda: 1000.0)})
    # No scheduler yet: none is installed by looking.
    facts = schedulerFacts(store, clock)
    assert facts == {"running": False, "eventsRun": 0, "pending": 0,
                     "next": []}
    assert store.findFirst(Scheduler) is None
    scheduler = IScheduler(store)
    late = Alarm(store=store, name="<b>late</b>")
    soon = Alarm(store=store, name="soon")
    scheduler.schedule(late, Time.fromPOSIXTimestamp(1300))
    scheduler.schedule(soon, Time.fromPOSIXTimestamp(1010))
    facts = schedulerFacts(store, clock, limit=1)
    assert facts["pending"] == 2
    assert facts["next"] == [{"at": 1010.0, "inSeconds": 10.0,
                              "runs": f"Alarm #{soon.storeID} (soon)"}]
    events = schedulerFacts(store, clock)["next"]
    assert [e["runs"] for e in events] == [
        describeRunnable(soon), describeRunnable(late)]
    page = renderFacts({
        "now": 1000.0, "started": 900.0, "uptime": 100.0,
        "connections": [], "verbs": [], "slowest": [],
        "reactorLag": {"intervalSeconds": 0.5, "samples": 0,
                       "recentMaxMs": 0, "recentP99Ms": 0, "maxMs": 0},
        "store": storeFacts(store),
        "scheduler": schedulerFacts(store, clock)})
    assert "(&lt;b&gt;late&lt;/b&gt;)" in page and "<b>" not in page
    assert "in memory" in page and "No connections." in page
    store.close()
