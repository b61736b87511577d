"""Tests for imaginary.language.styled: spans and their renderers."""

import re

from hypothesis import given, strategies as st

from imaginary.language import (
    renderANSI, renderHTML, renderIRC, renderPlain, sanitize, styled, wrap,
    wrapANSI)


def test_nested_styles_restore_the_outer_one():
    span = styled("a", styled("b", fg="red"), "c", bold=True)
    assert renderANSI(span, "16") == "\x1b[1ma\x1b[0m\x1b[1;31mb\x1b[0m" \
        "\x1b[1mc\x1b[0m"
    assert renderPlain(span) == "abc"


def test_roles_and_depths():
    title = styled("Hall", role="room-title")
    assert renderANSI(title, "16") == "\x1b[1;36mHall\x1b[0m"
    assert renderANSI(title, "256") == "\x1b[1;38;5;6mHall\x1b[0m"
    assert renderANSI(title, "truecolour") == \
        "\x1b[1;38;2;17;168;205mHall\x1b[0m"
    assert renderANSI(title, None) == "Hall"


def test_html_escapes_and_classes():
    span = styled("<b>&", styled("x", role="exit"))
    assert renderHTML(span) == '&lt;b&gt;&amp;<span class="role-exit">x' \
        '</span>'


def test_irc_codes():
    assert renderIRC(styled("hi", bold=True, fg="red")) == "\x02\x0304hi\x0f"
    assert renderIRC(styled("hi", bold=True), colours=False) == "hi"


def test_sanitize_removes_escapes_controls_and_bidi():
    assert sanitize("\x1b[31mred\x1b]0;title\x07\x07\u202eevil\tx") == \
        "redevil x"


def test_wrap():
    assert wrap("one two three four", 9) == "one two\nthree\nfour"
    assert wrapANSI("\x1b[1mone\x1b[0m two three", 7) == \
        "\x1b[1mone\x1b[0m two\nthree"


RENDERER_CODES = re.compile(r"\x1b\[[0-9;]*m")


@given(st.text())
def test_user_text_never_carries_live_escapes(text):
    out = renderANSI(styled("x", styled(text, fg="green")), "256")
    stripped = RENDERER_CODES.sub("", out)
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", stripped)
    html = renderHTML(styled(text))
    assert "<" not in html.replace("<br>", "")


@given(st.lists(st.text(alphabet="abc ", min_size=1, max_size=12),
                max_size=20), st.integers(5, 40))
def test_wrap_respects_width(words, width):
    text = " ".join(words)
    for line in wrap(text, width).split("\n"):
        assert len(line) <= width or " " not in line.strip()
