"""
A story for a group: the cartographer.

An example of what a story group is for (docs/groups.md), built in the
last chapter of the authoring tutorial.  The cartographer keeps to her
map room.  When a member of a group comes in, she writes in the group's
journal that they came, and promises them a clue: the next day (on the
store's persistent scheduler, so a restart loses nothing) a letter with
the clue goes to the group's mailing list, and the member of that group
who last spoke to her gets a text saying so, by whatever route they chose
(in the game, IRC, XMPP or email; only if they turned texts on).

Until the letter goes, the group's page shows it coming, and a second
visit by the same group doesn't promise another.
"""

from twisted.logger import Logger

from imaginary.language.grammar import FEMALE
from imaginary.mail import lists
from imaginary.mail.outbound import MailRefused
from imaginary.notify.api import NotifyRefused, notify
from imaginary.simulation.actor import Actor
from imaginary.simulation.containment import Container
from imaginary.simulation.groups import (
    Group, groupsOf, scheduleForGroup, writeJournal)
from imaginary.simulation.npc import Mind, arrivalOf, timeAfter
from imaginary.simulation.thing import Thing
from imaginary.store import (
    AND, CASCADE, NULLIFY, Item, reference, text)
from imaginary.verbs.builder import ThingType

log = Logger()

CLUE_SECONDS = 24 * 3600        # the letter goes the next day
CLUE = ("The old survey marks the well as dry since the flood year, yet "
        "the map your friend looked at shows water there. One of them is "
        "lying. Look under the third stone from the north.")


class CartographerMind(Mind, Item):
    """Notices groups that visit, and who speaks to her."""

    typeName = "plugin_cartographer_mind"
    thing = reference(reftype=Thing, whenDeleted=CASCADE)

    def observe(self, event, message):
        """A group's member arriving, or anyone speaking in her hearing."""
        arrived = arrivalOf(event)
        if arrived is not None:
            if arrived is not self.thing and arrived.proper and \
                    groupsOf(arrived):
                promised = self.store.transact(self._visited, arrived)
                for group in promised:
                    self.act(f"say Ah, {arrived.name}. Tell {group.name} "
                             f"I shall write to them tomorrow.")
            return
        speaker = event.actor
        if (event.data or {}).get("said") is not None and \
                speaker is not None and speaker is not self.thing:
            self.store.transact(self._heard, speaker)

    def _letterFor(self, group):
        return self.store.findFirst(ClueLetter, AND(
            ClueLetter.cartographer == self.thing, ClueLetter.group == group))

    def _visited(self, visitor):
        """Journal the visit and promise each new group its clue."""
        place = self.thing.location
        promised = []
        for group in groupsOf(visitor):
            if self._letterFor(group) is not None:
                continue        # one letter on its way is enough
            writeJournal(group, self.thing,
                         f"{visitor.name} of {group.name} came to "
                         f"{place.name if place else 'my room'} and looked "
                         f"long at the map of the old well.")
            letter = ClueLetter(store=self.store, cartographer=self.thing,
                                group=group, lastSpeaker=visitor)
            scheduleForGroup(group, timeAfter(self, CLUE_SECONDS),
                             f"A letter from {self.thing.name} arrives",
                             letter)
            promised.append(group)
        return promised

    def _heard(self, speaker):
        """Remember the last member of each waiting group to speak."""
        for letter in self.store.query(
                ClueLetter, ClueLetter.cartographer == self.thing):
            if letter.group.membership(speaker) is not None:
                letter.lastSpeaker = speaker


class ClueLetter(Item):
    """The clue a group is owed; its run() posts it and sends the text."""

    typeName = "plugin_cartographer_letter"
    cartographer = reference(reftype=Thing, whenDeleted=CASCADE)
    group = reference(reftype=Group, whenDeleted=CASCADE)
    lastSpeaker = reference(reftype=Thing, whenDeleted=NULLIFY)
    subject = text(default="The well, as promised")

    def run(self):
        """Called by the scheduler: post the clue, text, then forget it."""
        sender, group = self.cartographer, self.group
        try:
            lists.post(group, sender, self.subject,
                       f"To {group.name},\n\n{CLUE}\n\n{sender.name}")
        except MailRefused as e:
            log.info("the cartographer's letter was not posted: {why}",
                     why=str(e))
        if self.lastSpeaker is not None:
            try:
                notify(sender, self.lastSpeaker,
                       f"I have sent {group.name} the clue I promised. "
                       f"Look at your list.")
            except NotifyRefused as e:
                log.info("the cartographer's text was not sent: {why}",
                         why=str(e))
        self.deleteFromStore()
        return None


def cartographer(store, name):
    """A cartographer NPC called C{name}."""
    body = Thing(store=store, name=name, proper=True, gender=FEMALE,
                 weight=60, description="A woman with ink-stained cuffs, "
                 "bent over a table of maps.")
    Container.createFor(body, capacity=10)
    Actor.createFor(body)
    CartographerMind.animate(body)
    return body


cartographerType = ThingType(
    "cartographer", cartographer, "a cartographer who writes to the "
    "groups that visit her")
