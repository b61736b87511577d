"""
The Idea graph: how anything finds anything.

Every Thing has an Idea.  An Idea's outgoing Links come from the powerups on
its thing (ILinkContributor): a container links to its contents and exits, a
thing links to its location, an exit links to the room it leads to.  Other
powerups annotate those links (ILinkAnnotator): a closed box marks the
boundary of its inside, a dark room marks the links to what is in it, an
exit marks its length.

A search (C{idea.obtain(retriever)}) walks every acyclic path from the
Idea.  At each path the *retriever* decides three things: what the path
yields (C{retrieve}), why that result must be refused (C{objectionsTo},
collected as reasons why not) and whether to walk further
(C{shouldKeepGoing}).  Retrievers compose by wrapping each other::

    Proximity(3.0, Reachable(Named("lamp", CanSee(ProviderOf(IThing), me), me)))

so no verb needs to know about darkness, glass or closed doors: it asks one
question and, when the answer is empty, says the first reason why not
("It's too dark to see.", "You can't reach through the glass box.").
"""

import attr
from zope.interface import implementer

from imaginary.interfaces import (
    IDistance, IElectromagneticMedium, ILinkAnnotator, ILinkContributor,
    ILitLink, INameable, IObstruction, IWhyNot)


@attr.s(frozen=True, slots=True, eq=False)
class Link:
    """An edge from one Idea to another, with annotations."""

    source = attr.ib()
    target = attr.ib()
    annotations = attr.ib(default=())


class Path:
    """
    A walk through the graph: a tuple of Links, first to last.  (A plain
    slotted class, not attrs: searches make one per step.)
    """

    __slots__ = ("links", "length")

    def __init__(self, links, length=None):
        self.links = links
        # Metres along the path (sum of IDistance annotations), kept as
        # the path grows because every retriever asks at every step.
        self.length = length

    def __repr__(self):
        return f"<Path {[l.target.delegate for l in self.links]!r}>"

    @property
    def target(self):
        """The Thing the path ends at."""
        return self.links[-1].target.delegate

    def annotated(self, interface):
        """Yield (index, annotation) for annotations providing interface."""
        for i, link in enumerate(self.links):
            for annotation in link.annotations:
                if interface.providedBy(annotation):
                    yield i, annotation

    def distance(self):
        """Sum of the IDistance annotations along the path."""
        if self.length is not None:
            return self.length
        return sum(_linkLength(link) for link in self.links)

    def extend(self, link):
        """This path followed by one more link."""
        return Path(self.links + (link,), self.distance() + _linkLength(link))


def _linkLength(link):
    total = 0.0
    for annotation in link.annotations:
        if IDistance.providedBy(annotation):
            total += annotation.distance
    return total


@attr.s(frozen=True, slots=True)
class ObtainResult:
    """What a search found, and why it did not find more."""

    results = attr.ib()
    reasonsWhyNot = attr.ib()

    def __iter__(self):
        return iter(self.results)

    def __len__(self):
        return len(self.results)


@implementer(IWhyNot)
@attr.s(frozen=True, slots=True)
class Objection:
    """A reason a search result was refused."""

    message = attr.ib()

    def tellMeWhyNot(self):
        """IWhyNot: the message for the player."""
        return self.message


class Idea:
    """A Thing's node in the graph.  Links are built on demand."""

    __slots__ = ("delegate", "_links", "_generation")

    def __init__(self, delegate):
        self.delegate = delegate
        self._links = None
        self._generation = -1

    def links(self):
        """
        The annotated links leaving this Idea, built from powerups.  They
        are kept until the store says this thing's version moved (it, its
        powerups, or anything referring to it changed: something entered or
        left it, a lid closed, an exit was dug), so the several searches of
        one command, and later commands, share them.  Annotations that depend on more
        than the links' ends (light, doors) compute their answers when
        asked, so they are never stale.
        """
        thing = self.delegate
        version = thing.store.versionOf(thing.storeID)
        if self._links is not None and self._generation == version:
            return self._links
        links = tuple(self._buildLinks())
        self._links = links
        self._generation = version
        return links

    def _buildLinks(self):
        thing = self.delegate
        annotators = list(thing.powerupsFor(ILinkAnnotator))
        for contributor in _contributors(thing):
            for link in contributor.links():
                if annotators:
                    extra = []
                    for annotator in annotators:
                        extra.extend(annotator.annotationsFor(link, self))
                    if extra:
                        link = Link(link.source, link.target,
                                    tuple(link.annotations) + tuple(extra))
                yield link

    def obtain(self, retriever):
        """
        Walk every acyclic path from here; return an ObtainResult with the
        distinct retrieved objects (in the order first found) and the
        objections raised against refused ones.
        """
        results = []
        seen = set()
        reasons = []
        stack = [Path((Link(self, self, ()),), 0.0)]
        while stack:
            path = stack.pop()
            result = retriever.retrieve(path)
            if result is not None:
                objections = list(retriever.objectionsTo(path, result))
                if objections:
                    reasons.extend(objections)
                elif id(result) not in seen:
                    seen.add(id(result))
                    results.append(result)
            if not retriever.shouldKeepGoing(path):
                continue
            pathLinks = path.links
            children = []
            for link in pathLinks[-1].target.links():
                target = link.target.delegate
                # Acyclic: paths are short, so a scan beats building a set
                # per step.
                if target is self.delegate or any(
                        l.target.delegate is target for l in pathLinks):
                    continue
                children.append(path.extend(link))
            # Reversed so the walk visits links in the order contributed.
            stack.extend(reversed(children))
        return ObtainResult(tuple(results), tuple(reasons))


def _contributors(thing):
    # A thing's own links (what it holds) come before the link up to its
    # location, so a search finds what is nearest first: "drop coin" and
    # "put coin in box" mean the coin you hold before one on the floor.
    from .containment import LocationLink
    yield from thing.powerupsFor(ILinkContributor)
    yield LocationLink(thing)


class Retriever:
    """Base retriever: retrieves nothing, objects to nothing, walks all."""

    def retrieve(self, path):
        """
        What C{path} yields, or None for nothing (this base yields nothing).
        """
        return None

    def objectionsTo(self, path, result):
        """
        The reasons (IWhyNot) why C{result}, found along C{path}, must be
        refused; none here.
        """
        return ()

    def shouldKeepGoing(self, path):
        """Whether the search walks further along C{path}; always here."""
        return True


class ProviderOf(Retriever):
    """Retrieves the path's target adapted to an interface."""

    def __init__(self, interface):
        self.interface = interface

    def retrieve(self, path):
        """
        The path's target adapted to the interface, or None when it doesn't
        provide it.
        """
        return self.interface(path.links[-1].target.delegate, None)


class DelegatingRetriever(Retriever):
    """A retriever that refines another one."""

    def __init__(self, retriever):
        self.retriever = retriever

    def retrieve(self, path):
        """Asks the wrapped retriever."""
        return self.retriever.retrieve(path)

    def objectionsTo(self, path, result):
        """Asks the wrapped retriever."""
        return self.retriever.objectionsTo(path, result)

    def shouldKeepGoing(self, path):
        """Asks the wrapped retriever."""
        return self.retriever.shouldKeepGoing(path)


class Proximity(DelegatingRetriever):
    """Only within C{distance} metres along the path."""

    def __init__(self, distance, retriever):
        DelegatingRetriever.__init__(self, retriever)
        self.distance = distance

    def retrieve(self, path):
        """
        Nothing from a path longer than the distance, else the wrapped
        retriever's answer.
        """
        if path.distance() > self.distance:
            return None
        return self.retriever.retrieve(path)

    def shouldKeepGoing(self, path):
        """Stops at paths longer than the distance."""
        return (path.distance() <= self.distance
                and self.retriever.shouldKeepGoing(path))


class Reachable(DelegatingRetriever):
    """Refuses results behind an obstruction (glass, a closed lid)."""

    def objectionsTo(self, path, result):
        """
        The first obstruction along C{path} (a closed lid, a shut door), else
        the wrapped retriever's objections.
        """
        for i, annotation in path.annotated(IObstruction):
            why = annotation.obstructionFor(path, i)
            if why is not None:
                yield why
                return
        yield from self.retriever.objectionsTo(path, result)


class CanSee(DelegatingRetriever):
    """
    Only what C{observer} can see: sight stops at opaque media, and
    results in the dark are refused with the darkness as the reason.
    """

    def __init__(self, retriever, observer):
        DelegatingRetriever.__init__(self, retriever)
        self.observer = observer

    def _opaque(self, path):
        # Only the last link needs looking at: the walk never extends a
        # path past an opaque link (shouldKeepGoing), so every earlier
        # link is already known to let light through.
        index = len(path.links) - 1
        for annotation in path.links[index].annotations:
            if IElectromagneticMedium.providedBy(annotation) and \
                    annotation.isOpaque(path, index, self.observer):
                return True
        return False

    def retrieve(self, path):
        """
        Nothing from a path the observer can't see along, else the wrapped
        retriever's answer.
        """
        if self._opaque(path):
            return None
        return self.retriever.retrieve(path)

    def objectionsTo(self, path, result):
        """
        Why it is too dark to see along C{path} (the first unlit link), else
        the wrapped retriever's objections.
        """
        for i, annotation in path.annotated(ILitLink):
            if not annotation.isLit(path, i, self.observer):
                yield annotation.whyNotLit()
                return
        yield from self.retriever.objectionsTo(path, result)

    def shouldKeepGoing(self, path):
        """Stops where something opaque hides what lies further."""
        return (not self._opaque(path)
                and self.retriever.shouldKeepGoing(path))


class Named(DelegatingRetriever):
    """Only things C{observer} would call C{name}."""

    def __init__(self, name, retriever, observer):
        DelegatingRetriever.__init__(self, retriever)
        self.name = name
        self.observer = observer

    def retrieve(self, path):
        """
        Nothing unless the path's last link is known by the name to the
        observer, else the wrapped retriever's answer.
        """
        link = path.links[-1]
        if not self._matches(link):
            return None
        return self.retriever.retrieve(path)

    def _matches(self, link):
        for annotation in link.annotations:
            if INameable.providedBy(annotation) and annotation.knownAs(
                    self.name, self.observer):
                return True
        knownTo = getattr(link.target.delegate, "knownTo", None)
        return knownTo is not None and knownTo(self.observer, self.name)


class Excluding(DelegatingRetriever):
    """Never retrieves one particular thing (e.g. the searcher)."""

    def __init__(self, excluded, retriever):
        DelegatingRetriever.__init__(self, retriever)
        self.excluded = excluded

    def retrieve(self, path):
        """
        Nothing for the excluded thing, else the wrapped retriever's answer.
        """
        if path.links[-1].target.delegate is self.excluded:
            return None
        return self.retriever.retrieve(path)


__all__ = [
    "CanSee", "DelegatingRetriever", "Excluding", "Idea", "Link", "Named",
    "ObtainResult", "Objection", "Path", "ProviderOf", "Proximity",
    "Reachable", "Retriever", "ILinkContributor",
]
