"""
Talking: say, emote, tell, whisper, shout, and who is around.

Speech is player text: it is sanitized (no control characters or escape
sequences reach another player) and styled as speech.  Shouting is heard
faintly in the adjacent rooms, from the direction it came.
"""

from imaginary.interfaces import IActor
from imaginary.language import PLAIN, Span, sanitize, sentence, styled
from imaginary.simulation.events import Event
from imaginary.simulation.failure import ActionFailure

from .base import HERE, Find, Verb, resolve

MAX_SPEECH = 1000


def _speech(text):
    text = " ".join(sanitize(text).split())
    if not text:
        raise ActionFailure.simple("Say what?")
    if len(text) > MAX_SPEECH:
        raise ActionFailure.simple(
            f"That is too long to say at once ({len(text)} characters; "
            f"at most {MAX_SPEECH}).")
    return text


class _Quoted:
    """A sentence followed by ", 'text'" with the text styled as speech."""

    def __init__(self, template, text, **roles):
        self.head = sentence(template, **roles)
        self.said = styled(text, role="speech")
        self.last = (None, None)

    def render(self, observer):
        """The sentence and the quote, as C{observer} reads them."""
        return self._quoted(self.head.render(observer))

    def forBystanders(self):
        """Whom the sentence names, and what everyone else reads."""
        involved, head = self.head.forBystanders()
        return involved, self._quoted(head)

    def _quoted(self, first):
        # Bystanders share one rendering of the head (see grammar); keep
        # sharing it, so front ends can reuse one rendered string for all.
        if self.last[0] is not first:
            # A plain head's words go in whole (one span less to walk for
            # every rendering; it reads the same in every form).
            head = first.children if first.style is PLAIN else (first,)
            self.last = (first, Span((*head, ", '", self.said, "'")))
        return self.last[1]



class Say(Verb):
    """say <text> (or: '<text>): say something to everyone in the room."""

    names = ("say", "'")
    syntax = ("say {text}",)

    def run(self, context, text):
        """Say C{text} to the room."""
        actor = context.actor
        text = _speech(text)
        # One sentence for all: it says "You say" to the actor and shares
        # one rendering among everyone else.
        said = _Quoted("{actor} {actor:say}", text, actor=actor)
        Event(location=actor.location, actor=actor,
              actorMessage=said, otherMessage=said,
              data={"said": text,
                    "channel": {"channel": "say", "talker": actor.name,
                                "text": text}}).broadcast()


class Emote(Verb):
    """
    emote <action> (or: pose, :<action>): show everyone in the room what you
    do, e.g. ':waves.' shows 'Alice waves.'
    """

    names = ("emote", "pose", ":")
    syntax = ("emote|pose {text}",)

    def run(self, context, text):
        """Show the room the actor doing C{text}."""
        actor = context.actor
        text = _speech(text)

        # Everyone, the actor included, sees the name: "Alice waves." /
        # "The mouse squeaks."  One Span for all of them.
        name = actor.name if actor.proper else "The " + actor.name
        posed = styled(styled(name, role="player"), " ", text)
        Event(location=actor.location, actor=actor, actorMessage=posed,
              otherMessage=posed,
              data={"channel": {"channel": "say", "talker": actor.name,
                                "text": text, "emote": True}}).broadcast()


def findPlayer(context, name):
    """A connected character by name, anywhere in the world (or refused)."""
    world = context.world
    wanted = name.strip().lower()
    for character in (world.connected if world is not None else ()):
        if character.name.lower() == wanted:
            return character
    raise ActionFailure.simple(f"There is nobody called '{name.strip()}' "
                               f"playing right now.")


class Tell(Verb):
    """tell <player> <text>: speak privately to a player anywhere."""

    names = ("tell",)
    syntax = ("tell {text}",)
    usage = "tell <player> <text>"

    def run(self, context, text):
        """
        Split C{text} into a player's name and the message, and send it to that
        player alone.
        """
        actor = context.actor
        first, _, rest = text.partition(" ")
        recipient = findPlayer(context, first)
        text = _speech(rest)
        if recipient is actor:
            raise ActionFailure.simple("You mutter to yourself.")
        Event(location=None, actor=actor, target=recipient,
              actorMessage=_Quoted("{actor} {actor:tell} {target}", text,
                                   actor=actor, target=recipient),
              targetMessage=_Quoted("{actor} {actor:tell} {target}", text,
                                    actor=actor, target=recipient),
              data={"channel": {"channel": "tell", "talker": actor.name,
                                "text": text, "to": recipient.name}}
              ).broadcast()


class Whisper(Verb):
    """
    whisper <someone> <text>: speak quietly to someone in the room; the others
    only see that you whisper.
    """

    names = ("whisper",)
    syntax = ("whisper {text}", "whisper to {text}")
    usage = "whisper <someone> <text>"
    finds = {"target": Find(interface=IActor, radius=HERE, reach=False,
                            notFound="There is nobody like that here.")}

    def run(self, context, text):
        """
        Split C{text} into someone's name and the words; they hear the words,
        the room only that a whisper was made.
        """
        actor = context.actor
        first, _, rest = text.partition(" ")
        [body] = resolve(context, self.finds["target"], first)
        recipient = body.thing
        text = _speech(rest)
        Event(location=actor.location, actor=actor, target=recipient,
              actorMessage=_Quoted("{actor} {actor:whisper} to {target}",
                                   text, actor=actor, target=recipient),
              targetMessage=_Quoted("{actor} {actor:whisper} to {target}",
                                    text, actor=actor, target=recipient),
              otherMessage=sentence("{actor} {actor:whisper} something to "
                                    "{target}.", actor=actor,
                                    target=recipient)).broadcast()


class Shout(Verb):
    """
    shout <text>: say something loudly; people in the adjacent rooms hear you
    faintly.
    """

    names = ("shout", "yell")
    syntax = ("shout|yell {text}",)

    def run(self, context, text):
        """Shout C{text} to the room and the rooms next to it."""
        actor = context.actor
        text = _speech(text)
        shouted = _Quoted("{actor} {actor:shout}", text, actor=actor)
        Event(location=actor.location, actor=actor,
              actorMessage=shouted, otherMessage=shouted,
              # The words carry to the next rooms; who shouted doesn't.
              distantMessage=lambda direction: styled(
                  f"Someone shouts from the {direction}, '",
                  styled(text, role="speech"), "'")
              ).broadcast()


class Who(Verb):
    """who: list the players connected now."""

    names = ("who",)
    syntax = ("who",)

    def run(self, context):
        """List the players connected now."""
        world = context.world
        players = sorted((c.name for c in world.connected), key=str.lower) \
            if world is not None else []
        count = len(players)
        lines = [styled("Players online:", role="title")]
        lines += [styled("  ", styled(name, role="player"))
                  for name in players]
        lines.append(styled(f"{count} player{'s' if count != 1 else ''} "
                            f"online."))
        parts = []
        for i, line in enumerate(lines):
            if i:
                parts.append("\n")
            parts.append(line)
        Event(location=None, actor=context.actor,
              actorMessage=styled(*parts)).broadcast()
