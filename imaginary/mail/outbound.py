"""
Mail leaving the game: an item in the store first, then the relay.

C{queue()} stores an C{OutboundMail} (the message's bytes, its envelope,
its state) and schedules it on the store's persistent scheduler, inside
the caller's transaction: once the verb that sent it has committed, the
message is as safe as the rest of the world.  When the scheduler runs it,
C{run()} marks it "sending", counts the try, and leaves a watchdog call
in the store (the attempt's time limit from now); after that transaction
commits, twisted.mail's ESMTP client takes the message to the operator's
relay: STARTTLS and AUTH when the operator gave a user (required unless
the relay is configured "plain", for a relay on loopback).

The outcome is written the moment the relay answers:

  - 250 after the data: "sent", in the same reactor turn as the reply, and
    the watchdog is removed;
  - a 4xx reply, a refused or dropped connection, a timeout, a TLS or AUTH
    problem: "queued" again with the next delay of Quotient's table (five
    tries a minute apart, then 5 min, 30 min, 2 h, 6 h: about five days),
    after which it bounces;
  - a 5xx reply: bounced at once, with the relay's words.

The sending character finds the outcome in its mailbox (and is told, if
in play): "sent", "retrying" (after the first failed try) or "bounced".

Across a crash: a message committed as "queued" is sent after the
restart (its scheduled call is in the store).  One caught "sending" (the
process died during the attempt) is sent again when its watchdog comes
due, since the game cannot know whether the relay got it; the only case
in which that sends twice is a process killed between the relay's 250
and the commit just after it, and the message keeps its Message-ID, so a
duplicate is recognisable downstream.  Nothing the relay acknowledged
after that commit is ever sent again.
"""

from io import BytesIO

from epsilon.extime import Time
from twisted.internet import defer, error as netError
from twisted.logger import Logger
from twisted.mail import smtp
from twisted.python.failure import Failure

from imaginary.simulation.events import runEventTransaction
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.thing import Thing
from imaginary.accounts import Account
from imaginary.store import (
    AND, IScheduler, Item, NULLIFY, bytes as bytesAttribute, integer,
    reference, text, timestamp)

from . import model

log = Logger()

SYSTEM = "Mail system"
STATES = ("queued", "sending", "sent", "bounced")

# Attempts in progress in this process, by (store, storeID): an item's
# Python object may be dropped and loaded again, so not kept on it.
_attempts = {}


class MailRefused(ActionFailure):
    """
    The game will not send this message; the text says why (an
    ActionFailure, so a verb's transaction rolls back and says it).
    """


class OutboundMail(Item):
    """One message on its way to the relay."""

    typeName = "imaginary_mail_outbound"
    schemaVersion = 1

    message = bytesAttribute(allowNone=False)
    mailFrom = text(allowNone=False)
    rcptTo = text(allowNone=False)
    messageID = text(allowNone=False, indexed=True)
    subject = text(default="")
    state = text(default="queued", allowNone=False, indexed=True)
    tries = integer(default=0, allowNone=False)
    created = timestamp(defaultFactory=Time, allowNone=False, indexed=True)
    lastTry = timestamp(default=None)
    lastReply = text(default=None)
    # Who is told the outcome, and whose hourly limit it counts toward.
    senderCharacter = reference(reftype=Thing, whenDeleted=NULLIFY)
    account = reference(reftype=Account, whenDeleted=NULLIFY)

    def run(self):
        """
        The scheduler's call (inside its transaction): start a try, or,
        when one is still running here, look again after its time limit.
        """
        if self.state in ("sent", "bounced"):
            return None
        config = model.settings(self.store)
        # The watchdog: twice the attempt's limit, so that it finds the
        # attempt over (and removed) unless the process died meanwhile.
        later = Time.fromPOSIXTimestamp(
            Time().asPOSIXTimestamp() + 2 * config.attemptTimeout)
        if (id(self.store), self.storeID) in _attempts:
            return later
        self.state = "sending"
        self.tries += 1
        self.lastTry = Time()
        store, storeID = self.store, self.storeID
        _clock().callLater(0, _attempt, store, storeID)
        return later


def _clock():
    from twisted.internet import reactor
    return reactor


def queue(store, mailFrom, rcptTo, message, messageID, subject="",
          senderCharacter=None, account=None):
    """
    Store C{message} (bytes) for delivery to C{rcptTo} and schedule it
    now (inside the caller's transaction).  Raises MailRefused when no
    relay is configured.
    """
    config = model.settings(store)
    if not config.relayHost:
        raise MailRefused("This game sends no mail outside it (no relay "
                          "is configured).")
    message = sign(config, message)
    item = OutboundMail(store=store, message=message, mailFrom=mailFrom,
                        rcptTo=rcptTo, messageID=messageID,
                        subject=subject, senderCharacter=senderCharacter,
                        account=account)
    IScheduler(store).schedule(item, Time())
    return item


def sign(config, message):
    """C{message} with a DKIM-Signature when a key is configured."""
    if not (config.dkimKeyFile and config.dkimSelector):
        return message
    import dkim
    with open(config.dkimKeyFile, "rb") as f:
        key = f.read()
    signature = dkim.sign(
        message, config.dkimSelector.encode("ascii"),
        config.domain.encode("ascii"), key,
        # RFC 8058: List-Unsubscribe and List-Unsubscribe-Post must be
        # signed, or providers ignore the one-click address.
        include_headers=[b"from", b"to", b"subject", b"date",
                         b"message-id", b"in-reply-to", b"references",
                         b"reply-to", b"list-id", b"list-post",
                         b"list-unsubscribe", b"list-unsubscribe-post",
                         b"mime-version", b"content-type"])
    return signature + message


def sentWithin(store, seconds, character=None, account=None):
    """How many messages C{character} (or C{account}) queued lately."""
    since = Time.fromPOSIXTimestamp(Time().asPOSIXTimestamp() - seconds)
    who = (OutboundMail.senderCharacter == character if character
           is not None else OutboundMail.account == account)
    return store.query(OutboundMail,
                       AND(who, OutboundMail.created > since)).count()


def _contextFactory(config):
    """
    TLS options for the relay: its name checked against the system's
    trusted roots, or against the operator's CA file when given.
    """
    from twisted.internet.ssl import Certificate, optionsForClientTLS
    trustRoot = None
    if config.relayCAFile:
        with open(config.relayCAFile, "rb") as f:
            trustRoot = Certificate.loadPEM(f.read())
    return optionsForClientTLS(config.relayHost, trustRoot=trustRoot)


def _attempt(store, storeID):
    """Take one message to the relay (after run()'s transaction)."""
    if store._conn is None:
        return                      # the store closed meanwhile
    try:
        item = store.getItemByID(storeID)
    except KeyError:
        return
    if not isinstance(item, OutboundMail) or item.state != "sending":
        return                      # run()'s transaction was rolled back
    key = (id(store), storeID)
    done = defer.Deferred()
    reactor = _clock()
    _attempts[key] = done
    limit = None
    try:
        config = model.settings(store)
        if not config.relayHost:
            raise MailRefused("no relay is configured any more")
        limit = reactor.callLater(config.attemptTimeout, done.cancel)
        _connect(reactor, config, item, done)
    except Exception:
        # A setting that can't be used (an unreadable password or CA
        # file, the relay removed): this try fails, and is retried.
        log.failure("mail {id}: could not start a try", id=storeID)
        if not done.called:
            done.errback()

    def finished(result):
        _attempts.pop(key, None)
        if limit is not None and limit.active():
            limit.cancel()
        if store._conn is None:
            return
        try:
            runEventTransaction(store, _record, store, storeID, result)
        except Exception:
            log.failure("recording the outcome of mail {id} failed",
                        id=storeID)
    done.addBoth(finished)


def _connect(reactor, config, item, done):
    """Connect twisted.mail's ESMTP client to the relay, for C{item}."""
    plain = config.relaySecurity == "plain"
    user = config.relayUser
    password = config.relayPassword() if user else None
    factory = smtp.ESMTPSenderFactory(
        user.encode("utf-8") if user else None,
        password.encode("utf-8") if password else None,
        item.mailFrom, [item.rcptTo],
        # twisted.mail's client turns each LF into CRLF itself.
        BytesIO(item.message.replace(b"\r\n", b"\n")), done,
        retries=0, timeout=config.attemptTimeout,
        contextFactory=None if plain else _contextFactory(config),
        heloFallback=plain, requireAuthentication=bool(user),
        requireTransportSecurity=config.relaySecurity == "starttls",
        hostname=config.relayHost)
    # The factory's own name for us would be the host's; say the game's.
    factory.domain = config.domain.encode("ascii")
    if config.relaySecurity == "tls":
        reactor.connectSSL(config.relayHost, config.relayPort, factory,
                           _contextFactory(config))
    else:
        reactor.connectTCP(config.relayHost, config.relayPort, factory,
                           timeout=config.attemptTimeout)


def _reply(failure):
    """(code, text) of a failed try; code 0 for no SMTP reply."""
    value = failure.value
    if isinstance(value, smtp.SMTPConnectError):
        why = value.resp.decode("utf-8", "replace") if isinstance(
            value.resp, bytes) else str(value.resp)
        return 0, f"could not reach the relay ({why})"
    if isinstance(value, smtp.SMTPClientError) and value.addresses and \
            not any(200 <= a[1] < 300 for a in value.addresses):
        # Refused at RCPT: the recipient's own reply says why.
        _, code, resp = value.addresses[0]
        resp = resp.decode("utf-8", "replace") if isinstance(
            resp, bytes) else str(resp)
        return code, f"{code} {resp}".strip()
    if isinstance(value, smtp.SMTPClientError) and value.code > 0:
        resp = value.resp.decode("utf-8", "replace") if isinstance(
            value.resp, bytes) else str(value.resp)
        return value.code, f"{value.code} {resp}".strip()
    if isinstance(value, defer.CancelledError):
        return 0, "the relay did not answer in time"
    if isinstance(value, netError.ConnectError):
        return 0, f"could not reach the relay ({value.__class__.__name__})"
    return 0, failure.getErrorMessage() or value.__class__.__name__


def _record(store, storeID, result):
    """Write a try's outcome: sent, queued again, or bounced."""
    item = store.getItemByID(storeID)
    if item.state != "sending":
        return
    scheduler = IScheduler(store)
    scheduler.unscheduleAll(item)       # the watchdog
    if not isinstance(result, Failure):
        item.state = "sent"
        count, replies = result
        item.lastReply = " ".join(
            f"{code} {resp.decode('utf-8', 'replace')}"
            for _, code, resp in replies)[:500]
        log.info("mail {id} to {to} sent", id=item.messageID,
                 to=item.rcptTo)
        _tell(item, "Sent", f"Your mail '{item.subject}' to {item.rcptTo} "
                            f"was handed to the mail relay.")
        return
    code, reply = _reply(result)
    item.lastReply = reply[:500]
    # AUTH and TLS refusals are the operator's configuration, not the
    # recipient's address: retried, not bounced.
    configuration = isinstance(result.value, (
        smtp.AUTHDeclinedError, smtp.AUTHRequiredError,
        smtp.TLSRequiredError, smtp.AuthenticationError))
    delays = model.settings(store).delays()
    if 500 <= code < 600 and not configuration:
        _bounce(item, f"the relay refused it: {reply}")
    elif item.tries > len(delays):
        _bounce(item, f"it could not be delivered after {item.tries} "
                      f"tries (last: {reply})")
    else:
        item.state = "queued"
        delay = delays[item.tries - 1]
        scheduler.schedule(item, Time.fromPOSIXTimestamp(
            Time().asPOSIXTimestamp() + delay))
        log.info("mail {id} to {to}: try {n} failed ({reply}); next in "
                 "{delay}s", id=item.messageID, to=item.rcptTo,
                 n=item.tries, reply=reply, delay=delay)
        if item.tries == 1:
            _tell(item, "Retrying",
                  f"Your mail '{item.subject}' to {item.rcptTo} could not "
                  f"be sent yet ({reply}); the game keeps trying for "
                  f"about five days.")


def _bounce(item, why):
    item.state = "bounced"
    log.info("mail {id} to {to} bounced: {why}", id=item.messageID,
             to=item.rcptTo, why=why)
    _tell(item, "Bounced", f"Your mail '{item.subject}' to {item.rcptTo} "
                           f"was not delivered: {why}.")


def _tell(item, what, text):
    """The outcome, in the sending character's mailbox."""
    character = item.senderCharacter
    if character is None:
        return
    from .compose import newMessageID
    domain = model.settings(item.store).domain
    model.deliver(character, SYSTEM, f"{what}: {item.subject}", text,
                  newMessageID(domain), inReplyTo=item.messageID)


def pending(store):
    """The messages not yet sent or bounced, oldest first."""
    return list(store.query(
        OutboundMail, OutboundMail.state.oneOf(["queued", "sending"]),
        sort=OutboundMail.created.ascending))
