"""
The web front end, as a plugin: play in a browser over a websocket, and
the server's public status, from one HTTP port (off unless --web is given;
use an ssl: endpoint for TLS).
"""

from imaginary.frontends import FrontEndType

web = FrontEndType(
    name="web",
    description="HTTP endpoint for browsers: the web client and /status",
    defaultEndpoint=None,
    factory="imaginary.frontends.web:webFactory")

__all__ = ["web"]
