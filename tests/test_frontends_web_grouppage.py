"""
/g/<handle>/, a story group's page, against the real server over real
HTTP on loopback (tests/webkit.py) and in a real headless Chromium
(tests/browserkit.py).

The world is made before the server starts, straight in its store (the
accounts, their characters, the groups, dated journal entries, list
posts and events at fixed times, so the page's exact text can be
checked); everything after that goes through the running server: logins
over HTTP, characters played and verbs typed over the websocket.
"""

import html
import re
from datetime import datetime, timezone

import pytest
from axe_playwright_python.sync_playwright import Axe
from epsilon.extime import Time
from playwright.sync_api import expect, sync_playwright

from browserkit import launchChromium, overflowing
from webkit import Browser, WebServer

from imaginary.accounts import AccountCharacter, createAccount, hashPassword
from imaginary.mail import lists
from imaginary.shipped import defaultWorld
from imaginary.simulation import groups as model
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import Store
from imaginary.language.grammar import FEMALE
from imaginary.testing import PASSWORD

SCRIPT = "<script>alert(1)</script>"
HOSTILE_NAME = '<i>Owls</i> & "Co"'
LONG_LINE = "word " * 60 + "x" * 300


def at(*fields):
    """An epsilon Time at a fixed moment in UTC."""
    return Time.fromDatetime(datetime(*fields, tzinfo=timezone.utc))


def buildWorld(path):
    """
    The store the server opens: accounts ana, ben, cyd and dee (each
    with one character of its name); The Lantern Society (lanterns: Ana
    founder, Ben, Cyd) with its journal, list archive and events; the
    owls (Ana and Dee) and quiet (Ana alone, nothing in it).
    """
    store = Store(path)
    try:
        store.transact(defaultWorld().build, store)
        world = ImaginaryWorld.get(store)
        digest = hashPassword(PASSWORD, rounds=4)
        people = {}
        for name in ("ana", "ben", "cyd", "dee"):
            account = createAccount(store, name, digest)
            character = world.createCharacter(name.capitalize(), FEMALE)
            store.transact(lambda: AccountCharacter(
                store=store, account=account, character=character))
            people[name] = character
        store.transact(fill, store, people)
    finally:
        store.close()


def fill(store, people):
    """The groups and what is in them (inside a transaction)."""
    ana, ben, cyd, dee = (people[n] for n in ("ana", "ben", "cyd", "dee"))
    lanterns = model.createGroup(ana, "The Lantern Society", "lanterns")
    model.addMember(lanterns, ben)
    model.addMember(lanterns, cyd)
    lanterns.membership(ana).showWhereabouts = True
    lanterns.membership(cyd).showWhereabouts = True
    model.writeJournal(lanterns, ana, "We found the lantern under the "
                       "bridge.", when=at(2026, 3, 1, 9, 30))
    model.writeJournal(lanterns, "Mara", "The river remembers.",
                       when=at(2026, 3, 2, 18, 5))
    lists.archive(lanterns, "<1@game>", "Ana", "Meeting at the inn",
                  "Eight o'clock, by the fire.\nBring the map.",
                  authorCharacter=ana, when=at(2026, 3, 3, 10, 0))
    lists.archive(lanterns, "<2@game>", "Cyd", "The map",
                  LONG_LINE, authorCharacter=cyd,
                  when=at(2026, 3, 4, 8, 0))
    lists.archive(lanterns, "<3@mail>", "Ben <ben@example.org>",
                  "Re: Meeting at the inn", "I'll be late.",
                  inReplyTo="<1@game>", when=at(2026, 3, 5, 7, 45))
    for when, description in ((at(2099, 6, 1, 21, 0),
                               "Mara's letter arrives"),
                              (at(2098, 1, 1, 12, 0), "The fair opens"),
                              (at(2001, 1, 1, 0, 0), "Long ago")):
        # What the page reads; the scheduled work itself
        # (scheduleForGroup's runnable) is not the page's business.
        model.GroupEvent(store=store, group=lanterns, when=when,
                         description=description)
    owls = model.createGroup(dee, HOSTILE_NAME, "owls")
    model.addMember(owls, ana)
    lists.archive(owls, "<4@mail>", "Eve <eve@example.org>",
                  "</pre><b>bold</b>", "</pre>" + SCRIPT, when=at(
                      2026, 3, 6, 12, 0))
    model.createGroup(ana, "Quiet Ones", "quiet")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("groups") / "store")
    buildWorld(path)
    s = WebServer(path).start()
    # Ana is in play for the whole module (her page says so).
    ana = Browser(s)
    assert ana.login("ana")[0] == 200
    ws = ana.websocket()
    ws.play("Ana")
    ws.until(lambda m: m["type"] == "prompt")
    yield s
    ws.close()
    log = s.stop()
    assert "Traceback" not in log and "HEAD request" not in log, log


def member(server, account):
    """A Browser logged in as C{account}."""
    browser = Browser(server)
    status, body = browser.login(account)
    assert status == 200, body
    return browser


def plain(fragment):
    """An HTML fragment's text: tags out, entities read, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def section(page, name):
    """The HTML of the page's section (or nav) headed by id C{name}."""
    found = re.search(r'<(section|nav) aria-labelledby="' + name +
                      r'">(.*?)</\1>', page, re.DOTALL)
    assert found, f"no section {name}"
    return found.group(2)


def items(fragment):
    """The text of each top-level <li> of an HTML fragment."""
    return [plain(li) for li in re.findall(r"<li>(.*?)</li>", fragment,
                                           re.DOTALL)]


def getPage(browser, path="/g/lanterns/"):
    status, body = browser.request("GET", path)
    return status, body.decode("utf-8")


def test_memberSeesEverySection(server):
    """
    A member's page: name and handle, members with roles and (where
    allowed) whereabouts, the journal newest first, dated and signed,
    the archive by thread, the events to come, the other groups.
    """
    status, page = getPage(member(server, "ben"))
    assert status == 200
    assert "<title>The Lantern Society</title>" in page
    assert "<h1>The Lantern Society</h1>" in page
    assert plain(re.search(r"<header.*?</header>", page, re.DOTALL)
                 .group(0)) == "The Lantern Society Handle: lanterns Play"
    assert items(section(page, "members")) == [
        "Ana (founder) In play now, in Town Square.",
        "Ben (member)",
        "Cyd (member) Not in play; last in Town Square."]
    assert items(section(page, "journal")) == [
        "2026-03-02 18:05 UTC, signed Mara The river remembers.",
        "2026-03-01 09:30 UTC, signed Ana We found the lantern under the "
        "bridge."]
    assert '<time datetime="2026-03-02T18:05Z">2026-03-02 18:05 UTC</time>' \
        in page

    archive = section(page, "archive")
    threads = re.findall(r'<article class="thread">(.*?)</article>',
                         archive, re.DOTALL)
    # The thread with the newest post first; its posts oldest first.
    assert [plain(re.search(r"<h3>(.*?)</h3>", t).group(1))
            for t in threads] == ["Meeting at the inn", "The map"]
    assert [plain(re.search(r'<p class="meta">(.*?)</p>', li).group(1))
            for li in re.findall(r"<li>(.*?)</li>", threads[0], re.DOTALL)
            ] == ["Ana, 2026-03-03 10:00 UTC",
                  "Ben <ben@example.org>, 2026-03-05 07:45 UTC "
                  "Re: Meeting at the inn"]
    bodies = re.findall(r'<pre class="post-body">(.*?)</pre>', archive,
                        re.DOTALL)
    assert bodies == ["Eight o&#x27;clock, by the fire.\nBring the map.",
                      "I&#x27;ll be late.", LONG_LINE]
    assert plain(threads[0]).startswith("Meeting at the inn 2 posts")

    # Soonest first; the one in the past is gone.
    assert items(section(page, "upcoming")) == [
        "2098-01-01 12:00 UTC: The fair opens",
        "2099-06-01 21:00 UTC: Mara's letter arrives"]
    assert "Long ago" not in page
    # Ben is in no other group.
    assert 'aria-labelledby="others"' not in page


def test_otherGroupsAndEmptySections(server):
    """
    Ana's page links her other groups; a group with nothing in it says
    so, section by section.
    """
    ana = member(server, "ana")
    status, page = getPage(ana)
    assert status == 200
    others = section(page, "others")
    assert re.findall(r'<a href="([^"]*)">(.*?)</a>', others) == [
        ("/g/owls/", html.escape(HOSTILE_NAME)), ("/g/quiet/", "Quiet Ones")]
    status, page = getPage(ana, "/g/quiet/")
    assert status == 200
    assert items(section(page, "members")) == ["Ana (founder)"]
    assert plain(section(page, "journal")) == \
        "Journal No journal entries yet."
    assert plain(section(page, "archive")) == \
        "Mailing list No posts to the list yet."
    assert plain(section(page, "upcoming")) == \
        "Coming up Nothing is coming up."


def test_whereaboutsOnlyWhenAllowed(server):
    """
    Ben plays, but his whereabouts appear only once he says 'group
    whereabouts show' (the real verb, over the websocket), and go again
    with 'hide'.
    """
    cyd = member(server, "cyd")
    ben = member(server, "ben")
    ws = ben.websocket()
    try:
        ws.play("Ben")
        ws.until(lambda m: m["type"] == "prompt")
        assert items(section(getPage(cyd)[1], "members"))[1] == \
            "Ben (member)"
        ws.say("group whereabouts show")
        ws.untilText("page will show where you are")
        assert items(section(getPage(cyd)[1], "members"))[1] == \
            "Ben (member) In play now, in Town Square."
        ws.say("north")
        ws.untilText("The Wayside Inn")
        assert items(section(getPage(cyd)[1], "members"))[1] == \
            "Ben (member) In play now, in The Wayside Inn."
        ws.say("group whereabouts hide")
        ws.untilText("page will not show where you are")
        status, page = getPage(cyd)
        assert items(section(page, "members"))[1] == "Ben (member)"
        assert "Wayside" not in page
    finally:
        ws.close()


def notFound(browser, path, method="GET"):
    """(status, body, headers but Date) of one request."""
    status, body = browser.request(method, path)
    headers = sorted((k, v) for k, v in browser.lastHeaders.items()
                     if k.lower() != "date")
    return status, body, headers


def test_nonMemberUnknownAndLoggedOutIdentical(server):
    """
    A logged-in non-member, a handle nobody has, a bad handle, and any
    /g/ path without a login: the same 404, byte for byte, headers too.
    """
    dee = member(server, "dee")             # in owls, not in lanterns
    anonymous = Browser(server)
    withCookie = Browser(server)
    withCookie.start()                      # a cookie, but no login
    expected = notFound(dee, "/g/lanterns/")
    status, body, headers = expected
    assert status == 404
    assert plain(body.decode()) == (
        "No such page No such page There is no page here. A group's page "
        "is only for its members: log in on the game's page with the "
        "account of one of its characters, then come back to this "
        "address.")
    assert "Lantern" not in body.decode()
    assert dict(headers)["Content-Security-Policy"].startswith(
        "default-src 'self';")
    assert "Set-Cookie" not in dict(headers)
    for browser in (dee, anonymous, withCookie):
        for path in ("/g/lanterns/", "/g/nosuch/", "/g/owls-x/",
                     "/g/a/", "/g/lanterns/journal",
                     "/g/", "/g", "/g/%6canterns/", "/g/lanterns//"):
            assert notFound(browser, path) == expected, (browser, path)
    for browser in (anonymous, withCookie):
        assert notFound(browser, "/g/owls/") == expected
    # Dee's own group is there for her.
    assert getPage(dee, "/g/owls/")[0] == 200
    # Without the slash: a redirect decided by the path alone.
    redirects = set()
    for browser in (dee, anonymous):
        for handle in ("lanterns", "nosuch", "owls"):
            status, _, headers = notFound(browser, f"/g/{handle}")
            assert status == 302
            redirects.add(dict(headers)["Location"].replace(handle, "H"))
        # Handles are lowercase: any other case is sent to the lowercase
        # page, whoever asks, whether or not the group exists.
        for handle in ("Lanterns", "NOSUCH", "Owls"):
            status, _, headers = notFound(browser, f"/g/{handle}/")
            assert status == 302
            redirects.add(dict(headers)["Location"].replace(
                handle.lower(), "H"))
    assert redirects == {"/g/H/"}


def test_hostileTextEscaped(server):
    """
    A journal entry written with the real verb, a group name and a post
    full of markup: all shown as text, nothing of it as HTML.
    """
    dee = member(server, "dee")
    ws = dee.websocket()
    try:
        ws.play("Dee")
        ws.until(lambda m: m["type"] == "prompt")
        ws.say("group journal " + SCRIPT)
        ws.untilText("journal (entry 1)")
    finally:
        ws.close()
    status, page = getPage(dee, "/g/owls/")
    assert status == 200
    assert "<script" not in page and "<b>" not in page
    assert "<i>" not in page
    assert items(section(page, "journal"))[0].endswith(
        "signed Dee " + SCRIPT)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f"<h1>{html.escape(HOSTILE_NAME)}</h1>" in page
    assert re.findall(r'<pre class="post-body">(.*?)</pre>', page,
                      re.DOTALL) == [html.escape("</pre>" + SCRIPT)]
    assert plain(re.search(r"<h3>(.*?)</h3>", page).group(1)) == \
        "</pre><b>bold</b>"


def test_noScriptNoInlineStyle(server):
    """The page only links our style sheet: nothing the CSP would refuse."""
    status, page = getPage(member(server, "ana"))
    assert status == 200
    assert "<script" not in page and "<style" not in page
    assert " style=" not in page
    assert not re.search(r"<[^>]*\son[a-z]+=", page)
    assert re.findall(r'(?:src|href)="([^"]*)"', page) == [
        "/static/client.css", "/", "/g/owls/", "/g/quiet/"]


def test_headAndOtherMethods(server):
    """HEAD is GET without the body; other methods are 405 with Allow."""
    ben = member(server, "ben")
    status, page = ben.request("GET", "/g/lanterns/")
    length = ben.lastHeaders["Content-Length"]
    status, body = ben.request("HEAD", "/g/lanterns/")
    assert (status, body) == (200, b"")
    assert ben.lastHeaders["Content-Length"] == length == str(len(page))
    assert ben.lastHeaders["Content-Type"] == "text/html; charset=utf-8"
    assert ben.lastHeaders["Content-Security-Policy"]
    status, body = member(server, "dee").request("HEAD", "/g/lanterns/")
    assert (status, body) == (404, b"")
    for method in ("POST", "PUT", "DELETE", "OPTIONS"):
        for browser in (ben, Browser(server)):
            for path in ("/g/lanterns/", "/g/nosuch/"):
                status, _ = browser.request(method, path)
                assert status == 405, (method, path)
                allowed = browser.lastHeaders["Allow"]
                assert sorted(m.strip() for m in allowed.split(",")) == [
                    "GET", "HEAD"]


# -- in a real browser ------------------------------------------------------

@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = launchChromium(playwright)
        yield browser
        browser.close()


def logIn(chromium, origin, account):
    """A browser context logged in as C{account} on the game's page."""
    context = chromium.new_context(viewport={"width": 390, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(origin + "/")
    page.get_by_label("Account name").fill(account)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#characters-view")).to_be_visible()
    page.close()
    return context


def axeViolations(page):
    """axe-core's findings on the page as it is now (rule: elements)."""
    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): " + ", ".join(
        node["target"][0] for node in v["nodes"]) for v in found]


def test_inChromium(server, chromium):
    """
    A member logs in on the game's page and opens her group's page: the
    journal and a list thread are there, nothing sticks out sideways on
    a phone, every request goes to the game's own origin, and axe-core
    finds nothing in the light or the dark colour scheme.  A
    non-member gets the 404.  With JavaScript off the page is the same.
    """
    origin = server.origin
    context = logIn(chromium, origin, "cyd")
    try:
        page = context.new_page()
        requests = []
        page.on("request", lambda request: requests.append(request.url))
        response = page.goto(origin + "/g/lanterns/")
        assert response.status == 200
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "The Lantern Society")
        journal = page.locator("section[aria-labelledby=journal] li")
        expect(journal).to_have_text([
            "2026-03-02 18:05 UTC, signed Mara The river remembers.",
            "2026-03-01 09:30 UTC, signed Ana We found the lantern "
            "under the bridge."])
        thread = page.locator("article.thread").first
        expect(thread.locator("h3")).to_have_text("Meeting at the inn")
        expect(thread.locator("pre").first).to_have_text(
            "Eight o'clock, by the fire.\nBring the map.")
        # The style sheet applied: the page scrolls, the bodies wrap.
        assert page.evaluate("getComputedStyle(document.body).overflow") \
            == "visible"
        assert page.locator("pre").last.evaluate(
            "e => getComputedStyle(e).whiteSpace") == "pre-wrap"
        assert overflowing(page) == []
        assert sorted(set(requests)) == [origin + "/g/lanterns/",
                                         origin + "/static/client.css"]
        assert all(url.startswith(origin + "/") for url in requests)
        # Readable and well-formed in both colour schemes (axe-core runs
        # through Playwright, not as a request of the page's own).
        assert axeViolations(page) == []
        page.emulate_media(color_scheme="dark")
        assert page.evaluate("getComputedStyle(document.body)"
                             ".backgroundColor") == "rgb(22, 24, 28)"
        assert axeViolations(page) == []
        page.emulate_media(color_scheme="light")
        text = page.locator("main").inner_text()

        # JavaScript off, the same login: the same page.
        quiet = chromium.new_context(
            java_script_enabled=False, storage_state=context.storage_state(),
            viewport={"width": 390, "height": 800})
        try:
            still = quiet.new_page()
            assert still.goto(origin + "/g/lanterns/").status == 200
            assert still.locator("main").inner_text() == text
            expect(still.locator("section[aria-labelledby=journal] li")
                   ).to_have_count(2)
        finally:
            quiet.close()
    finally:
        context.close()

    outsider = logIn(chromium, origin, "dee")
    try:
        page = outsider.new_page()
        response = page.goto(origin + "/g/lanterns/")
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "No such page")
        assert "Lantern" not in page.content()
    finally:
        outsider.close()
