"""Tests for imaginary.verbs.grammar: verb patterns compiled to grammars."""

import pytest
from hypothesis import given, strategies as st

from imaginary.verbs.grammar import compilePattern


def test_literal_only():
    p = compilePattern("look|l")
    assert p.firstWords == ("look", "l")
    assert p.match("look") == {}
    assert p.match("L") == {}
    assert p.match("look around") is None


def test_trailing_slot_takes_rest_of_line():
    p = compilePattern("say {text}")
    assert p.match("say hello   there") == {"text": "hello there"}
    assert p.match("say") is None
    assert p.match("say    ") is None


def test_slot_before_literal():
    p = compilePattern("take|get {target} from {container}")
    assert p.match("get gold coin from old chest") == {
        "target": "gold coin", "container": "old chest"}
    assert p.match("take coin") is None


def test_literal_matches_whole_words_only():
    p = compilePattern("put {target} in|into {container}")
    # "inkwell" contains "in" but is not the word "in".
    assert p.match("put inkwell in box") == {"target": "inkwell",
                                             "container": "box"}
    assert p.match("put pen into inkwell") == {"target": "pen",
                                               "container": "inkwell"}


def test_specificity_counts_literals():
    assert compilePattern("take off {target}").literalCount == 2
    assert compilePattern("take {target}").literalCount == 1


def test_bad_patterns_refused():
    with pytest.raises(ValueError):
        compilePattern("{target}")
    with pytest.raises(ValueError):
        compilePattern("tell {who} {what}")
    with pytest.raises(ValueError):
        compilePattern("")


@given(st.text())
def test_any_text_matches_or_not_without_exceptions(line):
    for source in ("say {text}", "take|get {target} from {container}",
                   "look|l", "set {property} of {target} to {value}"):
        result = compilePattern(source).match(line)
        assert result is None or all(v and v == " ".join(v.split())
                                     for v in result.values())


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                      blacklist_characters="\n\r"),
               min_size=1).filter(lambda s: s.strip()))
def test_say_keeps_text(text):
    result = compilePattern("say {text}").match("say " + text)
    assert result == {"text": " ".join(text.split())}
