"""
The terminal front ends (SSH without a PTY, `imaginary play`) in memory:
they provide IFrontEnd and carry the dialogue, starting at the menu
because the portal already logged the player in.  The PTY editor is
tested end to end with OpenSSH in test_frontends_ssh.py.
"""

from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport
from zope.interface.verify import verifyObject

from imaginary.frontends.terminal import PlainLineGame, TerminalGame
from imaginary.session import IFrontEnd, IPlayer
from imaginary.session.login import TokenCredentials

from sessionkit import fastHashes, newAccount, server, settle, wait  # noqa

PEER = IPv4Address("TCP", "127.0.0.1", 5555)


def player(server, name="alice"):
    newAccount(server, name)
    credentials = TokenCredentials(server.tokens.issue(name), "127.0.0.1")
    return wait(server.portal.login(credentials, None, IPlayer))[1]


def test_both_provide_IFrontEnd(server):
    avatar = player(server)
    assert verifyObject(IFrontEnd, PlainLineGame(server, avatar, PEER))
    assert verifyObject(IFrontEnd, TerminalGame(server, avatar, PEER))


def test_plain_lines_start_at_the_menu_and_play(server):
    game = PlainLineGame(server, player(server), PEER)
    transport = StringTransport()
    game.makeConnection(transport)
    game.dataReceived(b"create Tam male\nsay plain\n")
    settle()
    shown = transport.value().decode("utf-8").split("\n")
    assert shown[:2] == ["Welcome to Imaginary, a text adventure.",
                         "You have no characters yet."]
    assert "You are Tam." in shown
    assert "> You say, 'plain'" in shown
    assert shown[-1] == "> "
    game.connectionLost(None)
    assert server.sessions == {}


def test_a_client_that_stopped_reading_is_aborted_once(server):
    # Past the output bound the connection is aborted, not closed
    # politely: a channel's close waits for its buffer to drain, and a
    # client that stopped reading never lets it.
    waiting = [0]
    aborts = []
    transport = StringTransport()

    def abort():
        aborts.append(True)
        transport.abortConnection()
    game = PlainLineGame(server, player(server), PEER,
                         queued=lambda: waiting[0], abort=abort)
    game.makeConnection(transport)
    game.dataReceived(b"create Tam male\n")
    settle()
    waiting[0] = 2 ** 30
    game.dataReceived(b"say one\nsay two\nlook\n")
    settle()
    assert aborts == [True]
    assert transport.disconnected
    assert "You say, 'one'" not in transport.value().decode("utf-8")
    game.connectionLost(None)
    assert server.sessions == {}
