"""
Tests for imaginary.frontends.limits: the flood gate, the input byte-rate
limit and line decoding that every front end shares.
"""

from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from hypothesis import given, strategies as st

from imaginary.frontends.limits import (
    NOT_UTF8, FloodGate, InputThrottle, decodeLine)



def test_a_burst_then_the_rate_with_one_warning_per_flood():
    clock = Clock()
    clock.advance(1000)
    gate = FloodGate(rate=2, burst=5, clock=clock.seconds)
    results = [gate.admit() for _ in range(8)]
    assert results == [(True, False)] * 5 + [(False, True)] + \
        [(False, False)] * 2
    clock.advance(1.0)            # two more lines' worth
    assert [gate.admit()[0] for _ in range(3)] == [True, True, False]
    clock.advance(10.0)           # refilled, but never past the burst
    assert [gate.admit()[0] for _ in range(6)] == [True] * 5 + [False]


def test_a_long_flood_is_told_again_only_after_a_while():
    clock = Clock()
    clock.advance(1000)
    gate = FloodGate(rate=1, burst=1, clock=clock.seconds)
    assert gate.admit() == (True, False)
    assert gate.admit() == (False, True)
    clock.advance(1.0)            # one line gets through, the flood goes on
    assert gate.admit() == (True, False)
    assert gate.admit() == (False, False)
    clock.advance(1.5)            # WARN_EVERY after the first warning
    assert gate.admit() == (True, False)
    assert gate.admit() == (False, True)


def test_decode_cleans_and_warns():
    assert decodeLine(b"look\x00 at\x07 me") == ("look at me", None)
    assert decodeLine("caf\u00e9".encode()) == ("caf\u00e9", None)
    assert decodeLine(b"caf\xe9") == ("caf\ufffd", NOT_UTF8)
    assert decodeLine(b"a\tb\x1b[31m") == ("a\tb", None)


def test_keys_a_terminal_sends_as_escapes_are_dropped_whole():
    # Up, down (CSI and SS3 forms), F5, Home with a modifier, Alt-x:
    # GNU telnet sends them within the line as they are pressed.
    assert decodeLine(b"\x1b[A") == ("", None)
    assert decodeLine(b"\x1b[Blook") == ("look", None)
    assert decodeLine(b"lo\x1bOAok") == ("look", None)
    assert decodeLine(b"say hi\x1b[15~") == ("say hi", None)
    assert decodeLine(b"\x1b[1;5Hn") == ("n", None)
    assert decodeLine(b"\x1bxlook") == ("look", None)
    assert decodeLine(b"say \x1b") == ("say ", None)     # a lone ESC


@given(st.binary(max_size=300))
def test_any_bytes_decode_to_text_without_control_characters(raw):
    text, warning = decodeLine(raw)
    assert all(c >= " " or c == "\t" for c in text)
    assert "\x7f" not in text
    assert (warning is None) == _valid(raw.replace(b"\x00", b""))


@given(st.text(max_size=300))
def test_printable_text_decodes_as_it_was_typed(text):
    decoded, warning = decodeLine(text.encode("utf-8", "surrogatepass"))
    if text.isprintable():
        assert (decoded, warning) == (text, None)


def _valid(raw):
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def test_backspace_and_delete_erase_the_character_before():
    assert decodeLine(b"inx\x7fv")[0] == "inv"
    assert decodeLine(b"lookk\x08")[0] == "look"
    assert decodeLine("zoë\x7f\x7fe".encode())[0] == "ze"
    assert decodeLine(b"\x7f\x7fhi")[0] == "hi"


def test_reading_pauses_past_the_burst_and_resumes_when_paid_back():
    """
    A client sends faster than the byte rate: once the burst is spent the
    transport is paused (nothing buffered: the socket is just not read),
    and resumed when the rate has paid the debt back; over a long stream
    what is read averages the rate.
    """
    clock = Clock()
    tcp = StringTransport()
    throttle = InputThrottle(tcp, rate=1000, burst=4000, clock=clock)
    for _ in range(4):
        throttle.received(1000)
    assert tcp.producerState == "producing"
    throttle.received(500)                  # 500 bytes overdrawn
    assert tcp.producerState == "paused"
    clock.advance(0.49)
    assert tcp.producerState == "paused"
    clock.advance(0.01)
    assert tcp.producerState == "producing"
    # A long stream, read whenever reading is allowed, 1000 at a time.
    read, start = 0, clock.seconds()
    while clock.seconds() - start < 60:
        if tcp.producerState == "producing":
            throttle.received(1000)
            read += 1000
        clock.advance(0.01)
    assert 59000 <= read <= 61000 + 4000
    assert throttle.pauses > 50


def test_a_client_within_the_rate_is_never_paused():
    clock = Clock()
    tcp = StringTransport()
    throttle = InputThrottle(tcp, rate=1000, burst=4000, clock=clock)
    for _ in range(600):
        throttle.received(90)               # 900 bytes a second
        clock.advance(0.1)
    assert throttle.pauses == 0 and tcp.producerState == "producing"


def test_a_closed_connection_is_not_resumed():
    clock = Clock()
    tcp = StringTransport()
    throttle = InputThrottle(tcp, rate=1000, burst=10, clock=clock)
    throttle.received(5000)
    tcp.loseConnection()
    throttle.stop()
    clock.advance(10)                       # nothing left to call
    assert clock.getDelayedCalls() == []
    assert tcp.producerState == "paused"
