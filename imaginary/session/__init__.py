"""
The session layer: one seam between the game and every front end.

Below it are the store, the simulation and the verbs; above it, the front
ends (telnet, SSH, the local terminal; later the web, IRC and email), each
a thin adapter that only carries bytes.  What every front end shares lives
here, once:

  - C{login}: one twisted.cred Portal and realm for every front end, with
    the password checker behind one login throttle, and server-issued tokens;
  - C{avatar}: the C{IPlayer} avatar (the character list as data, and
    creating, deleting and playing characters as operations) and account
    creation;
  - C{character}: one session per character played, however many
    connections play it, with numbered outputs, a replay buffer, one command
    queue and C{settled()};
  - C{data}: out-of-band facts made plain, under GMCP package names;
  - C{dialogue}: the login-and-menu conversation of line-based front ends;
  - C{interfaces}: C{IFrontEnd}, C{IPlayer} and C{IFrontEndType}.

docs/sessions.md describes what a new front end implements.
"""

from .avatar import AccountService, CharacterInfo, PlayerAvatar, Refused
from .character import Attachment, CharacterSession, Output
from .dialogue import LineDialogue
from .interfaces import IFrontEnd, IFrontEndType, IPlayer

__all__ = ["AccountService", "Attachment", "CharacterInfo",
           "CharacterSession", "IFrontEnd", "IFrontEndType", "IPlayer",
           "LineDialogue", "Output", "PlayerAvatar", "Refused"]
