"""
Tests for imaginary.verbs.admin: the admin verbs act on the game only
through the context's IGameControl, and refuse without one.
"""

import pytest
from zope.interface import implementer
from zope.interface.verify import verifyObject

from imaginary.accounts import createAccount, findAccount, hashPassword
from imaginary.language import renderPlain
from imaginary.verbs.control import IGameControl

from transcript import Transcript


@implementer(IGameControl)
class Panel:
    """
    IGameControl over a transcript's players: each player is one
    connection (its account, if any, given by name), told things through
    its collector; closing one forgets it.
    """

    def __init__(self, transcript, accounts=None):
        self.players = [transcript.actor, transcript.observer]
        self.accounts = accounts or {}
        self.stopped = False

    def _tell(self, player, message):
        player.collector.lines.append(
            message if isinstance(message, str) else renderPlain(message))

    def shutdown(self):
        self.stopped = True

    def announce(self, message):
        for player in self.players:
            self._tell(player, message)

    def _close(self, doomed, message):
        for player in doomed:
            self._tell(player, message)
            self.players.remove(player)
        return len(doomed)

    def disconnectCharacter(self, character, message):
        return self._close([p for p in self.players
                            if p.thing is character], message)

    def disconnectAccount(self, account, message):
        return self._close([p for p in self.players
                            if self.accounts.get(p.thing.name) is account],
                           message)


@pytest.fixture
def game():
    t = Transcript(actorLevel="admin")
    account = createAccount(t.store, "bobby", hashPassword("secret99", 4))
    panel = Panel(t, {"Bob": account})
    assert verifyObject(IGameControl, panel)
    t.actor.context.control = panel
    return t, panel


@pytest.mark.parametrize("command", ["shutdown", "wall hello",
                                     "boot Bob"])
def test_without_a_running_game_they_refuse(command):
    t = Transcript(actorLevel="admin")
    t.check(command, actor=["That needs a running server."])


def test_shutdown_says_so_then_stops_the_game(game):
    t, panel = game
    t.check("shutdown", actor=["Shutting down."])
    assert panel.stopped


def test_wall_tells_everyone(game):
    t, panel = game
    t.check("wall back in five", actor=["[announcement] back in five"],
            observer=["[announcement] back in five"])


def test_boot_closes_the_players_connection(game):
    t, panel = game
    t.check("boot bob", actor=["You boot Bob."],
            observer=["You have been disconnected by an admin."])
    assert [p.thing.name for p in panel.players] == ["Alice"]
    t.check("boot bob", actor=["Bob has no connection to close."])
    t.check("boot nobody",
            actor=["There is nobody called 'nobody' playing right now."])


def test_ban_marks_the_account_and_closes_its_connections(game):
    t, panel = game
    t.check("ban bobby", actor=["You ban bobby."],
            observer=["This account is banned."])
    assert findAccount(t.store, "bobby").banned
    assert [p.thing.name for p in panel.players] == ["Alice"]
    t.check("unban bobby", actor=["You unban bobby."])
    assert not findAccount(t.store, "bobby").banned


def test_ban_without_a_running_game_still_bans():
    t = Transcript(actorLevel="admin")
    createAccount(t.store, "bobby", hashPassword("secret99", 4))
    t.check("ban bobby", actor=["You ban bobby."])
    assert findAccount(t.store, "bobby").banned
