"""Tests for imaginary.language.grammar: English for each observer."""

import attr
import pytest

from imaginary.language import (
    FEMALE, MALE, NEUTER, PLURAL, ItemList, conjugate, indefiniteArticle,
    joinList, nounPhrase, numberWord, pluralize, renderHTML, renderPlain,
    sentence, styled)


@attr.s(eq=False)
class T:
    """A duck-typed thing: name, proper, gender (and isPerson)."""

    name = attr.ib()
    proper = attr.ib(default=False)
    gender = attr.ib(default=NEUTER)
    isPerson = attr.ib(default=False)
    noun = attr.ib(default="count")


alice = T("Alice", True, FEMALE, True)
bob = T("Bob", True, MALE, True)
carol = T("Carol", True, FEMALE, True)
sam = T("Sam", True, PLURAL, True)
lamp = T("lamp")
orb = T("the Orb", True)
boots = T("boots", gender=PLURAL)


def coin():
    return T("coin")


def say(template, observer, **roles):
    return renderPlain(sentence(template, **roles).render(observer))


# One sentence, several observers

TAKE = "{actor} {actor:take} {thing}."


def test_actor_reads_second_person_and_the():
    assert say(TAKE, alice, actor=alice, thing=lamp) == "You take the lamp."


def test_others_read_the_name_and_a():
    assert say(TAKE, bob, actor=alice, thing=lamp) == "Alice takes a lamp."
    assert say(TAKE, carol, actor=alice, thing=lamp) == "Alice takes a lamp."


def test_target_reads_you():
    template = "{actor} {actor:give} {thing} to {person}."
    roles = dict(actor=alice, thing=lamp, person=bob)
    assert say(template, alice, **roles) == "You give the lamp to Bob."
    assert say(template, bob, **roles) == "Alice gives a lamp to you."
    assert say(template, carol, **roles) == "Alice gives a lamp to Bob."


def test_forced_definite_and_indefinite():
    assert say("{actor} {actor:see} {thing:indefinite}.", alice,
               actor=alice, thing=lamp) == "You see a lamp."
    assert say("{actor} {actor:see} {thing:definite}.", bob,
               actor=alice, thing=lamp) == "Alice sees the lamp."


def test_without_an_actor_everyone_reads_a():
    assert say("{thing} {thing:glow}.", alice, thing=lamp) == "A lamp glows."


# Pronouns

@pytest.mark.parametrize("who, observer, expected", [
    (alice, bob, "She takes it."),
    (bob, alice, "He takes it."),
    (sam, alice, "They take it."),
    (alice, alice, "You take it."),
])
def test_subject_pronouns(who, observer, expected):
    assert say("{actor:pronoun} {actor:take} {thing:objective}.", observer,
               actor=who, thing=lamp) == expected


@pytest.mark.parametrize("who, observer, expected", [
    (alice, bob, "Alice drops her lamp and looks at herself."),
    (bob, alice, "Bob drops his lamp and looks at himself."),
    (sam, alice, "Sam drops their lamp and looks at themselves."),
    (alice, alice, "You drop your lamp and look at yourself."),
])
def test_possessive_and_reflexive(who, observer, expected):
    assert say("{actor} {actor:drop} {actor:possessive} lamp and "
               "{actor:look} at {actor:reflexive}.", observer,
               actor=who) == expected


def test_objective_of_the_observer_and_of_others():
    template = "{actor} {actor:hit} {target:objective}."
    assert say(template, bob, actor=alice, target=bob) == "Alice hits you."
    assert say(template, carol, actor=alice, target=bob) == "Alice hits him."
    assert say(template, carol, actor=alice, target=sam) == "Alice hits them."


def test_they_by_name_is_singular_by_pronoun_plural():
    assert say("{actor} {actor:be} here; {actor:pronoun} {actor:be} tired.",
               bob, actor=sam) == "Sam is here; they are tired."
    assert say(TAKE, bob, actor=sam, thing=lamp) == "Sam takes a lamp."


def test_a_thing_named_in_the_plural_is_plural():
    assert say("{thing} {thing:be} here.", bob, thing=boots) == (
        "Some boots are here.")
    assert say("{thing:pronoun} {thing:be} muddy.", bob, thing=boots) == (
        "They are muddy.")
    assert say(TAKE, bob, actor=alice, thing=boots) == (
        "Alice takes some boots.")
    assert say(TAKE, alice, actor=alice, thing=boots) == (
        "You take the boots.")


def test_name_form_is_the_name_even_for_the_observer():
    assert say("{actor:name} {actor:wave}.", alice, actor=alice) == (
        "Alice wave.")
    assert say("{actor:name} {actor:wave}.", bob, actor=alice) == (
        "Alice waves.")


# Proper names

def test_proper_noun_renders_its_name_as_given():
    assert say(TAKE, bob, actor=alice, thing=orb) == "Alice takes the Orb."
    assert say(TAKE, alice, actor=alice, thing=orb) == "You take the Orb."
    assert say("{thing} {thing:glow}.", bob, thing=orb) == "The Orb glows."
    assert say(TAKE, bob, actor=alice, thing=T("Excalibur", True)) == (
        "Alice takes Excalibur.")


def test_player_names_and_things_carry_roles():
    span = sentence(TAKE, actor=alice, thing=lamp).render(bob)
    assert renderHTML(span) == (
        '<span class="role-player">Alice</span> takes a '
        '<span class="role-thing">lamp</span>.')


# a / an

@pytest.mark.parametrize("word, article", [
    ("apple", "an"), ("lamp", "a"), ("hour", "an"), ("hourglass", "an"),
    ("honest man", "an"), ("heir", "an"), ("unicorn", "a"),
    ("uniform", "a"), ("umbrella", "an"), ("uninteresting rock", "an"),
    ("unidentified object", "an"), ("user", "a"), ("usual", "a"),
    ("utensil", "a"), ("utter fool", "an"), ("urn", "an"),
    ("European", "a"), ("ewe", "a"), ("one-eyed cat", "a"), ("one", "a"),
    ("once-great city", "a"), ("onerous task", "an"), ("onion", "an"),
    ("X-ray", "an"), ("U-turn", "a"), ("T-shirt", "a"), ("S-bend", "an"),
    ("8-ball", "an"), ("80-gun ship", "an"), ("11th-hour plea", "an"),
    ("18,000-seat hall", "an"), ("110-volt lamp", "a"), ("12-gauge", "a"),
    ("Apple", "an"), ("  owl", "an"), ("", "a"),
])
def test_indefinite_article(word, article):
    assert indefiniteArticle(word) == article


def test_articles_in_sentences():
    for name, expected in [("hour glass", "Alice takes an hour glass."),
                           ("unicorn", "Alice takes a unicorn."),
                           ("apple", "Alice takes an apple.")]:
        assert say(TAKE, bob, actor=alice, thing=T(name)) == expected


# Plurals and numbers

@pytest.mark.parametrize("noun, plural", [
    ("coin", "coins"), ("box", "boxes"), ("glass", "glasses"),
    ("torch", "torches"), ("dish", "dishes"), ("berry", "berries"),
    ("key", "keys"), ("mouse", "mice"), ("knife", "knives"),
    ("wolf", "wolves"), ("dwarf", "dwarves"), ("sheep", "sheep"),
    ("potato", "potatoes"), ("child", "children"), ("gold coin",
                                                    "gold coins"),
    ("bottle of wine", "bottles of wine"), ("pair of boots",
                                            "pairs of boots"),
    ("Mouse", "Mice"), ("GOLD COIN", "GOLD COINS"), ("BOX", "BOXES"),
    ("Box", "Boxes"), ("quiz mouse", "quiz mice"),
])
def test_pluralize(noun, plural):
    assert pluralize(noun) == plural


def test_number_words():
    assert [numberWord(n) for n in (0, 2, 3, 20, 21, -1)] == [
        "zero", "two", "three", "twenty", "21", "-1"]


# Lists

def test_list_of_one():
    assert renderPlain(ItemList([lamp]).render(bob)) == "a lamp"


def test_list_of_two():
    assert renderPlain(ItemList([lamp, coin()]).render(bob)) == (
        "a lamp and a coin")


def test_list_of_three_with_counts_and_a_proper_name():
    things = [lamp, coin(), orb, coin()]
    assert renderPlain(ItemList(things).render(bob)) == (
        "a lamp, two coins, and the Orb")


@pytest.mark.parametrize("things, expected", [
    ([coin(), coin()], "two coins"),
    ([T("box"), T("box"), T("box")], "three boxes"),
    ([T("mouse"), T("mouse")], "two mice"),
    ([T("Coin"), coin()], "two Coins"),
    # A thing named in the plural is a pair: two of them, two pairs.
    ([boots, T("boots", gender=PLURAL)], "two pairs of boots"),
    ([T("trousers", noun="plural")] * 3, "three pairs of trousers"),
    # Mass nouns are never counted or given "a".
    ([T("underwear", noun="mass")] * 2, "some underwear"),
    ([T("bread", noun="mass"), coin()], "some bread and a coin"),
    ([coin() for _ in range(21)], "21 coins"),
    ([], "nothing"),
])
def test_list_counts(things, expected):
    assert renderPlain(ItemList(things).render(bob)) == expected


def test_proper_things_of_one_name_are_not_counted():
    assert renderPlain(ItemList([T("Rex", True), T("Rex", True)]).render(
        bob)) == "Rex and Rex"


def test_list_in_a_sentence_follows_the_actor():
    things = ItemList([lamp, coin(), coin(), orb])
    template = "{actor} {actor:take} {things}."
    assert say(template, alice, actor=alice, things=things) == (
        "You take the lamp, two coins, and the Orb.")
    assert say(template, bob, actor=alice, things=things) == (
        "Alice takes a lamp, two coins, and the Orb.")
    assert say("{actor} {actor:be} wearing {things:indefinite}.", alice,
               actor=alice, things=ItemList([lamp])) == (
        "You are wearing a lamp.")


def test_list_holding_the_observer():
    assert renderPlain(ItemList([alice, bob, lamp]).render(bob)) == (
        "Alice, you, and a lamp")


def test_list_as_subject_agrees():
    template = "{things} {things:be} here."
    assert say(template, bob, things=ItemList([lamp, coin(), coin()])) == (
        "A lamp and two coins are here.")
    assert say(template, bob, things=ItemList([lamp])) == "A lamp is here."
    assert say(template, bob, things=ItemList([sam])) == "Sam is here."
    assert say("{things:pronoun} {things:shine}.", bob,
               things=ItemList([lamp, orb])) == "They shine."
    assert say("{things:pronoun} {things:shine}.", bob,
               things=ItemList([lamp])) == "It shines."


def test_join_list():
    assert renderPlain(joinList(["red", "green", "blue"], "or")) == (
        "red, green, or blue")
    assert renderPlain(joinList(["red", "green"], "or")) == "red or green"


# Conjugation

@pytest.mark.parametrize("verb, third", [
    ("take", "takes"), ("carry", "carries"), ("go", "goes"),
    ("wash", "washes"), ("fix", "fixes"), ("be", "is"), ("have", "has"),
    ("do", "does"), ("buzz", "buzzes"), ("toss", "tosses"),
    ("play", "plays"), ("echo", "echoes"), ("catch", "catches"),
    ("can", "can"),
])
def test_conjugate_third_person(verb, third):
    assert conjugate(verb, False) == third
    assert conjugate(verb, False, FEMALE) == third


@pytest.mark.parametrize("verb, base", [
    ("take", "take"), ("be", "are"), ("have", "have"), ("go", "go"),
    ("carry", "carry"),
])
def test_conjugate_you_and_plural(verb, base):
    assert conjugate(verb, True) == base
    assert conjugate(verb, False, PLURAL) == base


def test_is_and_are_in_sentences():
    template = "{actor} {actor:be} here and {actor:have} a lamp."
    assert say(template, alice, actor=alice) == (
        "You are here and have a lamp.")
    assert say(template, bob, actor=alice) == "Alice is here and has a lamp."


# Capitalisation

def test_capitalises_the_first_letter_only():
    assert say("{actor} {actor:see} Bob.", alice, actor=alice) == (
        "You see Bob.")
    assert say("{thing} {thing:be} a Lamp.", bob, thing=lamp) == (
        "A lamp is a Lamp.")


def test_capitalises_after_leading_punctuation():
    assert say("...{thing} {thing:glow}.", bob, thing=lamp) == (
        "...A lamp glows.")
    assert say('"{thing}," {thing:say} the sign.', bob, thing=lamp) == (
        '"A lamp," says the sign.')


def test_leaves_a_leading_number_alone():
    assert say("3 {what} here.", bob, what="coins") == "3 coins here."


def test_capitalising_keeps_styles():
    span = sentence("{thing} {thing:glow}.", thing=lamp).render(bob)
    assert renderHTML(span) == 'A <span class="role-thing">lamp</span> glows.'
    span = sentence("{x} {x:be} here.", x=T("wisp")).render(bob)
    assert renderHTML(span) == (
        'A <span class="role-thing">wisp</span> is here.')


# Templates

def test_missing_role_is_an_error_at_once():
    with pytest.raises(KeyError):
        sentence("{actor} {actor:take} {thing}.", actor=alice)


def test_text_and_span_roles_are_inserted_as_they_are():
    assert say("{actor} {actor:say}, '{text}'", bob, actor=alice,
               text="the {thing} is {here}") == (
        "Alice says, 'the {thing} is {here}'")
    assert say("{actor} {actor:read} {sign}.", bob, actor=alice,
               sign=styled("a sign", bold=True)) == "Alice reads a sign."


def test_text_roles_agree_as_it():
    assert say("{what} {what:be} here.", bob, what="nothing") == (
        "Nothing is here.")


def test_text_that_is_not_a_field_stays():
    assert say("{x} and {not a field} {x:}", bob, x=lamp) == (
        "A lamp and {not a field} {x:}")


def test_noun_phrase():
    assert renderPlain(nounPhrase(lamp, bob)) == "the lamp"
    assert renderPlain(nounPhrase(lamp, bob, definite=False)) == "a lamp"
    assert renderPlain(nounPhrase(bob, bob)) == "you"
    assert renderPlain(nounPhrase(orb, bob, definite=False)) == "the Orb"


def test_remembered_sentences_follow_changes_in_the_store():
    # Sentences about stored things are remembered between events; a
    # change in the store (a rename, a new actor) must show at once.
    from imaginary.language import plainText, sentence
    from imaginary.language.grammar import PLURAL
    from imaginary.simulation.thing import Thing
    from imaginary.store import Store
    store = Store()
    alice = store.transact(lambda: Thing(store=store, name="Alice",
                                         proper=True))
    bob = store.transact(lambda: Thing(store=store, name="Bob",
                                       proper=True))
    eve = store.transact(lambda: Thing(store=store, name="Eve",
                                       proper=True))

    def heard(observer):
        return plainText(sentence("{actor} {actor:say}", actor=alice)
                         .render(observer))
    assert heard(bob) == "Alice says"
    assert heard(alice) == "You say"
    assert heard(eve) == "Alice says"
    store.transact(setattr, alice, "name", "Alicia")
    assert heard(bob) == "Alicia says"
    assert heard(alice) == "You say"
    store.transact(setattr, alice, "gender", PLURAL)
    assert plainText(sentence("{actor:pronoun} {actor:say}", actor=alice)
                     .render(bob)) == "They say"


def test_noun_forms_take_their_articles_and_agree():
    underwear = T("underwear", noun="mass")
    trousers = T("trousers", noun="plural", gender=PLURAL)
    assert say("{actor} {actor:take} {target}.", bob, actor=alice,
               target=underwear) == "Alice takes some underwear."
    assert say("{target} {target:be} clean.", bob,
               target=underwear) == "Some underwear is clean."
    assert say("{target} {target:be} clean.", bob,
               target=trousers) == "Some trousers are clean."
    assert renderPlain(ItemList([trousers]).render(bob)) == "some trousers"
