"""The IRC bridge's Outbox: one message a second, bursts merged, kept
(bounded) while IRC is away; and its line splitting."""

from twisted.internet import task

from imaginary.bridge.outbox import MAX_BYTES, Outbox, splitText


def outbox(**kwargs):
    clock = task.Clock()
    sent = []
    joined = set(kwargs.pop("joined", ("#a", "#b")))
    box = Outbox(clock, lambda target, text: sent.append(
        (clock.seconds(), target, text)), lambda t: t in joined, **kwargs)
    return clock, box, sent, joined


def test_first_line_goes_at_once_and_a_burst_waits_merged():
    clock, box, sent, _ = outbox()
    box.start()
    box.put("#a", "<Alice> one")
    assert sent == [(0, "#a", "<Alice> one")]
    for n in range(2, 6):
        box.put("#a", f"<Alice> {n}")
    clock.advance(0.5)
    assert len(sent) == 1           # not before a second has passed
    clock.advance(0.5)
    assert sent[1:] == [(1.0, "#a", "<Alice> 2 | <Alice> 3 | <Alice> 4 | "
                                    "<Alice> 5")]
    clock.advance(5)
    assert len(sent) == 2 and len(box) == 0


def test_never_more_than_one_message_a_second():
    clock, box, sent, _ = outbox(limit=1000)
    box.start()
    # 200 lines of 100 bytes each in a burst: many messages, a second apart.
    for n in range(200):
        box.put("#a" if n % 3 else "#b", f"<Bob> {n:03} " + "x" * 90)
        clock.advance(0.05)
    clock.pump([1] * 200)
    times = [when for when, _, _ in sent]
    assert all(b - a >= 1.0 - 1e-9 for a, b in zip(times, times[1:]))
    assert all(len(text.encode()) <= MAX_BYTES for _, _, text in sent)
    # Every line arrived, in order, on its own target.
    for target in ("#a", "#b"):
        said = " | ".join(t for _, g, t in sent if g == target).split(" | ")
        expected = [f"<Bob> {n:03} " + "x" * 90 for n in range(200)
                    if (n % 3 != 0) == (target == "#a")]
        assert said == expected


def test_lines_wait_while_closed_and_the_overflow_is_told():
    clock, box, sent, _ = outbox(limit=5)
    for n in range(8):
        box.put("#a", f"<Al> {n}")
    clock.advance(10)
    assert sent == []
    box.start()
    assert sent == [(10, "#a", "(3 earlier lines not relayed: too many "
                               "while IRC was away) | <Al> 3 | <Al> 4 | "
                               "<Al> 5 | <Al> 6 | <Al> 7")]
    box.stop()
    box.put("#a", "<Al> later")
    clock.advance(3)
    assert len(sent) == 1
    box.start()
    assert sent[-1] == (13, "#a", "<Al> later")


def test_a_target_not_joined_does_not_hold_up_the_others():
    clock, box, sent, joined = outbox(joined=("#b",))
    box.start()
    box.put("#a", "<A> for a")
    box.put("#b", "<B> for b")
    assert sent == [(0, "#b", "<B> for b")]
    joined.add("#a")
    box.start()         # the network starts the box again on each join
    clock.advance(1)
    assert sent[1] == (1, "#a", "<A> for a")
    box.put("#a", "<A> gone")
    box.forget("#a")
    clock.advance(5)
    assert len(sent) == 2


def test_split_at_words_and_never_inside_a_character():
    text = "word " * 200
    pieces = splitText(text.strip(), 50)
    assert all(len(p.encode()) <= 50 for p in pieces)
    assert " ".join(pieces) == text.strip()
    assert all(not p.startswith(" ") and not p.endswith(" ")
               for p in pieces)
    accents = "é" * 100             # 200 bytes, no spaces
    pieces = splitText(accents, 51)
    assert "".join(pieces) == accents
    assert all(len(p.encode()) <= 51 for p in pieces)
    assert splitText("short", 50) == ["short"]
