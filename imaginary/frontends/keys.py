"""
SSH public keys: reading them, showing them, and logging in with them.

The keys themselves are stored with accounts (C{imaginary.accounts}: an
account holds up to C{MAX_KEYS} AuthorizedKey items, each the wire-format
blob of a key and its comment).  What is SSH's business lives here:
reading an OpenSSH public key line (C{parsePublicKey}), the fingerprints
OpenSSH shows, conch's C{IAuthorizedKeysDB} adapter (C{AccountKeys},
which conch's SSHPublicKeyChecker asks which keys may log in as a user
name), and the C{keys} verb, registered through the plugin
C{imaginary.plugins.imaginary_ssh} as C{keyVerbs}.
"""

import binascii
import struct

from twisted.conch.checkers import IAuthorizedKeysDB
from twisted.conch.ssh.keys import BadKeyError, FingerprintFormats, Key
from zope.interface import implementer

from imaginary.accounts import (
    MAX_KEYS, KeyRefused, authorizeKey, findAccount, listKeys, removeKey)
from imaginary.simulation.failure import ActionFailure
from imaginary.verbs.base import Verb, VerbSource, report

MAX_KEY_TEXT = 16384


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
            IndexError, struct.error) as e:
        # struct.error: a blob cut short inside a length field.
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


def keyLines(account):
    """
    [(number, key type, fingerprint, comment)] for C{account}'s keys,
    numbered from 1 as accounts.listKeys orders them.
    """
    return [(n, Key.fromString(k.blob, type="blob").sshType().decode(),
             fingerprint(k.blob), k.comment)
            for n, k in enumerate(listKeys(account), 1)]


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


def _account(context):
    session = getattr(context, "session", None)
    account = getattr(session, "account", None)
    if account is None:
        raise ActionFailure.simple("Only a player logged in to an account "
                                   "has keys.")
    return account


class Keys(Verb):
    """
    keys: list the SSH public keys that may log in to your account. keys add
    <public key line>: authorize one (paste the whole line of your .pub file).
    keys remove <number>: remove one.
    """

    names = ("keys",)
    syntax = ("keys", "keys add {key}", "keys remove|delete {number}")

    def run(self, context, key=None, number=None):
        """List, add (C{key}) or remove (C{number}) the account's authorized
        SSH keys.
        """
        account = _account(context)
        try:
            if key is not None:
                parsed, comment = parsePublicKey(key)
                authorizeKey(account, parsed.blob(), comment)
                # The new key has the highest storeID: it is listed last.
                number, kind, shown, _ = keyLines(account)[-1]
                report(context, f"Key {number} added: {kind} {shown}. You "
                                f"can now log in over SSH as "
                                f"{account.username} with it.")
                return
            if number is not None:
                number = number.strip()
                if (not number.isdigit() or not number.isascii()
                        or not 1 <= int(number) <= len(listKeys(account))):
                    raise ActionFailure.simple(
                        f"There is no key number {number}; 'keys' lists "
                        f"them.")
                gone = fingerprint(removeKey(account, int(number)))
                report(context, f"Key {int(number)} ({gone}) removed.")
                return
        except KeyRefused as e:
            raise ActionFailure.simple(str(e))
        lines = keyLines(account)
        if not lines:
            report(context, "No SSH keys may log in to your account. "
                            "'keys add <public key line>' authorizes one.")
            return
        for n, kind, shown, comment in lines:
            report(context, f"{n}. {kind} {shown}"
                            + (f" ({comment})" if comment else ""))


# The plugin object imaginary/plugins/imaginary_ssh.py exposes.
keyVerbs = VerbSource("ssh-keys", [Keys])
