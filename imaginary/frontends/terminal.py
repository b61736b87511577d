"""
Terminal front ends for SSH: a full-screen-aware line editor, or plain lines.

C{TerminalGame} runs inside conch's insults C{ServerProtocol} (which
turns the PTY's bytes into keystrokes) and builds on C{HistoricRecvLine}:
left/right, home/end, backspace/delete and insert editing, up/down history.
On top of that it adds what a game needs and a shell does not:

  - output can arrive at any moment (someone speaks while you type), so the
    input line is erased, the output written, and the prompt and what you had
    typed drawn again where they were;
  - UTF-8 input: each character is one editing unit, whatever its length in
    bytes;
  - password mode: nothing is echoed and the line is kept out of history;
  - ^C or ^U clear the line, ^D on an empty line quits;
  - output is wrapped to the terminal's width and coloured to the depth its
    TERM suggests.

C{PlainLineGame} serves C{ssh -T} (no PTY) and C{imaginary play}: lines
in, text out (plain, unless told a colour depth and a width).

Both adapt the connection to IFrontEnd and feed a LineDialogue, which
starts at the character menu because SSH (or the trusted terminal) already
logged the player in through the portal.
"""

import codecs

from twisted.conch.recvline import HistoricRecvLine
from twisted.logger import Logger
from twisted.protocols.basic import LineReceiver
from zope.interface import implementer

from imaginary.language import renderANSI, wrapANSI
from imaginary.session import IFrontEnd, LineDialogue

from .limits import (
    MAX_LINE_BYTES, MAX_OUTPUT_BYTES, TOO_LONG, FloodGate, screenLine)

log = Logger()

MAX_HISTORY = 500
CTRL_C, CTRL_D, CTRL_H, CTRL_U = b"\x03", b"\x04", b"\x08", b"\x15"


@implementer(IFrontEnd)
class TerminalGame(HistoricRecvLine):
    """IFrontEnd over an SSH PTY, with line editing and history."""

    wantsData = False       # no out-of-band channel in a terminal
    kind = "ssh"

    def __init__(self, server, player, peer, colours=None, size=(24, 80),
                 queued=lambda: 0, abort=None):
        """
        C{queued()}: the bytes waiting for the client; C{abort()} drops
        the connection at once (for a client that stopped reading).
        """
        self.server = server
        self.player = player
        self.address = getattr(peer, "host", str(peer))
        self.colours = colours
        self.height, self.width = size
        self.queued = queued
        self.abort = abort
        self.cutOff = False
        self.passwordMode = False
        self.session = None
        self._prompt = b""
        self._promptActive = False   # the session is waiting for a line
        self._shown = False          # the input line is drawn on screen
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._flood = FloodGate()

    # -- connection ----------------------------------------------------------

    def connectionMade(self):
        """
        Bind the editing keys (^C, ^U, ^D, ^H) and start the dialogue at the
        character menu (the player is logged in).
        """
        HistoricRecvLine.connectionMade(self)
        self.keyHandlers.update({
            CTRL_C: self.handle_CLEAR, CTRL_U: self.handle_CLEAR,
            CTRL_D: self.handle_EOF, CTRL_H: self.handle_BACKSPACE})
        self.session = LineDialogue(self.server, self)
        self.session.startAuthenticated(self.player)

    def connectionLost(self, reason):
        """Tell the session the connection is gone."""
        if self.session is not None:
            self.session.connectionLost()

    def initializeScreen(self):
        # Unlike a shell, don't reset the terminal: keep the scrollback.
        """
        Unlike a shell, keep the terminal as it is (and its scrollback); only
        insert mode is set.
        """
        self.setInsertMode()

    def terminalSize(self, width, height):
        """
        The terminal's size changed: wrap to the new width (10 columns at
        least).
        """
        self.width, self.height = max(width, 10), height

    # -- keys ----------------------------------------------------------------

    def keystrokeReceived(self, keyID, modifier):
        """
        One keystroke: in password mode only typing, backspace, ^C/^U and
        Enter (no cursor movement, no history), else the line editor's keys.
        """
        if self.passwordMode:
            self._passwordKey(keyID)
            return
        handler = self.keyHandlers.get(keyID)
        if handler is not None:
            handler()
        elif isinstance(keyID, bytes) and keyID >= b" ":
            text = self._decoder.decode(keyID)
            if text:
                self.characterReceived(text.encode("utf-8"), False)
        # Other control keys and unknown sequences are ignored.

    def characterReceived(self, ch, moreCharactersComing):
        """
        A printable character into the line (a bell past C{MAX_LINE_BYTES}).
        """
        if sum(map(len, self.lineBuffer)) + len(ch) > MAX_LINE_BYTES:
            self.terminal.write(b"\x07")
            return
        HistoricRecvLine.characterReceived(self, ch, moreCharactersComing)
        self._shown = True

    def _deliverBuffer(self, buf):
        # History holds whole lines of UTF-8: one editing unit per character.
        for c in buf.decode("utf-8", "replace"):
            self.characterReceived(c.encode("utf-8"), True)

    def handle_RETURN(self):
        """
        Enter: the line goes to the session (and into the history unless it is
        a password).
        """
        line = b"".join(self.lineBuffer)
        if line and not self.passwordMode:
            self.historyLines.append(line)
            del self.historyLines[:-MAX_HISTORY]
        self.historyPosition = len(self.historyLines)
        self.lineBuffer = []
        self.lineBufferIndex = 0
        self.terminal.nextLine()
        self._shown = self._promptActive = False
        self._submit(line)

    def handle_CLEAR(self):
        """^C or ^U: forget the line typed so far."""
        self._eraseInput()
        self.lineBuffer = []
        self.lineBufferIndex = 0
        self._drawInput()

    def handle_EOF(self):
        """^D on an empty line quits, as in a shell."""
        if not self.lineBuffer:
            self.terminal.nextLine()
            self._shown = self._promptActive = False
            self._submit(b"quit")

    def _passwordKey(self, keyID):
        if keyID in (b"\r", b"\n"):
            self.handle_RETURN()
        elif keyID in (self.terminal.BACKSPACE, CTRL_H):
            self.lineBuffer[-1:] = []
        elif keyID in (CTRL_C, CTRL_U):
            self.lineBuffer = []
        elif isinstance(keyID, bytes) and keyID >= b" ":
            text = self._decoder.decode(keyID)
            if text and sum(map(len, self.lineBuffer)) < MAX_LINE_BYTES:
                self.lineBuffer.append(text.encode("utf-8"))
        self.lineBufferIndex = len(self.lineBuffer)

    def _submit(self, raw):
        text = screenLine(self._flood, raw, self.sendText)
        if text is not None:
            self.session.lineReceived(text)

    # -- drawing -------------------------------------------------------------

    def _write(self, data):
        if self.queued() > MAX_OUTPUT_BYTES:
            _stoppedReading(self)
            return
        self.terminal.write(data)

    def _eraseInput(self):
        if self._shown:
            self._write(b"\r")
            self.terminal.eraseLine()
            self._shown = False

    def _drawInput(self):
        if not (self._promptActive or self.lineBuffer):
            return
        typed = b"" if self.passwordMode else b"".join(self.lineBuffer)
        self._write(self._prompt + typed)
        back = len(self.lineBuffer) - self.lineBufferIndex
        if back and not self.passwordMode:
            self.terminal.cursorBackward(back)
        self._shown = True

    def sendText(self, text):
        """Write already-rendered text as whole lines above the input."""
        self._eraseInput()
        self._write(text.encode("utf-8") + b"\n")
        self._drawInput()

    # -- IFrontEnd -----------------------------------------------------------

    def sendSpan(self, span):
        """
        IFrontEnd: styled text, coloured to the terminal's depth and wrapped to
        its width, above the input line.
        """
        self.sendText(wrapANSI(renderANSI(span, self.colours), self.width))

    def sendData(self, package, data):
        """SSH has no out-of-band channel for game data; the text says it."""

    def sendPrompt(self, text):
        """
        IFrontEnd: the prompt, drawn with what the player had typed after it.
        """
        self._eraseInput()
        self._prompt = text.encode("utf-8")
        self._promptActive = True
        self._drawInput()

    def setPasswordMode(self, hidden):
        """
        IFrontEnd: typing is hidden (and kept out of history) while C{hidden}.
        """
        if hidden == self.passwordMode:
            return
        self.passwordMode = hidden
        if hidden:
            # Nothing typed before the password prompt may become part
            # of the password.  Leaving password mode keeps what was
            # typed meanwhile (the next command) and shows it again.
            self.lineBuffer = []
            self.lineBufferIndex = 0
        elif self.lineBuffer:
            self._eraseInput()
            self._drawInput()

    def disconnect(self):
        # Not self.terminal.loseConnection(): that resets the terminal,
        # which would wipe the player's screen, goodbye included.
        """
        IFrontEnd: close the channel without resetting the terminal, so the
        goodbye stays on screen.
        """
        self.terminal.transport.loseConnection()


@implementer(IFrontEnd)
class PlainLineGame(LineReceiver):
    """IFrontEnd for an SSH session without a PTY: plain lines both ways."""

    delimiter = b"\n"
    MAX_LENGTH = MAX_LINE_BYTES

    wantsData = False
    kind = "ssh"

    def __init__(self, server, player, peer, queued=lambda: 0,
                 colours=None, width=None, abort=None):
        """C{queued} and C{abort} as for TerminalGame."""
        self.server = server
        self.player = player
        self.address = getattr(peer, "host", str(peer))
        self.queued = queued
        self.abort = abort
        self.cutOff = False
        self.colours = colours
        self.width = width
        self.session = None
        self._flood = FloodGate()

    def connectionMade(self):
        """
        Start the dialogue at the character menu (the player is logged in).
        """
        self.session = LineDialogue(self.server, self)
        self.session.startAuthenticated(self.player)

    def connectionLost(self, reason=None):
        """Tell the session the connection is gone."""
        if self.session is not None:
            self.session.connectionLost()
            self.session = None

    def lineReceived(self, line):
        """A line in: flood-checked and decoded, then to the session."""
        text = screenLine(self._flood, line.rstrip(b"\r"),
                          lambda message: self._write(message + "\n"))
        if text is not None and self.session is not None:
            self.session.lineReceived(text)

    def lineLengthExceeded(self, line):
        """
        A line longer than the limit: the player is told, and it is dropped.
        """
        self._write(TOO_LONG + "\n")

    def _write(self, text):
        if self.transport is None:
            return
        if self.queued() > MAX_OUTPUT_BYTES:
            _stoppedReading(self)
            return
        self.transport.write(text.encode("utf-8"))

    def sendSpan(self, span):
        """
        IFrontEnd: styled text, coloured and wrapped only if told a colour
        depth and a width.
        """
        text = renderANSI(span, self.colours)
        if self.width:
            text = wrapANSI(text, self.width)
        self._write(text + "\n")

    def sendData(self, package, data):
        """No out-of-band channel without a terminal either."""

    def sendPrompt(self, text):
        """IFrontEnd: the prompt, as text."""
        self._write(text)

    def setPasswordMode(self, hidden):
        """Nothing to hide: without a PTY the client echoes locally."""

    def disconnect(self):
        """IFrontEnd: close the connection."""
        if self.transport is not None:
            self.transport.loseConnection()


def _stoppedReading(game):
    """
    C{game}'s client let more than MAX_OUTPUT_BYTES pile up: abort the
    connection.  Closing the channel politely would wait for its buffer
    to drain, which a client that stopped reading never lets happen, and
    every later write would come back here: it is said and done once.
    """
    if game.cutOff:
        return
    game.cutOff = True
    log.info("closing an SSH client that stopped reading")
    if game.abort is not None:
        game.abort()
    else:
        game.disconnect()
