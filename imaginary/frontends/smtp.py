"""
The SMTP front end: mail from the real world lands in characters'
mailboxes (C{imaginary serve --smtp tcp:2525:interface=127.0.0.1}).

It is meant to sit on loopback behind the operator's own Postfix or Exim,
which does TLS, SPF, DKIM checks and spam filtering (docs/operating.md);
this server only decides who may receive, and stores what arrives.

  - Recipients are checked at RCPT: an address that names no character
    (nor an alias, nor a live unsubscribe address) gets 550 there, so the
    game never has to bounce a message it accepted.
  - A sender claiming the game's own domain is refused at MAIL (nobody
    authenticates here; the game's own mail never comes back this way).
  - At most C{MAX_RECIPIENTS} per message (452 after), C{MAX_SIZE} bytes
    counted as they arrive (552, and the rest thrown away unread),
    C{MAX_HEADERS} header fields, lines of at most C{MAX_LINE} bytes (the
    connection is closed: a line that long is no mail), and per peer
    C{PER_HOUR} messages and C{CONNECTIONS} at once (421/450).
  - A message is parsed with the standard library (imaginary/mail/
    compose.py) and put in every recipient's mailbox in one transaction:
    all or none, and a character in play is told at once.
  - A group's list (C{<handle>@lists.<domain>}, imaginary/mail/lists.py)
    takes mail only from an address a member's account verified (the
    envelope sender, checked at RCPT): anyone else gets 550 "... is a
    members-only list", an unknown handle 550 as an unknown user does.
    Before such a message is stored, the DMARC policy of its From
    domain is looked up (imaginary/mail/dmarc.py), for the copies that
    go out to members' real inboxes.
"""

import collections

from twisted.internet import defer
from twisted.logger import Logger
from twisted.mail import smtp
from twisted.python.failure import Failure
from zope.interface import implementer

from imaginary.mail import accountmail, compose, dmarc, listmail, lists, model
from imaginary.mail.outbound import MailRefused
from imaginary.notify import api as notifyAPI
from imaginary.simulation.events import runEventTransaction

log = Logger()

MAX_SIZE = 1024 * 1024          # bytes of message, counted on arrival
MAX_RECIPIENTS = 100            # RFC 5321's minimum a server must take
MAX_HEADERS = compose.MAX_HEADERS
MAX_LINE = 16 * 1024
PER_HOUR = 60                   # messages one peer may hand us an hour
CONNECTIONS = 10                # at once, per peer
IDLE_SECONDS = 120              # a silent client is dropped (421)


class _Transaction:
    """
    One message, for all its recipients: Twisted makes an IMessage per
    recipient, and they share this, so the message is kept once and
    stored for everyone in one store transaction.
    """

    def __init__(self, delivery, origin):
        self.delivery = delivery
        self.origin = origin
        # Characters, ("unsubscribe", token) or ("list", group).
        self.recipients = []
        self.messages = []
        self.lines = []
        self.size = 0
        self.headers = 0
        self.inHeaders = True
        self.waiting = []

    def line(self, message, line):
        if message is not self.messages[0]:
            return                  # one copy is enough
        self.size += len(line) + 2
        if self.size > MAX_SIZE:
            # Bytes here: Twisted sends a data-phase error's text as is
            # (and a RCPT or MAIL one through networkString, as str).
            raise smtp.SMTPServerError(
                552, f"5.3.4 Message too big: the most is {MAX_SIZE} "
                     f"bytes".encode("ascii"))
        if self.inHeaders:
            # A client that ends lines with a bare LF sends many in one.
            for part in line.split(b"\n"):
                part = part.rstrip(b"\r")
                if not part:
                    self.inHeaders = False
                    break
                if part[:1] not in (b" ", b"\t"):
                    self.headers += 1
            if self.headers > MAX_HEADERS:
                raise smtp.SMTPServerError(
                    552, f"5.3.4 Too many header fields (the most is "
                         f"{MAX_HEADERS})".encode("ascii"))
        self.lines.append(line)

    def end(self):
        """
        One recipient's end of data: a Deferred firing once the message
        is stored for everyone (the last recipient's end stores it), or
        failing with the SMTPServerError to answer.
        """
        waiting = defer.Deferred()
        self.waiting.append(waiting)
        if len(self.waiting) == len(self.messages):
            # storeMessage may wait (a list's DMARC lookup), or not.
            defer.maybeDeferred(self.delivery.storeMessage, self).addBoth(
                self._stored)
        return waiting

    def _stored(self, result):
        outcome = None
        if isinstance(result, Failure):
            if result.check(smtp.SMTPServerError):
                outcome = result.value
            else:
                log.failure("storing a received message failed", result)
                outcome = smtp.SMTPServerError(
                    451, "4.3.0 The message could not be stored; try later")
        for each in self.waiting:
            if outcome is None:
                each.callback(None)
            else:
                each.errback(outcome)


@implementer(smtp.IMessage)
class _Message:
    """A recipient's view of the shared transaction."""

    def __init__(self, transaction):
        self.transaction = transaction
        transaction.messages.append(self)

    def lineReceived(self, line):
        self.transaction.line(self, line)

    def eomReceived(self):
        return self.transaction.end()

    def connectionLost(self):
        """The client went, or the message was refused: nothing is
        stored."""
        self.transaction.lines = []


@implementer(smtp.IMessageDelivery)
class GameDelivery:
    """Who may send to whom, and storing what arrives (per connection)."""

    def __init__(self, factory, peer):
        self.factory = factory
        self.peer = peer
        self.store = factory.store
        self.current = None

    def receivedHeader(self, helo, origin, recipients):
        """
        None: the raw message is not kept, so no Received field is needed
        (and none keeps Twisted from calling the next msgFunc late).
        """
        return None

    def validateFrom(self, helo, origin):
        """
        Accept the envelope sender, unless its peer has sent too many
        messages lately (450) or it claims the game's own domain (nothing
        inbound logs in, so nobody may send as the game).
        """
        if not self.factory.allowMessage(self.peer):
            raise smtp.SMTPServerError(
                450, "4.7.1 Too many messages from you; try again later")
        address = str(origin)
        if address and model.isOurs(self.store, address):
            raise smtp.SMTPBadSender(
                origin, 550, "5.7.1 Mail from this game's own domain must "
                "not come from outside")
        self.current = _Transaction(self, address)
        return origin

    def validateTo(self, user):
        """
        Accept a character's or a group list's address (a list only from
        its members' verified addresses); 550 for anyone else.
        """
        transaction = self.current
        if transaction is None:
            raise smtp.SMTPServerError(503, "5.5.1 MAIL first")
        if len(transaction.recipients) >= MAX_RECIPIENTS:
            raise smtp.SMTPServerError(
                452, f"4.5.3 Too many recipients (the most is "
                     f"{MAX_RECIPIENTS} a message)")
        address = str(user.dest)
        local = user.dest.local.decode("ascii", "replace").lower()
        if local.startswith("unsubscribe+") and model.isOurs(
                self.store, address):
            token = local.split("+", 1)[1]
            if self.store.findFirst(
                    accountmail.AccountEmail,
                    accountmail.AccountEmail.unsubscribeToken == token) \
                    or listmail.byToken(self.store, token) is not None:
                transaction.recipients.append(("unsubscribe", token))
                return lambda: _Message(transaction)
        if listmail.isListAddress(self.store, address):
            return self._toList(transaction, user, address)
        character = model.characterAt(self.store, address)
        if character is None:
            raise smtp.SMTPBadRcpt(user, 550, "5.1.1 No such character "
                                   "here")
        if character in transaction.recipients:
            raise smtp.SMTPServerError(250, "2.1.5 Recipient already "
                                       "given")
        transaction.recipients.append(character)
        return lambda: _Message(transaction)

    def _toList(self, transaction, user, address):
        """RCPT to a group's list: only from a member's verified
        address."""
        group = listmail.groupAt(self.store, address)
        if group is None:
            raise smtp.SMTPBadRcpt(user, 550, "5.1.1 No such list here")
        if listmail.memberWithAddress(group, transaction.origin) is None:
            raise smtp.SMTPBadRcpt(
                user, 550, f"5.7.1 {address.lower()} is a members-only "
                "list; post from the address your account verified")
        if ("list", group) in transaction.recipients:
            raise smtp.SMTPServerError(250, "2.1.5 Recipient already "
                                       "given")
        transaction.recipients.append(("list", group))
        return lambda: _Message(transaction)

    def storeMessage(self, transaction):
        """
        Parse and store a complete message, in one transaction; for a
        list, after the DMARC lookup of its From domain (a Deferred).
        """
        raw = b"\r\n".join(transaction.lines) + b"\r\n"
        domain = model.settings(self.store).domain
        try:
            received = compose.read(raw, domain)
        except Exception:
            # compose.read takes anything; this is the last resort.
            log.failure("a message could not be read")
            received = compose.Received(
                transaction.origin or "someone", transaction.origin or None,
                "(unreadable message)", raw.decode("utf-8", "replace"),
                compose.newMessageID(domain), None, None,
                "the message could not be read")
        senderAddress = received.senderAddress or transaction.origin or None
        toLists = [r for r in transaction.recipients
                   if isinstance(r, tuple) and r[0] == "list"]
        if toLists and model.settings(self.store).relayHost:
            author = _author(toLists[0][1], senderAddress,
                             transaction.origin)
            try:
                domain = model.splitAddress(author)[1]
            except ValueError:
                domain = None
            if domain:
                found = dmarc.lookup(domain,
                                     listmail.dnsServer(self.store))
                return found.addCallback(
                    lambda policy: self._store(transaction, received,
                                               senderAddress, policy))
        self._store(transaction, received, senderAddress, None)

    def _store(self, transaction, received, senderAddress, policy):
        """Store a read message for every recipient (one transaction)."""
        domain = model.settings(self.store).domain

        def toList(group):
            author = _author(group, senderAddress, transaction.origin)
            name = received.sender if received.sender not in (
                senderAddress, "someone") else None
            lists.post(group, author, received.subject, received.body,
                       messageID=received.messageID,
                       inReplyTo=received.inReplyTo,
                       references=received.references, authorName=name,
                       directRecipients=received.recipients,
                       dmarcPolicy=policy)

        def store():
            for recipient in transaction.recipients:
                if isinstance(recipient, tuple) and recipient[0] == "list":
                    toList(recipient[1])
                    continue
                if isinstance(recipient, tuple):
                    if not accountmail.unsubscribe(self.store,
                                                   recipient[1]):
                        listmail.unsubscribe(self.store, recipient[1])
                    continue
                if notifyAPI.stopByMail(recipient, transaction.origin,
                                        received.body):
                    continue    # "stop" to a character's texts
                model.deliver(
                    recipient, received.sender, received.subject,
                    received.body, received.messageID,
                    senderAddress=senderAddress,
                    recipient=model.addressOf(recipient, domain),
                    inReplyTo=received.inReplyTo,
                    references=received.references, note=received.note)
        try:
            runEventTransaction(self.store, store)
        except model.MailboxFull as e:
            raise smtp.SMTPServerError(452, f"4.2.2 {e}")
        except MailRefused as e:
            raise smtp.SMTPServerError(550, f"5.7.1 {e}")
        log.info("mail from {sender} for {count} recipient(s) stored",
                 sender=senderAddress, count=len(transaction.recipients))


def _author(group, fromAddress, origin):
    """
    Who posts to C{group}'s list: the envelope's sender (checked at RCPT),
    or the From when that is the same member's verified address too (so
    the copies show the address the member wrote from, but nobody posts
    as another member by writing their address in From).
    """
    if fromAddress and origin:
        member = listmail.memberWithAddress(group, fromAddress)
        if member is not None and \
                member is listmail.memberWithAddress(group, origin):
            return fromAddress
    return origin


class GameESMTP(smtp.ESMTP):
    """Twisted's ESMTP, with our limits on lines, sizes and replies."""

    MAX_LENGTH = MAX_LINE

    def connectionMade(self):
        """Count the connection against its peer's limit, then greet."""
        if not self.factory.connectionOpened(self.peer):
            self.sendCode(421, b"4.7.0 Too many connections from you")
            self.transport.loseConnection()
            return
        smtp.ESMTP.connectionMade(self)

    def connectionLost(self, reason):
        """Forget the connection in its peer's count."""
        smtp.ESMTP.connectionLost(self, reason)
        self.factory.connectionClosed(self.peer)

    def extensions(self):
        """ESMTP's extensions, with SIZE (the largest message taken)."""
        found = smtp.ESMTP.extensions(self)
        found[b"SIZE"] = [str(MAX_SIZE).encode("ascii")]
        return found

    def do_MAIL(self, rest):
        """MAIL FROM: a SIZE=n declared too big is refused before a byte of
        it is sent."""
        match = self.mail_re.match(rest)
        opts = (match.group("opts") or b"") if match else b""
        for opt in opts.split():
            name, _, value = opt.partition(b"=")
            if name.upper() == b"SIZE" and value.isdigit() and \
                    int(value) > MAX_SIZE:
                self.sendCode(552, f"5.3.4 Message too big: the most is "
                                   f"{MAX_SIZE} bytes".encode("ascii"))
                return
        return smtp.ESMTP.do_MAIL(self, rest)

    def lineLengthExceeded(self, line):
        """
        A line over the limit: answer 500 and close (Twisted would go back
        to reading commands mid-message, reading the rest of the body as
        commands).
        """
        self.sendCode(500, b"5.5.2 Line too long; closing the connection")
        self.transport.loseConnection()

    def _messageHandled(self, resultList):
        # Twisted answers every failure with 550; say what happened.
        for success, result in resultList:
            if not success:
                if result.check(smtp.SMTPServerError):
                    self.sendCode(result.value.code, result.value.resp
                                  if isinstance(result.value.resp, bytes)
                                  else result.value.resp.encode("utf-8"))
                    return
                log.failure("delivery failed", result)
                self.sendCode(451, b"4.3.0 Local error; try again later")
                return
        self.sendCode(250, b"2.0.0 Delivered to the game")

    @property
    def peer(self):
        """The client's address (for limits and the log)."""
        return getattr(self.transport.getPeer(), "host", "?")


class SMTPFactory(smtp.SMTPFactory):
    """The SMTP front end's factory, for the game's server."""

    protocol = GameESMTP
    timeout = IDLE_SECONDS

    def __init__(self, server, clock=None):
        smtp.SMTPFactory.__init__(self)
        self.server = server
        self.store = server.store
        self.clock = clock or server.reactor
        self.connections = collections.Counter()
        self.accepted = collections.defaultdict(collections.deque)

    def buildProtocol(self, addr):
        """A GameESMTP for C{addr}, speaking for the game's mail domain."""
        protocol = smtp.SMTPFactory.buildProtocol(self, addr)
        protocol.host = model.settings(self.store).domain.encode("ascii")
        protocol.delivery = GameDelivery(self, getattr(addr, "host", "?"))
        protocol.timeout = self.timeout
        return protocol

    def connectionOpened(self, peer):
        """Count a connection; False when the peer has too many."""
        self.connections[peer] += 1
        return self.connections[peer] <= CONNECTIONS

    def connectionClosed(self, peer):
        """A connection from C{peer} closed."""
        self.connections[peer] -= 1
        if self.connections[peer] <= 0:
            del self.connections[peer]

    def allowMessage(self, peer):
        """Count a message from C{peer}; False past PER_HOUR."""
        now = self.clock.seconds()
        times = self.accepted[peer]
        while times and times[0] < now - 3600:
            times.popleft()
        if len(times) >= PER_HOUR:
            return False
        times.append(now)
        return True
