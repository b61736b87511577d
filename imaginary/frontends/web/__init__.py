"""
The web front end: one twisted.web Site serving the game to browsers.

  - ``site``: the Site and its pages (``webFactory``, what the plugin
    names), and ``WebGame``, the state they share;
  - ``pages``: logging in and out, making an account, the character list,
    every POST checked for its origin and CSRF token;
  - ``websession``: the signed session cookie, CSRF tokens, and the
    logged-in web sessions;
  - ``gamesocket``: the websocket at /ws, an IFrontEnd playing a character;
  - ``wire`` and ``runs``: the JSON messages (docs/web-protocol.md) and
    styled text as runs;
  - ``status``: /status and /status.json;
  - ``headers``: the security headers every answer carries.
"""

from .site import WebGame, webFactory

__all__ = ["WebGame", "webFactory"]
