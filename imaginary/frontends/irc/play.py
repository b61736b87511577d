"""
The IRC front end as the session layer sees it: C{IRCPlayer}, the
IFrontEnd of one IRC connection playing one character.

What the game prints becomes IRC like this:

  - speech in the room is a PRIVMSG to C{&here} from the speaker, an
    emote a CTCP ACTION there; tells are PRIVMSGs between the two nicks;
    a line on an in-game channel is a PRIVMSG to C{#channel}.  The session
    sends an output's Span first and its Comm.Channel.Text data right
    after, so the Span is held until the end of the reactor turn (or the
    next output): the data, when it comes, replaces it;
  - everything else ("You pick up the lamp.", a room's description) is a
    NOTICE from C{*game}, in mIRC colours unless the client set mode +P;
  - Room.Info makes C{&here}'s topic (the room's name and exits), and
    Room.Players / Room.AddPlayer / Room.RemovePlayer its members.  A move
    changes both in place: a TOPIC, and a PART or JOIN for each person who
    is no longer or is now in view, all in one batch when the client has
    the batch capability.

A connection that drops (not a QUIT) detaches with a linger, and the
session keeps its replay buffer (we attach resumable); the next IRC
connection to play the character within that time is sent what it
missed, each line with its original time (server-time).
"""

import collections
import time

from twisted.logger import Logger
from zope.interface import implementer

from imaginary.language import renderIRC, renderPlain
from imaginary.session import IFrontEnd, Refused

from . import wire
from .registration import nickFor

log = Logger()

CHANNEL_TEXT = "Comm.Channel.Text"
ROOM_PACKAGES = ("Room.Info", "Room.Players", "Room.AddPlayer",
                 "Room.RemovePlayer")
HERE = "&here"
MOVE_BATCH = "imaginary.game/move"      # vendor batch type: one move
AWAY = "While you were away:"
LOST = ("You were away too long for everything to be kept; some of what "
        "happened is lost.")


_recent = {}    # (id(data), target, server-time?) -> (data, bytes)


def wallTime(monotonic):
    """Seconds since the epoch for a time.monotonic() value."""
    return time.time() - (time.monotonic() - monotonic)


def sourceOf(name):
    """The message source for a character (or NPC) named C{name}."""
    return f"{nickFor(name)}!player@imaginary"


@implementer(IFrontEnd)
class IRCPlayer:
    """IFrontEnd of one IRC connection playing one character."""

    kind = "irc"
    wantsData = True        # Comm.Channel.Text and Room.* shape the output
    width = None            # the IRC client wraps lines itself

    def __init__(self, connection):
        self.connection = connection
        self.attachment = None
        self.name = None
        self.channels = set()       # #channels the client was told it is in
        self.topic = None
        self.roomNumber = None
        self.members = {}           # casefolded nick -> nick, in &here
        self.inHere = False
        self._pending = None        # a Span waiting to see if data follows
        self._move = None           # (topic, number) from Room.Info
        self._players = None        # Room.Players of the same output
        self._flushing = None
        self._expected = collections.defaultdict(collections.deque)

    @property
    def address(self):
        """The client's address (the session tells others about it)."""
        return self.connection.address

    # -- starting and ending -------------------------------------------

    def start(self, name):
        """Play the character called C{name}; False if refused."""
        connection = self.connection
        try:
            attachment = connection.avatar.play(name, self, resumable=True)
        except Refused as e:
            connection.serviceNotice(str(e))
            return False
        self.attachment = attachment
        self.name = attachment.character.name
        connection.rename(nickFor(self.name))
        since = connection.resumes.pop(attachment.session, None)
        if since is not None:
            outputs = attachment.replay(since)
            if outputs is None:
                connection.serviceNotice(LOST)
            elif outputs:
                connection.serviceNotice(AWAY)
                for output in outputs:
                    self.replay(output)
        attachment.submit("look")
        return True

    def lost(self, linger):
        """The connection is gone: detach (lingering, if it may resume)."""
        self._cancelFlush()
        attachment, self.attachment = self.attachment, None
        if attachment is None:
            return
        if linger and attachment.attached:
            self.connection.resumes[attachment.session] = \
                attachment.session.seq
            attachment.detach(linger=linger)
        else:
            attachment.detach()
        self.connection.avatar.release(attachment)

    # -- commands, with their echoes expected ------------------------------

    def submit(self, line, echoTo=None):
        """
        Submit a game command (a Deferred, as Attachment.submit).  With
        C{echoTo}, the line the game will say back for it, to that
        target, is expected: without echo-message it is not shown again.
        """
        if self.attachment is None:
            return None
        if echoTo is None:
            return self.attachment.submit(line)
        key = echoTo.casefold()
        token = object()
        self._expected[key].append(token)

        def settled(result):
            waiting = self._expected.get(key)
            if waiting and token in waiting:
                waiting.remove(token)   # refused: no echo came
            if not waiting:
                self._expected.pop(key, None)
            return result
        return self.attachment.submit(line).addBoth(settled)

    def _wasExpected(self, target):
        waiting = self._expected.get(target.casefold())
        if waiting:
            waiting.popleft()
            return True
        return False

    # -- IFrontEnd ---------------------------------------------------------

    def sendSpan(self, span):
        """Hold the span: Comm.Channel.Text may follow and replace it."""
        self._settle()
        self._pending = span
        if self._flushing is None:
            self._flushing = self.connection.reactor.callLater(
                0, self._flushNow)

    def sendData(self, package, data):
        """Channel text replaces its span; Room.* shape &here."""
        if package == CHANNEL_TEXT:
            self._pending = None
            self._settleMove()
            self.channelLine(data)
        elif package in ROOM_PACKAGES:
            self._emitPending()
            self.roomData(package, data)

    def sendPrompt(self, text):
        """IRC has no prompts; what was held goes out now."""
        self._settle()

    def setPasswordMode(self, hidden):
        """Nothing to do: IRC clients type passwords in their settings."""

    def disconnect(self):
        """Close the connection (a takeover, the session closed)."""
        self._settle()
        self.connection.close()

    # -- holding and settling ----------------------------------------------

    def _flushNow(self):
        self._flushing = None
        self._settle()

    def _cancelFlush(self):
        if self._flushing is not None and self._flushing.active():
            self._flushing.cancel()
        self._flushing = None

    def _emitPending(self):
        span, self._pending = self._pending, None
        if span is not None:
            self.notice(span)

    def _settle(self):
        self._emitPending()
        self._settleMove()

    # -- text ----------------------------------------------------------

    def notice(self, span, when=None, tags=None):
        """A span as NOTICEs from the game's service nick."""
        connection = self.connection
        text = renderPlain(span) if connection.plain else renderIRC(span)
        connection.serviceNotice(text, when, tags)

    def target(self, data):
        """(target, mine) of a Comm.Channel.Text value."""
        channel = data.get("channel", "")
        mine = data.get("talker", "").casefold() == (self.name or
                                                     "").casefold()
        if channel == "say":
            return HERE, mine
        if channel == "tell":
            if mine:
                return nickFor(data.get("to", "")) or "*", True
            return self.connection.nick, False
        return "#" + channel, mine

    def channelLine(self, data, when=None, tags=None, replaying=False):
        """A Comm.Channel.Text value as a PRIVMSG (or ACTION)."""
        connection = self.connection
        target, mine = self.target(data)
        # The game took the line, so we are on the channel (the client
        # may not know yet: everyone starts on the game's public one).
        if target == HERE:
            self.enterHere()
        elif target.startswith("#"):
            self.enterChannel(target)
        if not replaying and mine and self._wasExpected(target) and \
                "echo-message" not in connection.caps:
            return      # the client shows what it sent itself
        if mine or when is not None or tags or target[0] not in "#&":
            source = connection.source() if mine else sourceOf(
                data.get("talker", "?"))
            connection.write(self.privmsg(target, data.get("text", ""),
                                          source, data.get("emote", False),
                                          when, tags))
            return
        # Everyone in the room (or on the channel) is sent the same bytes
        # for one line, one after another: made once (the session hands
        # each of them the very same data dict).
        key = (id(data), target, "server-time" in connection.caps)
        hit = _recent.get(key)
        if hit is None or hit[0] is not data:
            if len(_recent) >= 16:
                _recent.clear()
            hit = _recent[key] = (data, self.privmsg(
                target, data.get("text", ""),
                sourceOf(data.get("talker", "?")), data.get("emote", False)))
        connection.write(hit[1])

    def privmsg(self, target, text, source, emote=False, when=None,
                tags=None):
        """
        The bytes of C{text} as PRIVMSGs within 512 bytes each (ACTIONs
        if C{emote}).
        """
        build = self.connection.build
        room = wire.room("PRIVMSG", target, source)
        if emote:
            return b"".join(
                build("PRIVMSG", target, f"\x01ACTION {piece}\x01",
                      source=source, when=when, tags=tags)
                for piece in wire.split(text, room - len("\x01ACTION \x01")))
        return b"".join(build("PRIVMSG", target, piece, source=source,
                              when=when, tags=tags)
                        for piece in wire.split(text, room))

    # -- &here and #channels ---------------------------------------------

    def roomData(self, package, data):
        """Room.Info / Room.Players / Room.AddPlayer / Room.RemovePlayer."""
        if package == "Room.Info":
            exits = ", ".join(data.get("exits") or ()) or "none"
            self._move = (f"{data.get('name', '')} (exits: {exits})",
                          data.get("num"))
        elif package == "Room.Players":
            self._players = [p.get("name", "") for p in data
                             if isinstance(p, dict)]
        elif package == "Room.AddPlayer":
            self._settleMove()
            nick = nickFor(data.get("name", ""))
            if self.inHere and nick.casefold() not in self.members and \
                    not self._isMe(nick):
                self.members[nick.casefold()] = nick
                self.connection.send("JOIN", HERE, source=sourceOf(nick))
        elif package == "Room.RemovePlayer":
            self._settleMove()
            name = data if isinstance(data, str) else data.get("name", "")
            nick = self.members.pop(nickFor(name).casefold(), None)
            if self.inHere and nick is not None:
                self.connection.send("PART", HERE, "left",
                                     source=sourceOf(nick))

    def _isMe(self, nick):
        return nick.casefold() == self.connection.nick.casefold()

    def _settleMove(self):
        """Apply a Room.Info (and Room.Players) to &here."""
        move, players = self._move, self._players
        self._move = self._players = None
        if move is None and players is None:
            return
        connection = self.connection
        topic, number = move if move is not None else (self.topic,
                                                      self.roomNumber)
        new = None
        if players is not None:
            new = {}
            for name in players:
                nick = nickFor(name)
                if nick and not self._isMe(nick):
                    new[nick.casefold()] = nick
        if not self.inHere:
            self.topic, self.roomNumber = topic, number
            if new is not None:
                self.members = new
            self.enterHere()
            return
        batch = None
        if topic != self.topic or (new is not None and new != self.members):
            batch = connection.startBatch(MOVE_BATCH)
        tags = {"batch": batch} if batch else None
        if topic != self.topic:
            self.topic, self.roomNumber = topic, number
            connection.send("TOPIC", HERE, topic,
                            source=connection.serviceSource(), tags=tags)
        if new is not None:
            for key, nick in list(self.members.items()):
                if key not in new:
                    connection.send("PART", HERE, "not in view",
                                    source=sourceOf(nick), tags=tags)
            for key, nick in new.items():
                if key not in self.members:
                    connection.send("JOIN", HERE, source=sourceOf(nick),
                                    tags=tags)
            self.members = new
        connection.endBatch(batch)

    def enterHere(self):
        """Tell the client it is in &here (once): JOIN, topic, names."""
        if self.inHere:
            return
        self.inHere = True
        connection = self.connection
        connection.send("JOIN", HERE, source=connection.source())
        self.sendTopic()
        self.sendNames()

    def sendTopic(self):
        """332 (or 331) for &here."""
        if self.topic:
            self.connection.numeric("332", HERE, self.topic)
        else:
            self.connection.numeric("331", HERE, "No topic is set")

    def sendNames(self):
        """353 and 366 for &here: me and the characters in view."""
        connection = self.connection
        nicks = [connection.nick] + sorted(self.members.values(),
                                           key=str.casefold)
        room = wire.room("353", f"{connection.nick} = {HERE}", "imaginary")
        for piece in wire.split(" ".join(nicks), room):
            connection.numeric("353", "=", HERE, piece)
        connection.numeric("366", HERE, "End of /NAMES list")

    def enterChannel(self, channel):
        """Tell the client it is in #channel (once)."""
        key = channel.casefold()
        if key in self.channels:
            return
        self.channels.add(key)
        connection = self.connection
        connection.send("JOIN", channel, source=connection.source())
        connection.numeric("353", "=", channel, connection.nick)
        connection.numeric("366", channel, "End of /NAMES list")

    def leftChannel(self, channel):
        """The game let us leave #channel: PART it."""
        key = channel.casefold()
        if key in self.channels:
            self.channels.discard(key)
            connection = self.connection
            connection.send("PART", channel, source=connection.source())

    # -- history -----------------------------------------------------------

    def classify(self, output):
        """(target, Comm.Channel.Text value or None) of an Output."""
        for package, value in output.data or ():
            if package == CHANNEL_TEXT:
                return self.target(value)[0], value
        return "*game", None

    def replay(self, output, tags=None, state=True):
        """
        Send one Output from the replay buffer, with its original time
        (and msgid, its sequence number).  C{state}: Room.* data in it
        moves &here as it did then.
        """
        when = wallTime(output.time)
        tags = dict(tags or {}, msgid=str(output.seq))
        target, line = self.classify(output)
        if line is not None:
            self.channelLine(line, when, tags, replaying=True)
        elif output.span is not None:
            self.notice(output.span, when, tags)
        if state:
            for package, value in output.data or ():
                if package in ROOM_PACKAGES:
                    self.roomData(package, value)
            self._settleMove()

    def history(self):
        """Every Output the session still keeps, oldest first."""
        attachment = self.attachment
        if attachment is None:
            return []
        kept = attachment.session.outputs
        if not kept:
            return []
        return attachment.replay(kept[0][0] - 1) or []
