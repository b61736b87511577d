"""
Accounts: who may log in, with which password or keys, as which characters.

Passwords are hashed with bcrypt (cost C{BCRYPT_ROUNDS}, 12 by default:
about 0.2 s per check on this machine kind).  Hashing runs in Twisted's
thread pool through C{deferToThread} so a login never stalls the game for
everyone else.  An account holds any number of characters and SSH public
keys, and a permission level that is copied onto its characters.

Names: account and character names are 2 to 20 letters (any script's
letters, so names from every language work), with single inner spaces,
hyphens or apostrophes; no digits, no control, format (zero-width,
right-to-left) or confusable punctuation characters.  Names are compared
after Unicode NFKC normalisation and case folding, and a new name whose
"skeleton" (the same folding, with Latin/Cyrillic/Greek look-alike letters
mapped together) matches an existing one is refused, so nobody can pass
as someone else with a look-alike name.
"""

import functools
import json
import os
import string
import time
import unicodedata

import bcrypt
import confusable_homoglyphs
from confusable_homoglyphs import categories
from epsilon.extime import Time
from twisted.internet.threads import deferToThread

from imaginary.simulation.permissions import LEVELS, grant
from imaginary.simulation.thing import Thing
from imaginary.store import (
    CASCADE, Item, boolean, bytes as bytesAttribute, compoundIndex,
    reference, text, timestamp)

BCRYPT_ROUNDS = int(os.environ.get("IMAGINARY_BCRYPT_ROUNDS", "12"))
MIN_PASSWORD = 6
MAX_PASSWORD = 72  # bcrypt reads at most 72 bytes
MAX_KEYS = 20     # SSH public keys one account may hold

# Look-alike letters folded together when comparing names for confusion.
_CONFUSABLES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l",
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k",
    "μ": "u", "υ": "u", "χ": "x", "ε": "e",
    # Turkish dotless i: "Işıl" is found as "isil" (dotted İ already
    # folds to i plus a combining dot, which is stripped).
    "ı": "i",
})


# Scripts a language writes together: Japanese (kanji and kana), Korean
# (hangul and hanja).  Any other mix is refused.
WRITTEN_MIXED = ({"HAN", "HIRAGANA", "KATAKANA"}, {"HAN", "HANGUL"})

# Letters (to Python) that show as nothing: Hangul fillers.
FILLERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}


class NameRefused(ValueError):
    """A proposed name breaks the naming rule; the message says how."""


def normalizeName(name):
    """NFKC-normalised, whitespace-collapsed form of a name."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def checkName(name, what="name"):
    """Return the normalised name, or raise NameRefused saying why."""
    name = normalizeName(name)
    article = "An" if what[:1].lower() in "aeiou" else "A"
    if not 2 <= len(name) <= 20:
        raise NameRefused(f"{article} {what} must be 2 to 20 characters "
                          f"long.")
    for i, c in enumerate(name):
        if c in FILLERS or unicodedata.category(c) == "Cf":
            shown = unicodedata.name(c, f"U+{ord(c):04X}").lower()
            raise NameRefused(f"{article} {what} may not hold invisible "
                              f"characters ({shown}).")
        if c.isalpha():
            continue
        if c in " -'" and 0 < i < len(name) - 1 and name[i - 1].isalpha():
            continue
        raise NameRefused(f"{article} {what} may hold only letters, with single "
                          f"spaces, hyphens or apostrophes between them; "
                          f"{unicodedata.name(c, repr(c)).lower()} is not "
                          f"allowed.")
    scripts = categories.unique_aliases(name) - {"COMMON", "INHERITED"}
    if len(scripts) > 1 and not any(scripts <= mix for mix in WRITTEN_MIXED):
        # "Аlice" with a Cyrillic А looks like Alice and isn't.
        mixed = ", ".join(sorted(script.title() for script in scripts))
        raise NameRefused(f"{article} {what} is written in one alphabet, "
                          f"not a mix ({mixed}).")
    return name


def nameKey(name):
    """The key names are compared by: case-folded, look-alikes merged."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(c for c in decomposed
                       if not unicodedata.combining(c))
    return stripped.translate(_CONFUSABLES)


def _confusables():
    """Unicode's confusables (confusables.txt, as the confusable-homoglyphs
    package ships it): each character's single-character look-alikes."""
    path = os.path.join(os.path.dirname(confusable_homoglyphs.__file__),
                        "confusables.json")
    with open(path, encoding="utf-8") as f:
        table = json.load(f)
    return {char: [e["c"] for e in entries if len(e["c"]) == 1]
            for char, entries in table.items() if len(char) == 1}


_LOOKALIKES = None


@functools.lru_cache(maxsize=4096)
def _prototype(char):
    """
    The ASCII letter C{char} looks like, lowercase (or the character
    itself, folded, when it looks like none): Unicode's table one step
    away, or one step from its other case ("ᴀ" is like Cherokee "ꭺ",
    whose capital "Ꭺ" is like "A").  Lowercase ASCII letters stay what
    they are, so two plain names never collide by a chain of symbols.
    """
    global _LOOKALIKES
    if char in string.ascii_lowercase:
        return char
    if _LOOKALIKES is None:
        _LOOKALIKES = _confusables()
    near = [char] + _LOOKALIKES.get(char, [])
    further = []
    for other in near:
        for cased in {other.upper(), other.lower()}:
            if len(cased) == 1:
                further += [cased] + _LOOKALIKES.get(cased, [])
    for pool in (near, further):
        for other in pool:
            if other in string.ascii_lowercase:
                return other
        for other in pool:
            if other in string.ascii_uppercase:
                return other.lower()
    folded = char.casefold()
    return folded if len(folded) == 1 else char


def skeleton(name):
    """
    What a name looks like, for refusing look-alikes (after Unicode's
    UTS #39 skeleton): each letter replaced by the ASCII letter it is
    confusable with, accents dropped.  "AIice" (capital I), "Alıce",
    "ᴀlice" and "Ꭺlice" (Cherokee) all have Alice's skeleton.
    """
    name = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name))
    return "".join(_prototype(c) for c in name
                   if not unicodedata.combining(c))


def looksLike(name, other):
    """Whether two names would pass for each other: the same name key
    (case, accents) or the same skeleton (look-alike letters)."""
    return nameKey(name) == nameKey(other) or \
        skeleton(name) == skeleton(other)


class Account(Item):
    """A login: name, password hash, permission level, ban flag."""

    typeName = "imaginary_account"
    schemaVersion = 1

    username = text(allowNone=False, caseSensitive=True)
    nameKey = text(allowNone=False, indexed=True, caseSensitive=True)
    passwordHash = bytesAttribute(allowNone=False)
    level = text(default="player", allowNone=False)
    banned = boolean(default=False, allowNone=False)
    created = timestamp(defaultFactory=Time, allowNone=False)

    def characters(self):
        """This account's characters, oldest first."""
        return [c.character for c in self.store.query(
            AccountCharacter, AccountCharacter.account == self,
            sort=AccountCharacter.storeID.ascending)]

    def keys(self):
        """This account's AuthorizedKeys, in no particular order."""
        return list(self.store.query(AuthorizedKey,
                                     AuthorizedKey.account == self))

    def setLevel(self, level):
        """Set the permission level here and on every character."""
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}")
        self.level = level
        for character in self.characters():
            grant(character, level)


class AccountCharacter(Item):
    """Joins an account to one of its characters."""

    typeName = "imaginary_account_character"
    schemaVersion = 1

    account = reference(reftype=Account, whenDeleted=CASCADE,
                        allowNone=False)
    character = reference(reftype=Thing, whenDeleted=CASCADE,
                          allowNone=False)
    compoundIndex(account, character)


class AuthorizedKey(Item):
    """One SSH public key that may log in to an account."""

    typeName = "imaginary_authorized_key"
    schemaVersion = 1

    account = reference(reftype=Account, whenDeleted=CASCADE,
                        allowNone=False)
    blob = bytesAttribute(allowNone=False)
    comment = text(default="")


class KeyRefused(ValueError):
    """A key that can't be added or removed, with the reason for the person."""


def authorizeKey(account, blob, comment=""):
    """
    Authorize the SSH public key C{blob} (its wire-format bytes) with
    C{comment} for C{account}, and return the new AuthorizedKey.

    Raises KeyRefused when the account already holds that key or already
    holds C{MAX_KEYS} keys.  The checks and the insertion run in one
    transaction, so two connections adding keys at once can't pass the
    bound together.  Reading an OpenSSH key line into a blob is the SSH
    front end's business (imaginary.frontends.keys).
    """
    if not isinstance(blob, bytes) or not blob:
        raise KeyRefused("A key is a non-empty blob of bytes.")

    def authorize():
        existing = account.keys()
        if any(k.blob == blob for k in existing):
            raise KeyRefused("That key is already authorized for this "
                             "account.")
        if len(existing) >= MAX_KEYS:
            raise KeyRefused(f"An account holds at most {MAX_KEYS} keys; "
                             f"remove one first.")
        return AuthorizedKey(store=account.store, account=account,
                             blob=blob, comment=comment)
    return account.store.transact(authorize)


def listKeys(account):
    """
    C{account}'s AuthorizedKeys, oldest first.  Key number N (as people
    see and remove them) is the N-th of this list, counting from 1.
    """
    return sorted(account.keys(), key=lambda k: k.storeID)


def removeKey(account, number):
    """
    Remove key number C{number} (as numbered by listKeys, from 1) from
    C{account}; returns the removed key's blob.  Raises KeyRefused when
    there is no such key.
    """
    def remove():
        keys = listKeys(account)
        if not 1 <= number <= len(keys):
            raise KeyRefused(f"There is no key number {number}.")
        doomed = keys[number - 1]
        blob = doomed.blob
        doomed.deleteFromStore()
        return blob
    return account.store.transact(remove)


def hashPassword(password, rounds=None):
    """bcrypt hash of a password (blocking; see hashPasswordLater)."""
    checkPassword(password)
    return bcrypt.hashpw(password.encode("utf-8"),
                         bcrypt.gensalt(rounds or BCRYPT_ROUNDS))


def checkPassword(password):
    """Refuse passwords that are too short or too long, saying why."""
    size = len(password.encode("utf-8"))
    if size < MIN_PASSWORD:
        raise ValueError(f"A password must be at least {MIN_PASSWORD} "
                         f"characters long.")
    if size > MAX_PASSWORD:
        raise ValueError(f"A password may be at most {MAX_PASSWORD} bytes "
                         f"long.")


def hashPasswordLater(password):
    """A Deferred bcrypt hash, computed off the reactor thread."""
    checkPassword(password)
    return deferToThread(hashPassword, password)


def verifyPasswordLater(account, password):
    """A Deferred bool: whether the password is the account's."""
    stored = account.passwordHash
    return deferToThread(_verify, stored, password)


def _verify(stored, password):
    try:
        return bcrypt.checkpw(password.encode("utf-8")[:MAX_PASSWORD], stored)
    except ValueError:
        return False


def findAccount(store, name):
    """The account whose name matches (by nameKey), or None."""
    return store.findFirst(Account, Account.nameKey == nameKey(
        normalizeName(name)))


def lookAlikeAccount(store, name):
    """An account whose name would pass for C{name} (looksLike), or
    None: for refusing a new name, never for logging in."""
    found = findAccount(store, name)
    if found is not None:
        return found
    wanted = skeleton(normalizeName(name))
    for account in store.query(Account):
        if skeleton(account.username) == wanted:
            return account
    return None


def takenMessage(name, existing):
    """The refusal for a name too like C{existing}'s (a name string)."""
    if nameKey(existing) == nameKey(name):
        return f"The name '{name}' is taken."
    return f"The name '{name}' looks too much like '{existing}', which is " \
        f"taken."


def createAccount(store, name, passwordHash, level="player"):
    """A new account; raises NameRefused for bad, taken or look-alike
    names."""
    name = checkName(name, "account name")
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")

    def create():
        existing = lookAlikeAccount(store, name)
        if existing is not None:
            raise NameRefused(takenMessage(name, existing.username))
        return Account(store=store, username=name, nameKey=nameKey(name),
                       passwordHash=passwordHash, level=level)
    return store.transact(create)


class LoginThrottle:
    """
    Counts failed logins in memory, per address and per account.  After
    C{limit} failures from one address within C{window} seconds, that
    address waits until its oldest failure leaves the window.  After
    C{accountLimit} failures on one account, every address that failed on it
    waits too, however many addresses the attacker uses; an address that
    has not failed on the account is never held back, so the owner logging
    in from elsewhere always gets through.
    """

    def __init__(self, limit=5, window=300.0, accountLimit=10,
                 clock=time.monotonic):
        self.limit = limit
        self.accountLimit = accountLimit
        self.window = window
        self.clock = clock
        self._byAddress = {}
        self._byAccount = {}
        self._pending = {}      # address -> attempts being checked

    def _prune(self, table, key):
        now = self.clock()
        entries = [e for e in table.get(key, ()) if now - e[0] < self.window]
        if entries:
            table[key] = entries
        else:
            table.pop(key, None)
        return entries

    def waitFor(self, address, account):
        """Seconds to wait before trying again (0 when allowed)."""
        now = self.clock()
        wait = 0.0
        mine = self._prune(self._byAddress, address)
        if len(mine) >= self.limit:
            wait = mine[0][0] + self.window - now
        theirs = self._prune(self._byAccount, account)
        if len(theirs) >= self.accountLimit:
            fromHere = [t for t, a in theirs if a == address]
            if fromHere:
                wait = max(wait, fromHere[0] + self.window - now)
        return max(0.0, wait)

    def busy(self, address):
        """
        Whether the attempts being checked from C{address}, were they all
        to fail, would reach the limit: a further attempt must wait for
        one of them to be decided.  (Twenty guesses sent at once must not
        all be checked because none has failed yet; twenty players behind
        one address logging in at once just wait a moment.)
        """
        pending = self._pending.get(address, 0)
        return pending > 0 and len(self._prune(self._byAddress, address)) \
            + pending >= self.limit

    def begin(self, address, account):
        """An attempt from C{address} is being checked (see busy)."""
        self._pending[address] = self._pending.get(address, 0) + 1

    def end(self, address, account):
        """The attempt begun is decided (then failed() or succeeded())."""
        left = self._pending.get(address, 0) - 1
        if left > 0:
            self._pending[address] = left
        else:
            self._pending.pop(address, None)

    def failed(self, address, account):
        """Record one failed attempt."""
        now = self.clock()
        self._byAddress.setdefault(address, []).append((now, account))
        self._byAccount.setdefault(account, []).append((now, address))

    def succeeded(self, address, account):
        """
        A correct login clears the failures of that address on that
        account only: logging in to one's own account must not wipe
        the record of guesses at someone else's.
        """
        _forget(self._byAddress, address, account)
        _forget(self._byAccount, account, address)


def _forget(table, key, other):
    """Drop C{table[key]}'s (time, other) entries; the key if none stay."""
    kept = [e for e in table.get(key, ()) if e[1] != other]
    if kept:
        table[key] = kept
    else:
        table.pop(key, None)


__all__ = ["Account", "AccountCharacter", "AuthorizedKey", "KeyRefused",
           "LoginThrottle", "MAX_KEYS", "NameRefused", "authorizeKey",
           "checkName", "createAccount", "findAccount", "hashPassword",
           "hashPasswordLater", "listKeys", "nameKey", "removeKey",
           "verifyPasswordLater"]
