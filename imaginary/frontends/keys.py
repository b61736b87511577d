"""
SSH public keys authorized to log in to an account.

An account holds any number (up to ``MAX_KEYS``) of AuthorizedKey items,
each the wire-format blob of an OpenSSH public key and its comment.  Keys
are managed from the command line (``imaginary account add-key``) and in
the game (the ``keys`` verb); the SSH front end asks ``AccountKeys`` which
keys may log in as a user name, through conch's own SSHPublicKeyChecker.
"""

import binascii

from twisted.conch.checkers import IAuthorizedKeysDB
from twisted.conch.ssh.keys import BadKeyError, FingerprintFormats, Key
from zope.interface import implementer

from imaginary.accounts import AuthorizedKey, findAccount

MAX_KEYS = 20
MAX_KEY_TEXT = 16384


class KeyRefused(ValueError):
    """A key that can't be added, with the reason for the person adding it."""


def parsePublicKey(text):
    """
    Parse one OpenSSH public key line ("ssh-ed25519 AAAA... comment").

    Returns (Key, comment).  Raises KeyRefused saying what was wrong.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if len(text) > MAX_KEY_TEXT:
        raise KeyRefused("That is far too long to be a public key.")
    if "PRIVATE KEY" in text:
        raise KeyRefused("That is a private key: never share it. Give the "
                         "public key instead (the .pub file).")
    lines = [line for line in text.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    if len(lines) != 1:
        raise KeyRefused("Give exactly one public key line, like "
                         "'ssh-ed25519 AAAA... you@host'.")
    fields = lines[0].split()
    if len(fields) < 2:
        raise KeyRefused("A public key line has a type and a base64 blob, "
                         "like 'ssh-ed25519 AAAA... you@host'.")
    try:
        key = Key.fromString(" ".join(fields[:2]).encode("ascii"),
                             type="public_openssh")
    except (BadKeyError, binascii.Error, ValueError, UnicodeEncodeError,
            IndexError) as e:
        raise KeyRefused(f"That is not a public key I can read ({e}).")
    if not key.isPublic():
        raise KeyRefused("That is not a public key.")
    if key.sshType().decode("ascii") != fields[0]:
        raise KeyRefused(f"The key says it is {fields[0]} but holds a "
                         f"{key.sshType().decode('ascii')} key.")
    comment = " ".join(fields[2:])
    comment = "".join(c for c in comment if c.isprintable())[:200]
    return key, comment


def fingerprint(blob):
    """The SHA256 fingerprint OpenSSH shows for a key blob."""
    digest = Key.fromString(blob, type="blob").fingerprint(
        FingerprintFormats.SHA256_BASE64)
    return "SHA256:" + digest.rstrip("=")


def addKey(account, text):
    """
    Authorize the public key in C{text} (str or bytes) for C{account}.
    Returns the new AuthorizedKey; raises KeyRefused.
    """
    key, comment = parsePublicKey(text)
    blob = key.blob()
    existing = account.keys()
    if any(k.blob == blob for k in existing):
        raise KeyRefused("That key is already authorized for this account.")
    if len(existing) >= MAX_KEYS:
        raise KeyRefused(f"An account holds at most {MAX_KEYS} keys; "
                         f"remove one first.")
    return account.store.transact(
        lambda: AuthorizedKey(store=account.store, account=account,
                              blob=blob, comment=comment))


def listKeys(account):
    """[(number, key type, fingerprint, comment)] for C{account}, from 1."""
    keys = sorted(account.keys(), key=lambda k: k.storeID)
    return [(n, Key.fromString(k.blob, type="blob").sshType().decode(),
             fingerprint(k.blob), k.comment)
            for n, k in enumerate(keys, 1)]


def removeKey(account, number):
    """Remove key number C{number} (as listed); returns its fingerprint."""
    keys = sorted(account.keys(), key=lambda k: k.storeID)
    if not 1 <= number <= len(keys):
        raise KeyRefused(f"There is no key number {number}; "
                         f"'keys' lists them.")
    doomed = keys[number - 1]
    shown = fingerprint(doomed.blob)
    account.store.transact(doomed.deleteFromStore)
    return shown


@implementer(IAuthorizedKeysDB)
class AccountKeys:
    """The keys that may log in as an SSH user name (an account name)."""

    def __init__(self, store):
        self.store = store

    def getAuthorizedKeys(self, username):
        """Keys for C{username} (bytes); none for unknown or banned names."""
        account = findAccount(self.store, username.decode("utf-8",
                                                          "replace"))
        if account is None:
            return []
        return [Key.fromString(k.blob, type="blob") for k in account.keys()]
