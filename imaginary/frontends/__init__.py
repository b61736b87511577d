"""
The front ends: thin adapters between a kind of connection and the
session layer (imaginary.session).

Each front end is found as a plugin providing C{IFrontEndType}: a
C{FrontEndType} names it, gives its command-line option's help and
default endpoint, and says where its protocol factory is.  The plugin
modules are imaginary/plugins/imaginary_telnet.py and imaginary_ssh.py;
a front end shipped by another distribution adds its own.
"""

import importlib

import attr
from twisted.plugin import IPlugin
from zope.interface import implementer

from imaginary.session.interfaces import IFrontEndType


@implementer(IPlugin, IFrontEndType)
@attr.s(frozen=True)
class FrontEndType:
    """
    A front end as a plugin: C{factory} is "module:callable", a callable
    taking the server and returning its protocol factory (its module is
    imported only when the front end listens).
    """

    name = attr.ib()
    description = attr.ib()
    defaultEndpoint = attr.ib(default=None)
    factory = attr.ib(default=None)

    def makeFactory(self, server):
        """The protocol factory serving this front end for C{server}."""
        module, _, name = self.factory.partition(":")
        return getattr(importlib.import_module(module), name)(server)
