"""
The IRC front end, as a plugin: the game as an IRC server (&here is the
room you are in, #channels the game's channels, *game the game itself).
Off unless --irc is given; use an ssl: endpoint for TLS.
"""

from imaginary.frontends import FrontEndType

irc = FrontEndType(
    name="irc",
    description="IRC endpoint: play from an IRC client (SASL PLAIN login)",
    defaultEndpoint=None,
    factory="imaginary.frontends.irc:ircFactory")

__all__ = ["irc"]
