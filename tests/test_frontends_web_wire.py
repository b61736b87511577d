"""
The web front end's messages (imaginary/frontends/web/wire.py): whatever
the game's text and data, each is one JSON object that reads back as
exactly what was meant, however many listeners share its encoding.
"""

import json

from hypothesis import given, strategies as st

from imaginary.frontends.web.wire import (
    dataMessage, errorMessage, outputMessage, promptMessage)
from imaginary.language import styled

plain = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) |
    st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
seqs = st.none() | st.integers(0, 2**40)


@given(seqs, st.text(min_size=1, max_size=30), plain)
def test_dataReadsBack(seq, package, data):
    message = json.loads(dataMessage(seq, package, data))
    assert message == {"type": "data", "seq": seq, "package": package,
                       "data": data}


@given(st.lists(seqs, min_size=1, max_size=5), plain)
def test_sharedDataKeepsEachSeq(numbers, data):
    """One event's data to several listeners: only the seq differs."""
    for seq in numbers:
        assert json.loads(dataMessage(seq, "Char.Vitals", data))["seq"] == seq
    # The same object under another package name is not mixed up.
    assert json.loads(dataMessage(1, "Room.Info", data))["package"] == \
        "Room.Info"


@given(seqs, st.text())
def test_outputIsTextNotMarkup(seq, text):
    message = json.loads(outputMessage(seq, styled(text, role="speech")))
    assert message["type"] == "output" and message["seq"] == seq
    # Controls are cleaned by the renderer; what is left is text.
    assert all(run["role"] == "speech" for run in message["runs"])


def test_smallMessages():
    assert json.loads(promptMessage("> ")) == {"type": "prompt",
                                               "text": "> "}
    assert json.loads(errorMessage("<b>no</b>")) == {
        "type": "error", "message": "<b>no</b>"}
