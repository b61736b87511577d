"""
Texts by IRC: a player's client logged in at the character menu gets a
character's text as a PRIVMSG from its nick; the answer reaches the
character as a tell, and "stop" switches texts by IRC off.
"""

from zope.interface.verify import verifyObject

from imaginary.frontends.irc import texts
from imaginary.mail.model import characterNamed
from imaginary.notify import api, model
from irckit import Client, playing, register, settleIRC
from sessionkit import fastHashes, newAccount, server  # noqa: F401


def privmsgs(client):
    return [(line.source.split("!")[0], line.params) for line in
            client.take() if line.command == "PRIVMSG"]


def test_a_text_by_irc_its_answer_and_stop(server):
    texts.install(server)
    newAccount(server, "alice")
    bobby = newAccount(server, "bob")
    alice = playing(server, "alice", "Alice")
    mara = characterNamed(server.store, "Alice")
    bob = Client(server)
    register(bob, "bob", "Bob")         # at the menu: no character yet
    settleIRC()
    bob.take()
    store = server.store
    assert verifyObject(api.INotifyRoute, api.routeNamed(store, "irc"))
    assert api.routeNamed(store, "irc").available(bobby)

    # Not opted in: nothing.
    assert store.transact(api.notify, mara, bobby, "hello?") is None
    store.transact(lambda: setattr(model.settingsOf(bobby, create=True),
                                   "enabled", True))
    item = store.transact(api.notify, mara, bobby, "Meet me at the gate.")
    assert (item.state, item.route) == ("sent", "irc")
    settleIRC()
    assert privmsgs(bob) == [("Alice", ("Bob", "Meet me at the gate."))]

    bob.send("PRIVMSG Alice :On my way.")
    settleIRC()
    assert privmsgs(alice) == [("bob", ("Alice", "On my way."))]

    bob.send("PRIVMSG Alice :stop")
    settleIRC()
    assert privmsgs(bob) == [("Alice", ("Bob", (
        "Texts by irc are off now; type 'account notify on irc' in the "
        "game to have them again.")))]
    assert model.settingsOf(bobby).stopped == "irc"
    later = store.transact(api.notify, mara, bobby, "Hello?")
    assert later.state == "pending"
    settleIRC()
    assert privmsgs(bob) == []


def test_a_client_that_left_is_no_route(server):
    texts.install(server)
    bobby = newAccount(server, "bob")
    bob = Client(server)
    register(bob, "bob", "Bob")
    route = api.routeNamed(server.store, "irc")
    assert route.available(bobby)
    bob.drop()
    assert not route.available(bobby)


def test_a_text_that_waited_goes_when_the_client_logs_in(server):
    texts.install(server)
    newAccount(server, "alice")
    bobby = newAccount(server, "bob")
    alice = playing(server, "alice", "Alice")
    mara = characterNamed(server.store, "Alice")
    store = server.store
    store.transact(lambda: setattr(model.settingsOf(bobby, create=True),
                                   "enabled", True))
    item = store.transact(api.notify, mara, bobby, "Call me.")
    assert item.state == "pending"
    bob = Client(server)
    register(bob, "bob", "Bob")
    settleIRC()
    assert privmsgs(bob) == [("Alice", ("Bob", "Call me."))]
    assert item.route == "irc"
    alice.take()
