"""
Per-observer English: nouns, pronouns, verb agreement, lists, sentences.

One event has one sentence, and every observer reads it differently::

    sentence("{actor} {actor:take} {thing}.", actor=alice, thing=lamp)

renders "You take the lamp." for Alice and "Alice takes a lamp." for Bob.
The rules:

  - a role that *is* the observer renders in the second person ("you", and
    its verbs in the base form: "you take", "you are");
  - a proper noun renders as its name ("the Orb" if the name says so);
  - other things render with "the" for the sentence's actor (who knows what
    it handles) and with "a"/"an" for everyone else, except the actor itself,
    the subject, which is "the" to everyone ("The mouse squeaks.");
    C{{x:definite}} and C{{x:indefinite}} force one or the other;
  - C{{x:pronoun}}, C{{x:objective}}, C{{x:possessive}} and
    C{{x:reflexive}} give pronouns by gender ("She takes it.");
  - C{{x:VERB}} conjugates VERB to agree with x as the subject;
  - the first letter of the sentence is capitalised.

Things are duck-typed: anything with C{name}, C{proper} and C{gender}.
"""

import functools
import re

from .styled import Span, styled

NEUTER, MALE, FEMALE, PLURAL = 0, 1, 2, 3

SUBJECTIVE = {MALE: "he", FEMALE: "she", NEUTER: "it", PLURAL: "they"}
OBJECTIVE = {MALE: "him", FEMALE: "her", NEUTER: "it", PLURAL: "them"}
POSSESSIVE = {MALE: "his", FEMALE: "her", NEUTER: "its", PLURAL: "their"}
REFLEXIVE = {MALE: "himself", FEMALE: "herself", NEUTER: "itself",
             PLURAL: "themselves"}
SECOND = {"pronoun": "you", "objective": "you", "possessive": "your",
          "reflexive": "yourself"}

_IRREGULAR_VERBS = {
    "be": ("are", "is"), "have": ("have", "has"), "do": ("do", "does"),
    "go": ("go", "goes"), "can": ("can", "can"),
}

_IRREGULAR_PLURALS = {
    "mouse": "mice", "louse": "lice", "goose": "geese", "knife": "knives",
    "wife": "wives", "life": "lives", "man": "men", "woman": "women",
    "child": "children", "foot": "feet", "tooth": "teeth", "ox": "oxen",
    "person": "people", "leaf": "leaves", "loaf": "loaves", "wolf": "wolves",
    "elf": "elves", "dwarf": "dwarves", "shelf": "shelves", "half": "halves",
    "calf": "calves", "self": "selves", "thief": "thieves", "die": "dice",
    "sheep": "sheep", "deer": "deer", "fish": "fish", "moose": "moose",
    "potato": "potatoes", "tomato": "tomatoes", "hero": "heroes",
    "echo": "echoes", "torpedo": "torpedoes",
}

_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven",
            "eight", "nine", "ten", "eleven", "twelve", "thirteen",
            "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
            "nineteen", "twenty")

# Words whose spelling misleads the simple vowel rule.
_AN_EXCEPTIONS = ("hour", "honest", "honour", "honor", "heir", "herb",
                  "unin", "unim", "unident")
_A_EXCEPTIONS = ("uni", "use", "usu", "uti", "ute", "uri", "uro", "ura",
                 "ubiq", "eu", "ewe", "uk", "ufo")
# "one", "one-eyed" and "once" begin with a "w" sound; "onerous" doesn't.
_ONE = re.compile(r"on(?:e|ce)(?![^\W\d_])")
# A lone letter ("X-ray", "U-turn", "T-shirt") is said as its name.
_LETTER = re.compile(r"([a-z])(?![^\W\d_])")
_LETTERS_WITH_VOWEL_SOUND = "aefhilmnorsx"
# Numbers said "eight...", "eleven..." or "eighteen..." ("an 8-ball",
# "an 11th-hour plea", "an 18,000-seat hall").
_DIGITS = re.compile(r"[0-9][0-9,]*")


def indefiniteArticle(word):
    """'a' or 'an' for C{word}, by its sound as far as spelling tells."""
    w = word.strip().lower()
    if not w:
        return "a"
    digits = _DIGITS.match(w)
    if digits:
        number = digits.group().replace(",", "")
        if number.startswith("8"):
            return "an"
        if number[:2] in ("11", "18") and len(number) % 3 == 2:
            return "an"
        return "a"
    letter = _LETTER.match(w)
    if letter:
        return "an" if letter.group(1) in _LETTERS_WITH_VOWEL_SOUND else "a"
    if w.startswith(_AN_EXCEPTIONS):
        return "an"
    if w.startswith(_A_EXCEPTIONS) or _ONE.match(w):
        return "a"
    return "an" if w[0] in "aeiou" else "a"


def pluralize(noun):
    """
    The plural of a noun: the last word changes ("gold coins"), or the
    head of an "of" phrase ("bottles of wine", "pairs of boots").
    """
    head, of, rest = noun.partition(" of ")
    if of and head.strip():
        return pluralize(head) + of + rest
    words = noun.split(" ")
    last = words[-1]
    low = last.lower()
    if low in _IRREGULAR_PLURALS:
        plural = _inCaseOf(_IRREGULAR_PLURALS[low], last)
    elif low.endswith(("s", "x", "z", "ch", "sh")):
        plural = last + _suffix("es", last)
    elif low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        plural = last[:-1] + _suffix("ies", last)
    else:
        plural = last + _suffix("s", last)
    return " ".join(words[:-1] + [plural])


def _shouted(word):
    return len(word) > 1 and word.isupper()


def _inCaseOf(word, model):
    """C{word} in the case of C{model}: "MICE" for "MOUSE", "Mice"..."""
    if _shouted(model):
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _suffix(suffix, model):
    """An ending for C{model}: upper case only after an all-caps word."""
    return suffix.upper() if _shouted(model) else suffix


def numberWord(n):
    """'two' for 2, up to twenty, then digits."""
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def conjugate(verb, secondPerson, gender=NEUTER):
    """C{verb} agreeing with a subject ("you"/plural: base form)."""
    base, third = _IRREGULAR_VERBS.get(verb, (verb, None))
    if secondPerson or gender == PLURAL:
        return base
    if third is not None:
        return third
    if verb.endswith(("s", "x", "z", "ch", "sh", "o")):
        return verb + "es"
    if verb.endswith("y") and len(verb) > 1 and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _styleFor(thing):
    return "player" if getattr(thing, "isPerson", False) else "thing"


def _nounForm(thing):
    """A thing's noun form: "count", "mass" or "plural" (a thing without
    one, named in the plural gender, is plural)."""
    form = getattr(thing, "noun", None)
    if form in ("count", "mass", "plural"):
        if form == "count" and thing.gender == PLURAL:
            return "plural"
        return form
    return "plural" if thing.gender == PLURAL else "count"


def _uncounted(thing):
    return _nounForm(thing) != "count"


def nounPhrase(thing, observer, definite=True):
    """A Span naming C{thing} for C{observer} ("you", "Alice", "a lamp")."""
    if thing is observer:
        return styled("you")
    name = thing.name
    if thing.proper:
        return styled(name, role=_styleFor(thing))
    if definite:
        article = "the"
    elif _uncounted(thing):
        # Mass and plural-only nouns ("bread", "trousers") take "some".
        article = "some"
    else:
        article = indefiniteArticle(name)
    return styled(article + " ", styled(name, role=_styleFor(thing)))


class ItemList:
    """
    A list of things for a sentence: "a lamp, two coins, and the Orb".
    Things of one (non-proper) name are counted together.
    """

    def __init__(self, things):
        self.things = list(things)

    def render(self, observer, definite=False):
        """
        The list as C{observer} reads it (styled text): like things counted
        ("two coins"), joined with commas and "and"; with C{definite}, "the"
        instead of "a".
        """
        groups = []
        index = {}
        for thing in self.things:
            key = None if (thing.proper or thing is observer) else \
                thing.name.lower()
            if key is not None and key in index:
                groups[index[key]][1] += 1
                continue
            if key is not None:
                index[key] = len(groups)
            groups.append([thing, 1])
        phrases = []
        for thing, count in groups:
            form = _nounForm(thing)
            if count == 1 or form == "mass":
                # Mass nouns aren't counted: two loaves' worth of "bread"
                # is still "some bread".
                phrases.append(nounPhrase(thing, observer, definite))
            elif form == "plural":
                phrases.append(styled(numberWord(count) + " pairs of ",
                                      styled(thing.name,
                                             role=_styleFor(thing))))
            else:
                phrases.append(styled(numberWord(count) + " ", styled(
                    pluralize(thing.name), role=_styleFor(thing))))
        return joinList(phrases)

    def subject(self, observer):
        """
        (second person, gender, proper) of the list as a subject: "they"
        for several things, the thing itself for one.
        """
        if len(self.things) == 1:
            thing = self.things[0]
            return thing is observer, thing.gender, thing.proper
        return False, PLURAL, False


def joinList(phrases, conjunction="and"):
    """'a', 'a and b', 'a, b, and c' (with the Oxford comma)."""
    if not phrases:
        return styled("nothing")
    if len(phrases) == 1:
        return styled(phrases[0])
    if len(phrases) == 2:
        return styled(phrases[0], f" {conjunction} ", phrases[1])
    parts = []
    for phrase in phrases[:-1]:
        parts.extend([phrase, ", "])
    parts.extend([f"{conjunction} ", phrases[-1]])
    return styled(*parts)


_FIELD = re.compile(r"\{(\w+)(?::(\w+))?\}")
_PRONOUN_FORMS = {"pronoun": SUBJECTIVE, "objective": OBJECTIVE,
                  "possessive": POSSESSIVE, "reflexive": REFLEXIVE}


@functools.lru_cache(maxsize=1024)
def _pieces(template):
    """A template cut once into (text before, role name, form) pieces, the
    last with no role: verbs use the same few templates all day."""
    pieces, position = [], 0
    for match in _FIELD.finditer(template):
        pieces.append((template[position:match.start()], match.group(1),
                       match.group(2)))
        position = match.end()
    pieces.append((template[position:], None, None))
    return tuple(pieces)


@functools.lru_cache(maxsize=1024)
def _roleNames(template):
    """The roles a template names, each once, in order of first use."""
    return tuple(dict.fromkeys(name for _, name, _ in _pieces(template)
                               if name is not None))


# Nobody in particular: whom a sentence is rendered for when it is
# rendered for everyone it does not name (a sentence without an actor
# must not take None, the actor it lacks, for its observer).
_BYSTANDER = object()


class Sentence:
    """A template with roles, rendered per observer into a Span."""

    def __init__(self, template, roles):
        self.template = template
        self.roles = roles
        self._bystander = None
        self._rolesKey = None
        self._involved = None
        for name in _roleNames(template):
            # (A loop over the one or two names: comparing key views
            # costs more, for every sentence made.)
            if name not in roles:
                raise KeyError(f"sentence {template!r} names the role "
                               f"{name!r}, which was not given")

    def render(self, observer):
        """
        The sentence for C{observer}.  Everyone who plays no part in it (a
        bystander) reads the same words, so that rendering is made once
        and shared: an event in a crowded room costs one rendering, not
        one per listener.
        """
        if not self._involves(observer):
            cached = self._bystander
            if cached is None:
                cached = self._bystander = self._remembered(None, observer)
            return cached
        return self._remembered(observer, observer)

    def forBystanders(self):
        """
        C{(ids, span)}: the id() of everything the sentence names, and the
        rendering everyone else reads (see L{render}).
        """
        involved = self._involved
        if involved is None:
            involved = set()
            for value in self.roles.values():
                involved.add(id(value))
                if isinstance(value, ItemList):
                    involved.update(id(thing) for thing in value.things)
            involved = self._involved = frozenset(involved)
        cached = self._bystander
        if cached is None:
            cached = self._bystander = self._remembered(None, _BYSTANDER)
        return involved, cached

    def _remembered(self, involved, observer):
        """
        The rendering, from the cache of recent sentences when this
        template with these same things was rendered for the same kind of
        observer since the store last changed ("Alice says" for every line
        Alice says).  Only sentences whose roles are all stored items are
        remembered: their words depend on nothing else.
        """
        rolesKey = self._rolesKey
        if rolesKey is None:
            rolesKey = self._rolesKey = self._keyOfRoles()
        store, roleIDs = rolesKey
        if store is None:
            return self._render(observer)
        key = (self.template, id(involved), roleIDs)
        recent = store.derivedCaches.get("sentences")
        if recent is None:
            recent = store.derivedCaches["sentences"] = {}
        hit = recent.get(key)
        if hit is not None and hit[0] == store.generation and \
                hit[1] == self.roles and hit[2] is involved:
            return hit[3]
        span = self._render(observer)
        if len(recent) >= 4096:
            recent.clear()
        # The roles and the observer are kept with the entry, so an id()
        # reused by another object can never match.
        recent[key] = (store.generation, dict(self.roles), involved, span)
        return span

    def _keyOfRoles(self):
        # (the store, the roles' names and ids) when every role is a stored
        # item, else (None, None): asked once per sentence, which is
        # rendered for the actor and once for everyone else.
        store = None
        roleIDs = []
        for name, value in self.roles.items():
            store = getattr(value, "store", None)
            if store is None:
                return None, None
            roleIDs.append(name)
            roleIDs.append(id(value))
        return store, tuple(roleIDs)

    def _involves(self, observer):
        # (Loops, not any() over a generator: that would make the method
        # build a cell for observer on every call.)
        for value in self.roles.values():
            if value is observer:
                return True
            if isinstance(value, ItemList):
                for thing in value.things:
                    if thing is observer:
                        return True
        return False

    def _render(self, observer):
        actor = self.roles.get("actor")
        definite = actor is observer
        parts = []
        # Whether each role was last mentioned by name or by pronoun: a
        # "they" takes "they take" but "Sam takes".
        byName = {}
        for text, name, form in _pieces(self.template):
            if text:
                parts.append(text)
            if name is None:
                break
            # The sentence's subject is "the" to everyone who sees it do
            # something ("The professor says"); what it acts on keeps "a"
            # for bystanders ("Alice takes a lamp").
            parts.append(self._field(self.roles[name], form, observer,
                                     definite or name == "actor",
                                     byName.get(name, True)))
            if form in (None, "definite", "indefinite", "name"):
                byName[name] = True
            elif form == "pronoun":
                byName[name] = False
        return _capitalise(styled(*parts))

    def _field(self, value, form, observer, definite, byName=True):
        if isinstance(value, (str, Span, ItemList)):
            if form in (None, "definite", "indefinite", "name"):
                if isinstance(value, ItemList):
                    if form == "definite":
                        definite = True
                    elif form == "indefinite":
                        definite = False
                    return value.render(observer, definite)
                return value
            # A pronoun or a verb for a list or a text: "{things:be}"
            # agrees with the list ("are" for several); a text is "it".
            isObserver, gender, proper = (value.subject(observer)
                                          if isinstance(value, ItemList)
                                          else (False, NEUTER, False))
        else:
            isObserver = value is observer
            gender, proper = value.gender, value.proper
        if form in _PRONOUN_FORMS:
            if isObserver:
                return SECOND[form]
            return _PRONOUN_FORMS[form][gender]
        if isinstance(value, (str, Span, ItemList)):
            return conjugate(form, isObserver, _agreement(gender, proper,
                                                          byName))
        if form is None:
            return nounPhrase(value, observer, definite)
        if form == "definite":
            return nounPhrase(value, observer, True)
        if form == "indefinite":
            return nounPhrase(value, observer, False)
        if form == "name":
            return styled(value.name, role=_styleFor(value))
        # Anything else is a verb agreeing with this role as subject.
        return conjugate(form, isObserver, _agreement(gender, proper, byName))


def _agreement(gender, proper, byName):
    """
    The gender a verb agrees with.  A proper name is grammatically singular
    even for someone who goes by "they" ("Sam takes", "they take"); a thing
    named in the plural ("the boots") is plural either way.
    """
    if gender == PLURAL and proper and byName:
        return NEUTER
    return gender


def sentence(template, **roles):
    """A Sentence: C{template} with {role} and {role:form} fields."""
    return Sentence(template, roles)


def _needsCapital(node):
    """Whether the first letter or digit of a span is a lower-case letter."""
    for child in node.children:
        if isinstance(child, Span):
            found = _needsCapital(child)
            if found is not None:
                return found
        else:
            for c in child:
                if c.isalnum():
                    return c.isalpha() and c.upper() != c and \
                        len(c.upper()) == 1
    return None


def _capitalise(span):
    """
    The span with its first letter in upper case.  Leading punctuation is
    skipped ('"A lamp," ...'); a sentence that starts with a digit is left
    alone ("3 coins").
    """
    if not _needsCapital(span):
        return span     # "Alice says...": nothing to rebuild
    done = [False]

    def visit(node):
        children = []
        for child in node.children:
            if done[0]:
                children.append(child)
            elif isinstance(child, Span):
                children.append(visit(child))
            elif child:
                index = next((i for i, c in enumerate(child)
                              if c.isalnum()), None)
                if index is not None:
                    first = child[index]
                    if first.isalpha() and len(first.upper()) == 1:
                        first = first.upper()
                    child = child[:index] + first + child[index + 1:]
                    done[0] = True
                children.append(child)
            else:
                children.append(child)
        return Span(children, node.style)
    return visit(span)
