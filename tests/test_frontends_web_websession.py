"""The signed cookie, CSRF tokens, the secret file, and idle expiry."""

import os
import stat

from twisted.internet import task

from imaginary.frontends.web.websession import (
    SECRET_FILE, Signer, WebSessions, cookieSecret)


def test_secretMadeOnceMode0600(tmp_path):
    secret = cookieSecret(str(tmp_path))
    path = tmp_path / SECRET_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(secret) >= 32
    assert cookieSecret(str(tmp_path)) == secret
    assert cookieSecret(None) != cookieSecret(None)


def test_signedCookies():
    signer = Signer(b"s" * 32)
    sessionId = signer.newId()
    value = signer.cookieValue(sessionId)
    assert signer.sessionId(value) == sessionId
    assert signer.sessionId(value.encode()) == sessionId
    other = Signer(b"t" * 32)
    assert other.sessionId(value) is None
    forged = "attacker" + value[value.index("."):]
    for bad in (forged, sessionId, "", None, "é.é", "x" * 500,
                value[:-1] + ("0" if value[-1] != "0" else "1")):
        assert signer.sessionId(bad) is None


def test_csrfTokens():
    signer = Signer(b"s" * 32)
    a, b = signer.newId(), signer.newId()
    assert signer.checkCSRF(a, signer.csrfToken(a))
    assert not signer.checkCSRF(a, signer.csrfToken(b))
    assert not signer.checkCSRF(None, signer.csrfToken(a))
    assert not signer.checkCSRF(a, "")
    assert not signer.checkCSRF(a, "é")
    # The token is not the cookie's signature.
    assert signer.csrfToken(a) not in signer.cookieValue(a)


class Avatar:
    """Stands for an IPlayer: only logout is used here."""

    def __init__(self):
        self.loggedOut = 0

    def logout(self):
        self.loggedOut += 1


def test_idleSessionsExpire():
    clock = task.Clock()
    sessions = WebSessions(clock, idle=100)
    avatar = Avatar()
    sessions.add("a", avatar, avatar.logout)
    clock.advance(90)
    assert sessions.get("a") is not None        # used: idle starts again
    clock.advance(90)
    assert sessions.get("a") is not None
    clock.advance(101)
    assert sessions.get("a") is None
    assert avatar.loggedOut == 1 and len(sessions) == 0


def test_openWebsocketKeepsSessionAlive():
    clock = task.Clock()
    sessions = WebSessions(clock, idle=100)
    avatar = Avatar()
    session = sessions.add("a", avatar, avatar.logout)
    session.sockets.add(object())
    clock.advance(1000)
    sessions.expire()
    assert sessions.get("a") is session
    session.sockets.clear()
    clock.advance(1000)
    other = Avatar()
    sessions.add("b", other, other.logout)      # sweeps the idle ones
    assert avatar.loggedOut == 1 and len(sessions) == 1
