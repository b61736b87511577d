"""
The IRC front end: the game as an IRC server, so a player can play from
the IRC client they already use (irssi, WeeChat...).

Our own server protocol, not twisted.words' IRC server: that one drops
the connection when a UTF-8 character is split across two reads, knows
no CAP, sends the MOTD before the welcome, has no 005, and its text
credentials fail Twisted's own checker.  The modules:

  - C{wire}: parsing and formatting messages, tags, the 512-byte limit;
  - C{protocol}: the connection, its limits, PING, CAP, output;
  - C{registration}: SASL PLAIN / PASS through the shared portal, NICK,
    USER, the welcome and the MOTD;
  - C{commands}: what each IRC command does in the game;
  - C{play}: the IFrontEnd, turning the game's output into IRC.

docs/irc.md has the mapping, the README how to connect.
"""


def ircFactory(server):
    """The protocol factory serving IRC clients for C{server}."""
    from .protocol import IRCFactory
    return IRCFactory(server)
