"""
The web client as a person uses it: the real server, the page in a real
headless Chromium (Playwright driving Debian's /usr/bin/chromium), and a
telnet player in the same room through the real telnet client.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from browserkit import Relay, launchChromium, overflowing
from liveserver import newPlayer
from webkit import WebServer

from imaginary.testing import PASSWORD


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = launchChromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def server(tmp_path):
    s = WebServer(str(tmp_path / "store")).start()
    yield s
    s.stop()


@pytest.fixture
def context(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    yield context
    context.close()


def outputLines(page):
    """The lines the output window shows, as text."""
    return page.locator("#output .line").all_inner_texts()


def newCharacter(page, origin, account, character):
    """Open the page, make an account and a character, and play it."""
    page.goto(origin + "/")
    page.get_by_label("Account name").fill(account)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create this account").click()
    expect(page.locator("#characters-view")).to_be_visible()
    page.get_by_label("Name", exact=True).fill(character)
    page.get_by_role("button", name="Create", exact=True).click()
    page.get_by_role("button", name=f"Play {character}").click()
    expect(page.locator("#output")).to_contain_text("[ Town Square ]")
    expect(page.locator("#room-name")).to_have_text("Town Square")


def typeCommand(page, text):
    """Type a command and press Enter, as a person does."""
    command = page.locator("#command")
    command.click()
    command.press_sequentially(text)
    command.press("Enter")


def test_playAlongsideTelnet(server, context, tmp_path):
    """
    Make an account and a character on the page, walk by clicking an
    exit, take a thing named by Tab completion, hear a telnet player and
    answer (Tab completes the player's name; telnet hears the answer),
    then go back through history with the arrow keys.
    """
    page = context.new_page()
    newCharacter(page, server.origin, "alice", "Alice")
    telnet = newPlayer(server, "bobby", "Bob")
    try:
        page.locator("#exits").get_by_role("button", name="north").click()
        expect(page.locator("#room-name")).to_have_text("The Wayside Inn")
        expect(page.locator("#output")).to_contain_text("loaf of bread")

        command = page.locator("#command")
        command.press_sequentially("take lo")
        command.press("Tab")
        expect(command).to_have_value("take loaf of bread ")
        command.press("Enter")
        expect(page.locator("#output")).to_contain_text(
            "You take the loaf of bread.")
        expect(command).to_have_value("")

        telnet.sendline("north")
        telnet.expect_exact("[ The Wayside Inn ]")
        telnet.sendline("say hello, web")
        expect(page.locator("#output")).to_contain_text(
            "Bob says, 'hello, web'")
        command.press_sequentially("say hi B")
        command.press("Tab")
        expect(command).to_have_value("say hi Bob ")
        command.press("Enter")
        telnet.expect_exact("Alice says, 'hi Bob'")

        command.press("ArrowUp")
        expect(command).to_have_value("say hi Bob ")
        command.press("ArrowUp")
        expect(command).to_have_value("take loaf of bread ")
        command.press("ArrowDown")
        command.press("ArrowDown")
        expect(command).to_have_value("")
        stored = page.evaluate(
            "JSON.parse(localStorage.getItem('imaginary.history'))")
        assert stored[-2:] == ["take loaf of bread ", "say hi Bob "]

        # Every line of the game once, in the order it happened.
        lines = outputLines(page)
        said = [line for line in lines if "hello, web" in line
                or "hi Bob" in line]
        assert said == ["Bob says, 'hello, web'", "> say hi Bob ",
                        "You say, 'hi Bob'"]
    finally:
        telnet.close()


def test_layoutOnDesktopAndPhone(server, context, tmp_path):
    """
    The game fits a 1280x800 window and a 360x740 phone: no element
    sticks out sideways, the panel and the command line are on screen.
    """
    page = context.new_page()
    page.goto(server.origin + "/")
    assert overflowing(page) == []
    newCharacter(page, server.origin, "alice", "Alice")
    typeCommand(page, "say " + "a-very-long-unbroken-word" * 12)
    expect(page.locator("#output")).to_contain_text("You say")
    for width, height in ((1280, 800), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(tmp_path / f"game-{width}x{height}.png"))
        assert overflowing(page) == [], (width, height)
        for selector in ("#command", "#exits", "#output"):
            box = page.locator(selector).bounding_box()
            assert box and box["x"] >= 0 and \
                box["x"] + box["width"] <= width, selector
            assert box["y"] + box["height"] <= height + 1, selector
    page.set_viewport_size({"width": 360, "height": 740})
    page.get_by_role("button", name="Characters").click()
    expect(page.locator("#characters-view")).to_be_visible()
    assert overflowing(page) == []


def test_resumeAfterTheConnectionDrops(server, context):
    """
    The connection drops mid-conversation (the relay between page and
    server is cut) while a telnet player goes on talking: the page
    reconnects by itself, says so meanwhile, and shows every line exactly
    once, in order.
    """
    relay = Relay(server.webPort)
    page = context.new_page()
    telnet = newPlayer(server, "bobby", "Bob")
    try:
        newCharacter(page, relay.origin, "alice", "Alice")
        telnet.sendline("say line 1")
        expect(page.locator("#output")).to_contain_text("line 1")
        relay.cut()
        for n in range(2, 7):
            telnet.sendline(f"say line {n}")
            telnet.expect_exact(f"You say, 'line {n}'")
        expect(page.locator("#state")).to_contain_text("reconnecting")
        expect(page.locator("#output")).to_contain_text("line 6")
        expect(page.locator("#state")).to_have_text("Playing Alice.")
        telnet.sendline("say line 7")
        expect(page.locator("#output")).to_contain_text("line 7")
        said = [line for line in outputLines(page) if "line" in line]
        assert said == [f"Bob says, 'line {n}'" for n in range(1, 8)]
        assert not any("lost" in line for line in outputLines(page))
    finally:
        telnet.close()
        relay.close()


def test_gapIsSaid(tmp_path, context):
    """
    Back after the character left the game (the linger ran out while the
    connection was down): the page says lines were lost, and plays on.
    """
    server = WebServer(str(tmp_path / "store"),
                       env={"IMAGINARY_WEB_LINGER_SECONDS": "0.2"}).start()
    relay = Relay(server.webPort)
    try:
        page = context.new_page()
        newCharacter(page, relay.origin, "alice", "Alice")
        relay.cut()
        expect(page.locator("#output")).to_contain_text(
            "Some lines were lost while you were away.")
        expect(page.locator("#state")).to_have_text("Playing Alice.")
        typeCommand(page, "say still here")
        expect(page.locator("#output")).to_contain_text(
            "You say, 'still here'")
    finally:
        relay.close()
        server.stop()


def test_typedWhileDisconnectedIsKept(server, context):
    """A command typed while the connection is down stays in the line."""
    relay = Relay(server.webPort)
    page = context.new_page()
    try:
        newCharacter(page, relay.origin, "alice", "Alice")
        # The network is gone: the relay neither carries nor accepts.
        relay.close()
        expect(page.locator("#state")).to_contain_text("reconnecting")
        typeCommand(page, "say kept for later")
        expect(page.locator("#command")).to_have_value("say kept for later")
        expect(page.locator("#state")).to_contain_text("kept")
        assert not any("kept for later" in line
                       for line in outputLines(page))
    finally:
        relay.close()


def test_textIsNeverMarkup(server, context):
    """
    What another player says arrives as text, however it looks like HTML:
    no element is made from it and no script runs.
    """
    page = context.new_page()
    newCharacter(page, server.origin, "alice", "Alice")
    telnet = newPlayer(server, "bobby", "Bob")
    try:
        for text in ("<script>window.pwned=1</script>",
                     "<img src=x onerror=\"window.pwned=2\">"):
            telnet.sendline("say " + text)
            expect(page.locator("#output")).to_contain_text(text)
        assert page.evaluate("window.pwned") is None
        assert page.locator("#output img, #output script").count() == 0
    finally:
        telnet.close()


def test_channelLinesInTheTalkPane(server, context):
    """A telnet player talks on the default channel: the page shows the
    line in its output and in the talk pane."""
    page = context.new_page()
    newCharacter(page, server.origin, "alice", "Alice")
    telnet = newPlayer(server, "bobby", "Bob")
    try:
        telnet.sendline("ooc hello, channel")
        expect(page.locator("#output")).to_contain_text(
            "[ooc] Bob says, 'hello, channel'")
        expect(page.locator("#channel-log")).to_have_text(
            "[ooc] Bob: hello, channel")
    finally:
        telnet.close()


def test_browserSecurity(server, context):
    """
    As Chromium sees it: the session cookie is HttpOnly and
    SameSite=Strict and hidden from scripts; the page's Content-Security-
    Policy is there; a websocket from another origin is refused while one
    from the page's own is not; a form without its CSRF token is refused;
    a 1 MB message closes only the socket that sent it.
    """
    relay = Relay(server.webPort)
    try:
        page = context.new_page()
        response = page.goto(server.origin + "/")
        assert "default-src 'self'" in response.headers[
            "content-security-policy"]
        newCharacter(page, server.origin, "alice", "Alice")
        [cookie] = [c for c in context.cookies()
                    if c["name"] == "imaginary_session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert "imaginary_session" not in page.evaluate("document.cookie")

        opening = """url => new Promise(done => {
            setTimeout(() => done('no answer'), 10000);
            const ws = new WebSocket(url);
            ws.onopen = () => { done('open'); ws.close(); };
            ws.onclose = e => done('closed ' + e.code);
        })"""
        own = f"ws://127.0.0.1:{server.webPort}/ws"
        assert page.evaluate(opening, own) == "open"
        # The relay's port is another origin; the cookie (per host, not
        # port) goes along, so only the Origin check stands in the way.
        # A page of that other origin that allows what it likes (the
        # page is made up here; no request for it leaves the browser).
        other = context.new_page()
        other.route(relay.origin + "/elsewhere", lambda route: route.fulfill(
            body="<!DOCTYPE html><title>elsewhere</title>",
            content_type="text/html"))
        other.goto(relay.origin + "/elsewhere")
        assert other.evaluate(opening, own) == "closed 1006"

        status = page.evaluate("""() => fetch('/characters', {
            method: 'POST',
            body: new URLSearchParams({action: 'create', name: 'Mallory',
                                       gender: 'male'})}).then(r => r.status)
        """)
        assert status == 403
        names = page.evaluate("""() => fetch('/characters').then(
            r => r.json()).then(j => j.characters.map(c => c.name))""")
        assert names == ["Alice"]

        code = page.evaluate("""url => new Promise(done => {
            setTimeout(() => done('no close'), 10000);
            const ws = new WebSocket(url);
            ws.onopen = () => ws.send('x'.repeat(1 << 20));
            ws.onclose = e => done(e.code);
        })""", own)
        assert code == 1009
        typeCommand(page, "look")
        expect(page.locator("#output .line").last).to_contain_text(
            "Here, you see")
    finally:
        relay.close()


def test_loginRefusalKeepsWhatWasTyped(server, context):
    """A wrong password is said on the page; the fields stay as typed."""
    page = context.new_page()
    newCharacter(page, server.origin, "alice", "Alice")
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#login-view")).to_be_visible()
    page.get_by_label("Account name").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#problem")).to_be_visible()
    assert re.search(r"password", page.locator("#problem").inner_text(),
                     re.I)
    expect(page.get_by_label("Account name")).to_have_value("alice")
    expect(page.get_by_label("Password")).to_have_value("not the password")


def test_accessibility(server, context):
    """
    The output is a polite live log; every control of each view is
    reached with Tab alone; screen-reader mode is one column without the
    brackets around room names.
    """
    page = context.new_page()
    page.goto(server.origin + "/")
    output = page.locator("#output")
    assert output.get_attribute("role") == "log"
    assert output.get_attribute("aria-live") == "polite"
    assertTabReachesEverything(page)
    assert axeViolations(page) == []
    newCharacter(page, server.origin, "alice", "Alice")
    assertTabReachesEverything(page)
    assert axeViolations(page) == []
    page.get_by_role("button", name="Characters").click()
    expect(page.locator("#characters-view")).to_be_visible()
    assert axeViolations(page) == []
    page.get_by_role("button", name="Play Alice").click()
    expect(page.locator("#state")).to_have_text("Playing Alice.")
    page.get_by_label("Screen reader").check()
    typeCommand(page, "look")
    expect(output.locator(".line").filter(has_text="Town Square").last
           ).to_have_text("Town Square")
    panel = page.locator("#panel").bounding_box()
    play = page.locator(".play").bounding_box()
    assert panel["y"] >= play["y"] + play["height"] - 1


def axeViolations(page):
    """axe-core's findings on the page as it is now (rule: elements)."""
    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): " + ", ".join(
        node["target"][0] for node in v["nodes"]) for v in found]


def assertTabReachesEverything(page):
    """Tab from the top of the page reaches every visible control."""
    wanted = set(page.evaluate("""() => [...document.querySelectorAll(
        'a[href], button, input, select, [tabindex="0"]')]
        .filter(e => e.offsetParent !== null && !e.closest('[hidden]'))
        .map(e => e.id || e.textContent.trim())"""))
    page.locator("body").focus()
    page.evaluate("document.activeElement.blur()")
    seen = set()
    for _ in range(len(wanted) * 2 + 5):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("""() => {
            const e = document.activeElement;
            return e ? (e.id || e.textContent.trim()) : null; }"""))
    assert wanted - seen == set()
