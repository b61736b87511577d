"""
One login for every front end: a twisted.cred Portal, its checkers, its
realm, and the throttle in front of them.

Every front end logs in the same way: it builds credentials and calls
C{server.portal.login(credentials, None, IPlayer)}.  What can prove who
somebody is:

  - a password (C{PasswordCredentials}: name, password and the peer's
    address), checked with bcrypt in a thread, never on the reactor;
  - an SSH public key (conch's own C{SSHPublicKeyChecker} over the keys
    an account holds, added by the SSH front end);
  - a one-time token (C{TokenCredentials}) the server issued itself: right
    after an account was created, for the trusted local terminal, and later
    for a web session cookie.

C{ThrottledChecker} wraps the password checker: failed logins are counted
per address and per account in one C{LoginThrottle} that every front end
shares, and a throttled attempt fails with C{LoginThrottled} whose message
is the same everywhere.  A correct password for a banned account fails
with C{AccountBanned}.  The realm turns an account name into an
C{IPlayer} avatar (imaginary.session.avatar).
"""

import collections
import secrets
import time

import attr
from twisted.cred import error as cred_error
from twisted.cred.checkers import ICredentialsChecker
from twisted.cred.credentials import IUsernamePassword
from twisted.cred.portal import IRealm, Portal
from twisted.internet import defer
from twisted.logger import Logger
from zope.interface import Attribute, Interface, implementer

from imaginary.accounts import (
    findAccount, hashPasswordLater, nameKey, normalizeName,
    verifyPasswordLater)

from .interfaces import IPlayer

log = Logger()


class IAddressed(Interface):
    """Credentials that know which address they came from."""

    address = Attribute("The peer's address (a str), or None.")


class IToken(Interface):
    """Credentials holding a token the server issued."""

    token = Attribute("The token (a str).")


class LoginThrottled(cred_error.UnauthorizedLogin):
    """Too many failed logins from here (or on this account)."""

    def __init__(self, wait):
        cred_error.UnauthorizedLogin.__init__(self, wait)
        self.wait = wait

    def __str__(self):
        return (f"Too many failed logins; wait {int(self.wait) + 1} seconds "
                f"before trying again.")


class AccountBanned(cred_error.UnauthorizedLogin):
    """The password was right, but the account may not log in."""

    def __str__(self):
        return "This account is banned."


WRONG = "That account name and password don't match."


@implementer(IUsernamePassword, IAddressed)
@attr.s(frozen=True, repr=False)
class PasswordCredentials:
    """An account name and password typed by somebody at C{address}."""

    username = attr.ib()
    password = attr.ib()
    address = attr.ib(default=None)

    def checkPassword(self, password):
        """Plain comparison, for cred's IUsernamePassword (unused here)."""
        return secrets.compare_digest(self.password, password)

    def __repr__(self):
        # Never a password in a log line or a traceback.
        return f"<PasswordCredentials {self.username!r} from {self.address}>"


@implementer(IToken, IAddressed)
@attr.s(frozen=True, repr=False)
class TokenCredentials:
    """A token issued by C{TokenChecker.issue}."""

    token = attr.ib()
    address = attr.ib(default=None)

    def __repr__(self):
        return f"<TokenCredentials from {self.address}>"


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) \
        else value


@implementer(ICredentialsChecker)
class AccountPasswordChecker:
    """
    Checks an account's password with bcrypt, off the reactor thread.  An
    unknown name costs the same time as a wrong password, so nobody can
    find out which names exist by timing the answer.
    """

    credentialInterfaces = (IUsernamePassword,)

    def __init__(self, store):
        self.store = store

    def requestAvatarId(self, credentials):
        """
        ICredentialsChecker: a Deferred firing with the account's name when the
        password is right (bcrypt, in a thread; as slow for an unknown name),
        else failing with UnauthorizedLogin (AccountBanned for a banned
        account).
        """
        name = _text(credentials.username)
        password = _text(credentials.password)
        account = findAccount(self.store, name)
        if account is None:
            d = hashPasswordLater("x" * 8).addCallback(lambda _: False)
        else:
            d = verifyPasswordLater(account, password)

        def checked(ok):
            if not ok:
                raise cred_error.UnauthorizedLogin(WRONG)
            if account.banned:
                raise AccountBanned()
            return account.username
        return d.addCallback(checked)


@implementer(ICredentialsChecker)
class TokenChecker:
    """
    Tokens the server hands out itself, each good for one login.  Kept in
    memory: a restart forgets them, which only means logging in again.
    """

    credentialInterfaces = (IToken,)

    LIFETIME = 600.0        # seconds a token stays good

    def __init__(self, store, clock=time.monotonic):
        self.store = store
        self.clock = clock
        self._tokens = {}       # token -> (account name, expiry)

    def issue(self, accountName, lifetime=None):
        """A new token that logs in once as C{accountName}."""
        now = self.clock()
        for token, (_, expiry) in list(self._tokens.items()):
            if expiry < now:
                del self._tokens[token]
        token = secrets.token_urlsafe(24)
        self._tokens[token] = (accountName, now + (lifetime or self.LIFETIME))
        return token

    def requestAvatarId(self, credentials):
        """
        ICredentialsChecker: the account a one-time token was issued for (the
        token is spent), or a failure when it is unknown, expired or the
        account banned.
        """
        name, expiry = self._tokens.pop(credentials.token, (None, 0))
        if expiry < self.clock():
            name = None
        account = findAccount(self.store, name) if name else None
        if account is None:
            return defer.fail(cred_error.UnauthorizedLogin(
                "That login has expired; log in again."))
        if account.banned:
            return defer.fail(AccountBanned())
        return defer.succeed(account.username)


@implementer(ICredentialsChecker)
class ThrottledChecker:
    """
    Another checker behind the login throttle.  Before checking, an
    address (or, after many failures, an account) that failed too often
    is refused with LoginThrottled; a failure is counted against both the
    address and the account name; a success clears the address.
    """

    MAX_WAITING = 100       # attempts queued behind busy ones, per address

    def __init__(self, checker, throttle):
        self.checker = checker
        self.throttle = throttle
        self.credentialInterfaces = checker.credentialInterfaces
        self._waiting = {}      # address -> Deferreds of queued attempts

    def requestAvatarId(self, credentials):
        """
        ICredentialsChecker: the wrapped checker's answer, unless the address
        or the account is throttled (LoginThrottled); failures are counted.
        """
        address = getattr(credentials, "address", None) or "unknown"
        # The key accounts are found by: "alice", " Alice " and "ALICE"
        # are one account, and one count.
        name = normalizeName(_text(getattr(credentials, "username", b""))
                             or "")
        return self._attempt(credentials, address, name, nameKey(name))

    def _attempt(self, credentials, address, name, key):
        throttle = self.throttle
        wait = throttle.waitFor(address, key)
        if wait > 0:
            self._next(address)         # those waiting are refused too
            return defer.fail(LoginThrottled(wait))
        if throttle.busy(address):
            waiting = self._waiting.setdefault(address, collections.deque())
            if len(waiting) >= self.MAX_WAITING:
                return defer.fail(LoginThrottled(1.0))
            d = defer.Deferred()
            waiting.append(d)
            return d.addCallback(lambda _: self._attempt(
                credentials, address, name, key))
        throttle.begin(address, key)
        d = defer.maybeDeferred(self.checker.requestAvatarId, credentials)

        def succeeded(avatarId):
            throttle.end(address, key)
            throttle.succeeded(address, key)
            self._next(address)
            return avatarId

        def failed(failure):
            throttle.end(address, key)
            if failure.check(cred_error.UnauthorizedLogin) and \
                    not failure.check(AccountBanned):
                throttle.failed(address, key)
                # Only a name that exists is logged: a password typed
                # into the name field must not end up in the log.
                known = findAccount(self.checker.store, name) is not None \
                    if hasattr(self.checker, "store") else False
                log.info("failed login for {name} from {address}",
                         name=key if known else "an unknown name",
                         address=address)
            self._next(address)
            return failure
        return d.addCallbacks(succeeded, failed)

    def _next(self, address):
        """Let the oldest attempt waiting on C{address} try again."""
        waiting = self._waiting.get(address)
        if waiting:
            d = waiting.popleft()
            if not waiting:
                del self._waiting[address]
            d.callback(None)


@implementer(IRealm)
class GameRealm:
    """Makes the IPlayer avatar for an authenticated account name."""

    def __init__(self, server):
        self.server = server

    def requestAvatar(self, avatarId, mind, *interfaces):
        """
        IRealm: an IPlayer avatar for the account named C{avatarId}, and its
        logout callable.
        """
        if IPlayer not in interfaces:
            raise NotImplementedError("this realm makes IPlayer avatars")
        from .avatar import PlayerAvatar
        account = findAccount(self.server.store, _text(avatarId))
        if account is None:
            raise cred_error.UnauthorizedLogin(
                "That account no longer exists.")
        avatar = PlayerAvatar(self.server, account)
        return IPlayer, avatar, avatar.logout


def makePortal(server):
    """
    The server's one Portal: passwords behind the throttle, and tokens.
    Front ends may register more checkers (SSH adds public keys).
    Returns (portal, tokenChecker).
    """
    tokens = TokenChecker(server.store)
    portal = Portal(GameRealm(server), [
        ThrottledChecker(AccountPasswordChecker(server.store),
                         server.throttle),
        tokens])
    return portal, tokens


def refusal(failure):
    """The sentence to show a person for a failed login (a Failure)."""
    if failure.check(LoginThrottled, AccountBanned):
        return str(failure.value)
    if failure.check(cred_error.UnauthorizedLogin):
        text = failure.value.args[0] if failure.value.args else None
        return text if isinstance(text, str) else WRONG
    log.failure("login error", failure=failure)
    return "Something went wrong; the error has been logged."
