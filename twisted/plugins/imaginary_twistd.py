"""
The twistd plugin:  twistd -n imaginary --store PATH --telnet ENDPOINT

Its options are made from the installed front ends (IFrontEndType
plugins), like `imaginary serve`'s: --telnet, --ssh, and any a plugin adds.
twistd finds this file in a twisted/plugins folder on sys.path: the
checkout's (the editable install puts the project root there) or the one
an installed wheel adds to site-packages.
"""

from twisted.application.service import IServiceMaker
from twisted.plugin import IPlugin
from twisted.python import usage
from zope.interface import implementer


def _frontEndParameters():
    from imaginary.server import frontEndTypes
    return [[kind.name, None, kind.defaultEndpoint,
             kind.description + "."] for kind in frontEndTypes()]


class Options(usage.Options):
    """twistd imaginary's options."""

    optParameters = [
        ["store", None, "imaginary.store", "The store directory."],
        ["connections", None, "share",
         "A second connection to a character: share or takeover."],
        ["irc-bridge", None, None,
         "The IRC bridge's configuration file (docs/irc-bridge.md)."],
    ] + _frontEndParameters()

    def postOptions(self):
        if self["connections"] not in ("share", "takeover"):
            raise usage.UsageError("--connections is share or takeover")
        self["bridge"] = None
        if self["irc-bridge"]:
            from imaginary.bridge.config import ConfigError, loadConfig
            try:
                self["bridge"] = loadConfig(self["irc-bridge"])
            except ConfigError as e:
                raise usage.UsageError(f"--irc-bridge {e}")


@implementer(IServiceMaker, IPlugin)
class ImaginaryServiceMaker:
    """Makes the ImaginaryServer service for twistd."""

    tapname = "imaginary"
    description = "Imaginary, a multiplayer text-adventure server."
    options = Options

    def makeService(self, options):
        from imaginary.server import ImaginaryServer, frontEndTypes
        listen = {kind.name: options[kind.name] for kind in frontEndTypes()}
        return ImaginaryServer(options["store"], listen=listen,
                               policy=options["connections"],
                               ircBridge=options["bridge"])


serviceMaker = ImaginaryServiceMaker()
