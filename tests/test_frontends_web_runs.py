"""Span trees as runs, the web client's rendering of styled text."""

import json

from hypothesis import given, strategies as st

from imaginary.frontends.web.runs import renderRuns
from imaginary.frontends.web.wire import outputMessage
from imaginary.language import Span, Style, renderPlain, styled
from imaginary.language.styled import COLOURS

colours = st.one_of(st.none(), st.sampled_from(COLOURS),
                    st.sampled_from(COLOURS).map(lambda c: "bright " + c))
styles = st.builds(
    Style, fg=colours, bg=colours, bold=st.booleans(),
    underline=st.booleans(), italic=st.booleans(),
    role=st.one_of(st.none(), st.sampled_from(
        ["speech", "exit", "room-title", "player", "made-up"])))
spans = st.recursive(
    st.builds(lambda t, s: Span((t,), s), st.text(), styles),
    lambda inner: st.builds(
        Span, st.lists(st.one_of(st.text(), inner), max_size=4), styles),
    max_leaves=12)


@given(spans)
def test_textIsRenderPlains(span):
    """Any Span: the runs' texts joined are renderPlain's text."""
    runs = renderRuns(span)
    assert "".join(run["text"] for run in runs) == renderPlain(span)
    for run in runs:
        assert run["text"]
        assert set(run) == {"text", "style", "role"}
    # Adjacent runs differ in look (equal ones are joined).
    for a, b in zip(runs, runs[1:]):
        assert (a["style"], a["role"]) != (b["style"], b["role"])


@given(spans)
def test_outputMessageIsJSON(span):
    """The message carrying the runs parses back to the same runs."""
    message = json.loads(outputMessage(7, span))
    assert message == {"type": "output", "seq": 7, "runs": renderRuns(span)}


def test_stylesAndRoles():
    runs = renderRuns(styled("Bob", role="player")), renderRuns(
        styled("a ", styled("b", fg="bright red", underline=True), " c",
               bold=True))
    assert runs[0] == [{"text": "Bob", "role": "player",
                        "style": {"fg": "magenta", "bold": True}}]
    assert runs[1] == [
        {"text": "a ", "style": {"bold": True}, "role": None},
        {"text": "b", "style": {"fg": "bright red", "bold": True,
                                "underline": True}, "role": None},
        {"text": " c", "style": {"bold": True}, "role": None}]


def test_escapesRemovedMarkupKept():
    """Terminal escapes go (as for every renderer); markup is just text."""
    runs = renderRuns(styled("<b>\x1b[31mhi\x07</b>\nnext"))
    assert runs == [{"text": "<b>hi</b>\nnext", "style": {}, "role": None}]
    assert renderRuns("plain") == [
        {"text": "plain", "style": {}, "role": None}]
