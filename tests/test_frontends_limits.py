"""
Tests for imaginary.frontends.limits: the flood gate and line decoding
that every front end shares.
"""

from twisted.internet.task import Clock
from hypothesis import given, strategies as st

from imaginary.frontends.limits import NOT_UTF8, FloodGate, decodeLine



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
    assert decodeLine(b"a\tb\x1b[31m") == ("a\tb[31m", None)


@given(st.binary(max_size=300))
def test_any_bytes_decode_to_text_without_control_characters(raw):
    text, warning = decodeLine(raw)
    assert all(c >= " " or c == "\t" for c in text)
    assert (warning is None) == _valid(raw.replace(b"\x00", b""))


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
