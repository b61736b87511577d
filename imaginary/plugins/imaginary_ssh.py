"""
The SSH front end's verbs, as a plugin: ``keys`` manages the public keys
that may log in to a player's account over SSH.
"""

from imaginary.frontends.keys import keyVerbs

__all__ = ["keyVerbs"]
