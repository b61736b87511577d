"""
Tests for imaginary.verbs.control: the running server provides what admin
verbs may ask of it, and a context carries it as a declared field.
"""

from zope.interface.verify import verifyClass, verifyObject

from imaginary.server import ImaginaryServer
from imaginary.store import Store
from imaginary.verbs.base import Context
from imaginary.verbs.control import IGameControl


def test_the_server_provides_game_control():
    store = Store()
    server = ImaginaryServer(None, store=store)
    assert verifyClass(IGameControl, ImaginaryServer)
    assert verifyObject(IGameControl, server)
    # Nobody connected: nothing to close, nobody to tell.
    assert server.disconnectAccount(object(), "bye") == 0
    store.close()


def test_a_context_has_no_control_unless_given():
    assert Context(actor=None).control is None
    assert not hasattr(Context(actor=None), "server")
