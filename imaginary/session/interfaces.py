"""
The seams of the session layer, as zope interfaces.

Three boundaries meet here:

  - C{IFrontEnd}: what the session layer asks of one connection, whatever
    carries it (a telnet socket, an SSH channel, a websocket, an IRC
    client, a batch of email).  Output is styled text (Span trees) and
    out-of-band data already made plain (dicts, lists, strings, numbers)
    under GMCP package names; each front end decides how to carry them.
  - C{IPlayer}: the avatar twisted.cred's portal hands a front end for an
    authenticated account.  The character list is data; creating, deleting
    and playing characters are operations on it, so a web page and a telnet
    menu are two renderings of the same thing.
  - C{IFrontEndType}: a front end as a plugin.  The server and the command
    line know front ends only through these, so a new one is added without
    editing a core file.
"""

from zope.interface import Attribute, Interface


class IFrontEnd(Interface):
    """One connection, as the session layer sees it."""

    kind = Attribute(
        "Which front end this is: 'telnet', 'ssh', 'play', 'web'... "
        "(status pages count connections by it).")

    address = Attribute(
        "A string naming the peer (an IP address, 'local'...), used for "
        "the login throttle and for logs.")

    wantsData = Attribute(
        "True when sendData may carry something now (a telnet client that "
        "enabled GMCP, a websocket); False lets the session skip building "
        "out-of-band data nobody will see.")

    width = Attribute(
        "The columns of the person's window (a telnet client's NAWS, an "
        "SSH terminal's), for output laid out in columns; None when the "
        "client wraps lines itself (a browser, IRC) or has not said.")

    def sendSpan(span):
        """Render and send one message, a Span (styled text)."""

    def sendData(package, data):
        """
        Send one out-of-band message: C{package} is a GMCP package name
        ("Room.Info", "Char.Vitals", "Comm.Channel.Text"...), C{data} a
        JSON-ready value.  Front ends without such a channel ignore it.
        """

    def sendPrompt(text):
        """Send a prompt (marked, for clients that look for prompts)."""

    def setPasswordMode(hidden):
        """Hide (or stop hiding) what the person types next."""

    def disconnect():
        """Close the connection after what is queued has been sent."""


class IPlayer(Interface):
    """
    An authenticated account: the avatar every front end logs in to.
    Refusals raise C{imaginary.session.avatar.Refused} with a message
    meant for the person.
    """

    accountName = Attribute("The account's name, as its owner wrote it.")

    def characters():
        """A list of CharacterInfo (name, gender, playing), oldest first."""

    def createCharacter(name, gender):
        """
        Make a character (C{gender}: "male", "female", "neuter" or
        "plural") and return its CharacterInfo; raises Refused.
        """

    def deleteCharacter(name):
        """Delete one of this account's characters; raises Refused."""

    def play(name, frontEnd, resumable=False):
        """
        Attach C{frontEnd} (an IFrontEnd) to the session of the character
        called C{name}, starting that session if nobody plays it yet.
        C{resumable}: the front end can resume a dropped connection with
        replay(), so the session keeps its replay buffer.  Returns the
        Attachment; raises Refused.
        """

    def setPassword(password):
        """A Deferred that fires once the new password is stored."""

    def logout():
        """The front end is done with this avatar."""


class IFrontEndType(Interface):
    """A kind of front end, found as a plugin."""

    name = Attribute("A short name: 'telnet', 'ssh'.")
    description = Attribute("One line for --help: what it serves.")
    defaultEndpoint = Attribute(
        "The endpoint string it listens on unless told otherwise, or None "
        "when it is off unless asked for.")

    def makeFactory(server):
        """
        A Twisted protocol factory serving this front end for C{server}
        (an ImaginaryServer: its portal, accounts and sessions).
        """
