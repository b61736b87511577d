"""
Words, not things: how the parser reads a noun phrase ("the second coin",
"all coins", "coin 2"), how an answer to "Which iron do you mean?" makes
the question's command whole, and how a syntax pattern reads as a hint
for people.  Plain text in, plain text out: no store, no world.
"""

import re

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7,
    "8th": 8, "9th": 9, "10th": 10,
}
ARTICLES = ("the ", "a ", "an ")


def parsePhrase(phrase):
    """
    Split a noun phrase into (name, index, everything):
    "second coin" -> ("coin", 2, False); "coin 2" -> ("coin", 2, False);
    "the second coin" too; "all coins" -> ("coins", None, True);
    "all" -> ("", None, True).
    """
    words = phrase.strip().split()
    everything = False
    index = None
    if words and words[0].lower() == "all":
        everything = True
        words = words[1:]
        if words and words[0].lower() == "of":
            words = words[1:]
    if len(words) > 1 and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    if len(words) > 1 and words[0].lower() in ORDINALS:
        # "second coin"; a lone "second" is a name, not an ordinal.
        index = ORDINALS[words[0].lower()]
        words = words[1:]
    elif len(words) > 1 and re.fullmatch(r"[0-9]{1,6}", words[-1]):
        index = int(words[-1])
        words = words[:-1]
    name = " ".join(words)
    for article in ARTICLES:
        if name.lower().startswith(article):
            name = name[len(article):]
            break
    return name, index, everything


def singular(name):
    """A plural noun's singular, as far as English spelling says."""
    if name.endswith("ies") and len(name) > 3:
        return name[:-3] + "y"
    if name.endswith("es") and name[-3:-2] in ("s", "x", "z", "h"):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def answered(question, line):
    """
    The command C{line} makes when it answers C{question} (the line that
    asked, its ambiguous phrase and the names offered), or None when it
    isn't an answer (then it is a command of its own).
    """
    original, phrase, names = question
    answer = " ".join(line.strip().lower().split())
    for article in ARTICLES:
        if answer.startswith(article):
            answer = answer[len(article):]
    answer = answer.removesuffix(" one")
    index = None
    if re.fullmatch(r"[0-9]{1,3}", answer):
        index = int(answer)
    elif answer in ORDINALS:
        index = ORDINALS[answer]
    else:
        lowered = [n.lower() for n in names]
        fits = [i for i, n in enumerate(lowered, 1) if n == answer]
        if not fits:
            fits = [i for i, n in enumerate(lowered, 1)
                    if answer and (n.endswith(" " + answer) or
                                   n.startswith(answer + " "))]
        if len(fits) == 1:
            index = fits[0]
    if index is None or not 1 <= index <= len(names):
        return None
    typed = phrase.strip()
    at = original.lower().rfind(typed.lower())
    if not typed or at < 0:
        return None
    name = parsePhrase(typed)[0]
    return f"{original[:at]}{name} {index}{original[at + len(typed):]}"


# How a syntax's slots read in a hint ("take <thing> from <container>").
SLOT_WORDS = {"target": "thing", "container": "container", "text": "text",
              "tool": "thing", "recipient": "someone",
              "direction": "direction", "topic": "command"}


def forPeople(source, words=None):
    """
    A syntax pattern as a hint for people: "take|get {target}" reads
    "take <thing>" (slots named by C{words}, then SLOT_WORDS; the first
    of alternative words).
    """
    words = words or {}
    text = re.sub(r"\{(\w+)\}", lambda m: "<" + words.get(
        m.group(1), SLOT_WORDS.get(m.group(1), m.group(1))) + ">", source)
    return re.sub(r"(\w+)(?:\|\w+)+", r"\1", text)
