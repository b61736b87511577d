"""
The web front end's messages, as the JSON text sent over the websocket.

docs/web-protocol.md describes them for people writing clients.  Output
is styled runs (runs.py), never HTML.  The bystanders of an event are all
sent the very same Span, so its runs are made into JSON once, and only
the sequence number around them differs per connection.
"""

import json

from .runs import renderRuns

GAP = "Some lines were lost while you were away."

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_recent = {}        # id(span) -> (span, JSON text of its runs)


def runsJSON(span):
    """The JSON text of a Span's runs (kept for the last few spans)."""
    hit = _recent.get(id(span))
    if hit is not None and hit[0] is span:
        return hit[1]
    text = _dumps(renderRuns(span))
    if len(_recent) >= 16:
        _recent.clear()
    # The span is kept with its text: an id is only unique while its
    # object lives.
    _recent[id(span)] = (span, text)
    return text


def outputMessage(seq, span):
    """{"type": "output", "seq": N, "runs": [...]} (seq None: not numbered)."""
    return ('{"type":"output","seq":%s,"runs":%s}'
            % ("null" if seq is None else int(seq), runsJSON(span)))


_recentData = {}    # id(data) -> (data, JSON text of package and data)


def dataMessage(seq, package, data):
    """
    Out-of-band data under its GMCP package name.  Like an output's runs,
    the same data (one event's, made plain once by the session layer)
    goes to every listener: it is made into JSON once.
    """
    hit = _recentData.get(id(data))
    if hit is None or hit[0] is not data or hit[1] != package:
        if len(_recentData) >= 16:
            _recentData.clear()
        body = '"package":%s,"data":%s' % (_dumps(package), _dumps(data))
        hit = _recentData[id(data)] = (data, package, body)
    return '{"type":"data","seq":%s,%s}' % (
        "null" if seq is None else int(seq), hit[2])


def promptMessage(text):
    """The game is waiting for a command."""
    return _dumps({"type": "prompt", "text": text})


def playingMessage(character, session):
    """Now playing C{character}, in the session named C{session}."""
    return _dumps({"type": "playing", "character": character,
                   "session": session})


def resumedMessage(since):
    """What follows is the replay of what came after C{since}."""
    return _dumps({"type": "resumed", "from": since})


def gapMessage(message):
    """What the client missed can no longer be replayed."""
    return _dumps({"type": "gap", "message": message})


def errorMessage(message):
    """A refusal or warning for this connection (not numbered)."""
    return _dumps({"type": "error", "message": message})
