"""
What a registered IRC client's commands do in the game (docs/irc.md has
the table).  Each is typed into the game as a player would type it,
through the attachment, so the game's answer (or refusal) comes back
like any other output: a NOTICE from C{*game}, a PRIVMSG, a JOIN.

  - PRIVMSG &here: C{say}; a CTCP ACTION there: C{emote};
  - PRIVMSG *game: the line as a game command (before a character is
    played: C{create NAME GENDER} or C{play NAME});
  - PRIVMSG #channel: C{chat CHANNEL TEXT}; an ACTION: C{CHANNEL :ACTION};
  - PRIVMSG nick: C{tell NAME TEXT};
  - JOIN/PART #channel: C{join}/C{leave} (the JOIN or PART is echoed once
    the game accepted it); NAMES/WHO #channel: C{channel who}; TOPIC
    #channel TEXT: C{channel describe};
  - CHATHISTORY LATEST/BEFORE/AFTER: from the session's replay buffer.
"""

from . import wire
from .play import HERE, IRCPlayer
from .registration import nameFor, nickFor, validNick

CHATHISTORY_MAX = 100
LINGER_SECONDS = 60.0


class PlayingCommands:
    """The playing half of IRCConnection (a mixin)."""

    def __init__(self):
        self.player = None
        self.plain = False          # user mode +P: no mIRC colours

    # -- who we are ------------------------------------------------------

    def source(self):
        """This client's own message source, nick!user@host."""
        return f"{self.nick}!{self.user or 'player'}@{self.address}"

    def serviceSource(self):
        """The game's service nick as a message source."""
        from .protocol import SERVICE_SOURCE
        return SERVICE_SOURCE

    def rename(self, nick):
        """Make the client's nick C{nick} (telling it, if it changed)."""
        if nick != self.nick:
            old = self.source()
            self.nick = nick
            self.write(wire.format("NICK", nick, source=old))

    def nickChanged(self, nick):
        """NICK after registration: choose a character, or refuse."""
        if self.player is None:
            self.rename(nick)
            self.choose()
            return
        if nick.casefold() == nickFor(self.player.name).casefold():
            return      # the character's name is the nick
        self.numeric("432", nick, f"You play {self.player.name}; your nick "
                     f"is the character's name")

    def play(self, name):
        """Start playing C{name} (after login)."""
        if self.player is not None:
            self.serviceNotice("You are playing already.")
            return
        player = IRCPlayer(self)
        if player.start(name):
            self.player = player

    def playingLost(self):
        """The connection is gone: detach, lingering unless it QUIT."""
        player, self.player = self.player, None
        if player is not None:
            player.lost(0 if self.quitting else LINGER_SECONDS)
        if self._logout is not None:
            logout, self._logout = self._logout, None
            logout()

    def _playing(self):
        if self.player is None or self.player.attachment is None:
            self.serviceNotice("Choose a character first (/nick NAME).")
            return None
        return self.player

    # -- messages ---------------------------------------------------------

    def irc_PRIVMSG(self, message):
        """PRIVMSG targets :text — say, emote, tell, chat, or a command."""
        if not message.params:
            self.numeric("411", "No recipient given (PRIVMSG)")
            return
        if len(message.params) < 2 or not message.params[1]:
            self.numeric("412", "No text to send")
            return
        text = message.params[1]
        action = None
        if text.startswith("\x01"):
            inner = text.strip("\x01")
            word, _, rest = inner.partition(" ")
            if word.upper() != "ACTION":
                return      # other CTCP (VERSION, PING...): nothing here
            action = wire.stripFormatting(rest).strip()
        clean = wire.stripFormatting(text).strip()
        for target in message.params[0].split(","):
            self._privmsg(target, clean, action)

    def _privmsg(self, target, text, action):
        from .protocol import SERVICE
        key = target.casefold()
        if key == SERVICE:
            if self.player is None:
                self.menuCommand(text)
            elif self._playing():
                self.player.submit(":" + action if action is not None
                                   else text)
            return
        if target[:1] not in "#&" and validNick(target):
            # An answer to a character's text (texts.py), even from the
            # character menu.
            from .texts import answer
            if answer(self, nameFor(target), action or text):
                return
        player = self._playing()
        if player is None or not (action or text):
            return
        if key == HERE:
            player.submit(f"emote {action}" if action is not None
                          else f"say {text}", echoTo=HERE)
        elif target.startswith("#"):
            name = target[1:]
            player.submit(f"{name} :{action}" if action is not None
                          else f"chat {name} {text}", echoTo=target)
        elif target.startswith("&") or not validNick(target):
            self.numeric("401", target, "No such nick/channel")
        else:
            words = action if action is not None else text
            player.submit(f"tell {nameFor(target)} {words}", echoTo=target)

    def irc_NOTICE(self, message):
        """NOTICEs must never cause replies: ignored."""

    # -- channels -------------------------------------------------------------

    def irc_JOIN(self, message):
        """JOIN &here (again) or #channels (the game's join)."""
        player = self._playing()
        if player is None:
            return
        if not message.params:
            self.numeric("461", "JOIN", "Not enough parameters")
            return
        for channel in message.params[0].split(","):
            if channel == "0" or not channel:
                continue
            if channel.casefold() == HERE:
                if player.inHere:
                    player.sendTopic()
                    player.sendNames()
                else:
                    player.enterHere()
            elif channel.startswith("#") and len(channel) > 1:
                d = player.submit(f"join {channel[1:]}")
                d.addCallback(self._joined, channel)
            else:
                self.numeric("403", channel, "No such channel")

    def _joined(self, ok, channel):
        if ok and self.player is not None:
            self.player.enterChannel(channel)

    def irc_PART(self, message):
        """PART #channels (the game's leave); &here can't be left."""
        player = self._playing()
        if player is None:
            return
        if not message.params:
            self.numeric("461", "PART", "Not enough parameters")
            return
        for channel in message.params[0].split(","):
            if channel.casefold() == HERE:
                self.serviceNotice("&here is the room you are in; walk out "
                                   "of it to leave (/msg *game north).")
            elif channel.startswith("#") and len(channel) > 1:
                d = player.submit(f"leave {channel[1:]}")
                d.addCallback(self._parted, channel)
            else:
                self.numeric("403", channel, "No such channel")

    def _parted(self, ok, channel):
        if ok and self.player is not None:
            self.player.leftChannel(channel)

    def irc_NAMES(self, message):
        """NAMES &here, or #channel (the game's channel who)."""
        self._who(message, "NAMES", "366", "End of /NAMES list")

    def irc_WHO(self, message):
        """WHO &here (352 each), or #channel (the game's channel who)."""
        self._who(message, "WHO", "315", "End of /WHO list")

    def _who(self, message, command, end, endText):
        player = self._playing()
        target = message.params[0] if message.params else "*"
        if player is None:
            self.numeric(end, target, endText)
            return
        if target.casefold() == HERE:
            if command == "NAMES":
                player.sendNames()
                return
            for nick in [self.nick] + sorted(player.members.values()):
                user = self.user if nick == self.nick else "player"
                self.numeric("352", HERE, user or "player", "imaginary",
                             "imaginary", nick, "H", f"0 {nameFor(nick)}")
        elif target.startswith("#") and len(target) > 1:
            d = player.submit(f"channel who {target[1:]}")
            d.addCallback(lambda _: self.numeric(end, target, endText))
            return
        self.numeric(end, target, endText)

    def irc_TOPIC(self, message):
        """TOPIC &here (the room), TOPIC #channel TEXT (describe it)."""
        player = self._playing()
        if player is None:
            return
        if not message.params:
            self.numeric("461", "TOPIC", "Not enough parameters")
            return
        target = message.params[0]
        if target.casefold() == HERE:
            if len(message.params) > 1:
                self.numeric("482", HERE, "The room's name is its topic; "
                             "it can't be set")
            else:
                player.sendTopic()
        elif target.startswith("#") and len(target) > 1:
            if len(message.params) > 1:
                text = wire.stripFormatting(message.params[1])
                player.submit(f"channel describe {target[1:]} {text}")
            else:
                self.numeric("331", target, "No topic is set")
        else:
            self.numeric("403", target, "No such channel")

    def irc_LIST(self, message):
        """LIST: &here, then the game's channels as a NOTICE."""
        player = self._playing()
        if player is None:
            return
        self.numeric("321", "Channel", "Users  Name")
        self.numeric("322", HERE, str(len(player.members) + 1),
                     player.topic or "")
        player.submit("channels").addCallback(
            lambda _: self.numeric("323", "End of /LIST"))

    def irc_MODE(self, message):
        """MODE nick [+P|-P] (plain text), MODE channel (+nt)."""
        if not message.params:
            self.numeric("461", "MODE", "Not enough parameters")
            return
        target = message.params[0]
        if target[:1] in "#&":
            if len(message.params) == 1:
                self.numeric("324", target, "+nt")
            elif message.params[1].lstrip("+-") in ("b", ""):
                self.numeric("368", target, "End of channel ban list")
            else:
                self.numeric("482", target, "Channel modes are the game's")
            return
        if target.casefold() != self.nick.casefold():
            self.numeric("502", "Can't change mode for other users")
            return
        if len(message.params) > 1:
            change = message.params[1]
            adding = True
            for c in change:
                if c in "+-":
                    adding = c == "+"
                elif c == "P":
                    self.plain = adding
                elif c != "i":
                    self.numeric("501", "Unknown MODE flag")
        self.numeric("221", "+iP" if self.plain else "+i")

    def irc_WHOIS(self, message):
        """WHOIS nick: who it is, as far as IRC goes."""
        nick = message.params[-1] if message.params else ""
        if nick.casefold() == self.nick.casefold():
            self.numeric("311", self.nick, self.user or "player",
                         self.address, "*", nameFor(self.nick))
        self.numeric("318", nick, "End of /WHOIS list")

    def irc_AWAY(self, message):
        """AWAY: noted (nothing in the game depends on it)."""
        if len(message.params) > 0 and message.params[0]:
            self.numeric("306", "You have been marked as being away")
        else:
            self.numeric("305", "You are no longer marked as being away")

    def irc_ISON(self, message):
        """ISON nicks: those in view in &here (and ourselves)."""
        player = self.player
        known = {self.nick.casefold()}
        if player is not None:
            known |= set(player.members)
        found = [n for p in message.params for n in p.split()
                 if n.casefold() in known]
        self.numeric("303", " ".join(found))

    def irc_USERHOST(self, message):
        """USERHOST: only our own is known."""
        found = [f"{self.nick}=+{self.user or 'player'}@{self.address}"
                 for p in message.params for n in p.split()
                 if n.casefold() == self.nick.casefold()]
        self.numeric("302", " ".join(found[:1]))

    def irc_QUIT(self, message):
        """QUIT: leave the game now (no linger)."""
        self.quitting = True
        self.close("Quit: " + (message.params[0] if message.params
                               else "bye"))

    # -- history ------------------------------------------------------------

    def irc_CHATHISTORY(self, message):
        """CHATHISTORY LATEST|BEFORE|AFTER target ref limit."""
        params = message.params
        player = self.player
        if len(params) < 4:
            self.send("FAIL", "CHATHISTORY", "NEED_MORE_PARAMS",
                      "Missing parameters")
            return
        sub, target, ref, limit = (params[0].upper(), params[1], params[2],
                                   params[3])
        if sub not in ("LATEST", "BEFORE", "AFTER") or not limit.isdigit():
            self.send("FAIL", "CHATHISTORY", "INVALID_PARAMS", sub,
                      "Only LATEST, BEFORE and AFTER, with a limit")
            return
        limit = min(int(limit), CHATHISTORY_MAX)
        point = None
        if ref != "*":
            point = _reference(ref)
            if point is None:
                self.send("FAIL", "CHATHISTORY", "INVALID_PARAMS", ref,
                          "A reference is * or timestamp= or msgid=")
                return
        key = target.casefold()
        kept = []
        for output in (player.history() if player is not None else ()):
            if player.classify(output)[0].casefold() == key:
                kept.append(output)
        if point is not None:
            kind, value = point
            if kind == "msgid":
                after = [o for o in kept if o.seq > value]
                before = [o for o in kept if o.seq < value]
            else:
                from .play import wallTime
                after = [o for o in kept if wallTime(o.time) > value]
                before = [o for o in kept if wallTime(o.time) < value]
        else:
            after, before = kept, kept
        if sub == "AFTER":
            chosen = after[:limit]
        elif sub == "BEFORE":
            chosen = before[-limit:] if limit else []
        else:
            chosen = after[-limit:] if limit else []
        batch = self.startBatch("chathistory", target)
        for output in chosen:
            player.replay(output, {"batch": batch} if batch else None,
                          state=False)
        self.endBatch(batch)


def _reference(ref):
    """('msgid', int) or ('timestamp', seconds) for a CHATHISTORY ref."""
    kind, _, value = ref.partition("=")
    if kind == "msgid" and value.isdigit():
        return "msgid", int(value)
    if kind == "timestamp":
        seconds = wire.parseServerTime(value)
        if seconds is not None:
            return "timestamp", seconds
    return None
