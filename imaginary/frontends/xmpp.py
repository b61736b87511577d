"""
The XMPP component: the game joins the operator's XMPP server (Prosody,
ejabberd...) as an external component (XEP-0114), through Twisted's own
C{twisted.words.protocols.jabber.component}, so every character has a
Jabber ID at the component's domain (C{mara@game.example}: the local
part of its mail address) and players get its texts in their own chat
client.

C{XMPPComponent} is a service the server starts when the operator has
configured it (C{imaginary xmpp}, kept in the store's NotifyConfig).
While the handshake holds it is the store's C{xmpp} INotifyRoute
(imaginary/notify/api.py): a text goes to the player's verified Jabber
ID as a C{chat} message from the character's JID.  When it connects,
every text waiting for a route is tried again.

What players send to a character's JID:

  - "stop" (first, always): texts by XMPP are switched off, and the
    player is told so;
  - a verification code is typed in the game, not sent here;
  - anything else, from a verified JID, reaches the character as a tell
    from the player's character (notify.api.reply); a JID no account has
    verified is answered that it is unknown.

Twisted's component code has Python 3 pitfalls, handled here (see
docs/notifications.md): the domain and secret are passed as str; a
failed handshake (wrong secret, unknown domain, conflict) is seen as a
stream error before authentication and stops the retries, since a retry
would fail the same way every second forever; the observers are added in
componentConnected, which runs again with a new stream after each
reconnect; and stopping calls stopTrying() first, or the factory would
reconnect right after.
"""

from twisted.application import service
from twisted.logger import Logger
from twisted.words.protocols.jabber import component, xmlstream as jxs
from twisted.words.xish import domish
from zope.interface import implementer

from imaginary.mail import model as mailModel
from imaginary.notify import api, model
from imaginary.simulation.events import runEventTransaction

log = Logger()

MAX_DELAY = 60      # seconds between reconnects at most (Twisted: 3600)


@implementer(api.INotifyRoute)
class XMPPComponent(component.Service):
    """The game as an XEP-0114 component: the store's XMPP route."""

    name = "xmpp"

    def __init__(self, store, domain):
        self.store = store
        self.domain = domain
        self.authenticated = False
        self.failure = None     # why the handshake was refused, if it was

    # -- the connection ---------------------------------------------------

    def transportConnected(self, xs):
        """TCP is up: watch for a refused handshake."""
        self.authenticated = False
        xs.addObserver(jxs.INIT_FAILED_EVENT, self._failed)
        xs.addObserver(jxs.STREAM_ERROR_EVENT, self._failed)

    def _failed(self, failure):
        log.error("XMPP component {domain}: {why}", domain=self.domain,
                  why=failure.getErrorMessage())
        if not self.authenticated:
            # Bad secret, unknown domain, another instance connected: a
            # retry fails the same way, every second, forever.
            self.failure = failure.getErrorMessage()
            self.parent.getFactory().stopTrying()

    def componentConnected(self, xs):
        """The handshake succeeded (again, after a reconnect)."""
        self.authenticated = True
        self.failure = None
        xs.addObserver("/message", self.onMessage)
        api.installRoute(self.store, self)
        log.info("XMPP component {domain} connected", domain=self.domain)
        runEventTransaction(self.store, api.flush, self.store)

    def componentDisconnected(self):
        """The stream is gone: texts wait (or go by the next route)."""
        self.authenticated = False
        api.removeRoute(self.store, self)
        log.info("XMPP component {domain} disconnected", domain=self.domain)

    # -- INotifyRoute -------------------------------------------------------

    def available(self, account):
        """Whether C{account} has a verified Jabber ID and we are up."""
        settings = model.settingsOf(account)
        return self.authenticated and settings is not None and \
            bool(settings.jid) and settings.jidVerified

    def deliver(self, notification):
        """C{notification} as a chat message from the character's JID."""
        settings = model.settingsOf(notification.account)
        frm = f"{mailModel.localPartOf(notification.senderName)}@" \
              f"{self.domain}"
        self.say(frm, settings.jid, notification.body)

    def sendCode(self, jid, code):
        """A Jabber ID's verification code, from the component itself."""
        self.say(self.domain, jid,
                 f"Your code is {code}. Type 'account notify verify {code}' "
                 f"in the game within 30 minutes. If you did not ask for "
                 f"this, ignore this message.")

    def say(self, frm, to, text):
        """Send one chat message."""
        message = domish.Element((None, "message"))
        message["from"], message["to"], message["type"] = frm, to, "chat"
        message.addElement("body", content=text)
        # component.Service.send: the ServiceManager queues it while down.
        self.send(message)

    # -- what players send -----------------------------------------------

    def onMessage(self, element):
        """A message to one of our JIDs."""
        if element.getAttribute("type") == "error":
            return      # a bounce: never answer one
        body = element.body
        if body is None:
            return      # chat states, receipts: nothing said
        sender = element.getAttribute("from", "")
        to = element.getAttribute("to", "")
        words = str(body).strip()
        try:
            answer = runEventTransaction(self.store, self._received, sender,
                                         to, words)
        except Exception:
            log.failure("XMPP message from {sender}", sender=sender)
            answer = "Something went wrong; try again later."
        if answer:
            self.say(to or self.domain, model.bareJID(sender), answer)

    def _received(self, sender, to, words):
        account = model.accountForJID(self.store, sender)
        local, _, domain = model.bareJID(to).partition("@")
        character = mailModel.characterAt(
            self.store, f"{local}@{mailModel.settings(self.store).domain}") \
            if domain == self.domain.lower() and local else None
        if account is None:
            return ("This address is not known to the game: verify it with "
                    "'account notify jid <jid>' there first.")
        if character is None:
            if words.lower() in ("stop", "stop."):
                return api.reply(account, None, words, "xmpp")
            return f"There is nobody called '{local}' in the game."
        return api.reply(account, character, words, "xmpp")


def buildComponent(store, reactor=None):
    """
    The component's ServiceManager for C{store}'s configuration, or None
    when the operator has not configured one.  Raises OSError when the
    secret file cannot be read.
    """
    # Read, not made: a store that never had texts keeps no settings.
    config = store.findFirst(model.NotifyConfig)
    if config is None or not (config.xmppDomain and config.xmppServer and
            config.xmppSecretFile):
        return None
    secret = config.xmppSecret()
    manager = component.buildServiceManager(
        str(config.xmppDomain), str(secret), str(config.xmppServer))
    manager.getFactory().maxDelay = MAX_DELAY
    game = XMPPComponent(store, config.xmppDomain)
    game.setServiceParent(manager)
    return manager


class ComponentService(service.Service):
    """Starts and stops the ServiceManager, without a reconnect at stop."""

    name = "xmpp"

    def __init__(self, manager):
        self.manager = manager

    def startService(self):
        """Connect (and keep reconnecting after a drop)."""
        service.Service.startService(self)
        self.manager.startService()

    def stopService(self):
        """stopTrying() first: stopService alone would reconnect."""
        service.Service.stopService(self)
        self.manager.getFactory().stopTrying()
        return self.manager.stopService()
