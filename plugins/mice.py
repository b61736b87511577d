"""
Two mice, to show NPC minds at work.

The squeaking mouse squeaks whenever someone arrives.  The quiz mouse,
when someone arrives, says a word and waits: answer with 'say <word>'
spelled backwards and it salutes you; answer wrongly, or not within
QUIZ_SECONDS (a persistent timer), and it bites.
"""

import random

from imaginary.language.grammar import NEUTER
from imaginary.simulation.actor import Actor
from imaginary.simulation.containment import Container
from imaginary.simulation.npc import Mind, arrivalOf
from imaginary.simulation.thing import Thing
from imaginary.store import CASCADE, NULLIFY, Item, reference, text
from imaginary.verbs.builder import ThingType

WORDS = ("cheese", "whisker", "burrow", "nibble", "crumb")
QUIZ_SECONDS = 30
# Module-level so tests can reseed it for a known word.
rng = random.Random()


def _mouseBody(store, name, description):
    body = Thing(store=store, name=name, description=description,
                 gender=NEUTER, weight=1)
    Container.createFor(body, capacity=1)
    Actor.createFor(body, hitpoints=5, maxHitpoints=5)
    return body


class SqueakingMind(Mind, Item):
    """Squeaks at every arrival."""

    typeName = "plugin_squeaking_mouse_mind"
    thing = reference(reftype=Thing, whenDeleted=CASCADE)

    def observe(self, event, message):
        """Squeak when someone arrives."""
        arrived = arrivalOf(event)
        if arrived is not None and arrived is not self.thing:
            self.act("emote squeaks.")


class QuizMind(Mind, Item):
    """Asks arrivals for a word backwards."""

    typeName = "plugin_quiz_mouse_mind"
    thing = reference(reftype=Thing, whenDeleted=CASCADE)
    word = text(default=None)
    student = reference(reftype=Thing, whenDeleted=NULLIFY)

    def observe(self, event, message):
        """Ask a newcomer a question, and judge the answer it hears."""
        arrived = arrivalOf(event)
        if arrived is not None and arrived is not self.thing and \
                self.student is None:
            self.store.transact(self._ask, arrived)
            self.act(f"say {self.word}?")
            return
        data = event.data or {}
        said = data.get("said")
        if said is not None and event.actor is self.student:
            self._judge(said.strip().lower())

    def _ask(self, arrived):
        self.word = rng.choice(WORDS)
        self.student = arrived
        self.wakeAfter(QUIZ_SECONDS)

    def _judge(self, answer):
        student = self.student
        right = answer.rstrip(".!?") == self.word[::-1]
        self.store.transact(self._reset)
        if right:
            self.emote("{actor:definite} {actor:salute} {target}.",
                       target=student)
        else:
            self.emote("{actor:definite} {actor:bite} {target}!",
                       target=student)

    def _reset(self):
        from imaginary.store import IScheduler
        IScheduler(self.store).unscheduleAll(self)
        self.student = None
        self.word = None

    def run(self):
        """Time is up: the student didn't answer."""
        student = self.student
        if student is not None:
            self._reset()
            self.emote(
                "{actor:definite} {actor:bite} {target} for being slow!",
                target=student)
        return None


def squeakingMouse(store, name):
    """A mouse called C{name} that squeaks at arrivals."""
    body = _mouseBody(store, name, "A small grey mouse with twitchy ears.")
    SqueakingMind.animate(body)
    return body


def quizMouse(store, name):
    """A mouse called C{name} that quizzes players."""
    body = _mouseBody(store, name, "A mouse wearing tiny spectacles.")
    QuizMind.animate(body)
    return body


mouseType = ThingType("mouse", squeakingMouse, "a mouse that squeaks")
quizMouseType = ThingType("quiz mouse", quizMouse,
                          "a mouse that asks for words backwards")
