"""
The core verbs: looking, moving, handling things, talking, information.

Each verb is small: it resolves its slots through the Idea graph (C{resolve}
with a C{Find} spec), asks the simulation to do the thing (which raises
ActionFailure to refuse), and broadcasts one Event whose messages are
sentences rendered for each observer.
"""

from imaginary.interfaces import IActor, IContainer
from imaginary.language import ItemList, sentence, styled
from imaginary.language.grammar import SUBJECTIVE
from imaginary.simulation.containment import (the, 
    DIRECTION_ALIASES, DIRECTIONS, ExitLink, canonicalDirection)
from imaginary.simulation.description import (
    describePlace, describeThing, placeContents)
from imaginary.simulation.events import Event
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.idea import Named, Proximity, Reachable, Retriever

from .base import Find, HERE, NEARBY, Verb, hasPermission, resolve


def say(template, **roles):
    """A sentence for an event message."""
    return sentence(template, **roles)


class Look(Verb):
    """
    look: describe where you are. look at <thing> (or: l <thing>, examine
    <thing>, x <thing>): describe a thing.
    """

    names = ("look", "l", "examine", "x")
    syntax = ("look|l", "look|l at {target}", "look|l in|inside {target}",
              "look|l {target}", "examine|x {target}")
    finds = {"target": Find(radius=NEARBY, reach=False,
                            notFound="You don't see that.")}

    def run(self, context, target=None):
        """Describe the actor's room, or C{target} as the actor sees it."""
        actor = context.actor
        if target is None:
            room = actor.enclosingRoom()
            seen = placeContents(actor, room)
            lines = describePlace(actor, room, seen)
            Event(location=None, actor=actor,
                  actorMessage=_lines(lines),
                  data={"room": room, "seen": seen}).broadcast()
            return
        [thing] = resolve(context, self.finds["target"], target)
        context.remember([thing])
        if thing is actor.enclosingRoom():
            lines = describePlace(actor, thing)
        else:
            lines = describeThing(actor, thing)
        Event(location=actor.location, actor=actor, target=thing,
              actorMessage=_lines(lines),
              targetMessage=say("{actor} {actor:look} at you.", actor=actor)
              ).broadcast()


def _lines(spans):
    """Join description lines into one Span, one line each."""
    parts = []
    for i, span in enumerate(spans):
        if i:
            parts.append("\n")
        parts.append(span)
    return styled(*parts)


class _ExitFinder(Retriever):
    """Retrieves the exit whose link a path ends with (one exit deep)."""

    def retrieve(self, path):
        for annotation in path.links[-1].annotations:
            if isinstance(annotation, ExitLink):
                return annotation.exit
        return None

    def shouldKeepGoing(self, path):
        return not any(isinstance(a, ExitLink) for link in path.links
                       for a in link.annotations)


class Go(Verb):
    """
    go <direction>: walk that way. Directions: north (n), south (s), east (e),
    west (w), northeast (ne), northwest (nw), southeast (se), southwest (sw),
    up (u), down (d), in, out, and named exits. A bare direction works too:
    'n'.
    """

    names = ("go",) + tuple(DIRECTIONS) + tuple(DIRECTION_ALIASES)
    syntax = ("go {direction}",
              "|".join(list(DIRECTIONS) + list(DIRECTION_ALIASES)))

    def run(self, context, direction=None):
        """
        Move the actor through the exit C{direction} names (a bare direction is
        the verb's word itself), telling both rooms.
        """
        actor = context.actor
        if direction is None:
            # A bare direction: the verb word itself is the direction.
            direction = context.line.split()[0]
        name = canonicalDirection(direction)
        found = actor.idea.obtain(Proximity(
            50.0, Reachable(Named(name, _ExitFinder(), actor))))
        if not found.results:
            if found.reasonsWhyNot:
                raise ActionFailure.simple(
                    found.reasonsWhyNot[0].tellMeWhyNot())
            raise ActionFailure.simple("You can't go that way.")
        exit = found.results[0]
        origin = actor.location
        destination = exit.toLocation
        back = exit.sibling.name if exit.sibling is not None else None
        Event(location=origin, actor=actor,
              otherMessage=say(_leaving(exit.name), actor=actor,
                               way=exit.name),
              data={"left": actor}).broadcast()
        actor.moveTo(destination)
        Event(location=destination, actor=actor,
              otherMessage=say("{actor} {actor:arrive}" +
                               (" from {way}" if back else "") + ".",
                               actor=actor, way=_fromWay(back) if back
                               else ""),
              data={"arrived": actor}).broadcast()
        seen = placeContents(actor, destination)
        lines = describePlace(actor, destination, seen)
        Event(location=None, actor=actor, actorMessage=_lines(lines),
              data={"room": destination, "seen": seen}).broadcast()


def _leaving(name):
    """How bystanders see someone leave by exit C{name} (a {way} role)."""
    if name in ("up", "down", "in", "out"):
        return "{actor} {actor:go} {way}."
    if name in DIRECTIONS:
        return "{actor} {actor:leave} to the {way}."
    return "{actor} {actor:leave} through the {way}."


def _fromWay(direction):
    if direction in ("up", "down"):
        return "above" if direction == "up" else "below"
    if direction in DIRECTIONS:
        return "the " + direction
    return "the " + direction


class Take(Verb):
    """
    take <thing> (or: get <thing>): pick something up. take <thing> from
    <container>: take it out of something. 'take all', 'get all coins', 'get
    all from chest' work too.
    """

    names = ("take", "get")
    syntax = ("take|get {target}", "take|get {target} from {container}",
              "pick up {target}")
    finds = {"target": Find(radius=HERE, many=True,
                            fits=lambda actor, thing: thing is not None
                            and thing.location is not actor),
             "container": Find(radius=HERE)}

    def run(self, context, target, container=None):
        """
        Move C{target} (one thing or several, from C{container} if given) into
        the actor's hands, or refuse saying why.
        """
        actor = context.actor
        source = None
        if container is not None:
            [source] = resolve(context, self.finds["container"], container)
            if IContainer(source, None) is None:
                raise ActionFailure.simple(
                    f"{the(source, True)} can't hold anything.")
            _checkTakingFrom(actor, source)
        things = resolve(context, self.finds["target"], target,
                         source=source)
        everything = target.strip().lower().startswith("all")
        if everything:
            things = [t for t in things if _takeable(actor, t, source)]
            if not things:
                raise ActionFailure.simple("There is nothing to take.")
        taken = []
        for thing in things:
            self._takeOne(actor, thing, source)
            taken.append(thing)
        context.remember(taken)
        inventoryChanged(actor)

    def _takeOne(self, actor, thing, source):
        if thing is actor:
            raise ActionFailure.simple("You cannot take yourself.")
        if thing.location is actor:
            raise ActionFailure.simple(f"You already have {the(thing)}.")
        if actor.isInside(thing):
            raise ActionFailure.simple(f"You can't take {the(thing)}: "
                                       f"you are in it.")
        if source is not None and thing.location is not source:
            raise ActionFailure.simple(
                f"{the(thing, True)} isn't in {the(source)}.")
        origin = thing.location
        thing.moveTo(actor)
        if source is None:
            Event(location=actor.location, actor=actor, target=thing,
                  actorMessage=say("{actor} {actor:take} {thing}.",
                                   actor=actor, thing=thing),
                  otherMessage=say("{actor} {actor:take} {thing}.",
                                   actor=actor, thing=thing)).broadcast()
        else:
            Event(location=actor.location, actor=actor, target=thing,
                  tool=origin,
                  actorMessage=say("{actor} {actor:take} {thing} from "
                                   "{source}.", actor=actor, thing=thing,
                                   source=origin),
                  otherMessage=say("{actor} {actor:take} {thing} from "
                                   "{source}.", actor=actor, thing=thing,
                                   source=origin)).broadcast()


def _checkTakingFrom(actor, source):
    """
    Refuse taking out of another character's inventory: people hand things
    over with 'give'.  Builders keep 'take <thing> from <character>' to
    recover what was lost or misplaced.
    """
    if source is actor or IActor(source, None) is None:
        return
    if hasPermission(actor, "builder"):
        return
    pronoun = SUBJECTIVE[source.gender]
    raise ActionFailure.simple(
        f"You can't take things from {the(source)}; {pronoun} can give "
        f"them to you.")


def _takeable(actor, thing, source):
    if thing is actor or thing.location is actor or not thing.portable:
        return False
    if actor.isInside(thing) or IActor(thing, None) is not None:
        return False
    if source is not None:
        return thing.location is source
    return True


class Drop(Verb):
    """
    drop <thing>: put down something you carry. 'drop all' and 'drop all coins'
    work too.
    """

    names = ("drop",)
    syntax = ("drop {target}",)
    finds = {"target": Find(radius=HERE, many=True,
                            notFound="You don't have that.",
                            fits=lambda actor, thing: thing is not None
                            and thing.location is actor)}

    def run(self, context, target):
        """
        Move the things C{target} names from the actor to the actor's location.
        """
        actor = context.actor
        things = resolve(context, self.finds["target"], target)
        things = [t for t in things if t.location is actor]
        if not things:
            raise ActionFailure.simple("You don't have that.")
        where = actor.location
        if len(things) > 1:
            # "drop all" is all that can be dropped: not what you wear.
            movable = [t for t in things if _canMove(t, where)]
            if not movable:
                # Say why the first can't go.
                things[0].checkMove(where)
            things = movable
        for thing in things:
            thing.moveTo(where)
            Event(location=where, actor=actor, target=thing,
                  actorMessage=say("{actor} {actor:drop} {thing}.",
                                   actor=actor, thing=thing),
                  otherMessage=say("{actor} {actor:drop} {thing}.",
                                   actor=actor, thing=thing)).broadcast()
        context.remember(things)
        inventoryChanged(actor)


def _canMove(thing, where):
    """Whether C{thing} may move to C{where} (no reason asked)."""
    try:
        thing.checkMove(where)
    except ActionFailure:
        return False
    return True


class Put(Verb):
    """put <thing> in <container> (or: on): place a thing in or on another."""

    names = ("put",)
    syntax = ("put {target} in|into|inside|on|onto {container}",)
    finds = {"target": Find(radius=HERE, many=True,
                            notFound="You don't have that."),
             "container": Find(radius=HERE)}

    def run(self, context, target, container):
        """
        Move the things C{target} names into C{container}, when it holds
        things, is open and has room.
        """
        actor = context.actor
        [box] = resolve(context, self.finds["container"], container)
        things = [t for t in resolve(context, self.finds["target"], target)
                  if t is not box]
        if not things:
            raise ActionFailure.simple(
                "A thing cannot contain itself in euclidean space.")
        if IContainer(box, None) is None:
            raise ActionFailure.simple(f"{the(box, True)} can't hold anything.")
        if IActor(box, None) is not None:
            raise ActionFailure.simple(
                f"You can't put things in people; try 'give "
                f"{things[0].name} to {box.name}'.")
        for thing in things:
            if thing.location is not actor:
                raise ActionFailure.simple(
                    f"You aren't holding {the(thing)}.")
            thing.moveTo(box)
            Event(location=actor.location, actor=actor, target=thing,
                  tool=box,
                  actorMessage=say("{actor} {actor:put} {thing} in {box}.",
                                   actor=actor, thing=thing, box=box),
                  otherMessage=say("{actor} {actor:put} {thing} in {box}.",
                                   actor=actor, thing=thing, box=box)
                  ).broadcast()
        context.remember(things)
        inventoryChanged(actor)


def carried(actor):
    """What C{actor} holds and doesn't wear."""
    from imaginary.simulation.garments import Garment
    worn = {g.thing.storeID for g in actor.store.query(
        Garment, Garment.wearer == actor)}
    return [t for t in actor.contents() if t.storeID not in worn]


def inventoryChanged(actor):
    """
    Tell C{actor}'s front ends what it now carries (Char.Items.Inv for
    clients that asked for it); no text, and nobody else hears it.
    """
    Event(location=None, actor=actor,
          data={"inventory": carried(actor)}).broadcast()


class Inventory(Verb):
    """inventory (or: i): list what you are carrying."""

    names = ("inventory", "i", "inv")
    syntax = ("inventory|i|inv",)

    def run(self, context):
        """Tell the actor what they are carrying."""
        actor = context.actor
        things = carried(actor)
        if things:
            message = say("{actor} {actor:be} carrying {things:indefinite}.",
                          actor=actor, things=ItemList(things))
        else:
            message = say("{actor} {actor:be} carrying nothing.", actor=actor)
        Event(location=None, actor=actor, actorMessage=message,
              data={"inventory": things}).broadcast()


