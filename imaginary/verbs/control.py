"""
What admin verbs may ask of the running game: IGameControl.

The verbs stand below the server and the session layer, so they don't
import them.  They declare here what they need, and the server implements
it (C{ImaginaryServer}, in its "game control" block); the session layer
passes the server in as C{Context.control}.  A context without one (an
NPC's, a test's, a tool's) has C{control=None}, and verbs that need it
refuse with "That needs a running server."
"""

from zope.interface import Interface


class IGameControl(Interface):
    """
    The running game, as admin verbs see it: stop it, speak to everyone,
    and close connections.  Messages are a str or a Span (styled text).
    """

    def shutdown():
        """
        Save the world and stop the server, soon after the current command
        (its output still reaches the people who are told goodbye).
        """

    def announce(message):
        """Tell C{message} to every character being played now."""

    def disconnectCharacter(character, message):
        """
        Tell every connection playing C{character} (a Thing) C{message},
        then close them; the character leaves the game.  Returns how many
        connections were closed (0: nobody plays it now).
        """

    def disconnectAccount(account, message):
        """
        Tell every connection logged in to C{account} (an Account; playing
        or choosing a character) C{message}, then close them.  Returns how
        many connections were closed.
        """
