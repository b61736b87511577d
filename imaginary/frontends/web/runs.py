"""
Styled text as runs: the web client's rendering of a Span tree.

The other renderers (imaginary.language.styled) produce strings: ANSI for
terminals, HTML, mIRC codes.  The web client is sent no markup at all.  A
Span becomes a list of runs, each a dict C{{"text": ..., "style": {...},
"role": ...}}, sent as JSON; the page turns each run into a DOM text node
inside an element it styles.  Every text leaf is then a JSON string the
page never parses as HTML, so it is escaped by construction, whatever a
player typed.
"""

from imaginary.language import Span
# The other renderers' walk and cleaning, so a run has exactly the style
# (role defaults filled in, innermost winning) and the text (controls and
# escapes removed, newlines kept) the ANSI and HTML renderers give it.
from imaginary.language.styled import styledLeaves

_styles = {}        # Style -> its JSON form


def styleDict(style):
    """
    The JSON form of a resolved Style: only what is set, so a plain run
    has an empty style.  Colours are names ("red", "bright cyan").
    """
    found = _styles.get(style)
    if found is None:
        found = {}
        if style.fg:
            found["fg"] = style.fg
        if style.bg:
            found["bg"] = style.bg
        for flag in ("bold", "underline", "italic"):
            if getattr(style, flag):
                found[flag] = True
        # Styles are few and immutable: remember each one's dict.
        if len(_styles) < 4096:
            _styles[style] = found
    return found


def renderRuns(span):
    """
    A Span (or str) as a list of runs: C{{"text", "style", "role"}}
    dicts, in order, adjacent leaves with the same look joined, empty
    leaves left out.  C{"".join(run["text"] ...)} is renderPlain(span).
    """
    if isinstance(span, str):
        span = Span((span,))
    runs = []
    lastStyle = None
    for text, style in styledLeaves(span):
        if not text:
            continue
        if runs and style == lastStyle:
            runs[-1]["text"] += text
            continue
        runs.append({"text": text, "style": styleDict(style),
                     "role": style.role})
        lastStyle = style
    return runs
