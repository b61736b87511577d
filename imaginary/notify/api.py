"""
C{notify(character, player, text)}: a character texts a player, and the
messenger picks the route.

The routes, tried in the player's order (C{account notify route}; the
default is this one):

  - C{game}: one of the player's characters is in play (any front end):
    a told line, "Mara texts you, '...'", with the out-of-band data
    Comm.Channel.Text of a tell, so the web page's talk pane, a MUD
    client's channel window and an IRC client's private query show it;
  - C{irc} and C{xmpp}: a front end that can reach the player outside
    the game installs itself on the store as an C{INotifyRoute}
    (C{installRoute}), an in-memory powerup as the IRC bridge is the
    store's IChannelRelay: this layer never imports a front end;
  - C{email}: the account's verified address, through the mail queue,
    when the operator has a relay.

Nothing goes to a player who has not turned texts on.  Quiet hours hold
every route but the game (a player in play is awake) until they end, on
the store's persistent scheduler.  The hourly limit (C{NotifyConfig})
holds a text too, until an hour after the oldest of the hour's texts:
excess texts wait, they are never dropped, so a story's clue is never
lost.  A text no route can take waits in the store for a route to open
(C{flush}: a character enters play, the XMPP component connects, the
player changes their settings).  A text goes out once: it is marked
sent in the same transaction that hands it to the route.

A reply "stop" on a route switches that route off (C{reply}).
"""

from epsilon.extime import Time
from zope.interface import Attribute, Interface

from imaginary.accounts import Account
from imaginary.language import styled
from imaginary.mail import accountmail, api as mailAPI, compose
from imaginary.mail import model as mailModel
from imaginary.simulation.events import Event
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.world import ImaginaryWorld
from imaginary.store import AND, IScheduler

from . import model

HOUR = 3600


class NotifyRefused(ActionFailure):
    """notify() was called with something it cannot send; says why."""


class INotifyRoute(Interface):
    """A way to reach a player outside the game (a front end's)."""

    name = Attribute("The route's name: 'irc' or 'xmpp'.")

    def available(account):
        """Whether C{account}'s player can be reached this way now."""

    def deliver(notification):
        """Send C{notification} (a model.Notification) now."""

    def sendCode(address, code):
        """
        Send a verification code from the game itself to C{address} (the
        xmpp route: a Jabber ID the player gave); other routes may raise
        NotImplementedError.
        """


class IRouteTable(Interface):
    """The routes installed on a store, by name (in-memory)."""


class RouteTable:
    """The store's installed INotifyRoutes, by name."""

    def __init__(self):
        self.routes = {}


def _table(store, create=False):
    table = IRouteTable(store, None)
    if table is None and create:
        table = RouteTable()
        store.inMemoryPowerUp(table, IRouteTable)
    return table


def installRoute(store, route):
    """Offer C{route} (an INotifyRoute) on C{store} until removed."""
    _table(store, create=True).routes[route.name] = route


def removeRoute(store, route):
    """Take C{route} off C{store} (if it is the one installed)."""
    table = _table(store)
    if table is not None and table.routes.get(route.name) is route:
        del table.routes[route.name]


def routeNamed(store, name):
    """The installed route called C{name}, or None."""
    table = _table(store)
    return table.routes.get(name) if table is not None else None


def jidOf(sender, domain):
    """The Jabber ID of a character: 'mara@game.example'."""
    return f"{mailModel.localPartOf(sender.name)}@{domain}"


# -- sending -------------------------------------------------------------------

def notify(character, player, text):
    """
    Text C{player} (an Account, or one of its characters) from
    C{character} (a Thing: an NPC, usually).  Call inside a transaction
    (a verb's, a mind's or the scheduler's).

    Returns the model.Notification: its C{state} is "sent" (C{route}
    says how) or "pending" (held by quiet hours or the hourly limit, or
    waiting for a route); returns None when the player has not turned
    texts on (nothing is kept).  Raises NotifyRefused when C{player} is
    nobody's character or the text is empty or too long.
    """
    if isinstance(player, Account):
        account, target = player, None
    else:
        account, target = mailModel.accountOf(player), player
        if account is None:
            raise NotifyRefused(f"{player.name} is not a player's "
                                f"character; only players can be texted.")
    body = mailModel.clean(text or "", oneLine=True).strip()
    if not body:
        raise NotifyRefused("There is nothing to send: the text is empty.")
    if len(body) > model.MAX_TEXT:
        raise NotifyRefused(f"A text may be {model.MAX_TEXT} characters "
                            f"long at most.")
    settings = model.settingsOf(account)
    if settings is None or not settings.enabled:
        return None
    item = model.Notification(
        store=account.store, account=account, character=target,
        sender=character, senderName=character.name, body=body,
        created=Time.fromPOSIXTimestamp(model.now(account.store)))
    _try(item)
    return item


def _try(item):
    """Attempt C{item} now; if held, schedule its next attempt."""
    when = attempt(item)
    scheduler = IScheduler(item.store)
    scheduler.unscheduleAll(item)
    if when is not None:
        scheduler.schedule(item, when)


def flush(store, account=None):
    """
    A route may have opened (for C{account}, or for everyone): try every
    pending text again, oldest first.  Call inside a transaction.
    Returns how many went.
    """
    sent = 0
    for item in model.pending(store, account):
        _try(item)
        sent += item.state == "sent"
    return sent


def attempt(item):
    """
    Try to send C{item} by the player's first open route.  Returns None
    when it went (or was dropped, or waits for a route to open), or the
    Time to try again (quiet hours, the hourly limit).
    """
    store = item.store
    account = item.account
    settings = model.settingsOf(account)
    if settings is None or not settings.enabled:
        item.state = "dropped"      # they turned texts off meanwhile
        return None
    now = model.now(store)
    if model.sentSince(account, now - HOUR) >= model.config(store).perHour:
        oldest = model.oldestSentSince(account, now - HOUR)
        return Time.fromPOSIXTimestamp(oldest + HOUR + 1)
    quietEnd = model.quietUntil(settings, now)
    for route in settings.order():
        if route == "game":
            if _inGame(item, now):
                return None
        elif quietEnd is not None:
            continue
        elif route == "email":
            if _byEmail(item, now):
                return None
        else:
            found = routeNamed(store, route)
            if found is not None and found.available(account):
                _sent(item, route, now)
                found.deliver(item)
                return None
    if quietEnd is not None:
        return Time.fromPOSIXTimestamp(quietEnd + 1)
    return None


def _sent(item, route, now):
    item.state = "sent"
    item.route = route
    item.sentAt = Time.fromPOSIXTimestamp(now)


def playing(account):
    """C{account}'s characters in play now."""
    connected = ImaginaryWorld.get(account.store).connected
    mine = {c.storeID for c in account.characters()}
    return [c for c in connected if c.storeID in mine]


def _inGame(item, now):
    here = playing(item.account)
    if not here:
        return False
    target = item.character if item.character in here else here[0]
    _sent(item, "game", now)
    name = item.senderName
    Event(location=None, audience=[target], otherMessage=styled(
        styled(name, role="player"), " texts you, '",
        styled(item.body, role="speech"), "'"),
        data={"channel": {"channel": "tell", "talker": name,
                          "text": item.body, "to": target.name}}
    ).broadcast()
    return True


def _byEmail(item, now):
    store = item.store
    address = accountmail.verifiedAddress(item.account)
    if address is None or item.sender is None or \
            not mailModel.settings(store).relayHost:
        return False
    domain = mailModel.settings(store).domain
    _sent(item, "email", now)
    mailAPI.queueFrom(
        item.sender, address, f"A text from {item.senderName}",
        f"{item.body}\n\n-- \n{item.senderName}, in the game.  You get "
        f"texts by mail because you turned them on; type 'account notify "
        f"stop email' in the game to stop them.",
        compose.newMessageID(domain))
    return True


# -- replies ---------------------------------------------------------------------

def texted(account, character):
    """Whether C{character} has ever texted C{account}'s player."""
    return account.store.findFirst(model.Notification, AND(
        model.Notification.account == account,
        model.Notification.sender == character)) is not None


def reply(account, character, words, route):
    """
    The player of C{account} answered C{character} by C{route}: "stop"
    switches that route off; anything else reaches the character as a
    tell from the player's character the text was for (else their
    first).  Returns the sentence to answer the player with.
    """
    words = mailModel.clean(words or "", oneLine=True).strip()
    settings = model.settingsOf(account, create=True)
    if words.lower() in ("stop", "stop."):
        settings.stop(route)
        how = "in the game" if route == "game" else f"by {route}"
        return (f"Texts {how} are off now; type 'account notify on "
                f"{route}' in the game to have them again.")
    if not words:
        return None
    if not texted(account, character):
        return (f"{character.name} has not texted you; you can answer "
                f"only characters who did.")
    words = words[:model.MAX_TEXT]
    last = account.store.findFirst(model.Notification, AND(
        model.Notification.account == account,
        model.Notification.sender == character),
        sort=model.Notification.storeID.descending)
    chars = account.characters()
    speaker = last.character if last.character is not None else (
        chars[0] if chars else None)
    name = speaker.name if speaker is not None else account.username
    Event(location=None, actor=speaker, target=character,
          actorMessage=styled("You text ", styled(character.name,
                                                  role="player"),
                              ", '", styled(words, role="speech"), "'"),
          targetMessage=styled(styled(name, role="player"),
                               " texts you, '",
                               styled(words, role="speech"), "'"),
          data={"channel": {"channel": "tell", "talker": name,
                            "text": words, "to": character.name},
                # For minds ("said" is speech in the room; this is not).
                "texted": words}).broadcast()
    return None


def stopByMail(character, address, body):
    """
    Mail to C{character} from C{address} (the envelope's sender): when it
    is a player answering "stop" to texts this character sent them by
    email, their email route is switched off and they are mailed the
    answer, and True is returned (the mail is not kept as a letter).
    Anything else is ordinary mail: False.
    """
    lines = [line.strip() for line in (body or "").splitlines()
             if line.strip()]
    if not lines or lines[0].lower() not in ("stop", "stop."):
        return False
    account = accountmail.verifiedAccount(character.store, address)
    if account is None or not texted(account, character):
        return False
    answer = reply(account, character, "stop", "email")
    try:
        mailAPI.systemMail(character.store, address,
                           "Texts by email are off", answer)
    except ActionFailure:
        pass    # no relay: nothing more can be mailed; the route is off
    return True
