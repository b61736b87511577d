"""imaginary.verbs.phrases: noun phrases, answers to questions, hints."""

from hypothesis import given, strategies as st

from imaginary.verbs.phrases import answered, forPeople, parsePhrase, singular

QUESTION = ("look at iron", "iron", ["iron key", "iron gate"])


def test_answers_pick_from_the_question():
    for answer, line in (("gate", "look at iron 2"), ("the gate",
                         "look at iron 2"), ("2", "look at iron 2"),
                         ("the second", "look at iron 2"),
                         ("first one", "look at iron 1"),
                         ("KEY", "look at iron 1")):
        assert answered(QUESTION, answer) == line, answer
    for other in ("say gate", "3", "iron", "north", ""):
        assert answered(QUESTION, other) is None, other


@given(st.text(max_size=40))
def test_any_line_is_an_answer_or_left_alone(line):
    result = answered(QUESTION, line)
    assert result in (None, "look at iron 1", "look at iron 2")


def test_hints_for_people():
    assert forPeople("take|get {target} from {container}") == \
        "take <thing> from <container>"
    assert forPeople("unlock {target} with {tool}", {"tool": "key"}) == \
        "unlock <thing> with <key>"


def test_phrases_and_plurals():
    assert parsePhrase("the second coin") == ("coin", 2, False)
    assert parsePhrase("all coins") == ("coins", None, True)
    assert [singular(w) for w in ("coins", "boxes", "berries", "glass")] \
        == ["coin", "box", "berry", "glass"]
