"""
The web front end's pages over real HTTP on a loopback port: the cookie
and its flags, CSRF and Origin checks on every POST, logging in and out
through the shared portal and throttle, accounts and characters as data.
"""

import re

import pytest

from liveserver import newPlayer, spawnTelnet
from webkit import Browser, WebServer

from imaginary.testing import ACCOUNT_PROMPT, PASSWORD, PASSWORD_PROMPT


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = WebServer(str(tmp_path_factory.mktemp("web") / "store")).start()
    yield s
    s.stop()


def test_securityHeaders(server):
    """The page: a strict CSP, nosniff, no referrer, and the cookie."""
    browser = Browser(server)
    status, body = browser.request("GET", "/")
    assert status == 200
    page = body.decode()
    # Nothing the CSP would refuse: every script is a file of our own, no
    # inline script or style, no address of another site.
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts == [' src="/static/client.js" defer']
    assert "<style" not in page and " style=" not in page
    assert not re.search(r"<[^>]*\son[a-z]+=", page)
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    headers = browser.lastHeaders
    assert headers["Content-Security-Policy"].startswith(
        "default-src 'self';")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert browser.cookie


def test_staticFiles(server):
    """
    The page's script and style sheet come from the package with the
    same headers as every page; nothing outside the static folder does.
    """
    browser = Browser(server)
    for name, kind in (("client.js", "text/javascript"),
                       ("client.css", "text/css")):
        status, body = browser.request("GET", "/static/" + name)
        assert status == 200 and len(body) > 1000
        headers = browser.lastHeaders
        assert headers["Content-Type"].startswith(kind)
        assert headers["Content-Security-Policy"].startswith(
            "default-src 'self';")
        assert headers["X-Content-Type-Options"] == "nosniff"
    for path in ("/static/nothing.js", "/static/../static.py",
                 "/static/%2e%2e%2fstatic.py", "/static/index.py",
                 "/static/", "/static/.hidden.js"):
        status, _ = browser.request("GET", path)
        assert status == 404, path


def test_cookieFlags(server):
    """HttpOnly, SameSite=Strict, Path=/, and no Secure over plain HTTP."""
    browser = Browser(server)
    browser.request("GET", "/session")
    cookie = browser.lastHeaders["Set-Cookie"]
    flags = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert "httponly" in flags
    assert "samesite=strict" in flags
    assert "path=/" in flags
    assert "secure" not in flags
    # An opaque id and a signature: nothing about the account, no token.
    assert browser.cookie.count(".") == 1


def test_forgedCookieIgnored(server):
    """A cookie whose signature is wrong counts as no cookie."""
    browser = Browser(server)
    browser.newAccount("forger")
    sessionId, _, mac = browser.cookie.rpartition(".")
    browser.cookie = sessionId + "." + "0" * len(mac)
    status, body = browser.request("GET", "/characters")
    assert status == 401


def test_postWithoutCSRFRefused(server):
    """A POST without the token (or with another's) is refused, 403."""
    browser = Browser(server)
    browser.start()
    status, body = browser.request(
        "POST", "/account", {"account": "mallory", "password": PASSWORD},
        csrf=False)
    assert status == 403
    assert "reload the page" in body["error"]
    other = Browser(server)
    other.start()
    browser.csrf = other.csrf
    status, body = browser.request(
        "POST", "/account", {"account": "mallory", "password": PASSWORD})
    assert status == 403
    # The token as a form field works as well as the header.
    browser.csrf, token = None, Browser(server).start()["csrf"]
    status, _ = browser.request(
        "POST", "/account",
        {"account": "mallory", "password": PASSWORD, "csrf": token})
    assert status == 403        # a token, but not this cookie's


def test_postFromAnotherOriginRefused(server):
    """A POST with a foreign Origin, or none, is refused, 403."""
    browser = Browser(server, origin="http://evil.example")
    browser.start()
    status, body = browser.request(
        "POST", "/login", {"account": "x", "password": "y"})
    assert status == 403
    assert "own page" in body["error"]
    browser = Browser(server)
    browser.start()
    status, body = browser.request(
        "POST", "/login", {"account": "x", "password": "y"}, origin=False)
    assert status == 403


def test_accountLoginLogout(server):
    """Make an account, log out, log in again (a new cookie each time)."""
    browser = Browser(server)
    made = browser.newAccount("dora")
    assert made["account"] == "dora" and made["characters"] == []
    first = browser.cookie
    status, body = browser.request("POST", "/logout")
    assert status == 200 and body["account"] is None
    assert browser.request("GET", "/characters")[0] == 401
    status, body = browser.login("dora", "wrong password")
    assert status == 401
    assert body == {"error": "That account name and password don't match."}
    status, body = browser.login("dora")
    assert status == 200 and body["account"] == "dora"
    assert browser.cookie != first
    assert browser.request("GET", "/session")[1]["account"] == "dora"


def test_accountRefusals(server):
    """A taken name and a short password are refused with their reasons."""
    browser = Browser(server)
    browser.newAccount("erin")
    other = Browser(server)
    other.start()
    status, body = other.request(
        "POST", "/account", {"account": "Erin", "password": PASSWORD})
    assert status == 400 and "taken" in body["error"]
    status, body = other.request(
        "POST", "/account", {"account": "fred", "password": "abc"})
    assert status == 400 and "password" in body["error"].lower()


def test_characters(server):
    """The character list as data; create and delete; refusals."""
    browser = Browser(server)
    browser.newAccount("gina")
    body = browser.createCharacter("Gwen", "female")
    assert body["characters"] == [
        {"name": "Gwen", "gender": "female", "playing": 0}]
    status, body = browser.request("POST", "/characters", {
        "action": "create", "name": "Gwen", "gender": "male"})
    assert status == 400 and "taken" in body["error"]
    status, body = browser.request("POST", "/characters", {
        "action": "create", "name": "Hal", "gender": "robot"})
    assert status == 400 and "Usage" in body["error"]
    status, body = browser.request("GET", "/characters")
    assert [c["name"] for c in body["characters"]] == ["Gwen"]
    status, body = browser.request("POST", "/characters", {
        "action": "delete", "name": "gwen"})
    assert status == 200 and body["characters"] == []
    status, body = browser.request("POST", "/characters", {
        "action": "fly"})
    assert status == 400


def test_logoutClosesWebsockets(server):
    """Logging out closes that login's websockets; the character leaves."""
    browser = Browser(server)
    browser.newAccount("ivy")
    browser.createCharacter("Ivy")
    ws = browser.websocket()
    ws.play("Ivy")
    ws.until(lambda m: m["type"] == "prompt")
    browser.request("POST", "/logout")
    from websockets.exceptions import ConnectionClosed
    with pytest.raises(ConnectionClosed):
        while True:
            ws.next()
    status, facts = browser.request("GET", "/status.json")
    assert facts["connections"].get("web", 0) == 0


def test_throttleSharedWithTelnet(tmp_path):
    """Five wrong web logins, and telnet from that address is throttled."""
    server = WebServer(str(tmp_path / "store")).start()
    try:
        telnet = newPlayer(server, "jack", "Jack")
        telnet.close()
        browser = Browser(server)
        for _ in range(5):
            status, body = browser.login("jack", "not the password")
            assert status == 401
        status, body = browser.login("jack")
        assert status == 401 and body["error"].startswith(
            "Too many failed logins")
        child = spawnTelnet(server)
        child.expect_exact(ACCOUNT_PROMPT)
        child.sendline("jack")
        child.expect_exact(PASSWORD_PROMPT)
        child.sendline(PASSWORD)
        child.expect_exact("Too many failed logins")
        child.close()
    finally:
        server.stop()


def test_unknownPathsAndMethods(server):
    """Unknown paths are 404; GET on a POST-only page is refused."""
    browser = Browser(server)
    assert browser.request("GET", "/nothing")[0] == 404
    assert browser.request("GET", "/login")[0] == 405


class TLSRequest:
    """What cookieFlags asks of a twisted.web request that came over TLS."""

    def __init__(self, secure):
        self.secure = secure

    def isSecure(self):
        return self.secure


def test_cookieSecureUnderTLS():
    from imaginary.frontends.web.pages import cookieFlags
    assert cookieFlags(TLSRequest(True))["secure"] is True
    assert cookieFlags(TLSRequest(False))["secure"] is False
    assert cookieFlags(TLSRequest(True))["sameSite"] == "strict"
    assert cookieFlags(TLSRequest(True))["httpOnly"] is True
