"""
What the messenger keeps in the store: each player's choices, the
operator's limits and XMPP component settings, and every notification
until it has gone out.

C{NotifySettings} is one per account, made when the player first types
C{account notify}: whether they want texts at all (off until they say
on), the routes in the order they prefer, the routes a "stop" switched
off, their Jabber ID (and whether they proved it is theirs), and their
quiet hours (minutes after midnight in their own time zone).

C{Notification} is one text on its way: made by C{notify()}, it is
"pending" until a route takes it, then "sent" (with the route), or
"dropped" when the player turned texts off meanwhile.  Pending ones wait
on the store's persistent scheduler (quiet hours, the hourly limit) or
for a route to open, so a restart loses none.

Everything here runs inside the caller's transaction.
"""

import datetime
import hashlib
import hmac
import re
import secrets
import zoneinfo

from epsilon.extime import Time

from imaginary.accounts import Account
from imaginary.simulation.thing import Thing
from imaginary.store import (
    AND, CASCADE, NULLIFY, IScheduler, Item, boolean, integer, reference,
    text, timestamp)

ROUTES = ("game", "irc", "xmpp", "email")
DEFAULT_ORDER = ",".join(ROUTES)
MAX_TEXT = 500              # characters of one text
PER_HOUR = 10               # texts a player is sent an hour, by default
CODE_SECONDS = 30 * 60      # a Jabber ID's verification code's life
MAX_WRONG = 5
_JID = re.compile(r"[^@/\s\"&'<>:]{1,1023}@[A-Za-z0-9.-]{1,253}\Z")
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)\Z")


class NotifySettings(Item):
    """One player's texting choices (see the module docstring)."""

    typeName = "imaginary_notify_settings"
    schemaVersion = 1

    account = reference(reftype=Account, whenDeleted=CASCADE,
                        allowNone=False, indexed=True)
    enabled = boolean(default=False, allowNone=False)
    routes = text(default=DEFAULT_ORDER, allowNone=False)
    stopped = text(default="", allowNone=False)     # "stop" replies
    jid = text(default=None)                        # bare, lowercase
    jidVerified = boolean(default=False, allowNone=False)
    codeHash = text(default=None)
    codeExpires = timestamp(default=None)
    wrong = integer(default=0, allowNone=False)
    quietStart = integer(default=None)      # minutes after midnight
    quietEnd = integer(default=None)
    timezone = text(default="UTC", allowNone=False)

    def order(self):
        """The routes to try, in the player's order, minus stopped ones."""
        stopped = set(self.stopped.split(",")) if self.stopped else set()
        return [r for r in self.routes.split(",") if r and r not in stopped]

    def stop(self, route):
        """Switch C{route} off (a "stop" reply); False if it was off."""
        stopped = [r for r in self.stopped.split(",") if r]
        if route in stopped:
            return False
        self.stopped = ",".join(stopped + [route])
        return True

    def resume(self, route):
        """Switch C{route} back on after a "stop"."""
        self.stopped = ",".join(r for r in self.stopped.split(",")
                                if r and r != route)


class NotifyConfig(Item):
    """
    The operator's settings (one per store): the hourly limit per
    player, and the XMPP component (C{imaginary xmpp}): its domain, the
    XMPP server's component endpoint, and the file holding its secret.
    """

    typeName = "imaginary_notify_config"
    schemaVersion = 1

    perHour = integer(default=PER_HOUR, allowNone=False)
    xmppDomain = text(default=None)         # None: no XMPP component
    xmppServer = text(default=None)         # "tcp:127.0.0.1:5347"
    xmppSecretFile = text(default=None)

    def xmppSecret(self):
        """The component secret (read from its file each time), as str."""
        with open(self.xmppSecretFile, encoding="utf-8") as f:
            return f.readline().strip()


class Notification(Item):
    """One text from a character to a player, pending until it goes."""

    typeName = "imaginary_notification"
    schemaVersion = 1

    account = reference(reftype=Account, whenDeleted=CASCADE,
                        allowNone=False, indexed=True)
    # The player's character the text is for (None: the account's).
    character = reference(reftype=Thing, whenDeleted=NULLIFY)
    sender = reference(reftype=Thing, whenDeleted=NULLIFY)
    senderName = text(allowNone=False)
    body = text(allowNone=False)
    created = timestamp(defaultFactory=Time, allowNone=False, indexed=True)
    state = text(default="pending", allowNone=False, indexed=True)
    route = text(default=None)
    sentAt = timestamp(default=None, indexed=True)

    def run(self):
        """The scheduler's call (quiet hours over, the hour passed)."""
        from .api import attempt
        if self.state != "pending":
            return None
        return attempt(self)


def config(store):
    """The store's NotifyConfig (made with the defaults if none)."""
    found = store.findFirst(NotifyConfig)
    if found is None:
        found = store.transact(lambda: NotifyConfig(store=store))
    return found


def settingsOf(account, create=False):
    """C{account}'s NotifySettings, or None (made when C{create})."""
    found = account.store.findFirst(NotifySettings,
                                    NotifySettings.account == account)
    if found is None and create:
        found = NotifySettings(store=account.store, account=account)
    return found


def accountForJID(store, jid):
    """The account whose verified Jabber ID is C{jid} (bare), or None."""
    bare = bareJID(jid)
    found = store.findFirst(NotifySettings, AND(
        NotifySettings.jid == bare,
        NotifySettings.jidVerified == True))  # noqa: E712
    return found.account if found is not None else None


def bareJID(jid):
    """C{jid} without its resource, lowercased: 'alice@players.example'."""
    return jid.split("/", 1)[0].strip().lower()


def checkJID(jid):
    """The bare JID, or ValueError saying it is not one."""
    bare = bareJID(jid)
    if not _JID.match(bare):
        raise ValueError(f"'{jid}' is not a Jabber ID I can use "
                         f"(like name@server.example).")
    return bare


def pending(store, account=None):
    """The pending notifications (of C{account}), oldest first."""
    where = Notification.state == "pending"
    if account is not None:
        where = AND(where, Notification.account == account)
    return list(store.query(Notification, where,
                            sort=Notification.storeID.ascending))


def now(store):
    """Now, in POSIX seconds, on the store scheduler's clock."""
    return IScheduler(store).now().asPOSIXTimestamp()


def sentSince(account, since):
    """How many texts C{account} was sent since C{since} (POSIX)."""
    return account.store.query(Notification, AND(
        Notification.account == account, Notification.state == "sent",
        Notification.sentAt > Time.fromPOSIXTimestamp(since))).count()


def oldestSentSince(account, since):
    """The POSIX time of the oldest text sent since C{since}, or None."""
    found = account.store.findFirst(Notification, AND(
        Notification.account == account, Notification.state == "sent",
        Notification.sentAt > Time.fromPOSIXTimestamp(since)),
        sort=Notification.sentAt.ascending)
    return found.sentAt.asPOSIXTimestamp() if found is not None else None


# -- quiet hours -----------------------------------------------------------

def parseQuiet(spec, zone="UTC"):
    """
    (start, end, zone) of 'HH:MM-HH:MM' and a time zone name; ValueError
    saying what is wrong.  A start after the end spans midnight.
    """
    start, dash, end = spec.partition("-")
    minutes = []
    for part in (start, end):
        m = _CLOCK.match(part.strip())
        if not dash or m is None:
            raise ValueError(f"'{spec}' is not a span like 22:00-07:30.")
        minutes.append(int(m.group(1)) * 60 + int(m.group(2)))
    if minutes[0] == minutes[1]:
        raise ValueError("Quiet hours must start and end at different "
                         "times.")
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{zone}' is not a time zone I know (like "
                         f"Europe/Paris or UTC).")
    return minutes[0], minutes[1], zone


def quietUntil(settings, when):
    """
    The POSIX time C{settings}' quiet hours end, if C{when} (POSIX) is
    within them; else None.
    """
    if settings.quietStart is None or settings.quietEnd is None:
        return None
    zone = zoneinfo.ZoneInfo(settings.timezone)
    local = datetime.datetime.fromtimestamp(when, zone)
    minute = local.hour * 60 + local.minute
    start, end = settings.quietStart, settings.quietEnd
    inside = start <= minute < end if start < end else \
        (minute >= start or minute < end)
    if not inside:
        return None
    day = local.date()
    if start > end and minute >= start:
        day += datetime.timedelta(days=1)     # ends tomorrow morning
    ending = datetime.datetime.combine(
        day, datetime.time(end // 60, end % 60), zone)
    return ending.timestamp()


def formatMinutes(minutes):
    """'07:30' for 450."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# -- Jabber ID verification --------------------------------------------------

def _hash(code):
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def setJID(settings, jid, when):
    """Record C{jid} unverified with a new code; returns the code."""
    settings.jid = checkJID(jid)
    settings.jidVerified = False
    code = f"{secrets.randbelow(10 ** 6):06d}"
    settings.codeHash = _hash(code)
    settings.codeExpires = Time.fromPOSIXTimestamp(when + CODE_SECONDS)
    settings.wrong = 0
    return code


def verifyJID(settings, code, when):
    """Whether C{code} verifies the Jabber ID (a wrong one counts)."""
    if settings.codeHash is None or settings.codeExpires is None or \
            when > settings.codeExpires.asPOSIXTimestamp():
        return False
    if hmac.compare_digest(settings.codeHash, _hash(code.strip())):
        settings.jidVerified = True
        settings.codeHash = settings.codeExpires = None
        return True
    settings.wrong += 1
    if settings.wrong >= MAX_WRONG:
        settings.codeHash = settings.codeExpires = None
    return False
