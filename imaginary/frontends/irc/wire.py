"""
IRC messages on the wire: parsing what a client sends, formatting what
we send, and the byte limits of both.

Written here rather than taken from twisted.words: its parser splits on
single spaces (so "PRIVMSG  #a" gains an empty parameter), knows nothing
of IRCv3 message tags, and works on str that the caller must already have
decoded, where a client's line may be UTF-8, Latin-1 or broken.  Each of
these functions is pure and small, so the protocol's tests (and a
hypothesis test over arbitrary bytes) can reach every branch.
"""

import calendar
import re
import time

import attr

# RFC 1459/2812: a message is at most 512 bytes with its CRLF; IRCv3
# message-tags add up to 8191 bytes of tags in front (4094 from clients).
MAX_MESSAGE = 512
MAX_CLIENT_TAGS = 4096
# A client line longer than this is not read as a message at all.
MAX_INPUT = MAX_MESSAGE + MAX_CLIENT_TAGS + 1

_TAG_UNESCAPES = {":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n"}
_TAG_ESCAPES = {";": "\\:", " ": "\\s", "\\": "\\\\", "\r": "\\r",
                "\n": "\\n"}
# mIRC formatting a client may put in what it types: bold, colour (with
# its numbers), hex colour, reset, monospace, italic, strike, underline,
# reverse.  The game gets the words without them.
_FORMATTING = re.compile(
    r"\x03(\d{1,2}(,\d{1,2})?)?|\x04([0-9a-fA-F]{6}(,[0-9a-fA-F]{6})?)?|"
    r"[\x02\x0f\x11\x16\x1d\x1e\x1f]")


@attr.s(frozen=True, slots=True)
class Message:
    """One parsed client message: tags (dict), source, COMMAND, params."""

    command = attr.ib()
    params = attr.ib(default=())
    tags = attr.ib(factory=dict)
    source = attr.ib(default=None)


def decode(raw):
    """
    Text for one line of bytes: UTF-8 when it is valid UTF-8, else Latin-1
    (what older clients send), so no byte sequence is ever an error and a
    character split across two reads is whole again by the end of its
    line.  NULs, which no IRC message may hold, are dropped.
    """
    raw = raw.replace(b"\x00", b"")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def unescapeTag(value):
    """An IRCv3 tag value with its escapes undone."""
    if "\\" not in value:
        return value
    out = []
    chars = iter(value)
    for c in chars:
        if c == "\\":
            nxt = next(chars, "")
            out.append(_TAG_UNESCAPES.get(nxt, nxt))
        else:
            out.append(c)
    return "".join(out)


def escapeTag(value):
    """An IRCv3 tag value escaped for the wire."""
    return "".join(_TAG_ESCAPES.get(c, c) for c in value)


def parse(line):
    """
    A Message for one decoded line (no CR or LF), or None when it holds no
    command.  Runs of spaces separate parameters; a parameter after " :"
    is the trailing one and keeps its spaces.  The command is upper-cased.
    """
    tags = {}
    source = None
    rest = line.lstrip(" ")
    if rest.startswith("@"):
        head, _, rest = rest.partition(" ")
        for item in head[1:].split(";"):
            if item:
                key, _, value = item.partition("=")
                tags[key] = unescapeTag(value)
        rest = rest.lstrip(" ")
    if rest.startswith(":"):
        source, _, rest = rest[1:].partition(" ")
        rest = rest.lstrip(" ")
    trailing = None
    if " :" in rest:
        rest, trailing = rest.split(" :", 1)
    elif rest.startswith(":"):
        rest, trailing = "", rest[1:]
    words = rest.split()
    if not words:
        return None
    params = words[1:]
    if trailing is not None:
        params.append(trailing)
    return Message(words[0].upper(), tuple(params), tags, source)


def stripFormatting(text):
    """Text without mIRC formatting codes or other control characters."""
    text = _FORMATTING.sub("", text)
    return "".join(c for c in text if c >= " " and c != "\x7f")


def serverTime(seconds=None):
    """An IRCv3 server-time value: UTC, milliseconds, 'Z'."""
    if seconds is None:
        seconds = time.time()
    whole = int(seconds)
    millis = int((seconds - whole) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + \
        f".{millis:03d}Z"


def parseServerTime(value):
    """Seconds since the epoch for a server-time value, or None."""
    match = re.fullmatch(
        r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z", value)
    if match is None:
        return None
    fields = [int(g) for g in match.groups()[:6]]
    try:
        whole = calendar.timegm((*fields, 0, 0, 0))
    except (ValueError, OverflowError):
        return None
    return whole + float(match.group(7) or 0)


def format(command, *params, source=None, tags=None):
    """
    One message as bytes with its CRLF.  The last parameter is sent as
    the trailing one (after " :") when it must be (empty, spaces, a
    leading colon); callers keep within MAX_MESSAGE with split().  CR, LF and NUL never reach the wire.
    """
    parts = []
    if tags:
        parts.append("@" + ";".join(
            key if value is None or value == "" else
            f"{key}={escapeTag(str(value))}" for key, value in tags.items()))
    if source:
        parts.append(":" + source)
    parts.append(command)
    params = [_clean(str(p)) for p in params]
    if params:
        parts.extend(params[:-1])
        last = params[-1]
        # The colon only where it is needed: some clients compare a lone
        # "AUTHENTICATE +" or "BATCH -ref" word for word.
        if not last or " " in last or last.startswith(":"):
            last = ":" + last
        parts.append(last)
    return " ".join(parts).encode("utf-8") + b"\r\n"


def _clean(text):
    if "\r" in text or "\n" in text or "\x00" in text:
        text = text.replace("\r", " ").replace("\n", " ").replace(
            "\x00", "")
    return text


def split(text, room):
    """
    C{text} cut into pieces of at most C{room} bytes of UTF-8 each, at
    spaces where it can be (a word longer than a piece is cut between
    characters, never inside one).  Newlines always cut; empty lines are
    dropped, since an empty message shows as nothing in most clients.
    """
    room = max(room, 8)
    pieces = []
    for line in text.split("\n"):
        line = line.rstrip(" ")
        while line:
            data = line.encode("utf-8")
            if len(data) <= room:
                pieces.append(line)
                break
            # The longest prefix that fits, on a character boundary.
            cut = room
            while cut > 0 and (data[cut] & 0xC0) == 0x80:
                cut -= 1
            head = data[:cut].decode("utf-8")
            space = head.rfind(" ")
            if space > 0:
                head = head[:space]
                line = line[space + 1:]
            else:
                line = line[len(head):]
            pieces.append(head)
            line = line.lstrip(" ")
    return pieces


def room(command, target, source):
    """
    How many bytes of trailing text fit in one message sent as
    ":SOURCE COMMAND TARGET :" (tags aside) within MAX_MESSAGE.
    """
    used = len(f":{source} {command} {target} :".encode("utf-8")) + 2
    return MAX_MESSAGE - used
