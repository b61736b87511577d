"""
The SSH front end, as a plugin: OpenSSH and other SSH clients log in with
a password or a public key, and get line editing and history.  Its verb
``keys`` manages the public keys that may log in to a player's account.
"""

from imaginary.frontends import FrontEndType
from imaginary.frontends.keys import keyVerbs

ssh = FrontEndType(
    name="ssh",
    description="SSH endpoint (off unless given), e.g. "
                "tcp:4022:interface=127.0.0.1",
    defaultEndpoint=None,
    factory="imaginary.frontends.ssh:sshFactory")

__all__ = ["keyVerbs", "ssh"]
