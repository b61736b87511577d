"""
Input and output limits shared by every front end.

A player's client is not trusted: a line may be huge, a burst may hold
thousands of lines, bytes may not be UTF-8, and a client may stop reading
while the room keeps talking.  Each front end applies these limits the same
way, so the rules (and the messages) do not depend on how one connects.
"""

import os
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

TOO_LONG = (f"That line is too long (over {MAX_LINE_BYTES} bytes); it was "
            f"ignored.")
TOO_FAST = "You are typing too fast; some commands were dropped."
NOT_UTF8 = ("Your client sent text that is not valid UTF-8; the bad bytes "
            "were replaced.")


class FloodGate:
    """
    A token bucket: a burst of ``BURST_LINES`` lines, refilled at
    ``MAX_LINES_PER_SECOND``.  ``admit()`` says whether a line may go on,
    and whether the sender should be told that lines were dropped: once
    per flood, and again only if the flood goes on for ``WARN_EVERY``
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
        self._tokens = min(self.burst,
                           self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens < 1:
            warn = self._warnedAt is None or \
                now - self._warnedAt >= self.WARN_EVERY
            if warn:
                self._warnedAt = now
            return False, warn
        self._tokens -= 1
        return True, False


def decodeLine(raw):
    """
    Text for a line of bytes from a client: backspace (BS or DEL, as a
    telnet client in character mode sends them) erases the character
    before it, other control characters and NULs are removed, invalid
    UTF-8 is replaced.  Returns (text, warning or None).
    """
    raw = raw.replace(b"\x00", b"")
    warning = None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "replace")
        warning = NOT_UTF8
    if "\x08" in text or "\x7f" in text:
        kept = []
        for c in text:
            if c in "\x08\x7f":
                if kept:
                    kept.pop()
            else:
                kept.append(c)
        text = "".join(kept)
    text = "".join(c for c in text if c >= " " and c != "\x7f" or c == "\t")
    return text, warning


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
