"""
Account verbs: what a player manages about their own account in the game.

``keys`` lists, adds and removes the SSH public keys that may log in to
the player's account.  These act on the session's account, not on the
character, so an NPC (which has no session) is told it has no account.
"""

from imaginary.frontends.keys import KeyRefused, addKey, listKeys, removeKey
from imaginary.simulation.failure import ActionFailure

from .base import Verb, report


def _account(context):
    session = getattr(context, "session", None)
    account = getattr(session, "account", None)
    if account is None:
        raise ActionFailure.simple("Only a player logged in to an account "
                                   "has keys.")
    return account


class Keys(Verb):
    names = ("keys",)
    syntax = ("keys", "keys add {key}", "keys remove|delete {number}")
    help = ("keys: list the SSH public keys that may log in to your account."
            " keys add <public key line>: authorize one (paste the whole "
            "line of your .pub file). keys remove <number>: remove one.")

    def run(self, context, key=None, number=None):
        account = _account(context)
        try:
            if key is not None:
                addKey(account, key)
                # The new key has the highest storeID: it is listed last.
                number, kind, shown, _ = listKeys(account)[-1]
                report(context, f"Key {number} added: {kind} {shown}. You "
                                f"can now log in over SSH as "
                                f"{account.username} with it.")
                return
            if number is not None:
                if not number.strip().isdigit() or not number.isascii():
                    raise ActionFailure.simple(
                        f"'{number.strip()}' is not a key number; 'keys' "
                        f"lists them.")
                gone = removeKey(account, int(number))
                report(context, f"Key {int(number)} ({gone}) removed.")
                return
        except KeyRefused as e:
            raise ActionFailure.simple(str(e))
        keys = listKeys(account)
        if not keys:
            report(context, "No SSH keys may log in to your account. "
                            "'keys add <public key line>' authorizes one.")
            return
        for n, kind, shown, comment in keys:
            report(context, f"{n}. {kind} {shown}"
                            + (f" ({comment})" if comment else ""))
