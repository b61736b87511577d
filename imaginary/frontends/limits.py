"""
Input and output limits shared by every front end.

A player's client is not trusted: a line may be huge, a burst may hold
thousands of lines, bytes may not be UTF-8, and a client may stop reading
while the room keeps talking.  Each front end applies these limits the same
way, so the rules (and the messages) do not depend on how one connects.
"""

import os
import re
import time

MAX_LINE_BYTES = 4096
# Operators (and the load benchmark) may raise the flood limit.
MAX_LINES_PER_SECOND = float(os.environ.get("IMAGINARY_MAX_LINES_PER_SECOND",
                                            "20"))
BURST_LINES = max(40, MAX_LINES_PER_SECOND * 2)
# Output queued for one client before it is taken to have stopped reading
# (on top of what the kernel's socket buffer holds).
MAX_OUTPUT_BYTES = int(os.environ.get("IMAGINARY_MAX_OUTPUT_BYTES",
                                      1024 * 1024))

# Bytes a second one connection may send, sustained, and the burst it may
# send at once: beyond them the server stops reading from it (the kernel's
# window then holds the client back) instead of spending a core on a
# client streaming megabytes while everyone else waits.
MAX_INPUT_BYTES_PER_SECOND = int(os.environ.get(
    "IMAGINARY_MAX_INPUT_BYTES_PER_SECOND", 64 * 1024))
INPUT_BURST_BYTES = max(4 * MAX_INPUT_BYTES_PER_SECOND, 256 * 1024)

TOO_LONG = (f"That line is too long (over {MAX_LINE_BYTES} bytes); it was "
            f"ignored.")
TOO_FAST = "You are typing too fast; some commands were dropped."
NOT_UTF8 = ("Your client sent text that is not valid UTF-8; the bad bytes "
            "were replaced.")


class FloodGate:
    """
    A token bucket: a burst of C{BURST_LINES} lines, refilled at
    C{MAX_LINES_PER_SECOND}.  C{admit()} says whether a line may go on,
    and whether the sender should be told that lines were dropped: once
    per flood, and again only if the flood goes on for C{WARN_EVERY}
    seconds, however many lines it drops.
    """

    WARN_EVERY = 2.0

    def __init__(self, rate=None, burst=None, clock=time.monotonic):
        self.rate = MAX_LINES_PER_SECOND if rate is None else rate
        self.burst = BURST_LINES if burst is None else burst
        self.clock = clock
        self._tokens = self.burst
        self._last = clock()
        self._warnedAt = None

    def admit(self):
        """(admitted, warn) for one more line now."""
        now = self.clock()
        # (A comparison, not min(): this runs for every line typed.)
        tokens = self._tokens + (now - self._last) * self.rate
        self._tokens = tokens if tokens < self.burst else self.burst
        self._last = now
        if self._tokens < 1:
            warn = self._warnedAt is None or \
                now - self._warnedAt >= self.WARN_EVERY
            if warn:
                self._warnedAt = now
            return False, warn
        self._tokens -= 1
        return True, False


class InputThrottle:
    """
    A byte-rate limit on what one connection sends: a token bucket of
    C{burst} bytes refilled at C{rate} a second.  C{received(n)} is told
    of every chunk read; once the bucket is overdrawn the transport is
    paused (C{pauseProducing}: the reactor stops reading the socket, so
    nothing is buffered here and the client's own TCP window fills) until
    the debt is paid back, then resumed by a C{callLater}.

    The chunk that overdraws is still handled (the reactor reads at most
    64 KiB at once), so a client gets C{rate} on average and never more
    than C{burst} plus one read ahead of it.

    @param clock: an IReactorTime; None for the reactor (looked up when
        first needed, so tests may set C{clock} after construction).
    """

    def __init__(self, transport, rate=None, burst=None, clock=None):
        self.transport = transport
        self.rate = MAX_INPUT_BYTES_PER_SECOND if rate is None else rate
        self.burst = INPUT_BURST_BYTES if burst is None else burst
        self.clock = clock
        self._tokens = self.burst
        self._last = None
        self._call = None
        self.paused = False
        # For operators and tests: how often, and for how long, reading
        # was held back.
        self.pauses = 0

    def _clock(self):
        if self.clock is None:
            from twisted.internet import reactor
            self.clock = reactor
        return self.clock

    def received(self, n):
        """C{n} bytes were read: pause reading if that overdrew the bucket."""
        if self.rate <= 0:
            return
        clock = self.clock
        if clock is None:
            clock = self._clock()
        now = clock.seconds()
        if self._last is not None:
            tokens = self._tokens + (now - self._last) * self.rate
            self._tokens = tokens if tokens < self.burst else self.burst
        self._last = now
        self._tokens -= n
        if self._tokens < 0 and not self.paused:
            self.paused = True
            self.pauses += 1
            self.transport.pauseProducing()
            self._call = self._clock().callLater(-self._tokens / self.rate,
                                                 self._resume)

    def _resume(self):
        self._call = None
        self.paused = False
        transport = self.transport
        if transport is not None and not getattr(transport, "disconnecting",
                                                 False):
            transport.resumeProducing()

    def stop(self):
        """The connection is gone: forget the pending resume."""
        if self._call is not None and self._call.active():
            self._call.cancel()
        self._call = None
        self.transport = None


def decodeLine(raw):
    """
    Text for a line of bytes from a client: backspace (BS or DEL, as a
    telnet client in character mode sends them) erases the character
    before it, other control characters and NULs are removed, invalid
    UTF-8 is replaced.  Returns (text, warning or None).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if text.isprintable():
            return text, None   # no controls, NULs or backspaces at all
    raw = raw.replace(b"\x00", b"")
    warning = None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "replace")
        warning = NOT_UTF8
    if "\x1b" in text:
        # An arrow or function key pressed in a client that sends what it
        # has (plain telnet): the whole sequence goes, not just its ESC
        # (the game would read "up" as "[a").
        text = _KEYS.sub("", text)
    if "\x08" in text or "\x7f" in text:
        kept = []
        for c in text:
            if c in "\x08\x7f":
                if kept:
                    kept.pop()
            else:
                kept.append(c)
        text = "".join(kept)
    return _CONTROLS.sub("", text), warning


# What a terminal sends for a key: CSI (ESC [ ... final) and SS3 (ESC O x)
# sequences, and other two-character escapes.
_KEYS = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|O.|[ -~])")

# Control characters other than tab (C0 and DEL), removed from lines typed.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def screenLine(gate, raw, tell):
    """
    One line from a client through the flood gate and decoding: the text
    to hand the session, or None when the line was dropped.  C{tell(text)}
    sends the client a message about what happened.
    """
    admitted, warn = gate.admit()
    if not admitted:
        if warn:
            tell(TOO_FAST)
        return None
    text, warning = decodeLine(raw)
    if warning:
        tell(warning)
    return text
