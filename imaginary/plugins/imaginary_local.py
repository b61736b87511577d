"""
The local terminal front end, as a plugin: `imaginary play` runs the game
in this terminal, alone, on a saved store (imaginary.frontends.local).
"""

import os

from twisted.plugin import IPlugin
from zope.interface import implementer

from imaginary.cli import ICommand


@implementer(IPlugin, ICommand)
class PlayCommand:
    """`imaginary play [--store PATH] [--account NAME]`."""

    name = "play"
    help = "play alone in this terminal, on a saved store"

    def configure(self, parser):
        """--account, and the options of the local terminal."""
        parser.add_argument("--account", default="player",
                            help="the local account to play as (made on "
                            "first use; default: %(default)s)")
        parser.add_argument("--plugins", action="append", default=[],
                            metavar="DIR", help="a world's own plugin folder")

    def run(self, args):
        """Play in this terminal, on the store, until the player quits."""
        from twisted.internet import reactor
        from twisted.logger import globalLogBeginner, jsonFileLogObserver
        from imaginary.accounts import NameRefused
        from imaginary.frontends.local import play
        from imaginary.server import ImaginaryServer
        from imaginary.store import StoreError
        # The terminal is the game: log events go to a file by the store.
        logFile = os.path.abspath(args.store).rstrip(os.sep) + ".play.log"
        globalLogBeginner.beginLoggingTo([jsonFileLogObserver(
            open(logFile, "a"))], redirectStandardIO=False)
        server = ImaginaryServer(args.store, reactor=reactor)
        try:
            server.open()
        except StoreError as e:
            raise SystemExit(f"imaginary: {e}")
        server.startService()
        try:
            play(server, args.account, reactor)
        except NameRefused as e:
            server.stopService()
            raise SystemExit(f"imaginary: {e}")
        reactor.addSystemEventTrigger("before", "shutdown",
                                      server.stopService)
        reactor.run()
        return 0


play = PlayCommand()

__all__ = ["play"]
