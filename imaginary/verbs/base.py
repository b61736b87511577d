"""
Verbs: what a player can do, found by the first word and run in one
transaction.

A Verb class declares its names, syntax patterns, help text, the permission
it needs, and how to find the things its slots name (C{Find} specs).  The
registry parses a line, checks the permission (in one place, for every
verb), resolves the slots through the Idea graph, and runs the verb in an
event transaction: its events reach observers only after the commit, and a
failure changes nothing and tells the actor why.
"""

import difflib
import re
import time

import attr
from twisted.logger import Logger
from twisted.plugin import IPlugin
from zope.interface import Attribute, Interface, implementer

from imaginary.interfaces import IPermissions, IThing
from imaginary.simulation.events import runEventTransaction
from imaginary.simulation.containment import the
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.idea import (
    CanSee, Named, ProviderOf, Proximity, Reachable)
from imaginary.store import StoreFull

from .grammar import compilePattern
from .phrases import (  # noqa: F401 (parsePhrase and the rest: base's API)
    ARTICLES, ORDINALS, SLOT_WORDS, answered, forPeople, parsePhrase,
    singular as _singular)

log = Logger()

# Search radii, in metres along the Idea graph.  Containment costs nothing
# and an exit costs its length (1 m by default), so HERE is everything in
# the room at any depth of containers, and NEARBY adds the next rooms.
HERE = 0.5
NEARBY = 1.5


class IVerbSource(Interface):
    """A plugin that contributes verbs."""

    name = Attribute("A short name for the source.")

    def verbs():
        """The Verb classes this source provides."""


@implementer(IPlugin, IVerbSource)
@attr.s(frozen=True)
class VerbSource:
    """A named list of verbs, exposed as a plugin object."""

    name = attr.ib()
    verbList = attr.ib(converter=tuple)

    def verbs(self):
        """IVerbSource: the verb classes, in the order given."""
        return self.verbList


@attr.s(frozen=True)
class Find:
    """
    How a slot finds its thing(s): things providing C{interface} within
    C{radius} metres that the actor can see (C{sight}) and reach
    (C{reach}).  C{many} allows "all" and plurals.
    """

    interface = attr.ib(default=IThing)
    radius = attr.ib(default=HERE)
    sight = attr.ib(default=True)
    reach = attr.ib(default=True)
    many = attr.ib(default=False)
    notFound = attr.ib(default="You don't see that here.")
    # fits(actor, thing): which things the verb can apply to ("take" what
    # isn't held yet, "drop" what is).  When some candidates fit, the
    # others are left out before choosing or asking which.
    fits = attr.ib(default=None)


class Verb:
    """
    Base class of verbs.  Subclasses set C{names} and C{syntax}, optionally
    C{permission} and C{finds}, and implement C{run(context, **slots)},
    raising ActionFailure to refuse.  A verb's docstring is what C{help}
    tells players: written for them, in plain text, and read once into
    L{help} when the class is made, so the two can never disagree.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The docstring is the help: one place for both (tests/
        # test_verbs_base.py checks that no verb sets help as well).
        if "help" not in cls.__dict__ and cls.__doc__:
            cls.help = " ".join(cls.__doc__.split())

    names = ()
    """The words that name the verb, the first its name in C{help} and
    C{actions} (C{("take", "get")})."""
    syntax = ()
    """Patterns a line may match, each starting with a word: words joined
    by C{|} are alternatives, and C{{slot}} takes the words there and is
    passed to C{run} by that name (C{"put {target} in|on {container}"})."""
    help = ""
    """What C{help <name>} tells players: the syntax, then what it does.
    Read from the class's docstring (don't set it)."""
    permission = "player"
    """The least level that may use it: C{"player"}, C{"builder"} or
    C{"admin"}."""
    finds = {}
    """A L{Find} per slot that names things in the world, for L{resolve}."""
    # Hints: what a slot is called for people ({"tool": "key"} reads
    # "unlock <thing> with <key>"), or the whole usage when the syntax
    # can't say it ("tell <player> <text>").
    slotWords = {}
    usage = None
    # A fallback verb is asked, through claim(context, line), about lines
    # whose first word no verb knows: words that live in the world rather
    # than in code (a channel's name: "ooc hello").  claim returns the
    # slots for run, or None to leave the line alone.
    fallback = False

    def claim(self, context, line):
        """
        For a fallback verb: the slots (a dict) if this verb takes C{line},
        whose first word no verb knows, else None.  Other verbs never claim.
        """
        return None

    def run(self, context, **slots):
        """
        Do the verb for C{context.actor}, with the words of each slot of the
        syntax that matched as keyword arguments.  Raises L{ActionFailure} to
        refuse: the transaction rolls back and only the actor is told.
        """
        raise NotImplementedError()


@attr.s
class Context:
    """
    Who is acting, where, and how to reach them.  C{control} is the running
    game's IGameControl (imaginary.verbs.control) for admin verbs, or None
    where there is no server (NPCs, tests, tools).
    """

    actor = attr.ib()
    world = attr.ib(default=None)
    registry = attr.ib(default=None)
    session = attr.ib(default=None)
    memory = attr.ib(factory=dict)
    line = attr.ib(default="")
    control = attr.ib(default=None)
    # The verb the last line parsed to (None if it parsed to none), for
    # the server's per-verb command timings.
    verb = attr.ib(default=None)

    @property
    def store(self):
        """The store the actor lives in."""
        return self.actor.store

    def tell(self, message):
        """Send a message to the actor directly (no event)."""
        from imaginary.simulation.events import render
        if self.session is not None:
            self.session.send(render(message, self.actor), None)

    def screenWidth(self, default=80):
        """
        The columns of the narrowest window the actor is played in, for
        output laid out in columns; C{default} when no connection says
        (a browser or IRC wraps lines itself, an NPC has none).
        """
        attachments = getattr(self.session, "attachments", ())
        widths = [attachment.frontEnd.width for attachment in attachments
                  if getattr(attachment.frontEnd, "width", None)]
        return min(widths) if widths else default

    def remember(self, things):
        """Remember what was just mentioned, for "it" and "them"."""
        if things:
            self.memory["it"] = list(things)

    def mayUse(self, verb):
        """Whether the actor has the permission C{verb} needs."""
        return hasPermission(self.actor, verb.permission)


class AmbiguousTarget(ActionFailure):
    """
    Several things fit; the message asks which.  C{phrase} is what was
    typed and C{names} the things' names in the order the question lists
    them: the next line may answer ("gate", "the second", "2").
    """

    phrase = ""
    names = ()


def _the(thing):
    return the(thing)


def report(context, text):
    """Tell the actor C{text} as an event (delivered after the commit)."""
    from imaginary.language import styled
    from imaginary.simulation.events import Event
    Event(location=None, actor=context.actor,
          actorMessage=styled(text)).broadcast()


def _orList(words):
    if len(words) <= 2:
        return " or ".join(words)
    return ", ".join(words[:-1]) + ", or " + words[-1]


def _retriever(find, name, actor):
    retriever = ProviderOf(find.interface)
    if find.sight:
        retriever = CanSee(retriever, actor)
    if name:
        retriever = Named(name, retriever, actor)
    if find.reach:
        retriever = Reachable(retriever)
    return Proximity(find.radius, retriever)


def resolve(context, find, phrase, source=None):
    """
    The list of things a phrase names, searched from C{source} (default:
    the actor).  Raises ActionFailure with the reason when nothing fits and
    AmbiguousTarget when the phrase could mean several different things.
    """
    actor = context.actor
    lowered = phrase.strip().lower()
    if lowered in ("it", "them"):
        remembered = context.memory.get("it") or []
        if not remembered:
            raise ActionFailure.simple(
                f"I don't know what '{lowered}' refers to.")
        names = [t for t in remembered if t.store is not None
                 and not t._deleted
                 and find.interface(t, None) is not None]
        if not names:
            raise ActionFailure.simple(find.notFound)
        if lowered == "it" or not find.many:
            # "it" is the last thing mentioned; "them" is all of them.
            names = names[-1:]
        return [find.interface(t) for t in names]
    if lowered == "here" and actor.location is not None:
        found = find.interface(actor.location, None)
        if found is None:
            raise ActionFailure.simple("You can't do that here.")
        return [found]
    name, index, everything = parsePhrase(phrase)
    if everything and not find.many:
        raise ActionFailure.simple("You can only do that to one thing at a "
                                   "time.")
    origin = source if source is not None else actor
    result = origin.idea.obtain(_retriever(find, name, actor))
    candidates = list(result.results)
    if name and not candidates and (everything or (
            find.many and index is None)):
        # "all coins", and "drop coins" (a plural is all of them).
        singular = _singular(name.lower())
        if singular != name.lower():
            result = origin.idea.obtain(_retriever(find, singular, actor))
            candidates = list(result.results)
            everything = everything or bool(candidates)
    if find.fits is not None and len(candidates) > 1:
        fitting = [c for c in candidates
                   if find.fits(actor, _thingOf(c))]
        if fitting:
            candidates = fitting
    if not candidates:
        if result.reasonsWhyNot:
            raise ActionFailure.simple(result.reasonsWhyNot[0].tellMeWhyNot())
        raise ActionFailure.simple(find.notFound)
    if everything:
        return candidates
    if index is not None:
        if index < 1 or index > len(candidates):
            raise ActionFailure.simple(
                f"There aren't {index} of those here." if index > 1 else
                find.notFound)
        return [candidates[index - 1]]
    if len(candidates) > 1:
        things = [_thingOf(c) for c in candidates]
        exact = [c for c, t in zip(candidates, things)
                 if t is not None and t.name.lower() == name.lower()]
        if len(exact) == 1:
            return exact
        labels = [_the(t) for t in things if t is not None]
        if len(set(labels)) > 1:
            failure = AmbiguousTarget(
                f"Which {name} do you mean: {_orList(labels)}?")
            # What an answer on the next line picks from (execute).
            failure.phrase = phrase
            failure.names = [t.name for t in things if t is not None]
            raise failure
    return [candidates[0]]


def _thingOf(provider):
    if IThing.providedBy(provider):
        return provider
    return getattr(provider, "thing", None)


def hasPermission(actor, level):
    """Whether the actor holds permission C{level} (players: everyone)."""
    if level == "player":
        return True
    permissions = IPermissions(actor, None)
    return permissions is not None and permissions.has(level)


class ParseFailure(Exception):
    """
    A line that matches no verb; the message says what to try.
    C{unknownWord} is set when no verb starts with the line's first word
    (a fallback verb may still claim the line: see VerbRegistry.claim).
    """

    def __init__(self, message, unknownWord=None):
        super().__init__(message)
        self.unknownWord = unknownWord


class VerbRegistry:
    """
    The verbs a world knows, indexed by first word.  Verbs join from plugins
    (IVerbSource) or directly with C{add}; a later verb with the same class
    name replaces the earlier one (a plugin reload).
    """

    def __init__(self):
        self._byWord = {}
        self._verbs = {}
        self._fallbacks = []

    @classmethod
    def fromPlugins(cls, loader=None):
        """A registry of every verb from IVerbSource plugins."""
        registry = cls()
        registry.refresh(loader)
        return registry

    def refresh(self, loader=None):
        """Replace every verb with those the plugins provide now."""
        from imaginary.plugin import defaultLoader
        loader = loader if loader is not None else defaultLoader()
        self._byWord = {}
        self._verbs = {}
        self._fallbacks = []
        for source in loader.provided(IVerbSource):
            for verb in source.verbs():
                self.add(verb)

    def add(self, verbClass):
        """Add (or replace) a verb class."""
        key = verbClass.__name__
        if key in self._verbs:
            self.remove(self._verbs[key][0])
        verb = verbClass()
        patterns = [compilePattern(s) for s in verbClass.syntax]
        self._verbs[key] = (verbClass, verb, patterns)
        if verbClass.fallback:
            self._fallbacks.append(verb)
        for pattern in patterns:
            for word in pattern.firstWords:
                entries = self._byWord.setdefault(word, [])
                entries.append((pattern, verb))
                entries.sort(key=lambda e: (-e[0].literalCount,
                                            -len(e[0].slots)))

    def remove(self, verbClass):
        """Remove a verb class."""
        entry = self._verbs.pop(verbClass.__name__, None)
        if entry is None:
            return
        for word in list(self._byWord):
            self._byWord[word] = [e for e in self._byWord[word]
                                  if e[1] is not entry[1]]
            if not self._byWord[word]:
                del self._byWord[word]
        self._fallbacks = [v for v in self._fallbacks if v is not entry[1]]

    def claim(self, context, line):
        """
        (verb, slots) from the first fallback verb that claims C{line}
        (whose first word no verb knows), or None.
        """
        for verb in self._fallbacks:
            slots = verb.claim(context, line)
            if slots is not None:
                return verb, slots
        return None

    def verbs(self):
        """Every verb instance, in name order."""
        return sorted((v for (_, v, _) in self._verbs.values()),
                      key=lambda v: v.names[0] if v.names else "")

    def words(self):
        """Every word that starts a command."""
        return sorted(self._byWord)

    def find(self, word):
        """The verb whose name (or alias) is C{word}, or None."""
        for verb in self.verbs():
            if word.lower() in verb.names:
                return verb
        return None

    def parse(self, line, mayUse=None):
        """
        (verb, slots) for a line; ParseFailure says what went wrong.
        C{mayUse(verb)}, if given, says which verbs a suggestion may name
        (never one the player isn't allowed).
        """
        line = line.strip()
        if not line:
            raise ParseFailure("")
        if line[0] in "'\"":
            line = "say " + line[1:]
        elif line[0] == ":":
            line = "emote " + line[1:]
        first = line.split(None, 1)[0].lower()
        entries = self._byWord.get(first)
        if not entries:
            raise self._unknown(first, mayUse)
        for pattern, verb in entries:
            slots = pattern.match(line)
            if slots is not None:
                return verb, slots
        usage = "; ".join(sorted({
            v.usage or forPeople(p.source, v.slotWords) for p, v in entries}))
        raise ParseFailure(f"That doesn't make sense. Try: {usage}.")

    def _unknown(self, first, mayUse):
        # Apart from parse: its comprehensions would make parse build a
        # cell for mayUse on every call.
        words = self._byWord if mayUse is None else [
            word for word, entries in self._byWord.items()
            if any(mayUse(verb) for _, verb in entries)]
        close = difflib.get_close_matches(first, words, n=1, cutoff=0.6)
        shown = _printable(first)
        if close:
            return ParseFailure(f"I don't know how to '{shown}'. Did you "
                                f"mean '{close[0]}'?", unknownWord=first)
        return ParseFailure(f"I don't know how to '{shown}'. Type "
                            f"'actions' for a list.", unknownWord=first)


def _printable(word):
    from imaginary.language import sanitize
    word = sanitize(word)
    if not word:
        return "that"
    return word[:30] + ("..." if len(word) > 30 else "")


FULL = "The world cannot save right now; nothing was changed."
FULL_LOG_SECONDS = 60
_lastFullLog = [None]


def _diskFull(context):
    context.tell(FULL)
    now = time.monotonic()
    if _lastFullLog[0] is None or now - _lastFullLog[0] >= FULL_LOG_SECONDS:
        _lastFullLog[0] = now
        log.error("the store cannot save: its disk is full; players are "
                  "told that nothing was changed (this line is repeated "
                  "at most once a minute)")


def execute(context, line):
    """
    Run one line of input for the actor: parse, check permission, run in
    an event transaction.  Every outcome is told to the actor; nothing
    raises (an unexpected error is logged and reported without details).
    Returns True when a verb ran successfully.
    """
    registry = context.registry
    question = context.memory.pop("question", None)
    if question is not None:
        # The last command asked "Which iron do you mean...?": this line
        # may be the answer, making the question's command whole again.
        line = answered(question, line) or line
    context.line = line.strip()
    context.verb = None
    try:
        # (A bound method, not a lambda: a closure would cost a cell and
        # a function made for every line typed.)
        verb, slots = registry.parse(line, context.mayUse)
    except ParseFailure as failure:
        claimed = None
        if failure.unknownWord is not None:
            claimed = registry.claim(context, context.line)
        if claimed is None:
            if str(failure):
                context.tell(str(failure))
            return False
        verb, slots = claimed
    context.verb = verb
    if not hasPermission(context.actor, verb.permission):
        context.tell(f"You need {verb.permission} permission to use "
                     f"'{verb.names[0]}'.")
        return False
    try:
        runEventTransaction(context.store, verb.run, context, **slots)
    except AmbiguousTarget as failure:
        context.memory["question"] = (context.line, failure.phrase,
                                      failure.names)
        context.tell(failure.message)
        return False
    except ActionFailure as failure:
        context.tell(failure.message)
        return False
    except StoreFull:
        # Nothing was written; say so plainly, and tell the operator once
        # a minute rather than once per command.
        _diskFull(context)
        return False
    except Exception:
        log.failure("verb {verb} failed on {line!r}",
                    verb=type(verb).__name__, line=line)
        context.tell("Something went wrong; nothing was changed and the "
                     "error has been logged.")
        return False
    return True
