"""
The twistd plugin:  twistd -n imaginary --store PATH --telnet ENDPOINT

twistd finds this file because the project root is on sys.path (the
editable install adds it) and twisted/plugins has no __init__.py here.
"""

from twisted.application.service import IServiceMaker
from twisted.plugin import IPlugin
from twisted.python import usage
from zope.interface import implementer


class Options(usage.Options):
    optParameters = [
        ["store", None, "imaginary.store", "The store directory."],
        ["telnet", None, "tcp:4023:interface=127.0.0.1",
         "Telnet endpoint string."],
        ["ssh", None, None, "SSH endpoint string (off unless given)."],
    ]


@implementer(IServiceMaker, IPlugin)
class ImaginaryServiceMaker:
    tapname = "imaginary"
    description = "Imaginary, a multiplayer text-adventure server."
    options = Options

    def makeService(self, options):
        from imaginary.server import ImaginaryServer
        return ImaginaryServer(options["store"], telnet=options["telnet"],
                               ssh=options["ssh"])


serviceMaker = ImaginaryServiceMaker()
