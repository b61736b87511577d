"""
Verb syntax: small patterns compiled once into regular expressions.

A verb declares its syntax as patterns such as C{"take|get {target} from
{container}"}.  Words are literal (C{|} separates alternatives, matched
as whole words without regard to case); C{{name}} is a slot holding the
words up to the next literal, or the rest of the line when it comes last.
Each pattern is compiled once, when the verb joins a registry, into one
regular expression (the standard library's C{re}: a well-kept parser for
a grammar this regular), and the registry dispatches on the first word, so
the cost of parsing a line does not grow with the number of verbs.
"""

import re

import attr


def _literal(token):
    alternatives = "|".join(re.escape(a) for a in token.split("|"))
    return rf"(?:{alternatives})(?![\w$])"


@attr.s(frozen=True)
class Pattern:
    """One compiled syntax of a verb."""

    source = attr.ib()
    firstWords = attr.ib()     # the words a line may start with
    literalCount = attr.ib()   # more literals = more specific
    regex = attr.ib(repr=False)
    slots = attr.ib()

    def match(self, line):
        """A dict of slot values, or None when the line doesn't fit."""
        found = self.regex.fullmatch(line.strip(" \t"))
        if found is None:
            return None
        values = {}
        for slot in self.slots:
            value = " ".join(found.group(slot).split())
            if not value:
                return None
            values[slot] = value
        return values


def compilePattern(source):
    """Compile a pattern string into a Pattern."""
    tokens = source.split()
    if not tokens or tokens[0].startswith("{"):
        raise ValueError(f"a verb pattern must start with a word: {source!r}")
    parts = []
    slots = []
    literals = 0
    for i, token in enumerate(tokens):
        if token.startswith("{") and token.endswith("}"):
            name = token[1:-1]
            if not name.isidentifier() or name in slots:
                raise ValueError(f"bad slot {token!r} in {source!r}")
            if i + 1 < len(tokens) and tokens[i + 1].startswith("{"):
                raise ValueError(f"two slots in a row in {source!r}")
            slots.append(name)
            # Lazy before a literal: the slot ends at the literal's first
            # occurrence, as a reader would split "put pen in box".
            last = i + 1 == len(tokens)
            parts.append(rf"(?P<{name}>.+)" if last else rf"(?P<{name}>.+?)")
        else:
            literals += 1
            parts.append(_literal(token))
    regex = re.compile(r"[ \t]+".join(parts), re.IGNORECASE | re.DOTALL)
    firstWords = tuple(w.lower() for w in tokens[0].split("|"))
    return Pattern(source, firstWords, literals, regex, tuple(slots))
