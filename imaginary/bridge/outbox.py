"""
Lines toward IRC: at most one message a second, bursts merged.

IRC networks disconnect a client that sends faster than about a line a
second (and a bridge that floods a channel is a nuisance), while a busy
game channel can say ten lines in that second.  So the bridge sends at
most one PRIVMSG per C{interval}, and what piled up meanwhile for one
IRC channel goes in the next one, joined by " | ", as long as it fits in
an IRC line.  While the network is down (or the channel not joined yet)
lines wait, up to C{limit} of them; beyond that the oldest are dropped
and the next message says how many.
"""

from collections import deque

# Room for the text of one PRIVMSG: 512 bytes less the server's prefix on
# relay (":nick!user@host ", up to ~100 bytes), "PRIVMSG #chan :" and
# CRLF.  IRC counts bytes, so this does too.
MAX_BYTES = 380
SEPARATOR = " | "


def splitText(text, limit=MAX_BYTES):
    """
    C{text} in pieces of at most C{limit} UTF-8 bytes, cut between words
    when there is a space to cut at, never inside a character.
    """
    pieces = []
    while len(text.encode("utf-8")) > limit:
        cut = len(text.encode("utf-8")[:limit].decode("utf-8", "ignore"))
        space = text.rfind(" ", 0, cut + 1)
        if space > cut // 2:
            cut = space
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


class Outbox:
    """
    Messages waiting for IRC, sent through C{send(target, text)} no
    faster than one per C{interval} seconds of C{clock} (an
    IReactorTime), and only to targets C{ready(target)} says are joined.
    """

    def __init__(self, clock, send, ready=lambda target: True,
                 interval=1.0, limit=100, maxBytes=MAX_BYTES):
        self.clock = clock
        self.send = send
        self.ready = ready
        self.interval = interval
        self.limit = limit
        self.maxBytes = maxBytes
        self.queue = deque()        # (target, text)
        self.dropped = {}           # target -> lines dropped, not told yet
        self.open = False
        self.lastSent = None
        self.timer = None

    def __len__(self):
        return len(self.queue)

    def put(self, target, text):
        """Queue C{text} for C{target} (split if too long), and send as
        soon as the rate allows."""
        for piece in splitText(text, self.maxBytes):
            self.queue.append((target, piece))
        while len(self.queue) > self.limit:
            gone, _ = self.queue.popleft()
            self.dropped[gone] = self.dropped.get(gone, 0) + 1
        self._schedule()

    def start(self):
        """The connection is up (again): send what waits."""
        self.open = True
        self._schedule()

    def stop(self):
        """The connection is gone: keep lines until start()."""
        self.open = False
        if self.timer is not None and self.timer.active():
            self.timer.cancel()
        self.timer = None

    def forget(self, target):
        """Drop what waits for C{target} (its link is gone)."""
        self.queue = deque(item for item in self.queue if item[0] != target)
        self.dropped.pop(target, None)

    def _schedule(self):
        if not self.open or self.timer is not None or not self._sendable():
            return
        now = self.clock.seconds()
        wait = 0 if self.lastSent is None else max(
            0, self.lastSent + self.interval - now)
        if wait == 0:
            self._flush()
        else:
            self.timer = self.clock.callLater(wait, self._flush)

    def _sendable(self):
        return any(self.ready(target) for target, _ in self.queue)

    def _flush(self):
        self.timer = None
        if not self.open:
            return
        target = next((t for t, _ in self.queue if self.ready(t)), None)
        if target is None:
            return
        self.send(target, self._merge(target))
        self.lastSent = self.clock.seconds()
        self._schedule()

    def _merge(self, target):
        """Take the longest run of C{target}'s waiting lines that fits in
        one message (other targets' lines keep their places)."""
        taken = []
        dropped = self.dropped.pop(target, 0)
        if dropped:
            taken.append(f"({dropped} earlier line{'s' if dropped != 1 else ''}"
                         f" not relayed: too many while IRC was away)")
        size = len(SEPARATOR.join(taken).encode("utf-8"))
        kept = deque()
        stopped = False
        for item in self.queue:
            if stopped or item[0] != target:
                kept.append(item)
                continue
            more = len(item[1].encode("utf-8")) + (
                len(SEPARATOR) if taken else 0)
            if taken and size + more > self.maxBytes:
                stopped = True      # order within a target is kept
                kept.append(item)
                continue
            taken.append(item[1])
            size += more
        self.queue = kept
        return SEPARATOR.join(taken)
