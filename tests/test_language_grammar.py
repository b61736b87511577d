"""Tests for imaginary.language.grammar: English for each observer."""

import attr

from imaginary.language import (
    FEMALE, MALE, NEUTER, PLURAL, ItemList, conjugate, indefiniteArticle,
    pluralize, renderPlain, sentence)


@attr.s(eq=False)
class T:
    name = attr.ib()
    proper = attr.ib(default=False)
    gender = attr.ib(default=NEUTER)


alice = T("Alice", True, FEMALE)
bob = T("Bob", True, MALE)
lamp = T("lamp")


def say(template, observer, **roles):
    return renderPlain(sentence(template, **roles).render(observer))


def test_each_observer_reads_it_differently():
    template = "{actor} {actor:take} {thing}."
    assert say(template, alice, actor=alice, thing=lamp) == \
        "You take the lamp."
    assert say(template, bob, actor=alice, thing=lamp) == \
        "Alice takes a lamp."
    assert say("{actor:pronoun} {actor:take} {thing:objective}.", bob,
               actor=alice, thing=lamp) == "She takes it."
    assert say("{actor} {actor:be} here.", alice, actor=alice) == \
        "You are here."
    assert say("{x:pronoun} {x:be} here.", bob,
               x=T("twins", False, PLURAL)) == "They are here."


def test_articles():
    assert [indefiniteArticle(w) for w in
            ("apple", "lamp", "hour", "unicorn", "honest man", "umbrella")] \
        == ["an", "a", "an", "a", "an", "an"]


def test_plurals_and_lists():
    assert [pluralize(w) for w in ("coin", "box", "mouse", "berry",
                                   "gold coin")] == [
        "coins", "boxes", "mice", "berries", "gold coins"]
    things = [lamp, T("coin"), T("coin"), T("the Orb", True)]
    assert renderPlain(ItemList(things).render(bob)) == \
        "a lamp, two coins, and the Orb"
    assert renderPlain(ItemList([lamp, T("coin")]).render(bob)) == \
        "a lamp and a coin"
    assert renderPlain(ItemList([]).render(bob)) == "nothing"


def test_conjugation():
    assert [conjugate(v, False) for v in ("take", "carry", "go", "wash",
                                          "fix", "be", "have", "buzz")] == [
        "takes", "carries", "goes", "washes", "fixes", "is", "has", "buzzes"]
    assert conjugate("be", True) == "are" and conjugate("take", True) == \
        "take"


def test_capitalises_the_first_letter():
    assert say("{thing} {thing:glow}.", bob, thing=lamp) == "A lamp glows."
