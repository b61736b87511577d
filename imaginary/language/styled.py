"""
Styled text: the structure every message is made of, and its renderers.

The simulation never produces strings for players.  It produces Spans:
trees of text with style attributes, where a style may carry a semantic
*role* ("room-title", "exit", "speech", "player") as well as, or instead
of, concrete colours.  Each front end renders the same Span its own way:
ANSI escapes for telnet and SSH (at the colour depth the client
announced), HTML for the web client, mIRC codes or plain text for IRC.

Player-supplied text (names, speech) may contain anything, so every
renderer passes text leaves through C{sanitize}: no control character or
escape sequence typed by one player ever reaches another as a live one.
"""

import html
import re
import textwrap

import attr
from wcwidth import wcswidth, wcwidth

COLOURS = ("black", "red", "green", "yellow", "blue", "magenta", "cyan",
           "white")

# What each role looks like when no colour is given explicitly.
ROLE_STYLES = {
    "room-title": {"fg": "cyan", "bold": True},
    "thing-title": {"bold": True},
    "title": {"bold": True},
    "exit": {"fg": "green"},
    "speech": {"fg": "yellow"},
    "player": {"fg": "magenta", "bold": True},
    "thing": {},
    "error": {"fg": "red"},
    "prompt": {"fg": "white", "bold": True},
}

_RGB = {
    "black": (0, 0, 0), "red": (205, 49, 49), "green": (13, 188, 121),
    "yellow": (229, 229, 16), "blue": (36, 114, 200),
    "magenta": (188, 63, 188), "cyan": (17, 168, 205),
    "white": (229, 229, 229),
}


def _checkColour(instance, attribute, value):
    if value is None:
        return
    if not isinstance(value, str):
        raise ValueError(f"a colour is a name, not {value!r}")
    name = value[len("bright "):] if value.startswith("bright ") else value
    if name not in COLOURS:
        raise ValueError(f"unknown colour {value!r}; use one of {COLOURS} "
                         f"or 'bright <colour>'")


@attr.s(frozen=True, slots=True, cache_hash=True)
class Style:
    """How a span looks: colours, emphasis, and an optional semantic role."""

    fg = attr.ib(default=None, validator=_checkColour)
    bg = attr.ib(default=None, validator=_checkColour)
    bold = attr.ib(default=False)
    underline = attr.ib(default=False)
    italic = attr.ib(default=False)
    role = attr.ib(default=None)

    def resolved(self):
        """This style with the role's defaults filled in."""
        if self.role is None or self.role not in ROLE_STYLES:
            return self
        defaults = ROLE_STYLES[self.role]
        return attr.evolve(
            self, fg=self.fg or defaults.get("fg"),
            bold=self.bold or defaults.get("bold", False),
            underline=self.underline or defaults.get("underline", False))


PLAIN = Style()


@attr.s(frozen=True, slots=True, init=False)
class Span:
    """Text with a style: C{children} are str or Span."""

    children = attr.ib()
    style = attr.ib(default=PLAIN)

    def __init__(self, children, style=PLAIN):
        # Written out, not generated: every line said makes a few, and
        # attrs' frozen __init__ (a converter, a setter fetched per call)
        # costs half as much again.  Children are kept as a tuple.
        _set(self, "children",
             children if type(children) is tuple else tuple(children))
        _set(self, "style", style)


_set = object.__setattr__


def styled(*children, **style):
    """A Span of C{children} with C{style} keywords (fg, bold, role...)."""
    for child in children:
        if type(child) is not str and not isinstance(child, (str, Span)):
            raise TypeError(f"a span holds str or Span, not {child!r}")
    if not style:
        return Span(children, PLAIN)
    # Every line said makes a Span of role "speech": the Style of each set
    # of keywords is made (and hashed) once and shared; it is immutable.
    key = tuple(style.items())
    shared = _styles.get(key)
    if shared is None:
        shared = Style(**style)
        if len(_styles) < 1024:
            _styles[key] = shared
    return Span(children, shared)


_styles = {}


def title(*children):
    """A heading (role "title")."""
    return styled(*children, role="title")


def exitName(*children):
    """An exit's name (role "exit")."""
    return styled(*children, role="exit")


def error(*children):
    """A refusal or error message (role "error")."""
    return styled(*children, role="error")


_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI sequences (7- and 8-bit)
    # OSC, DCS, SOS, PM and APC strings, up to their terminator.
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"                # other escapes ("ESC c" resets)
    r"|[\x00-\x08\x0a-\x1f\x7f-\x9f]"  # C0 (but tab) and C1 controls
    r"|[\u2028\u2029]"                 # line and paragraph separators
    r"|[\u202a-\u202e\u2066-\u2069]"  # bidi overrides and isolates
    r"|[\u200e\u200f\u061c]")         # bidi marks (LRM, RLM, ALM)


def sanitize(text):
    """Player text made inert: no escapes or controls; tabs become spaces."""
    if text.isprintable():
        # Every escape starts with, and everything removed is, a character
        # isprintable() refuses (controls, separators, format marks): most
        # text needs no regex at all.
        return text
    return _ESCAPES.sub("", text).replace("\t", " ")


def _walk(span, style, out):
    """Yield (text, effective style) pairs, innermost style winning."""
    for child in span.children:
        # (type() first: most children are words, and asking isinstance()
        # of a str costs a call for each.)
        if type(child) is not str and isinstance(child, Span):
            _walk(child, _merge(style, child.style), out)
        else:
            out.append((child, style))
    return out


_merged = {}    # (id(outer), id(inner)) -> (outer, inner, merged)


def _merge(outer, inner):
    # Styles are few and immutable, while every message of every observer
    # merges them: remember each combination once.  By identity: comparing
    # Styles by value costs two Python calls (their attrs __hash__ and
    # __eq__) per lookup, and the entry keeps both alive, so their ids
    # stay theirs.
    hit = _merged.get((id(outer), id(inner)))
    if hit is not None and hit[0] is outer and hit[1] is inner:
        return hit[2]
    resolved = inner.resolved()
    merged = Style(fg=resolved.fg or outer.fg,
                   bg=resolved.bg or outer.bg,
                   bold=outer.bold or resolved.bold,
                   underline=outer.underline or resolved.underline,
                   italic=outer.italic or resolved.italic,
                   role=resolved.role or outer.role)
    if len(_merged) >= 4096:
        _merged.clear()
    _merged[(id(outer), id(inner))] = (outer, inner, merged)
    return merged


def _leaves(span):
    # (Merging into PLAIN is resolving, remembered.)
    return _walk(span, _merge(PLAIN, span.style), [])


def styledLeaves(span):
    """
    (text, Style) for each text leaf of C{span}, the text sanitized the
    way every renderer does (newlines kept, other control characters
    gone): for renderers outside this module, such as the web's runs.
    """
    return [(_keepNewlines(text), style) for text, style in _leaves(span)]


def _texts(span, out):
    """The text leaves of C{span}, in order (no styles worked out)."""
    for child in span.children:
        if type(child) is not str and isinstance(child, Span):   # see _walk
            _texts(child, out)
        else:
            out.append(child)
    return out


def plainText(span):
    """The text of a span, without styles (unsanitized: for code)."""
    if isinstance(span, str):
        return span
    return "".join(_texts(span, []))


def renderPlain(span):
    """The text of a span, sanitized line by line, without styles."""
    if isinstance(span, str):
        return _keepNewlines(span)
    # A client without colour is told every line said: no styles merged.
    # Text that is printable as a whole is printable leaf by leaf, and
    # sanitizing printable text changes nothing.
    leaves = _texts(span, [])
    text = "".join(leaves)
    if text.isprintable():
        return text
    return "".join(map(_keepNewlines, leaves))


_cleaned = {}


def _keepNewlines(text):
    # Newlines inside a message are structure (one line per description
    # part); everything else that is a control character goes.  Most
    # leaves are the same few words ("You", " says", ", '") rendered for
    # every listener of every event: remember them.
    clean = _cleaned.get(text)
    if clean is None:
        if text.isprintable():
            return text     # (a new line said: not worth remembering)
        clean = "\n".join(sanitize(part) for part in text.split("\n"))
        if len(_cleaned) >= 8192:
            _cleaned.clear()
        _cleaned[text] = clean
    return clean


def _ansiColour(colour, depth, background):
    bright = colour.startswith("bright ")
    name = colour[7:] if bright else colour
    index = COLOURS.index(name)
    if depth == "truecolour":
        r, g, b = _RGB[name]
        if bright:
            r, g, b = (min(255, c + 40) for c in (r, g, b))
        return f"{48 if background else 38};2;{r};{g};{b}"
    if depth == "256":
        return f"{48 if background else 38};5;{index + (8 if bright else 0)}"
    base = (40 if background else 30) + index
    return str(base + 60 if bright else base)


def _ansiCodes(style, depth):
    codes = []
    if style.bold:
        codes.append("1")
    if style.italic:
        codes.append("3")
    if style.underline:
        codes.append("4")
    if style.fg:
        codes.append(_ansiColour(style.fg, depth, False))
    if style.bg:
        codes.append(_ansiColour(style.bg, depth, True))
    return codes


_escapes = {}    # (id(style), depth) -> (style, its escape sequence)


def _escape(style, depth):
    """The escape sequence setting C{style} at C{depth}; "" for none."""
    hit = _escapes.get((id(style), depth))
    if hit is not None and hit[0] is style:
        return hit[1]
    codes = _ansiCodes(style, depth)
    escape = "\x1b[" + ";".join(codes) + "m" if codes else ""
    if len(_escapes) >= 4096:
        _escapes.clear()
    _escapes[(id(style), depth)] = (style, escape)
    return escape


def renderANSI(span, colours="16"):
    """
    ANSI-escaped text.  C{colours} is "16", "256", "truecolour", or None
    for no escapes at all.  Each run of text sets its full style from a
    reset, so an inner style ending restores the outer one exactly.
    """
    if colours is None:
        return renderPlain(span)
    if isinstance(span, str):
        span = Span((span,))
    out = []
    current = ""
    for text, style in _leaves(span):
        text = _keepNewlines(text)
        if not text:
            continue
        escape = _escape(style, colours)
        if escape != current:
            if current:
                out.append("\x1b[0m")
            if escape:
                out.append(escape)
            current = escape
        out.append(text)
    if current:
        out.append("\x1b[0m")
    return "".join(out)


def renderHTML(span):
    """HTML: escaped text in <span> elements with role and colour classes."""
    if isinstance(span, str):
        span = Span((span,))
    return _html(span)


def _html(span):
    inner = "".join(
        _html(child) if isinstance(child, Span)
        else html.escape(_keepNewlines(child), quote=True).replace(
            "\n", "<br>")
        for child in span.children)
    style = span.style
    classes = []
    if style.role:
        classes.append("role-" + re.sub(r"[^a-z0-9-]", "", style.role))
    if style.fg:
        classes.append("fg-" + style.fg.replace(" ", "-"))
    if style.bg:
        classes.append("bg-" + style.bg.replace(" ", "-"))
    for flag in ("bold", "underline", "italic"):
        if getattr(style, flag):
            classes.append(flag)
    if not classes:
        return inner
    return f'<span class="{" ".join(classes)}">{inner}</span>'


_MIRC = {"white": 0, "black": 1, "blue": 2, "green": 3, "red": 4,
         "magenta": 6, "yellow": 8, "cyan": 10}
_MIRC_BRIGHT = {"red": 4, "green": 9, "yellow": 8, "blue": 12,
                "magenta": 13, "cyan": 11, "white": 0, "black": 14}


def renderIRC(span, colours=True):
    """
    mIRC formatting codes (bold, underline, italic, colours) or plain.
    Every styled run ends with a reset (\x0f) and each line carries its own
    codes, so a front end may send the lines as separate messages.
    """
    if not colours:
        return renderPlain(span)
    if isinstance(span, str):
        span = Span((span,))
    out = []
    for text, style in _leaves(span):
        text = _keepNewlines(text)
        codes = _ircCodes(style)
        for i, line in enumerate(text.split("\n")):
            if i:
                out.append("\n")
            if not line:
                continue
            if not codes:
                out.append(line)
                continue
            out.append(codes)
            if style.fg and line.startswith(","):
                # "\x0304,5" would read as a background colour: an empty
                # bold toggle ends the colour code first.
                out.append("\x02\x02")
            out.append(line + "\x0f")
    return "".join(out)


def _ircCodes(style):
    codes = ""
    if style.bold:
        codes += "\x02"
    if style.underline:
        codes += "\x1f"
    if style.italic:
        codes += "\x1d"
    if style.fg:
        bright = style.fg.startswith("bright ")
        name = style.fg[7:] if bright else style.fg
        codes += "\x03%02d" % (_MIRC_BRIGHT if bright else _MIRC)[name]
    return codes


def wrap(text, width):
    """Word-wrap plain text to C{width}, keeping its own line breaks."""
    lines = []
    for line in text.split("\n"):
        lines.extend(textwrap.wrap(line, width, break_long_words=False,
                                   break_on_hyphens=False) or [""])
    return "\n".join(lines)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


# Lines a wrap continues are indented: whatever a player types (an emote
# padded to wrap just so), no line of it can start where the server's own
# lines start ("You have been disconnected...").
INDENT = "  "


def columns(text):
    """
    The screen columns C{text} takes in a terminal: two for a wide
    character (Chinese, Japanese, Korean, most emoji), none for a
    combining mark or a control character, one for the rest (wcwidth's
    tables: Unicode's East Asian Width and general categories).
    """
    if text.isascii():
        return len(text)
    width = wcswidth(text)
    if width >= 0:
        return width
    return sum(max(0, wcwidth(c)) for c in text)


def _visible(word, escaped):
    return columns(_ANSI.sub("", word) if escaped else word)


def _cut(word, room):
    """
    The first C{room} columns of C{word}, and the rest (at least one
    character goes first, should a wide one not fit a room of one).
    """
    count = i = 0
    while i < len(word):
        escape = _ANSI.match(word, i)
        if escape:
            i = escape.end()
            continue
        size = 1 if word[i].isascii() else max(0, wcwidth(word[i]))
        if count + size > room and count:
            break
        count += size
        i += 1
    return word[:i], word[i:]


def wrapANSI(text, width):
    """
    Word-wrap text holding ANSI colour escapes, measuring what shows, in
    screen columns (a Chinese character takes two).
    Continuation lines start with INDENT; a word longer than a line is
    cut (a terminal would cut it anyway, at a column of its choosing).
    """
    if len(text) <= width and "\n" not in text and (
            text.isascii() or columns(text) <= width):
        return text     # one short line said: the common case
    out = []
    escaped = "\x1b" in text
    # (A window too narrow for an indent and some text gets none.)
    indent = INDENT if width >= 10 else ""
    rest = width - len(indent)
    for line in text.split("\n"):
        if not escaped and len(line) <= width and (
                line.isascii() or columns(line) <= width):
            out.append(line)        # the common case: nothing to do
            continue
        lines = []
        current, visible, shown, limit = [], 0, False, width
        for word in line.split(" "):
            size = _visible(word, escaped)
            # Break after a visible word, or inside a run of spaces; the
            # empty words of leading spaces before a long word are not
            # worth a line of their own.
            if current and visible + 1 + size > limit and (
                    shown or not size):
                lines.append(" ".join(current))
                current, visible, shown, limit = [], 0, False, rest
            if size > limit:
                # Longer than a whole line: cut it, from where this line
                # has room (after a visible word, on a line of its own).
                if shown:
                    lines.append(" ".join(current))
                    current, visible, shown, limit = [], 0, False, rest
                while size > limit:
                    room = max(1, limit - visible - (1 if current else 0))
                    head, word = _cut(word, room)
                    current.append(head)
                    lines.append(" ".join(current))
                    current, visible, shown, limit = [], 0, False, rest
                    size = _visible(word, escaped)
            visible += size + (1 if current else 0)
            shown = shown or size > 0
            current.append(word)
        lines.append(" ".join(current))
        out.append(lines[0])
        out.extend(indent + continued for continued in lines[1:])
    return "\n".join(out)
