"""
Mail, as plugins: the mail verbs, the inbound SMTP front end
(C{--smtp ENDPOINT}), and the C{imaginary mail} command that shows and
sets the game's mail domain, relay, DKIM key, aliases and limits (kept in
the store; docs/operating.md).
"""

import os

from twisted.plugin import IPlugin
from zope.interface import implementer

from imaginary.cli import ICommand, openStore
from imaginary.frontends import FrontEndType
from imaginary.verbs import mail
from imaginary.verbs.base import VerbSource

mailVerbs = VerbSource("mail", [mail.Mail, mail.AccountVerb])

smtp = FrontEndType(
    name="smtp",
    description="SMTP endpoint receiving mail for characters (off unless "
    "given; normally on loopback behind the operator's Postfix or Exim), "
    "e.g. tcp:2525:interface=127.0.0.1",
    defaultEndpoint=None,
    factory="imaginary.frontends.smtp:SMTPFactory")


# Options of `imaginary mail`: (flag, MailSettings attribute, type, help).
_OPTIONS = [
    ("--domain", "domain", str, "the game's mail domain (game.example)"),
    ("--relay-host", "relayHost", str, "the relay (smarthost) outbound "
     "mail goes through; 'none' keeps all mail in the game"),
    ("--relay-port", "relayPort", int, "its port (587)"),
    ("--relay-security", "relaySecurity", str, "starttls (the default: "
     "required), tls (port 465) or plain (only for a relay on loopback)"),
    ("--relay-ca-file", "relayCAFile", str, "the PEM CA certificate the "
     "relay's certificate is checked against (default: the system's)"),
    ("--relay-user", "relayUser", str, "the user for AUTH ('none': none)"),
    ("--relay-password-file", "relayPasswordFile", str, "a file whose "
     "first line is the relay password (read at each try)"),
    ("--dkim-selector", "dkimSelector", str, "the DKIM selector ('none' "
     "turns signing off)"),
    ("--dkim-key-file", "dkimKeyFile", str, "the DKIM private key (PEM)"),
    ("--per-hour", "perHour", int, "messages a character may send an hour"),
    ("--account-per-hour", "accountPerHour", int, "messages an account's "
     "characters may send an hour"),
    ("--retry-delays", "retryDelays", str, "seconds between tries, comma "
     "separated ('default': about five days)"),
    ("--attempt-timeout", "attemptTimeout", int, "seconds a try may take"),
    ("--web-url", "webURL", str, "the web front end's public address "
     "(https://...), for one-click unsubscribe links ('none': mailto only)"),
]


@implementer(IPlugin, ICommand)
class MailCommand:
    """`imaginary mail [--domain D] [--relay-host H] ...` (server off)."""

    name = "mail"
    help = "show or set the game's mail settings (domain, relay, DKIM)"

    def configure(self, parser):
        """One option per mail setting, --allow-outside and --alias."""
        for flag, _, kind, text in _OPTIONS:
            parser.add_argument(flag, type=kind, default=None, help=text)
        parser.add_argument("--allow-outside", choices=["yes", "no"],
                            default=None, help="whether characters may "
                            "mail addresses no account has verified")
        parser.add_argument("--dns-server", default=None,
                            metavar="HOST[:PORT]", help="the DNS server "
                            "asked for the DMARC policy of a list "
                            "poster's domain ('system': the system's "
                            "resolvers, the default)")
        parser.add_argument("--alias", action="append", default=[],
                            metavar="LOCAL=CHARACTER",
                            help="another address for a character")

    def run(self, args):
        """Change what was given, then print every setting."""
        from imaginary.mail import dmarc, listmail, model
        if args.dns_server not in (None, "system"):
            try:
                dmarc.parseServer(args.dns_server)
            except ValueError as e:
                raise SystemExit(f"imaginary: --dns-server: {e}")
        if args.dkim_key_file:
            try:
                import dkim  # noqa: F401
            except ImportError:
                raise SystemExit("imaginary: DKIM signing needs dkimpy "
                                 "(pip install 'imaginary[mail]')")
            if not os.access(args.dkim_key_file, os.R_OK):
                raise SystemExit(f"imaginary: cannot read "
                                 f"{args.dkim_key_file}")
        store = openStore(args.store)
        try:
            def change():
                config = model.settings(store)
                for flag, attribute, kind, _ in _OPTIONS:
                    value = getattr(args, flag[2:].replace("-", "_"))
                    if value is None:
                        continue
                    if value in ("none", "default") and kind is str:
                        value = None
                    if attribute == "relaySecurity" and value not in (
                            "starttls", "tls", "plain"):
                        raise SystemExit("imaginary: --relay-security is "
                                         "starttls, tls or plain")
                    if attribute == "domain" and not value:
                        raise SystemExit("imaginary: a domain is needed")
                    setattr(config, attribute, value)
                if args.dns_server is not None:
                    listmail.listSettings(store).dnsServer = None if \
                        args.dns_server == "system" else args.dns_server
                if args.allow_outside is not None:
                    config.allowOutside = args.allow_outside == "yes"
                for alias in args.alias:
                    local, _, name = alias.partition("=")
                    character = model.characterNamed(store, name)
                    if character is None:
                        raise SystemExit(f"imaginary: no character "
                                         f"'{name}'")
                    try:
                        model.addAlias(store, local, character)
                    except ValueError as e:
                        raise SystemExit(f"imaginary: {e}")
                return config
            config = store.transact(change)
            for flag, attribute, _, _ in _OPTIONS:
                print(f"{flag[2:]}: {getattr(config, attribute)}")
            print(f"allow-outside: {'yes' if config.allowOutside else 'no'}")
            print(f"dns-server: "
                  f"{listmail.dnsServer(store) or 'system'}")
            for alias in store.query(model.MailAlias):
                print(f"alias: {alias.localPart}@{config.domain} -> "
                      f"{alias.character.name}")
        finally:
            store.close()
        return 0


mailCommand = MailCommand()

__all__ = ["mailCommand", "mailVerbs", "smtp"]
