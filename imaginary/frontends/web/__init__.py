"""
The web front end: one twisted.web Site serving the game to browsers.

  - C{site}: the Site and its pages (C{webFactory}, what the plugin
    names), and C{WebGame}, the state they share;
  - C{pages}: logging in and out, making an account, the character list,
    every POST checked for its origin and CSRF token;
  - C{websession}: the signed session cookie, CSRF tokens, and the
    logged-in web sessions;
  - C{gamesocket}: the websocket at /ws, an IFrontEnd playing a character;
  - C{wire} and C{runs}: the JSON messages (docs/web-protocol.md) and
    styled text as runs;
  - C{status}: /status and /status.json;
  - C{headers}: the security headers every answer carries.
"""

from .site import WebGame, webFactory

__all__ = ["WebGame", "webFactory"]
