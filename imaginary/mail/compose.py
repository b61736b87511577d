"""
Mail as bytes on the wire: built for sending, read back when received.

Outgoing messages are the standard library's C{EmailMessage} with the
SMTP policy: UTF-8 bodies (quoted-printable or base64 as the generator
chooses), non-ASCII header words RFC 2047-encoded (twisted.mail has no
SMTPUTF8, so nothing may go out raw), CRLF line ends, an explicit
Message-ID at the game's domain (twisted's own C{messageid()} would
take the host's name), and In-Reply-To/References for replies.

Incoming messages are parsed with the default policy and reduced to what
a mailbox shows: the text/plain part (or the HTML part made plain text),
attachments dropped and counted, the quoted tail of a reply trimmed.
"""

import email
import email.policy
import html.parser
import re
import secrets
import time
from email.message import EmailMessage
from email.utils import formataddr, formatdate, getaddresses, parseaddr

MAX_HEADERS = 200           # more header fields than this: refused


def newMessageID(domain):
    """A fresh '<...@domain>' Message-ID."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    return f"<{stamp}.{secrets.token_hex(8)}@{domain}>"


def build(fromName, fromAddress, toAddress, subject, body, messageID,
          inReplyTo=None, references=None, unsubscribe=None, toName=None,
          unsubscribeURL=None):
    """
    The EmailMessage for one outgoing mail.  C{unsubscribe}: the mailto
    address that turns game mail to this player off (RFC 2369), given for
    game-originated mail to a player's real address; C{unsubscribeURL},
    the web address that does the same with one POST (RFC 8058), when the
    game has a public web address.
    """
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = formataddr((fromName, fromAddress)) if fromName \
        else fromAddress
    message["To"] = formataddr((toName, toAddress)) if toName else toAddress
    message["Subject"] = subject or "(no subject)"
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = messageID
    if inReplyTo:
        message["In-Reply-To"] = inReplyTo
        message["References"] = " ".join(
            part for part in ((references or "").split() + [inReplyTo])
            if part)
    addUnsubscribe(message, unsubscribeURL, unsubscribe)
    # Auto-Submitted would stop replies; this mail expects them, so only
    # the marker that it came from software, not a person's client.
    message["X-Mailer"] = "Imaginary"
    # twisted.mail's client offers no 8BITMIME: the body must be 7-bit.
    message.set_content(body or "", charset="utf-8",
                        cte="quoted-printable")
    return message


def addUnsubscribe(message, url=None, mailto=None):
    """
    List-Unsubscribe (RFC 2369) on C{message}: the one-click C{url} (with
    List-Unsubscribe-Post, RFC 8058) and the C{mailto} address, as given.
    """
    targets = []
    if url:
        targets.append(f"<{url}>")
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if mailto:
        targets.append(f"<mailto:{mailto}>")
    if targets:
        message["List-Unsubscribe"] = ", ".join(targets)


def toBytes(message):
    """The message as bytes, CRLF line ends (as it is signed and sent)."""
    return message.as_bytes(policy=email.policy.SMTP)


class _TextOfHTML(html.parser.HTMLParser):
    """Collects the text of an HTML document, with line breaks."""

    BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5",
              "h6", "blockquote", "pre", "table"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def htmlToText(markup):
    """Plain text of an HTML body: tags gone, paragraphs kept."""
    parser = _TextOfHTML()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# "On Mon, 1 Jan 2026, Alice <a@b> wrote:" in its many spellings.
_ATTRIBUTION = re.compile(
    r"^(on\b.*\bwrote:|.*<[^>]+@[^>]+>\s*wrote:|-+\s*original message\s*-+"
    r"|am .* schrieb .*:|le .* a écrit\s*:)\s*$", re.IGNORECASE)


def trimQuoted(text):
    """
    A reply's new text: everything before the quoted original (the
    attribution line and the '>' lines after it), and no signature.
    Text that is all quote is kept whole rather than lost.
    """
    lines = text.splitlines()
    kept = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if _ATTRIBUTION.match(stripped):
            rest = [x for x in lines[i + 1:] if x.strip()]
            if not rest or all(x.lstrip().startswith(">") for x in rest) \
                    or stripped.lower().startswith("-"):
                break
        if stripped == "--":
            break           # the signature separator ("-- ")
        kept.append(line)
    while kept and (not kept[-1].strip() or
                    kept[-1].lstrip().startswith(">")):
        kept.pop()
    result = "\n".join(kept).strip()
    return result if result else text.strip()


class Received:
    """An incoming message, read: who, what, and what was dropped."""

    def __init__(self, sender, senderAddress, subject, body, messageID,
                 inReplyTo, references, note, recipients=()):
        self.recipients = list(recipients)
        """The addresses its To and Cc name (a list's no-duplicate
        rule needs them)."""
        self.sender = sender
        self.senderAddress = senderAddress
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.note = note


def _text(part):
    """A text part's content as str, whatever its charset claims."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _header(message, name):
    """A header's value as one str (bad encodings replaced), or ''."""
    try:
        value = message.get(name)
    except Exception:       # a defect the header parser raises on
        value = None
    if value is None:
        return ""
    return " ".join(str(value).split())


def read(raw, domain):
    """
    Read a received message (bytes).  Never raises on bad input: broken
    MIME, wrong charsets and invalid UTF-8 come out as replacement
    characters and a note, since the SMTP transaction has been accepted by
    the time this runs.
    """
    message = email.message_from_bytes(raw, policy=email.policy.default)
    name, address = parseaddr(_header(message, "From"))
    subject = _header(message, "Subject")
    body = None
    dropped = 0
    htmlBody = None
    if message.is_multipart():
        for part in message.walk():
            if part.is_multipart():
                continue
            kind = part.get_content_type()
            disposition = part.get_content_disposition()
            if disposition == "attachment" or not kind.startswith("text/"):
                dropped += 1
                continue
            if kind == "text/plain" and body is None:
                body = _text(part)
            elif kind == "text/html" and htmlBody is None:
                htmlBody = _text(part)
            else:
                dropped += 1
    else:
        kind = message.get_content_type()
        if kind == "text/html":
            htmlBody = _text(message)
        elif kind.startswith("text/") or not kind:
            body = _text(message)
        else:
            dropped += 1
    notes = []
    if body is None and htmlBody is not None:
        body = htmlToText(htmlBody)
        notes.append("converted from HTML")
    if body is None:
        body = ""
    body = trimQuoted(body.replace("\r\n", "\n"))
    if dropped:
        notes.append(f"{dropped} attachment{'s' if dropped != 1 else ''} "
                     f"dropped")
    if message.defects:
        notes.append("the message was malformed")
    messageID = _header(message, "Message-ID") or newMessageID(domain)
    inReplyTo = _header(message, "In-Reply-To") or None
    references = _header(message, "References") or None
    try:
        recipients = recipientsOf(message)
    except Exception:       # a header too broken to parse: none known
        recipients = []
    return Received(name or address or "someone", address or None,
                    subject, body, messageID[:500],
                    inReplyTo[:500] if inReplyTo else None,
                    references[-2000:] if references else None,
                    "; ".join(notes) or None, recipients)


def recipientsOf(message):
    """Every address a message's To and Cc name (for tests and tools)."""
    return [a for _, a in getaddresses(message.get_all("To", []) +
                                       message.get_all("Cc", []))]
