"""
Texting verbs: the player's choices for texts from characters, and
answering a text from inside the game.  The verbs::

    account notify                         the settings
    account notify on|off                  texts at all (off until on)
    account notify route xmpp,email        the routes to use, in order
    account notify stop|on <route>         one route off, or on again
    account notify jid <jid>|none          the Jabber ID for XMPP texts
    account notify verify <code>           the code sent to that JID
    account notify quiet 22:00-07:30 [Europe/Paris] | off
    text <character> <words>               answer a character's text
    text <character> stop                  no more texts in the game

C{account notify} is a subcommand of the C{account} verb
(imaginary/verbs/mail.py hands it here).  Every refusal is an
ActionFailure: the transaction rolls back, nothing changes.
"""

from imaginary.mail import model as mailModel
from imaginary.notify import api, model
from imaginary.simulation.failure import ActionFailure

from .base import Verb

USAGE = ("Usage: account notify [on|off]; account notify route "
         "<game,irc,xmpp,email>; account notify stop|on <route>; account "
         "notify jid <jid>|none; account notify verify <code>; account "
         "notify quiet HH:MM-HH:MM [time zone] | off.")


def _refused(text):
    return ActionFailure.simple(text)


def describe(settings):
    """The player's settings, as lines."""
    if settings is None or not settings.enabled:
        lines = ["Texts from characters are off ('account notify on' "
                 "turns them on)."]
    else:
        lines = ["Texts from characters are on."]
    order = settings.routes if settings is not None else model.DEFAULT_ORDER
    lines.append(f"Routes, in order: {order.replace(',', ', ')}.")
    if settings is not None and settings.stopped:
        lines.append(f"Stopped by you: "
                     f"{settings.stopped.replace(',', ', ')}.")
    jid = settings.jid if settings is not None else None
    if jid:
        state = "verified" if settings.jidVerified else \
            "waiting for its code"
        lines.append(f"Jabber ID: {jid} ({state}).")
    else:
        lines.append("Jabber ID: none.")
    if settings is not None and settings.quietStart is not None:
        lines.append(f"Quiet hours: {model.formatMinutes(settings.quietStart)}"
                     f"-{model.formatMinutes(settings.quietEnd)} "
                     f"{settings.timezone}.")
    else:
        lines.append("Quiet hours: none.")
    return lines


def _how(route):
    """ "in the game" or "by xmpp": how texts by C{route} come."""
    return "in the game" if route == "game" else f"by {route}"


def _routes(words):
    names = [w.lower() for w in " ".join(words).replace(",", " ").split()]
    unknown = [n for n in names if n not in model.ROUTES]
    if not names or unknown:
        raise _refused(f"The routes are {', '.join(model.ROUTES)}; "
                       f"'{' '.join(unknown) or '(none)'}' is not one.")
    if len(set(names)) != len(names):
        raise _refused("Name each route once.")
    return names


def accountNotify(context, account, words):
    """Run C{account notify <words>} for C{account}."""
    store = context.store
    action = words[0].lower() if words else ""
    args = words[1:]
    settings = model.settingsOf(account)
    if not action:
        for line in describe(settings):
            context.tell(line)
        return
    if action in ("on", "off") and not args:
        settings = model.settingsOf(account, create=True)
        settings.enabled = action == "on"
        if settings.enabled:
            context.tell("Texts from characters are on; they come by "
                         "the first open route of: "
                         f"{', '.join(settings.order()) or 'none'}.")
            api.flush(store, account)
        else:
            context.tell("Texts from characters are off; nothing will be "
                         "sent to you.")
        return
    if action == "route" and args:
        names = _routes(args)
        settings = model.settingsOf(account, create=True)
        settings.routes = ",".join(names)
        for name in names:
            settings.resume(name)
        context.tell(f"Texts now come by the first open route of: "
                     f"{', '.join(names)}.")
        api.flush(store, account)
        return
    if action in ("stop", "on") and len(args) == 1:
        [route] = _routes(args)
        settings = model.settingsOf(account, create=True)
        if action == "stop":
            if not settings.stop(route):
                raise _refused(f"Texts {_how(route)} are off already.")
            context.tell(f"Texts {_how(route)} are off now.")
        else:
            settings.resume(route)
            context.tell(f"Texts {_how(route)} are on again.")
            api.flush(store, account)
        return
    if action == "jid" and len(args) == 1:
        return _setJID(context, account, args[0])
    if action == "verify" and len(args) == 1:
        if settings is None or settings.jid is None:
            raise _refused("You have given no Jabber ID.")
        if model.verifyJID(settings, args[0], model.now(store)):
            context.tell(f"Your Jabber ID {settings.jid} is verified.")
            api.flush(store, account)
        else:
            # The wrong count must stay: not an ActionFailure (rollback).
            context.tell("That code is wrong or has expired; 'account "
                         "notify jid <jid>' sends a new one.")
        return
    if action == "quiet" and args:
        return _quiet(context, account, args)
    raise _refused(USAGE)


def _setJID(context, account, jid):
    settings = model.settingsOf(account, create=True)
    if jid.lower() == "none":
        settings.jid = None
        settings.jidVerified = False
        context.tell("Your Jabber ID is forgotten.")
        return
    route = api.routeNamed(context.store, "xmpp")
    if route is None:
        found = context.store.findFirst(model.NotifyConfig)
        if found is None or not found.xmppDomain:
            raise _refused("This game sends no instant messages (it has no "
                           "XMPP link), so a Jabber ID can't be used here.")
        raise _refused("This game sends no instant messages right now (its "
                       "XMPP link is not up), so it can't check a Jabber "
                       "ID; try again later.")
    try:
        code = model.setJID(settings, jid, model.now(context.store))
    except ValueError as e:
        raise _refused(str(e))
    route.sendCode(settings.jid, code)
    context.tell(f"A code is on its way to {settings.jid} by instant "
                 f"message; type 'account notify verify <code>' when it "
                 f"arrives.")


def _quiet(context, account, args):
    settings = model.settingsOf(account, create=True)
    if len(args) == 1 and args[0].lower() in ("off", "none"):
        settings.quietStart = settings.quietEnd = None
        context.tell("You have no quiet hours now.")
        api.flush(context.store, account)
        return
    if len(args) > 2:
        raise _refused("Give quiet hours as HH:MM-HH:MM and, if you like, "
                       "a time zone (Europe/Paris).")
    zone = args[1] if len(args) == 2 else settings.timezone
    try:
        start, end, zone = model.parseQuiet(args[0], zone)
    except ValueError as e:
        raise _refused(str(e))
    settings.quietStart, settings.quietEnd = start, end
    settings.timezone = zone
    context.tell(f"Quiet hours: {model.formatMinutes(start)}-"
                 f"{model.formatMinutes(end)} {zone}; texts outside the "
                 f"game wait until they end.")
    api.flush(context.store, account)


class Text(Verb):
    """
    text <character> <words>: answer a character who texted you (wherever it
    is); 'text <character> stop' stops texts in the game.
    """

    names = ("text",)
    syntax = ("text {text}",)
    usage = "text <character> <words>"

    def run(self, context, text):
        """Answer the character C{text} names with the rest of it."""
        account = mailModel.accountOf(context.actor)
        if account is None:
            raise _refused("Only a player's character can text.")
        first, _, rest = text.strip().partition(" ")
        character = mailModel.characterNamed(context.store, first)
        if character is None:
            raise _refused(f"There is no character called '{first}'.")
        if not rest.strip():
            raise _refused(f"What do you want to text {character.name}?")
        if not api.texted(account, character) and \
                rest.strip().lower() not in ("stop", "stop."):
            raise _refused(f"{character.name} has not texted you; you can "
                           f"answer only characters who did.")
        answer = api.reply(account, character, rest, "game")
        if answer:
            context.tell(answer)
