"""
The SSH front end, as a plugin: OpenSSH and other SSH clients log in with
a password or a public key, and get line editing and history.  Its verb
C{keys} manages the public keys that may log in to a player's account.
"""

from twisted.plugin import IPlugin
from zope.interface import implementer

from imaginary.cli import ICommand, openStore
from imaginary.frontends import FrontEndType
from imaginary.frontends.keys import keyVerbs

ssh = FrontEndType(
    name="ssh",
    description="SSH endpoint (off unless given), e.g. "
                "tcp:4022:interface=127.0.0.1",
    defaultEndpoint=None,
    factory="imaginary.frontends.ssh:sshFactory")



@implementer(IPlugin, ICommand)
class AddKeyCommand:
    """`imaginary account add-key NAME --key-file KEY.pub` (server off)."""

    name = "account add-key"
    help = "authorize an SSH public key for an account"

    def configure(self, parser):
        """The account's name and --key-file."""
        parser.add_argument("name")
        parser.add_argument("--key-file", required=True,
                            help="an OpenSSH public key file")

    def run(self, args):
        """Authorize the public key in --key-file for the account."""
        from imaginary.accounts import authorizeKey, findAccount
        from imaginary.frontends.keys import parsePublicKey
        store = openStore(args.store)
        try:
            account = findAccount(store, args.name)
            if account is None:
                raise SystemExit(f"imaginary: no account '{args.name}'")
            try:
                with open(args.key_file, "rb") as f:
                    key, comment = parsePublicKey(f.read(1 << 20))
                authorizeKey(account, key.blob(), comment)
            except (OSError, ValueError) as e:
                raise SystemExit(f"imaginary: {args.key_file}: {e}")
            print(f"added a key to {account.username}")
        finally:
            store.close()
        return 0


addKey = AddKeyCommand()

__all__ = ["addKey", "keyVerbs", "ssh"]
