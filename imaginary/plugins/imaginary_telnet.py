"""
The telnet front end, as a plugin: plain telnet and MUD clients (tintin++,
Mudlet...), with GMCP, MCCP2, MSSP and the other MUD telnet options.
"""

from imaginary.frontends import FrontEndType

telnet = FrontEndType(
    name="telnet",
    description="telnet endpoint for MUD clients and plain telnet",
    defaultEndpoint="tcp:4023:interface=127.0.0.1",
    factory="imaginary.frontends.telnet_frontend:TelnetFactory")

__all__ = ["telnet"]
