"""
A scribe who answers questions by mail: ask it something ('say scribe,
where is the key?': anything said with a question mark, in its hearing)
and it promises to write; LETTER_SECONDS later, on the store's persistent
scheduler (so a restart in between loses nothing), the answer arrives in
your in-game mailbox, and at your real address too if you have verified
one and take game mail.  An example of imaginary.mail.api.sendMail (see
docs/authoring.md).
"""

from twisted.logger import Logger

from imaginary.language.grammar import MALE
from imaginary.mail.api import sendMail
from imaginary.mail.outbound import MailRefused
from imaginary.simulation.actor import Actor
from imaginary.simulation.containment import Container
from imaginary.simulation.npc import Mind, timeAfter
from imaginary.simulation.thing import Thing
from imaginary.store import CASCADE, IScheduler, Item, reference, text
from imaginary.verbs.builder import ThingType

log = Logger()

LETTER_SECONDS = 120
ANSWERS = (
    "I have searched the archives. The answer, as so often, is in the "
    "place you have not looked yet.",
    "The old records say nothing of it, which is itself worth knowing.",
    "Ask the guard; guards notice more than they let on.",
)


class ScribeMind(Mind, Item):
    """Hears questions and promises letters."""

    typeName = "plugin_scribe_mind"
    thing = reference(reftype=Thing, whenDeleted=CASCADE)

    def observe(self, event, message):
        """Hear a question (said with a '?') and promise a letter."""
        said = (event.data or {}).get("said")
        asker = event.actor
        if said is None or asker is None or asker is self.thing or \
                not asker.proper or "?" not in said:
            return
        self.store.transact(self._promise, asker, said.strip())
        self.act(f"say I shall look into it, {asker.name}, and write to "
                 f"you.")

    def _promise(self, asker, question):
        letter = ScribeLetter(store=self.store, scribe=self.thing,
                              recipient=asker, question=question[:300])
        IScheduler(self.store).schedule(letter,
                                        timeAfter(self, LETTER_SECONDS))


class ScribeLetter(Item):
    """A letter the scribe owes someone; its run() writes it."""

    typeName = "plugin_scribe_letter"
    scribe = reference(reftype=Thing, whenDeleted=CASCADE)
    recipient = reference(reftype=Thing, whenDeleted=CASCADE)
    question = text(default="")

    def run(self):
        """Called by the scheduler: send the letter, then forget it."""
        answer = ANSWERS[len(self.question) % len(ANSWERS)]
        try:
            sendMail(self.scribe, self.recipient, "About your question",
                     f"Dear {self.recipient.name},\n\nYou asked me: "
                     f"\"{self.question}\"\n\n{answer}\n\nYours in ink,\n"
                     f"{self.scribe.name}")
        except MailRefused as e:
            log.info("the scribe's letter was not sent: {why}", why=str(e))
        self.deleteFromStore()
        return None


def scribe(store, name):
    """A scribe NPC called C{name}."""
    body = Thing(store=store, name=name, proper=True, gender=MALE,
                 weight=70, description="A scribe with ink on his fingers.")
    Container.createFor(body, capacity=10)
    Actor.createFor(body)
    ScribeMind.animate(body)
    return body


scribeType = ThingType("scribe", scribe, "a scribe who answers questions "
                       "by mail, later")
