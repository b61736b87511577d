"""
Web sessions: the signed cookie, its CSRF token, and who is logged in.

A browser is known by one cookie holding a random opaque id and its
HMAC-SHA256 signature under a secret kept in the store's folder
(C{web_cookie_secret}, made on first start, mode 0600).  The id carries
nothing; a forged or altered cookie fails the signature and is ignored.
The CSRF token every POST must carry is derived from the id the same way,
so a page can only have it from us, and a visitor who never logs in costs
no memory at all.

Once somebody logs in, a C{WebSession} (in memory) maps the id to the
IPlayer avatar the portal handed out.  Logging in issues a new id, so an
id planted before login is worth nothing after it.  A session unused for
C{IDLE_SECONDS} (and with no websocket open) is logged out.
"""

import hashlib
import hmac
import os
import secrets

from twisted.logger import Logger

log = Logger()

SECRET_FILE = "web_cookie_secret"
COOKIE = b"imaginary_session"
IDLE_SECONDS = 24 * 60 * 60


def cookieSecret(storePath):
    """
    The secret cookies are signed with: read from the store's folder, or
    made there (mode 0600) on first start.  Without a path, one for this
    run only.
    """
    if storePath is None:
        return secrets.token_bytes(32)
    path = os.path.join(storePath, SECRET_FILE)
    try:
        with open(path, "rb") as f:
            secret = f.read().strip()
        if len(secret) >= 32:
            return secret
    except FileNotFoundError:
        pass
    secret = secrets.token_hex(32).encode("ascii")
    # Written under another name and renamed: a crash never leaves half a
    # secret, and the file is never readable by others, even briefly.
    fd = os.open(path + ".new", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(secret + b"\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(path + ".new", path)
    log.info("generated the web cookie secret {path}", path=path)
    return secret


class Signer:
    """Signs session ids for the cookie, and derives their CSRF tokens."""

    def __init__(self, secret):
        self._secret = secret

    def _mac(self, purpose, value):
        return hmac.new(self._secret, purpose + b":" + value.encode("ascii"),
                        hashlib.sha256).hexdigest()

    def newId(self):
        """A fresh random session id."""
        return secrets.token_urlsafe(32)

    def cookieValue(self, sessionId):
        """What the cookie holds: the id and its signature."""
        return f"{sessionId}.{self._mac(b'cookie', sessionId)}"

    def sessionId(self, cookie):
        """The id in a cookie value (bytes or str), or None if forged."""
        if isinstance(cookie, bytes):
            cookie = cookie.decode("ascii", "replace")
        if not cookie or "." not in cookie or len(cookie) > 200:
            return None
        sessionId, _, mac = cookie.rpartition(".")
        try:
            expected = self._mac(b"cookie", sessionId)
        except UnicodeEncodeError:
            return None
        if not hmac.compare_digest(mac, expected):
            return None
        return sessionId

    def csrfToken(self, sessionId):
        """The CSRF token that goes with a session id."""
        return self._mac(b"csrf", sessionId)

    def checkCSRF(self, sessionId, token):
        """Whether C{token} is the CSRF token of C{sessionId}."""
        if not sessionId or not token:
            return False
        try:
            return hmac.compare_digest(self.csrfToken(sessionId), token)
        except TypeError:       # a non-ASCII str token
            return False


class WebSession:
    """One logged-in browser: its avatar, and its open websockets."""

    def __init__(self, sessionId, avatar, logout, now):
        self.id = sessionId
        self.avatar = avatar
        self._logout = logout
        self.lastUsed = now
        self.sockets = set()    # GameSocket connections using this login

    def end(self):
        """Log out: close the websockets and let the avatar go."""
        for socket in list(self.sockets):
            socket.close()
        self.sockets.clear()
        logout, self._logout = self._logout, None
        if logout is not None:
            logout()


class WebSessions:
    """The logged-in web sessions, by id, expiring when idle."""

    def __init__(self, clock, idle=IDLE_SECONDS):
        self.clock = clock
        self.idle = idle
        self._sessions = {}

    def add(self, sessionId, avatar, logout):
        """Remember a login; returns its WebSession."""
        self.expire()
        session = WebSession(sessionId, avatar, logout, self.clock.seconds())
        self._sessions[sessionId] = session
        return session

    def get(self, sessionId):
        """The live WebSession for an id (marking it used), or None."""
        session = self._sessions.get(sessionId) if sessionId else None
        if session is None:
            return None
        now = self.clock.seconds()
        if now - session.lastUsed > self.idle and not session.sockets:
            self.remove(sessionId)
            return None
        session.lastUsed = now
        return session

    def remove(self, sessionId):
        """Log a session out (if it exists)."""
        session = self._sessions.pop(sessionId, None)
        if session is not None:
            session.end()

    def expire(self):
        """Log out every session idle too long with no websocket open."""
        cutoff = self.clock.seconds() - self.idle
        for sessionId, session in list(self._sessions.items()):
            if session.lastUsed < cutoff and not session.sockets:
                self.remove(sessionId)

    def __len__(self):
        return len(self._sessions)
