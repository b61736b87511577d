"""
The HTTP side of the web front end: the page, logging in and out, making
an account, and the character list.

Every POST is checked twice before anything else (C{checkPost}): its
Origin header must be this server's own origin, and it must carry the
CSRF token that goes with its cookie (header C{X-CSRF-Token} or form
field C{csrf}).  A browser gets its cookie and token from C{GET /} or
C{GET /session}.  Answers are JSON; a refusal is C{{"error": sentence}}
with the sentence the session layer would say on any front end.
"""

from twisted.logger import Logger
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from imaginary.session import IPlayer, Refused
from imaginary.session.login import PasswordCredentials, refusal

from .headers import answer, refuse, sameOrigin, securePage
from .static import shippedFile

log = Logger()

MAX_FORM_BYTES = 16 * 1024

NOT_SAME_ORIGIN = ("This request did not come from this game's own page; "
                   "it was refused.")
BAD_CSRF = ("This form has expired or did not come from this game's page; "
            "reload the page and try again.")
NOT_LOGGED_IN = "You are not logged in."


def field(request, name):
    """A form field as text ("" when absent)."""
    values = (request.args or {}).get(name.encode("ascii"))
    if not values:
        return ""
    return values[0].decode("utf-8", "replace")


def clientAddress(request):
    """The peer's address, for the login throttle and logs."""
    address = request.getClientAddress()
    return getattr(address, "host", None) or str(address)


class PageBase(Resource):
    """A resource of the web front end: knows the WebGame it serves."""

    isLeaf = True

    def __init__(self, game):
        super().__init__()
        self.game = game

    def checkPost(self, request):
        """
        None when a POST may go on, else the refusal's bytes (403): not
        from our own origin, no or wrong CSRF token, or too big.
        """
        if not sameOrigin(request):
            return refuse(request, 403, NOT_SAME_ORIGIN)
        sessionId = self.game.sessionIdOf(request)
        token = request.getHeader(b"x-csrf-token")
        token = token.decode("latin-1") if token else field(request, "csrf")
        if not self.game.signer.checkCSRF(sessionId, token):
            return refuse(request, 403, BAD_CSRF)
        content = request.content
        if content is not None:
            content.seek(0, 2)
            if content.tell() > MAX_FORM_BYTES:
                return refuse(request, 413, "That form is too big.")
        return None

    def loggedIn(self, request):
        """The request's WebSession, or None."""
        return self.game.sessions.get(self.game.sessionIdOf(request))

    def later(self, request, d):
        """
        Finish C{request} with what Deferred C{d} gives (the bytes of an
        answer), unless the browser went away meanwhile.
        """
        gone = []
        request.notifyFinish().addErrback(gone.append)

        def done(body):
            if not gone:
                request.write(body)
                request.finish()

        def failed(failure):
            log.failure("web request failed", failure=failure)
            if not gone:
                request.write(refuse(request, 500, "Something went wrong; "
                                     "the error has been logged."))
                request.finish()
        d.addCallback(done).addErrback(failed)
        return NOT_DONE_YET


class HomePage(PageBase):
    """GET /: the page players play on (page/index.html)."""

    def render_GET(self, request):
        """The page, with the security headers."""
        self.game.ensureCookie(request)
        securePage(request, b"text/html; charset=utf-8")
        return shippedFile("index.html")


class SessionPage(PageBase):
    """GET /session: who is logged in here, and the CSRF token."""

    def render_GET(self, request):
        """
        JSON: the account logged in with this cookie (or null) and a CSRF token
        for it; sets a cookie if there was none.
        """
        sessionId = self.game.ensureCookie(request)
        session = self.game.sessions.get(sessionId)
        return answer(request, 200, {
            "account": session.avatar.accountName if session else None,
            "csrf": self.game.signer.csrfToken(sessionId)})


class LoginPage(PageBase):
    """POST /login (account, password): log in through the portal."""

    def render_POST(self, request):
        """
        Check the origin and CSRF token, then log in with the form's account
        and password (answered later: the password is checked in a thread).
        """
        refused = self.checkPost(request)
        if refused is not None:
            return refused
        credentials = PasswordCredentials(
            field(request, "account"), field(request, "password"),
            clientAddress(request))
        d = self.game.server.portal.login(credentials, None, IPlayer)
        d.addCallbacks(lambda result: self.game.loggedIn(request, result),
                       lambda failure: refuse(request, 401,
                                              refusal(failure)))
        return self.later(request, d)


class AccountPage(PageBase):
    """POST /account (account, password): make an account, logged in."""

    def render_POST(self, request):
        """
        Check the origin and CSRF token, then make the account and log it in,
        or answer 400 saying why not.
        """
        refused = self.checkPost(request)
        if refused is not None:
            return refused
        server = self.game.server
        d = server.accounts.create(field(request, "account"),
                                   field(request, "password"),
                                   clientAddress(request))
        d.addCallback(lambda credentials: server.portal.login(
            credentials, None, IPlayer))

        def failed(failure):
            if failure.check(Refused):
                return refuse(request, 400, str(failure.value))
            return refuse(request, 401, refusal(failure))
        d.addCallbacks(lambda result: self.game.loggedIn(request, result),
                       failed)
        return self.later(request, d)


class LogoutPage(PageBase):
    """POST /logout: end the login (its websockets close)."""

    def render_POST(self, request):
        """
        Check the origin and CSRF token, end the login, and answer with a new
        anonymous cookie's CSRF token.
        """
        refused = self.checkPost(request)
        if refused is not None:
            return refused
        self.game.sessions.remove(self.game.sessionIdOf(request))
        # A new anonymous id: the old one (and its token) is spent.
        sessionId = self.game.newCookie(request)
        return answer(request, 200, {
            "account": None, "csrf": self.game.signer.csrfToken(sessionId)})


class CharactersPage(PageBase):
    """
    GET /characters: the account's characters as data.  POST with
    C{action} "create" (C{name}, C{gender}) or "delete" (C{name}).
    """

    def render_GET(self, request):
        """
        JSON: the logged-in account's characters (401 when not logged in).
        """
        session = self.loggedIn(request)
        if session is None:
            return refuse(request, 401, NOT_LOGGED_IN)
        return answer(request, 200, characterList(session.avatar))

    def render_POST(self, request):
        """
        Create or delete a character as the form's C{action} says, and answer
        with the list (400 saying why when refused).
        """
        refused = self.checkPost(request)
        if refused is not None:
            return refused
        session = self.loggedIn(request)
        if session is None:
            return refuse(request, 401, NOT_LOGGED_IN)
        avatar = session.avatar
        action = field(request, "action")
        try:
            if action == "create":
                avatar.createCharacter(field(request, "name"),
                                       field(request, "gender"))
            elif action == "delete":
                avatar.deleteCharacter(field(request, "name"))
            else:
                return refuse(request, 400,
                              "The action is 'create' or 'delete'.")
        except Refused as e:
            return refuse(request, 400, str(e))
        return answer(request, 200, characterList(avatar))


def characterList(avatar):
    """The JSON answer listing an avatar's characters."""
    return {"account": avatar.accountName,
            "characters": [c.asDict() for c in avatar.characters()]}


def cookieFlags(request):
    """The cookie's attributes: HttpOnly, SameSite=Strict, Secure on TLS."""
    return dict(path=b"/", httpOnly=True, sameSite="strict",
                secure=request.isSecure())

