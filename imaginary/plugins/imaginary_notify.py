"""
Texts from characters, as plugins: the C{text} verb (answering a text
in the game; C{account notify} is a subcommand of the mail plugin's
C{account} verb), and the C{imaginary xmpp} command that shows and sets
the XMPP component and the hourly limit (kept in the store;
docs/notifications.md).
"""

import os

from twisted.plugin import IPlugin
from zope.interface import implementer

from imaginary.cli import ICommand, openStore
from imaginary.verbs import notify
from imaginary.verbs.base import VerbSource

notifyVerbs = VerbSource("notify", [notify.Text])


@implementer(IPlugin, ICommand)
class XMPPCommand:
    """`imaginary xmpp [--domain D] [--server EP] [--secret-file F]`."""

    name = "xmpp"
    help = ("show or set the XMPP component (texts to players' chat "
            "clients) and the hourly limit on texts")

    def configure(self, parser):
        """The options."""
        parser.add_argument("--domain", default=None,
                            help="the component's domain (game.example), "
                            "as the XMPP server knows it; 'none' turns the "
                            "component off")
        parser.add_argument("--server", default=None,
                            help="the XMPP server's component port, as a "
                            "Twisted endpoint (tcp:127.0.0.1:5347)")
        parser.add_argument("--secret-file", default=None,
                            help="a file whose first line is the component "
                            "secret (read at each start)")
        parser.add_argument("--per-hour", type=int, default=None,
                            help="texts a player may be sent an hour (the "
                            "rest wait)")

    def run(self, args):
        """Change what was given, then print the settings."""
        from imaginary.notify import model
        if args.secret_file and not os.access(args.secret_file, os.R_OK):
            raise SystemExit(f"imaginary: cannot read {args.secret_file}")
        if args.per_hour is not None and args.per_hour < 1:
            raise SystemExit("imaginary: --per-hour must be at least 1")
        if args.server and args.server != "none" and \
                not args.server.startswith(("tcp:", "unix:", "tls:")):
            raise SystemExit("imaginary: --server is an endpoint like "
                             "tcp:127.0.0.1:5347")
        store = openStore(args.store)
        try:
            def change():
                config = model.config(store)
                if args.domain is not None:
                    config.xmppDomain = None if args.domain == "none" \
                        else args.domain.lower()
                if args.server is not None:
                    config.xmppServer = None if args.server == "none" \
                        else args.server
                if args.secret_file is not None:
                    config.xmppSecretFile = os.path.abspath(
                        args.secret_file)
                if args.per_hour is not None:
                    config.perHour = args.per_hour
                return config
            config = store.transact(change)
            print(f"domain: {config.xmppDomain}")
            print(f"server: {config.xmppServer}")
            print(f"secret-file: {config.xmppSecretFile}")
            print(f"per-hour: {config.perHour}")
            if config.xmppDomain and not (config.xmppServer and
                                          config.xmppSecretFile):
                print("The component starts once --server and "
                      "--secret-file are set too.")
        finally:
            store.close()
        return 0


xmppCommand = XMPPCommand()

__all__ = ["notifyVerbs", "xmppCommand"]
