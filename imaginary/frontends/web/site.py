"""
The web front end's one twisted.web Site, and the state its pages share.

C{WebGame} holds what every page and websocket of one server needs: the
server, the cookie signer, the logged-in web sessions and the clock.
"""

from twisted.web.resource import Resource
from twisted.web.server import Site

from .admin import AdminJSON, AdminPage
from .gamesocket import SocketGate
from .grouppage import GroupPages
from .headers import answer
from .pages import (
    AccountPage, CharactersPage, HomePage, LoginPage, LogoutPage,
    SessionPage, characterList, cookieFlags)
from .static import StaticFiles
from .unsubscribe import UnsubscribePage
from .status import StatusJSON, StatusPage
from .websession import COOKIE, Signer, WebSessions, cookieSecret


class WebGame:
    """One server's web front end: signer, sessions, clock."""

    def __init__(self, server, clock=None, secret=None):
        self.server = server
        self.clock = clock if clock is not None else server.reactor
        self.signer = Signer(secret if secret is not None
                             else cookieSecret(server.storePath))
        self.sessions = WebSessions(self.clock)

    def sessionIdOf(self, request):
        """The session id in the request's cookie, or None."""
        return self.signer.sessionId(request.getCookie(COOKIE))

    def newCookie(self, request):
        """Give the browser a fresh session id; returns it."""
        sessionId = self.signer.newId()
        request.addCookie(COOKIE, self.signer.cookieValue(sessionId),
                          **cookieFlags(request))
        return sessionId

    def ensureCookie(self, request):
        """The request's session id, giving it one if it has none."""
        return self.sessionIdOf(request) or self.newCookie(request)

    def loggedIn(self, request, result):
        """
        The portal logged somebody in (C{result}: interface, avatar,
        logout): remember them under a new id, set its cookie, and answer
        with the account, its new CSRF token and its characters.
        """
        _, avatar, logout = result
        # An id the browser held before login (perhaps planted by someone
        # else) is dropped: the login lives under a new one.
        self.sessions.remove(self.sessionIdOf(request))
        sessionId = self.newCookie(request)
        self.sessions.add(sessionId, avatar, logout)
        body = characterList(avatar)
        body["csrf"] = self.signer.csrfToken(sessionId)
        return answer(request, 200, body)


class QuietSite(Site):
    """
    A Site that writes no line per request: logins, failures and
    connections are logged by the session layer, as for every front end,
    and a line per status poll would drown them.
    """

    noisy = False

    def log(self, request):
        """Write nothing (the session layer logs what matters)."""
        pass


def webFactory(server, clock=None, secret=None):
    """The web front end's protocol factory (a Site) for C{server}."""
    game = WebGame(server, clock, secret)
    root = Resource()
    root.putChild(b"", HomePage(game))
    root.putChild(b"session", SessionPage(game))
    root.putChild(b"login", LoginPage(game))
    root.putChild(b"account", AccountPage(game))
    root.putChild(b"logout", LogoutPage(game))
    root.putChild(b"characters", CharactersPage(game))
    root.putChild(b"status", StatusPage(server))
    root.putChild(b"status.json", StatusJSON(server))
    root.putChild(b"ws", SocketGate(game))
    root.putChild(b"admin", AdminPage(game))
    root.putChild(b"admin.json", AdminJSON(game))
    root.putChild(b"static", StaticFiles())
    root.putChild(b"unsubscribe", UnsubscribePage(server))
    root.putChild(b"g", GroupPages(game))
    site = QuietSite(root)
    site.game = game
    return site
