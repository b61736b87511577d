"""
The websocket at /ws, end to end: the real server with telnet and the web
on loopback ports, a telnet player under pexpect, and websocket clients
playing the same room.
"""

import socket
import time

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from liveserver import newPlayer
from webkit import Browser, WebServer, texts


@pytest.fixture
def server(tmp_path):
    s = WebServer(str(tmp_path / "store")).start()
    yield s
    s.stop()


def webPlayer(server, account, character):
    """A new account and character made on the site, playing over /ws."""
    browser = Browser(server)
    browser.newAccount(account)
    browser.createCharacter(character)
    ws = browser.websocket()
    ws.play(character)
    ws.until(lambda m: m["type"] == "prompt")
    return browser, ws


def test_sayBothWays(server):
    """A web player and a telnet player in one room hear each other."""
    telnet = newPlayer(server, "bob", "Bob")
    browser, ws = webPlayer(server, "alice", "Alice")
    ws.say("say hello from the web")
    telnet.expect_exact("Alice says, 'hello from the web'")
    telnet.sendline("say hello from telnet")
    got = ws.untilText("Bob says, 'hello from telnet'")
    said = got[-1]
    assert isinstance(said["seq"], int)
    assert any(run["role"] == "speech" for run in said["runs"])
    ws.close()
    telnet.close()


def test_verbsAndThingsInViewForCompletion(server):
    """
    After "playing" the page is told the command words its character may
    use (builder verbs only for builders); looking around tells it what
    lies in the room: the names Tab completes.
    """
    browser, ws = webPlayer(server, "alice", "Alice")
    verbs = [m for m in ws.seen if m.get("package") == "Client.Verbs"]
    assert len(verbs) == 1 and verbs[0]["seq"] is None
    words = verbs[0]["data"]["verbs"]
    assert {"look", "say", "take", "north", "n"} <= set(words)
    assert "dig" not in words          # a builder's verb
    assert words == sorted(words)
    ws.say("look")
    got = ws.until(lambda m: m.get("package") == "Char.Items.List")
    listed = got[-1]
    assert listed["data"]["location"] == "room"
    names = [item["name"] for item in listed["data"]["items"]]
    shown = [t for t in texts(got) if t.startswith("[ Town Square ]")][0]
    assert names and all(name in shown for name in names)
    # The list belongs to the same output as the room's description.
    assert listed["seq"] == [m for m in got if m["type"] == "output"][-1][
        "seq"]
    ws.close()


def closeCode(ws, timeout=10):
    """Read until the server closes C{ws}; the close code it gave."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.next(timeout)
    return closed.value.rcvd.code if closed.value.rcvd else None


def test_resumeAfterServerClose(server):
    """
    The server closes a websocket (a message over the limit); a telnet
    player talks meanwhile; a new websocket sending the last sequence
    number seen gets every line it missed exactly once, in order, then
    the live ones.
    """
    telnet = newPlayer(server, "bob", "Bob")
    browser, ws = webPlayer(server, "alice", "Alice")
    telnet.sendline("say line 1")
    ws.untilText("line 1")
    since = ws.lastSeq()
    ws.ws.send("x" * 100_000)
    code = closeCode(ws)
    assert code in (1009, None)
    for n in (2, 3, 4):
        telnet.sendline(f"say line {n}")
        telnet.expect_exact(f"You say, 'line {n}'")
    again = browser.websocket()
    again.play("Alice", since=since, session=ws.session())
    got = again.untilText("line 4")
    assert got[0] == {"type": "playing", "character": "Alice",
                      "session": ws.session()}
    assert got[1] == {"type": "resumed", "from": since}
    said = [t for t in texts(got) if "line" in t]
    assert said == [f"Bob says, 'line {n}'" for n in (2, 3, 4)]
    seqs = [m["seq"] for m in got if m["type"] == "output"]
    assert seqs == list(range(since + 1, since + 1 + len(seqs)))
    telnet.sendline("say line 5")
    live = again.untilText("line 5")
    assert [t for t in texts(live) if "line" in t] == ["Bob says, 'line 5'"]
    assert live[-1]["seq"] > seqs[-1]
    again.close()
    telnet.close()


def test_messageOverLimit(server):
    """A message just over 64 KiB closes with 1009 and a reason."""
    browser, ws = webPlayer(server, "alice", "Alice")
    ws.ws.send("x" * (64 * 1024 + 100))
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.next()
    assert closed.value.rcvd.code == 1009
    assert "65536" in closed.value.rcvd.reason


def test_megabyteClosesOnlyThatConnection(server):
    """
    A 1 MB message closes the connection that sent it; another web
    player and a telnet player play on.
    """
    telnet = newPlayer(server, "bob", "Bob")
    _, other = webPlayer(server, "carol", "Carol")
    _, ws = webPlayer(server, "alice", "Alice")
    try:
        ws.ws.send("y" * (1024 * 1024))
    except (ConnectionClosed, OSError):
        pass                # the server may close while it is sent
    assert closeCode(ws) in (1009, None)
    telnet.sendline("say still here")
    other.untilText("Bob says, 'still here'")
    other.say("say me too")
    telnet.expect_exact("Carol says, 'me too'")
    other.close()
    telnet.close()


def test_scriptArrivesAsText(server):
    """Markup in speech arrives as the characters typed, in a JSON string."""
    telnet = newPlayer(server, "bob", "Bob")
    _, ws = webPlayer(server, "alice", "Alice")
    telnet.sendline("say <script>alert(1)</script> <img src=x onerror=y>")
    got = ws.untilText("alert")
    text = texts(got)[-1]
    assert "<script>alert(1)</script> <img src=x onerror=y>" in text
    assert "&lt;" not in text
    raw = [m for m in got if m["type"] == "output"][-1]
    assert all(set(run) == {"text", "style", "role"} for run in raw["runs"])
    telnet.close()


def test_crossOriginRefused(server):
    """A websocket from another origin is refused before the upgrade."""
    browser = Browser(server)
    browser.newAccount("alice")
    with pytest.raises(InvalidStatus) as refused:
        browser.websocket(origin="http://evil.example")
    assert refused.value.response.status_code == 403
    assert b"own page" in refused.value.response.body


def test_notLoggedInRefused(server):
    """Without a logged-in cookie, /ws answers 403."""
    browser = Browser(server)
    browser.start()         # a cookie, but nobody logged in
    with pytest.raises(InvalidStatus) as refused:
        browser.websocket()
    assert refused.value.response.status_code == 403
    assert b"not logged in" in refused.value.response.body


def test_protocolErrors(server):
    """Bad messages get an error message and the connection stays."""
    _, ws = webPlayer(server, "alice", "Alice")
    ws.ws.send("not json")
    assert ws.next()["type"] == "error"
    ws.send(type="dance")
    assert "Unknown message type" in ws.next()["message"]
    ws.play("Alice")
    assert "already playing" in ws.next()["message"]
    ws.say("x" * 5000)
    assert "too long" in ws.next()["message"]
    ws.say("look")
    ws.untilText("Town Square")


def test_gapWhenTheSessionEnded(tmp_path):
    """
    Back after the character's session ended (the linger ran out): the
    lines can't be replayed, and the client is told so instead.
    """
    server = WebServer(str(tmp_path / "store"),
                       env={"IMAGINARY_WEB_LINGER_SECONDS": "0.3"}).start()
    try:
        browser, ws = webPlayer(server, "alice", "Alice")
        ws.say("look")
        ws.untilText("Town Square")
        since = ws.lastSeq()
        ws.close()
        deadline = time.time() + 10
        while Browser(server).request("GET", "/status.json")[1][
                "players"] and time.time() < deadline:
            time.sleep(0.1)
        again = browser.websocket()
        again.play("Alice", since=since, session=ws.session())
        assert again.next()["session"] != ws.session()
        assert again.next() == {
            "type": "gap",
            "message": "Some lines were lost while you were away."}
        assert again.next()["package"] == "Client.Verbs"
        # Back in the game after the gap: where you are.
        got = again.until(lambda m: m["type"] == "prompt")
        assert "[ Town Square ]" in texts(got)[0]
        again.say("look")
        again.untilText("Town Square")
    finally:
        server.stop()


def test_resumeAfterClientDrop(server):
    """The client's connection just goes (a laptop lid): resume works."""
    telnet = newPlayer(server, "bob", "Bob")
    browser, ws = webPlayer(server, "alice", "Alice")
    telnet.sendline("say before")
    ws.untilText("before")
    since = ws.lastSeq()
    ws.ws.socket.close()        # no close frame: the network is gone
    telnet.sendline("say while away")
    telnet.expect_exact("You say, 'while away'")
    again = browser.websocket()
    again.play("Alice", since=since, session=ws.session())
    got = again.untilText("while away")
    assert got[1]["type"] == "resumed"
    assert [t for t in texts(got) if "'" in t] == [
        "Bob says, 'while away'"]
    telnet.close()


def test_closeFrame():
    """The Close frame sent before draining a too-big message's rest."""
    from imaginary.frontends.web.gamesocket import closeFrame
    assert closeFrame(1009, "big") == b"\x88\x05\x03\xf1big"
    # The reason is cut so the whole payload fits one length byte.
    assert len(closeFrame(1009, "x" * 500)) == 2 + 125


def test_a_socket_streaming_megabytes_is_read_at_the_byte_rate(server):
    """
    A web client sends frames as fast as its socket takes them (small
    unsolicited pongs: no answer, no output).  The server reads them at
    the input byte rate telnet, SSH and IRC have (limits.InputThrottle),
    so they are taken over time, while a telnet player is still answered.
    A hang check and a bound of a few times what the rate and the
    kernel's buffers allow, not a speed test.
    """
    import threading
    telnet = newPlayer(server, "bob", "Bob")
    _, ws = webPlayer(server, "alice", "Alice")
    sent = [0]
    stop = threading.Event()

    def stream():
        try:
            while not stop.is_set():
                ws.ws.pong(b"p" * 125)
                sent[0] += 131          # the frame: header, mask, payload
        except (ConnectionClosed, OSError, RuntimeError):
            pass
    streamer = threading.Thread(target=stream, daemon=True)
    started = time.monotonic()
    streamer.start()
    time.sleep(1.0)
    telnet.sendline("say still here")
    telnet.expect_exact("You say, 'still here'", timeout=20)
    while time.monotonic() - started < 6.0:
        time.sleep(0.1)
    taken, elapsed = sent[0], time.monotonic() - started
    stop.set()
    ws.ws.socket.shutdown(socket.SHUT_RDWR)     # wakes the blocked send
    streamer.join(10)
    assert not streamer.is_alive()
    allowed = 256 * 1024 + 64 * 1024 * elapsed + 8 * 1024 * 1024
    assert taken < allowed, f"{taken} bytes taken in {elapsed:.1f}s"
    assert taken > 256 * 1024, "the stream was never read"
    telnet.close()
