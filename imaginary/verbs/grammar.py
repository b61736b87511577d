"""
Verb syntax: small patterns compiled once into pyparsing grammars.

A verb declares its syntax as patterns such as ``"take|get {target} from
{container}"``.  Words are literal (``|`` separates alternatives, matched
without regard to case); ``{name}`` is a slot holding the words up to the
next literal, or the rest of the line when it comes last.  Each pattern is
compiled once, when the verb joins a registry, and the registry dispatches
on the first word, so the cost of parsing a line does not grow with the
number of verbs.
"""

import attr
import pyparsing as pp

pp.ParserElement.set_default_whitespace_chars(" \t")


def _literal(token):
    alternatives = token.split("|")
    if len(alternatives) == 1:
        return pp.CaselessKeyword(alternatives[0])
    return pp.MatchFirst([pp.CaselessKeyword(a) for a in alternatives])


@attr.s(frozen=True)
class Pattern:
    """One compiled syntax of a verb."""

    source = attr.ib()
    firstWords = attr.ib()     # the words a line may start with
    literalCount = attr.ib()   # more literals = more specific
    grammar = attr.ib(repr=False)
    slots = attr.ib()
    # For slot-free patterns: the alternatives of each word, to match
    # without running the grammar (most commands are a word or two).
    words = attr.ib(default=None)

    def match(self, line):
        """A dict of slot values, or None when the line doesn't fit."""
        if self.words is not None:
            given = line.lower().split()
            if len(given) != len(self.words):
                return None
            for word, allowed in zip(given, self.words):
                if word not in allowed:
                    return None
            return {}
        try:
            result = self.grammar.parse_string(line, parse_all=True)
        except pp.ParseBaseException:
            return None
        values = {}
        for slot in self.slots:
            value = result.get(slot)
            if value is None:
                return None
            value = " ".join(str(value).split())
            if not value:
                return None
            values[slot] = value
        return values


def compilePattern(source):
    """Compile a pattern string into a Pattern."""
    tokens = source.split()
    if not tokens or tokens[0].startswith("{"):
        raise ValueError(f"a verb pattern must start with a word: {source!r}")
    elements = []
    slots = []
    literals = 0
    for i, token in enumerate(tokens):
        if token.startswith("{") and token.endswith("}"):
            name = token[1:-1]
            slots.append(name)
            if i + 1 < len(tokens):
                following = tokens[i + 1]
                if following.startswith("{"):
                    raise ValueError(f"two slots in a row in {source!r}")
                element = pp.SkipTo(_literal(following))
            else:
                element = pp.Regex(r".+")
            elements.append(element.set_results_name(name))
        else:
            literals += 1
            elements.append(_literal(token))
    grammar = pp.And(elements)
    grammar.streamline()
    firstWords = tuple(w.lower() for w in tokens[0].split("|"))
    words = None
    if not slots:
        words = tuple(frozenset(w.lower() for w in token.split("|"))
                      for token in tokens)
    return Pattern(source, firstWords, literals, grammar, tuple(slots),
                   words)
