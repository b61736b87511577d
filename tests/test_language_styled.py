"""
Tests for imaginary.language.styled: Spans and their renderers (plain,
ANSI at three colour depths, HTML, mIRC), sanitizing and wrapping.
"""

import html
import re

import pytest
from hypothesis import given, settings, strategies as st

from imaginary.language import (
    Span, Style, columns, error, exitName, plainText, renderANSI,
    renderHTML, renderIRC, renderPlain, sanitize, styled, title, wrap,
    wrapANSI)
from imaginary.language.styled import COLOURS, ROLE_STYLES

# "a", then "b" in bold inside the red span, then "c": the inner style
# ends and the outer one must come back exactly.
NESTED = styled("a", styled("b", bold=True), "c", fg="red")


# Plain text

def test_plain_drops_styles():
    assert renderPlain(NESTED) == "abc"


def test_plain_of_a_str():
    assert renderPlain("just text") == "just text"


def test_plain_keeps_newlines_and_sanitizes_each_line():
    span = styled("one\x1b[31m\ntwo\rthree", styled("\n\x07four", bold=True))
    assert renderPlain(span) == "one\ntwothree\nfour"


def test_plainText_is_unsanitized():
    assert plainText(styled("a\x1b[2J", styled("b"))) == "a\x1b[2Jb"
    assert plainText("raw\x07") == "raw\x07"


# ANSI

def test_ansi_nested_style_restores_outer():
    assert renderANSI(NESTED) == (
        "\x1b[31ma\x1b[0m\x1b[1;31mb\x1b[0m\x1b[31mc\x1b[0m")


def test_ansi_deeper_nesting_restores_each_level():
    span = styled("1", styled("2", styled("3", fg="blue"), "4",
                              underline=True), "5", fg="red")
    assert renderANSI(span) == (
        "\x1b[31m1\x1b[0m\x1b[4;31m2\x1b[0m\x1b[4;34m3\x1b[0m"
        "\x1b[4;31m4\x1b[0m\x1b[31m5\x1b[0m")


def test_ansi_plain_span_has_no_escapes():
    assert renderANSI(styled("plain ", styled("text"))) == "plain text"
    assert renderANSI("a str") == "a str"


def test_ansi_runs_of_one_style_share_codes():
    span = styled(styled("a", fg="red"), styled("b", fg="red"), "c")
    assert renderANSI(span) == "\x1b[31mab\x1b[0mc"


def test_ansi_code_order_bold_italic_underline_fg_bg():
    span = styled("x", bold=True, italic=True, underline=True, fg="red",
                  bg="blue")
    assert renderANSI(span) == "\x1b[1;3;4;31;44mx\x1b[0m"


@pytest.mark.parametrize("colours, fg, bg, codes", [
    ("16", "red", None, "31"),
    ("16", "bright red", None, "91"),
    ("16", "white", "bright blue", "37;104"),
    ("256", "red", None, "38;5;1"),
    ("256", "bright red", None, "38;5;9"),
    ("256", "black", "cyan", "38;5;0;48;5;6"),
    ("truecolour", "red", None, "38;2;205;49;49"),
    ("truecolour", "bright red", None, "38;2;245;89;89"),
    ("truecolour", "bright white", "blue", "38;2;255;255;255;48;2;36;114;200"),
])
def test_ansi_colour_depths(colours, fg, bg, codes):
    assert renderANSI(styled("x", fg=fg, bg=bg), colours) == (
        f"\x1b[{codes}mx\x1b[0m")


def test_ansi_no_colours_is_plain_and_sanitized():
    assert renderANSI(styled("a\x1b]0;t\x07b", fg="red", bold=True),
                      None) == "ab"


@pytest.mark.parametrize("role, codes", [
    ("room-title", "1;36"),
    ("exit", "32"),
    ("speech", "33"),
    ("player", "1;35"),
    ("error", "31"),
    ("prompt", "1;37"),
    ("title", "1"),
    ("thing-title", "1"),
])
def test_ansi_roles_map_to_colours(role, codes):
    assert renderANSI(styled("x", role=role)) == f"\x1b[{codes}mx\x1b[0m"


def test_ansi_role_at_each_depth():
    hall = styled("Hall", role="room-title")
    assert renderANSI(hall, "16") == "\x1b[1;36mHall\x1b[0m"
    assert renderANSI(hall, "256") == "\x1b[1;38;5;6mHall\x1b[0m"
    assert renderANSI(hall, "truecolour") == (
        "\x1b[1;38;2;17;168;205mHall\x1b[0m")
    assert renderANSI(hall, None) == "Hall"


def test_ansi_roles_without_a_look_and_unknown_roles_are_plain():
    assert renderANSI(styled("x", role="thing")) == "x"
    assert renderANSI(styled("x", role="no-such-role")) == "x"


def test_ansi_explicit_colour_beats_role():
    assert renderANSI(styled("x", role="exit", fg="red")) == (
        "\x1b[31mx\x1b[0m")


def test_ansi_inner_role_over_outer_colour_and_back():
    span = styled("Bob says, '", styled("hi", role="speech"), "'",
                  fg="blue")
    assert renderANSI(span, "256") == (
        "\x1b[38;5;4mBob says, '\x1b[0m\x1b[38;5;3mhi\x1b[0m"
        "\x1b[38;5;4m'\x1b[0m")


def test_ansi_helpers():
    assert renderANSI(title("T")) == "\x1b[1mT\x1b[0m"
    assert renderANSI(exitName("north")) == "\x1b[32mnorth\x1b[0m"
    assert renderANSI(error("No.")) == "\x1b[31mNo.\x1b[0m"


def test_ansi_user_escapes_are_inert():
    span = styled("Mallory says, '", styled("\x1b[2J\x1b[31mboo\x1b[0m",
                                            role="speech"), "'")
    assert renderANSI(span) == (
        "Mallory says, '\x1b[33mboo\x1b[0m'")


# HTML

def test_html_nested_spans():
    assert renderHTML(NESTED) == (
        '<span class="fg-red">a<span class="bold">b</span>c</span>')


def test_html_classes_for_roles_colours_and_flags():
    span = styled("x", role="room-title", fg="bright red", bg="blue",
                  bold=True, underline=True, italic=True)
    assert renderHTML(span) == (
        '<span class="role-room-title fg-bright-red bg-blue bold underline'
        ' italic">x</span>')


def test_html_escapes_text():
    assert renderHTML(styled("<b>&\"'</b>", fg="red")) == (
        '<span class="fg-red">&lt;b&gt;&amp;&quot;&#x27;&lt;/b&gt;</span>')
    assert renderHTML("<script>") == "&lt;script&gt;"


def test_html_newlines_become_breaks_and_controls_go():
    assert renderHTML(styled("a\nb\x1b[1m\x00c")) == "a<br>bc"


def test_html_role_cannot_break_out_of_class():
    span = Span(("x",), Style(role='x" onclick="alert(1)'))
    assert renderHTML(span) == '<span class="role-xonclickalert1">x</span>'


def test_html_plain_span_has_no_element():
    assert renderHTML(styled("a", styled("b"))) == "ab"


# IRC

def test_irc_nested_style_restores_outer():
    assert renderIRC(NESTED) == (
        "\x0304a\x0f\x02\x0304b\x0f\x0304c\x0f")


@pytest.mark.parametrize("style, codes", [
    ({"bold": True}, "\x02"),
    ({"underline": True}, "\x1f"),
    ({"italic": True}, "\x1d"),
    ({"fg": "red"}, "\x0304"),
    ({"fg": "bright green"}, "\x0309"),
    ({"fg": "bright black"}, "\x0314"),
    ({"role": "exit"}, "\x0303"),
    ({"role": "player"}, "\x02\x0306"),
    ({"bold": True, "underline": True, "italic": True, "fg": "cyan"},
     "\x02\x1f\x1d\x0310"),
])
def test_irc_codes(style, codes):
    assert renderIRC(styled("x", **style)) == codes + "x\x0f"


def test_irc_plain_text_has_no_codes():
    assert renderIRC(styled("a", styled("b"))) == "ab"


def test_irc_text_starting_with_comma_is_not_a_background():
    # "\x0304,5" would be red on a background of colour 5.
    assert renderIRC(styled(",5 left", fg="red")) == (
        "\x0304\x02\x02,5 left\x0f")
    assert renderIRC(styled(",5", bold=True)) == "\x02,5\x0f"


def test_irc_text_starting_with_digits_keeps_them():
    assert renderIRC(styled("12 coins", fg="red")) == "\x030412 coins\x0f"


def test_irc_each_line_carries_its_own_codes():
    assert renderIRC(styled("one\ntwo", fg="red")) == (
        "\x0304one\x0f\n\x0304two\x0f")
    assert renderIRC(styled("one\n", styled("two", bold=True))) == (
        "one\n\x02two\x0f")


def test_irc_user_codes_are_removed():
    span = styled("\x02\x0304red\x0f\x16\x1d", fg="blue")
    assert renderIRC(span) == "\x030204red\x0f"


def test_irc_without_colours_is_plain():
    assert renderIRC(NESTED, colours=False) == "abc"


# Sanitizing

@pytest.mark.parametrize("text, expected", [
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x1b[2J\x1b[Hclear", "clear"),
    ("\x1b[?1049hscreen", "screen"),
    ("\x1b]0;pwned\x07title", "title"),
    ("\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\", "link"),
    ("\x1b]52;c;ZXZpbA==\x07clip", "clip"),
    ("\x1bP1$r0m\x1b\\dcs", "dcs"),
    ("\x1b_apc\x1b\\apc", "apc"),
    ("\x1bcreset", "reset"),
    ("\x1b(Bcharset", "charset"),
    ("\x1b7save\x1b8", "save"),
    ("\x9b31m8-bit", "8-bit"),
    ("trailing\x1b", "trailing"),
    ("\x1b\x1b[31mdouble", "double"),
    ("a\x00b\x07c\x08d\re\x7ff\x85g\x9ch\x1fi", "abcdefghi"),
    ("new\nline\x0bvt\x0cff", "newlinevtff"),
    ("tab\there", "tab here"),
    ("abc\u202edcba\u202c", "abcdcba"),
    ("\u2066isolate\u2069\u202aembed\u202b", "isolateembed"),
    ("line\u2028sep\u2029", "linesep"),
    ("café 日本 😀 Ωμέγα", "café 日本 😀 Ωμέγα"),
    ("[31m plain brackets ]", "[31m plain brackets ]"),
])
def test_sanitize(text, expected):
    assert sanitize(text) == expected


# Wrapping

def test_wrap_at_width():
    assert wrap("the quick brown fox jumps", 10) == (
        "the quick\nbrown fox\njumps")


def test_wrap_keeps_line_breaks_and_blank_lines():
    assert wrap("a b\n\nc d", 3) == "a b\n\nc d"


def test_wrap_long_word_alone_on_its_line():
    assert wrap("a supercalifragilistic b", 10) == (
        "a\nsupercalifragilistic\nb")


def test_wrapANSI_measures_only_visible_text():
    text = renderANSI(styled(styled("the quick", fg="red"), " brown fox"))
    assert wrapANSI(text, 12) == (
        "\x1b[31mthe quick\x1b[0m\n  brown fox")


def test_wrapANSI_keeps_line_breaks():
    assert wrapANSI("a b c\nd", 3) == "a b\nc\nd"
    assert wrapANSI("one two three\nd", 10) == "one two\n  three\nd"


def test_wrapANSI_cuts_a_word_longer_than_a_line():
    assert wrapANSI("a supercalifragilistic b", 10) == (
        "a\n  supercal\n  ifragili\n  stic b")


def test_wrapANSI_player_text_cant_start_a_line():
    """
    An emote padded so that the server's wrap would start a line with
    words that look like the server's own: continuation lines are
    indented, so they can't.
    """
    posed = ("Alice waves " + "." * 60 +
             " You have been disconnected by an admin.")
    lines = wrapANSI(posed, 80).split("\n")
    assert lines[1] == "  have been disconnected by an admin."
    glued = "Alice " + "x" * 100 + "You have been disconnected"
    assert all(line.startswith("  ") for line in
               wrapANSI(glued, 40).split("\n")[1:])


@given(st.text(alphabet=st.sampled_from("ab .\n"), max_size=300),
       st.integers(10, 120))
def test_wrapANSI_fits_and_keeps_every_letter(text, width):
    # Lines that don't start with a space: then every line the wrap
    # starts (not continues) is one of the text's own lines.
    text = "\n".join(line.lstrip(" ") for line in text.split("\n"))
    wrapped = wrapANSI(text, width)
    assert "".join(wrapped.split()) == "".join(text.split())
    lines = wrapped.split("\n")
    assert len([line for line in lines if not line.startswith("  ")]) == \
        len(text.split("\n"))
    assert all(len(line) <= width for line in lines)


def test_columns_count_wide_characters_twice_and_marks_not_at_all():
    assert columns("abc") == 3
    assert columns("日本語") == 6
    assert columns("e\u0301") == 1           # e and a combining acute
    assert columns("\x1b[31m日") == 6         # escapes are not text
    assert columns("") == 0


def test_wrapANSI_wraps_wide_characters_by_screen_columns():
    # Twelve Chinese characters are 24 columns: at 20 they do not fit one
    # line (a count of characters would say they do, and the terminal
    # would break the line itself, losing the indent).
    line = "他说" * 6
    assert wrapANSI(line, 20) == "他说他说他说他说他说\n  他说"
    said = "Alice says, '" + "日本語の文章です。" * 4 + "'"
    lines = wrapANSI(said, 40).split("\n")
    assert all(columns(line) <= 40 for line in lines)
    assert "".join("\n".join(lines).split()) == "".join(said.split())
    # A short line of them stays whole.
    assert wrapANSI("日本語", 20) == "日本語"


_SGR = re.compile(r"\x1b\[[0-9;]*m")


@given(st.lists(st.sampled_from(["a", "b", " ", "\n", "日", "語", "e\u0301",
                                 "\x1b[1m", "é"]), max_size=200).map("".join),
       st.integers(10, 80))
def test_wrapANSI_never_passes_the_width_in_columns(text, width):
    text = "\n".join(line.lstrip(" ") for line in text.split("\n"))
    wrapped = wrapANSI(text, width)
    assert "".join(wrapped.split()) == "".join(text.split())
    for line in wrapped.split("\n"):
        assert columns(_SGR.sub("", line)) <= width, line


def test_wrapANSI_leading_space_is_not_a_line():
    assert wrapANSI(" longword", 8) == " longword"
    assert wrapANSI("  longword", 8) == "  longword"


# Construction

def test_unknown_colours_refused():
    with pytest.raises(ValueError):
        Style(fg="purple")
    with pytest.raises(ValueError):
        Style(bg="bright")
    with pytest.raises(ValueError):
        Style(fg=5)
    assert Style(fg="bright magenta").fg == "bright magenta"


def test_span_children_must_be_text_or_spans():
    with pytest.raises(TypeError):
        styled("a", 5)
    with pytest.raises(TypeError):
        styled(None)


# Properties

ALL_COLOURS = list(COLOURS) + ["bright " + c for c in COLOURS]

styles = st.builds(
    Style,
    fg=st.none() | st.sampled_from(ALL_COLOURS),
    bg=st.none() | st.sampled_from(ALL_COLOURS),
    bold=st.booleans(), underline=st.booleans(), italic=st.booleans(),
    role=st.none() | st.sampled_from(sorted(ROLE_STYLES) + ["x<y"]))

# Text that likes to hold escapes, controls and markup.
NASTY = ["\x1b", "\x1b[", "\x1b]", "\x07", "\x9b", "\x9d", "\x1b\\", "[31m",
         "\n", "\r", "\t", "\x00", "\x7f", "\x85", "\u202e", "\u2066",
         "\u2028", "<", ">", "&", '"', "<script>", "</span>", "<br>", ",",
         "\x02", "\x03", "\x0f", " ", "  "]
leafText = st.lists(st.characters() | st.sampled_from(NASTY),
                    max_size=30).map("".join)
spans = st.recursive(
    leafText.map(lambda t: Span((t,))),
    lambda kids: st.builds(Span, st.lists(kids | leafText, max_size=4),
                           styles),
    max_leaves=12)

_OWN_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@settings(max_examples=300)
@given(spans, st.sampled_from(["16", "256", "truecolour"]))
def test_ansi_only_its_own_escapes(span, colours):
    out = renderANSI(span, colours)
    shown = _OWN_ANSI.sub("", out)
    assert "\x1b" not in shown
    assert _CONTROL.search(shown) is None
    assert re.search("[\u202a-\u202e\u2066-\u2069]", shown) is None
    # Take the codes away and what is left is the plain text.
    assert shown == renderPlain(span)


@settings(max_examples=300)
@given(spans, spans)
def test_plain_text_is_the_leaves_sanitized_one_by_one(span, other):
    # Leaf by leaf, the way the renderers read a Span (asked twice, and
    # again inside a larger Span sharing it): renderPlain's shortcut for
    # text printable as a whole must change nothing.
    leaves = []

    def walk(node):
        for child in node.children:
            if isinstance(child, Span):
                walk(child)
            else:
                leaves.append(child)
    walk(span)
    sanitized = "".join("\n".join(sanitize(p) for p in leaf.split("\n"))
                        for leaf in leaves)
    for _ in range(2):
        assert plainText(span) == "".join(leaves)
        assert renderPlain(span) == sanitized
    outer = Span((other, span, "!"))
    assert plainText(outer) == plainText(other) + "".join(leaves) + "!"
    assert renderPlain(outer) == renderPlain(other) + sanitized + "!"


@settings(max_examples=300)
@given(spans)
def test_html_markup_only_its_own(span):
    out = renderHTML(span)
    text = re.sub(r'<span class="[a-z0-9 -]+">|</span>', "", out)
    text = text.replace("<br>", "\n")
    assert "<" not in text and ">" not in text
    assert html.unescape(text) == renderPlain(span)


@settings(max_examples=300)
@given(spans)
def test_irc_only_its_own_codes(span):
    out = renderIRC(span)
    shown = re.sub(r"\x03[0-9]{2}|[\x02\x1f\x1d\x0f]", "", out)
    assert _CONTROL.search(shown) is None
    assert shown == renderPlain(span)


@settings(max_examples=300)
@given(spans, st.integers(min_value=1, max_value=40))
def test_wrap_lines_fit_unless_one_word(span, width):
    text = renderPlain(span)
    for line in wrap(text, width).split("\n"):
        # Words are separated by spaces; a no-break space joins them.
        words = [w for w in line.split(" ") if w]
        assert len(line) <= width or len(words) == 1, (line, width)


@settings(max_examples=300)
@given(spans, st.integers(min_value=1, max_value=40),
       st.sampled_from(["16", "256", "truecolour"]))
def test_wrapANSI_lines_fit_unless_one_word(span, width, colours):
    text = renderANSI(span, colours)
    wrapped = wrapANSI(text, width)
    for line in wrapped.split("\n"):
        visible = _OWN_ANSI.sub("", line)
        words = [w for w in visible.split(" ") if w]
        # (A text line's own leading spaces stay with its first word; a
        # wide character alone on a line of one column cannot fit.)
        assert columns(visible) <= width or len(visible) == 1 or (
            len(words) == 1 and visible.startswith(" ")), (line, width)
    # Only breaks and indents were added: no text is lost or added.
    assert "".join(_OWN_ANSI.sub("", wrapped).split()) == (
        "".join(_OWN_ANSI.sub("", text).split()))


def test_bidi_marks_are_removed_from_player_text():
    """LRM, RLM and ALM can't reorder what others see (issue 18)."""
    assert sanitize("a\u200eb\u200fc\u061cd") == "abcd"


@settings(max_examples=300)
@given(st.lists(st.one_of(
    st.text(), st.sampled_from(["\x1b[31m", "\x1b]0;t\x07", "\t",
                                "\u2028", "\u202e", "\x9b1m", "\n"]))
).map("".join))
def test_sanitize_takes_the_short_way_only_when_nothing_would_change(text):
    """Printable text skips the regex; the answer is the regex's anyway."""
    from imaginary.language.styled import _ESCAPES
    assert sanitize(text) == _ESCAPES.sub("", text).replace("\t", " ")
    assert renderPlain(styled(text)) == "\n".join(
        _ESCAPES.sub("", part).replace("\t", " ")
        for part in text.split("\n"))
