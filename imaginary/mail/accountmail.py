"""
A player's real address, and password reset by mail.

C{account email <address>} records an address with a six-digit code and
mails the code there; the player types C{account verify <code>} in the
game.  Only a verified address ever gets game mail, and only while the
player wants it (C{account email forward on}, and the one-click
unsubscribe of every game mail turns it off).  Codes are kept hashed, so
a copy of the store does not give them away, and a wrong code counts
against a small limit.

A password reset is offered at the telnet login prompt: a code, mailed to
the account's verified address, that works once within 30 minutes.
"""

import hashlib
import hmac
import secrets

from epsilon.extime import Time

from imaginary.accounts import Account
from imaginary.store import (
    CASCADE, Item, boolean, integer, reference, text, timestamp)

CODE_SECONDS = 30 * 60      # a verification or reset code's life
MAX_WRONG = 5               # wrong codes before the code is void
_ADDRESS = (r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
            r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")


def _hash(code):
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def newCode():
    """A six-digit code, easy to type."""
    return f"{secrets.randbelow(10 ** 6):06d}"


def checkAddress(address):
    """The address, stripped, or ValueError saying it is not one."""
    import re
    address = address.strip().strip("<>")
    if len(address) > 254 or not re.fullmatch(_ADDRESS, address):
        raise ValueError(f"'{address}' is not a mail address I can use.")
    return address


class AccountEmail(Item):
    """An account's real address: verified or waiting for its code."""

    typeName = "imaginary_account_email"
    schemaVersion = 1

    account = reference(reftype=Account, whenDeleted=CASCADE,
                        allowNone=False)
    address = text(allowNone=False)
    verified = boolean(default=False, allowNone=False)
    codeHash = text(default=None)
    codeExpires = timestamp(default=None)
    wrong = integer(default=0, allowNone=False)
    # Whether game mail (sendMail) goes to this address too.
    forward = boolean(default=True, allowNone=False)
    # The secret in the one-click unsubscribe address.
    unsubscribeToken = text(allowNone=False,
                            defaultFactory=lambda: secrets.token_hex(12))


def emailOf(account):
    """C{account}'s AccountEmail, or None."""
    return account.store.findFirst(AccountEmail,
                                   AccountEmail.account == account)


def verifiedAddress(account):
    """C{account}'s verified address, or None."""
    record = emailOf(account) if account is not None else None
    return record.address if record is not None and record.verified \
        else None


def verifiedAccount(store, address):
    """The account that verified C{address}, or None."""
    wanted = (address or "").strip().strip("<>").lower()
    for record in store.query(AccountEmail,
                              AccountEmail.verified == True):  # noqa: E712
        if record.address.lower() == wanted:
            return record.account
    return None


def isVerifiedAnywhere(store, address):
    """Whether some account has verified C{address}."""
    return verifiedAccount(store, address) is not None


def setAddress(account, address, now=None):
    """
    Record C{address} for C{account}, unverified, with a new code;
    returns the code (to be mailed, never shown in the game).
    """
    address = checkAddress(address)
    now = now or Time()
    record = emailOf(account)
    if record is None:
        record = AccountEmail(store=account.store, account=account,
                              address=address)
    code = newCode()
    record.address = address
    record.verified = False
    record.codeHash = _hash(code)
    record.codeExpires = Time.fromPOSIXTimestamp(
        now.asPOSIXTimestamp() + CODE_SECONDS)
    record.wrong = 0
    return code


def _matches(record, code, now):
    if record is None or record.codeHash is None:
        return False
    if now.asPOSIXTimestamp() > record.codeExpires.asPOSIXTimestamp():
        return False
    return hmac.compare_digest(record.codeHash, _hash(code.strip()))


def verify(account, code, now=None):
    """
    Check a typed code: True when it verifies the address.  A wrong code
    counts; after MAX_WRONG the code is void and a new one is needed.
    """
    now = now or Time()
    record = emailOf(account)
    if _matches(record, code, now):
        record.verified = True
        record.codeHash = None
        record.codeExpires = None
        record.wrong = 0
        return True
    if record is not None and record.codeHash is not None:
        record.wrong += 1
        if record.wrong >= MAX_WRONG:
            record.codeHash = None
    return False


def unsubscribe(store, token):
    """Turn game mail off for the address with C{token}; True if found."""
    record = store.findFirst(AccountEmail,
                             AccountEmail.unsubscribeToken == token)
    if record is None:
        return False
    record.forward = False
    return True


class PasswordReset(Item):
    """A password reset code: hashed, expiring, good once."""

    typeName = "imaginary_password_reset"
    schemaVersion = 1

    account = reference(reftype=Account, whenDeleted=CASCADE,
                        allowNone=False)
    codeHash = text(allowNone=False)
    expires = timestamp(allowNone=False)
    used = boolean(default=False, allowNone=False)
    wrong = integer(default=0, allowNone=False)


def startReset(account, now=None):
    """
    A new reset code for C{account} (earlier ones void), or None when the
    account has no verified address to send it to.
    """
    if verifiedAddress(account) is None:
        return None
    now = now or Time()
    account.store.query(PasswordReset,
                        PasswordReset.account == account).deleteFromStore()
    code = newCode()
    PasswordReset(store=account.store, account=account, codeHash=_hash(code),
                  expires=Time.fromPOSIXTimestamp(
                      now.asPOSIXTimestamp() + CODE_SECONDS))
    return code


def useReset(account, code, now=None):
    """
    Whether C{code} is C{account}'s live reset code; it is used up (it
    works once), and a wrong guess counts toward voiding it.
    """
    now = now or Time()
    reset = account.store.findFirst(PasswordReset,
                                    PasswordReset.account == account)
    if reset is None or reset.used:
        return False
    if now.asPOSIXTimestamp() > reset.expires.asPOSIXTimestamp():
        return False
    if not hmac.compare_digest(reset.codeHash, _hash(code.strip())):
        reset.wrong += 1
        if reset.wrong >= MAX_WRONG:
            reset.used = True
        return False
    reset.used = True
    return True
