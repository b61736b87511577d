"""
Texting test helpers: a Transcript whose Bob is played from an account,
the store's scheduler on a task.Clock, and a stand-in INotifyRoute.
"""

import calendar

from twisted.internet.task import Clock
from zope.interface import implementer

from imaginary.accounts import AccountCharacter, createAccount
from imaginary.notify import api, model
from imaginary.store import IScheduler
from transcript import Transcript

# Monday 2026-11-30 12:00 UTC: the clock's start.
NOON = calendar.timegm((2026, 11, 30, 12, 0, 0))


@implementer(api.INotifyRoute)
class FakeRoute:
    """A route that records what it was given, and is up when told."""

    def __init__(self, name, up=True):
        self.name = name
        self.up = up
        self.sent = []
        self.codes = []

    def available(self, account):
        return self.up

    def deliver(self, notification):
        self.sent.append((notification.senderName, notification.body))

    def sendCode(self, address, code):
        self.codes.append((address, code))


class Texting(Transcript):
    """
    Alice (the character who texts) and Bob in a room; Bob is played from
    the account "bobby"; the scheduler runs on C{self.clock} (at NOON).
    """

    def __init__(self, store=None):
        Transcript.__init__(self, store)
        store = self.store
        self.account = createAccount(store, "bobby", b"x")
        store.transact(lambda: AccountCharacter(
            store=store, account=self.account, character=self.observer.thing))
        self.clock = Clock()
        self.clock.advance(NOON)
        IScheduler(store).startService(self.clock)

    @property
    def alice(self):
        return self.actor.thing

    @property
    def bob(self):
        return self.observer.thing

    def optIn(self, **settings):
        """Turn Bob's texts on, with C{settings} on his NotifySettings."""
        def change():
            record = model.settingsOf(self.account, create=True)
            record.enabled = True
            for name, value in settings.items():
                setattr(record, name, value)
        self.store.transact(change)

    def text(self, words, to=None):
        """Alice texts Bob (or C{to}); the Notification (or None)."""
        return self.store.transact(api.notify, self.alice,
                                   to if to is not None else self.bob,
                                   words)

    def offline(self):
        """Bob's player leaves the game."""
        self.world.loggedOut(self.bob)

    def route(self, name, up=True):
        """A FakeRoute called C{name}, installed."""
        found = FakeRoute(name, up)
        api.installRoute(self.store, found)
        return found

    def flush(self):
        return self.store.transact(api.flush, self.store)
