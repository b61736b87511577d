"""
Descriptions: what an observer sees when it looks.

A description is a list of lines (Spans): a title, the description text,
the exits (for a place), what is visibly inside or on it, and one line from
each enhancement that contributes (IDescriptionContributor), in ascending
C{descriptionOrder}.  What is listed comes from the Idea graph through
CanSee, so anything hidden from the observer (in the dark, behind a closed
lid, worn rather than carried) is hidden here too, without this module
knowing why.
"""

from imaginary.interfaces import (
    IContainer, IDescriptionContributor, IThing)
from imaginary.language import ItemList, sentence, styled

from .containment import Exit
from .idea import CanSee, ProviderOf, Proximity
from .lighting import isDark

TOO_DARK = "It's too dark to see."


def visibleContents(observer, holder):
    """The things directly inside C{holder} that C{observer} can see."""
    found = observer.idea.obtain(
        Proximity(0.0, CanSee(ProviderOf(IThing), observer))).results
    from .garments import Garment
    worn = {g.thing.storeID for g in holder.store.query(
        Garment, Garment.wearer == holder)}
    return [t for t in found if t.location is holder and t is not observer
            and t.storeID not in worn]


def exitNames(room):
    """The names of the exits from C{room}, in the order they were made."""
    return [e.name for e in room.store.query(
        Exit, Exit.fromLocation == room, sort=Exit.storeID.ascending)]


def _contributions(observer, thing):
    contributors = sorted(thing.powerupsFor(IDescriptionContributor),
                          key=lambda c: c.descriptionOrder)
    lines = []
    for contributor in contributors:
        line = contributor.contributeDescription(observer, ())
        if line is not None:
            lines.append(line)
    return lines


def describePlace(observer, room, contents=None):
    """
    The lines an observer sees looking around C{room}.  C{contents}, when
    given, is what C{placeContents} found already (a verb that also sends
    the list as data needn't search twice).
    """
    if isDark(room):
        return [styled(TOO_DARK)]
    lines = [styled("[ ", room.name, " ]", role="room-title")]
    if room.description:
        lines.append(styled(room.description))
    exits = exitNames(room)
    if exits:
        parts = ["Exits: "]
        for i, name in enumerate(exits):
            if i:
                parts.append(", ")
            parts.append(styled(name, role="exit"))
        parts.append(".")
        lines.append(styled(*parts))
    if contents is None:
        contents = visibleContents(observer, room)
    if contents:
        lines.append(sentence("Here, you see {things}.",
                              things=ItemList(contents)).render(observer))
    return lines


def placeContents(observer, room):
    """What C{observer} sees lying in C{room}: nothing when it is dark."""
    if isDark(room):
        return []
    return visibleContents(observer, room)


def describeThing(observer, thing):
    """The lines an observer sees looking at C{thing}."""
    lines = [styled(thing.name, role="thing-title")]
    if thing.description:
        lines.append(styled(thing.description))
    container = IContainer(thing, None)
    if container is not None and IContainer(thing) is not None:
        if container.closed and not container.transparent:
            lines.append(sentence("{box:pronoun} {box:be} closed.",
                                  box=thing).render(observer))
        else:
            inside = visibleContents(observer, thing)
            if inside:
                template = container.contentsTemplate or (
                    "{box:pronoun} {box:contain} {things}.")
                lines.append(sentence(template, box=thing,
                                      things=ItemList(inside)).render(
                                          observer))
    lines.extend(_contributions(observer, thing))
    return lines
