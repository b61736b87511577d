"""
Whether a sender's domain publishes a strict DMARC policy, for the lists.

A list re-sends a member's post from the game's relay.  The post's From
names the member's own domain, which the game can't sign for, so where
that domain asks receivers to quarantine or reject mail that fails DMARC
(C{p=quarantine} or C{p=reject}), every copy would be lost; the list
then rewrites From to its own address (imaginary/mail/listmail.py).

The policy is the C{v=DMARC1} TXT record at C{_dmarc.<domain>}; when
the domain has none, the record of its organisational domain (taken as
its last two labels: there is no public suffix list here) and its C{sp=}
tag, else its C{p=}.  Lookups go through twisted.names to the DNS server
the operator set (C{imaginary mail --dns-server HOST[:PORT]}) or the
system's resolvers (/etc/resolv.conf).  Answers are kept for an hour,
failures (a timeout, SERVFAIL) for a minute; a failed lookup answers
None, and the list keeps the From it was given.
"""

import time

from twisted.internet import defer
from twisted.logger import Logger, LogLevel
from twisted.names import client, dns, error

log = Logger()

ANSWER_SECONDS = 3600
FAILURE_SECONDS = 60
TIMEOUT = (1, 3)            # seconds per try (twisted.names' retries)
STRICT = ("quarantine", "reject")

# (server, domain) -> (policy or "none" or None for a failure, expiry)
_cache = {}
_resolvers = {}


def parseServer(text):
    """
    ('host', port) of 'HOST' or 'HOST:PORT' ('[v6]:PORT' too);
    ValueError if it is not one.
    """
    text = (text or "").strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else "53"
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, "53"
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"'{text}' is not HOST or HOST:PORT.")
    return host, int(port)


def resolverFor(server):
    """A twisted.names resolver for C{server} ('HOST:PORT'; None: the
    system's), made once per server."""
    if server not in _resolvers:
        if server:
            _resolvers[server] = client.Resolver(
                servers=[parseServer(server)])
        else:
            _resolvers[server] = client.Resolver(resolv="/etc/resolv.conf")
    return _resolvers[server]


def parseRecord(text):
    """The tags of a DMARC record ('v=DMARC1; p=reject'), or None when it
    is not one."""
    tags = {}
    for part in text.split(";"):
        name, equals, value = part.partition("=")
        if equals:
            tags[name.strip().lower()] = value.strip().lower()
    if tags.get("v") != "dmarc1":
        return None
    return tags


@defer.inlineCallbacks
def _record(resolver, name):
    """The tags of the DMARC record at C{name}, or None when it has none
    (no such name, no TXT, no v=DMARC1).  Other failures propagate."""
    try:
        answers, _, _ = yield resolver.lookupText(name, timeout=TIMEOUT)
    except error.DomainError:
        return None             # NXDOMAIN: no record, a real answer
    for answer in answers:
        if answer.type != dns.TXT:
            continue
        text = b"".join(answer.payload.data).decode("ascii", "replace")
        tags = parseRecord(text)
        if tags is not None:
            return tags
    return None


@defer.inlineCallbacks
def lookup(domain, server=None, now=None):
    """
    A Deferred firing with C{domain}'s DMARC policy: 'none', 'quarantine'
    or 'reject' ('none' also when it publishes nothing), or None when the
    lookup failed.  Never fails.
    """
    domain = domain.strip().lower().rstrip(".")
    key = (server, domain)
    now = time.monotonic() if now is None else now
    cached = _cache.get(key)
    if cached is not None and cached[1] > now:
        return cached[0]
    try:
        resolver = resolverFor(server)
        tags = yield _record(resolver, "_dmarc." + domain)
        policy = tags.get("p") if tags else None
        labels = domain.split(".")
        if tags is None and len(labels) > 2:
            tags = yield _record(resolver,
                                 "_dmarc." + ".".join(labels[-2:]))
            if tags:
                policy = tags.get("sp") or tags.get("p")
        policy = policy if policy in ("none",) + STRICT else "none"
        _cache[key] = (policy, now + ANSWER_SECONDS)
    except Exception:
        log.failure("the DMARC policy of {domain} could not be looked up "
                    "(the list keeps the From)", domain=domain,
                    level=LogLevel.warn)
        policy = None
        _cache[key] = (None, now + FAILURE_SECONDS)
    return policy


def cached(domain, server=None, now=None):
    """C{domain}'s policy if a lookup answered lately, else None."""
    found = _cache.get((server, domain.strip().lower().rstrip(".")))
    now = time.monotonic() if now is None else now
    if found is not None and found[1] > now:
        return found[0]
    return None


def isStrict(policy):
    """Whether C{policy} asks receivers to quarantine or reject."""
    return policy in STRICT


def forget():
    """Empty the cache (for tests and after the operator changes the
    server)."""
    _cache.clear()
