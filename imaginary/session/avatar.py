"""
Accounts as front ends use them: creating one, and the avatar of one.

C{AccountService.create} makes an account (the name checked, the password
hashed off the reactor thread) and returns a token credential that logs
straight in, so a new player is not asked for the password again.

C{PlayerAvatar} is what the portal hands a front end after login
(C{IPlayer}).  Its character list is plain data (C{CharacterInfo}) and
creating, deleting and playing a character are its operations: the telnet
and SSH menus render them as text, a web page will render them as HTML.
Every refusal raises C{Refused} with the sentence to show.
"""

import attr
from twisted.internet import defer
from twisted.logger import Logger
from zope.interface import implementer

from imaginary.accounts import (
    AccountCharacter, NameRefused, checkName, checkPassword, createAccount,
    hashPasswordLater, lookAlikeAccount, nameKey, takenMessage)
from imaginary.simulation import groups
from imaginary.simulation.permissions import grant
from imaginary.simulation.thing import GENDERS

from .interfaces import IPlayer

log = Logger()

# Words the login prompt gives a meaning to: an account so named could
# never log in by typing its name.
RESERVED_ACCOUNT_NAMES = ("new", "quit", "reset")


class Refused(Exception):
    """An operation was refused; str() is the sentence for the person."""


@attr.s(frozen=True)
class CharacterInfo:
    """One of an account's characters, as data for a menu or a page."""

    name = attr.ib()
    gender = attr.ib()
    playing = attr.ib()     # connections playing it now (0 when resting)

    def asDict(self):
        """JSON-ready form, for front ends that send data."""
        return {"name": self.name, "gender": self.gender,
                "playing": self.playing}


def genderWord(value):
    """'male', 'female'... for a Thing's gender value."""
    for word, code in GENDERS.items():
        if code == value:
            return word
    return "neuter"


class AccountService:
    """Account operations that need no login (making a new account)."""

    def __init__(self, server):
        self.server = server

    def checkNewName(self, name):
        """The normalised account name, or raise Refused saying why."""
        try:
            name = checkName(name, "account name")
        except NameRefused as e:
            raise Refused(str(e))
        if name.lower() in RESERVED_ACCOUNT_NAMES:
            raise Refused(f"'{name}' means something at the login prompt; "
                          f"choose another account name.")
        existing = lookAlikeAccount(self.server.store, name)
        if existing is not None:
            raise Refused(takenMessage(name, existing.username))
        return name

    def create(self, name, password, address=None):
        """
        A Deferred firing with a TokenCredentials that logs in to the new
        account; fails with Refused (bad or taken name, bad password).
        """
        try:
            name = self.checkNewName(name)
            checkPassword(password)
        except ValueError as e:
            return defer.fail(Refused(str(e)))
        except Refused as e:
            return defer.fail(e)

        def hashed(digest):
            try:
                account = createAccount(self.server.store, name, digest)
            except NameRefused as e:        # taken while we were hashing
                raise Refused(str(e))
            log.info("account {name} created from {address}",
                     name=account.username, address=address)
            from .login import TokenCredentials
            return TokenCredentials(
                self.server.tokens.issue(account.username), address)
        return hashPasswordLater(password).addCallback(hashed)


@implementer(IPlayer)
class PlayerAvatar:
    """An authenticated account, for one front end connection."""

    def __init__(self, server, account):
        self.server = server
        self.account = account
        self.attachments = []

    @property
    def accountName(self):
        """The account's name, as typed when it was made."""
        return self.account.username

    def _checkAllowed(self):
        # The account may have been banned (or deleted) since login.
        account = self.account
        if account.store is None:
            raise Refused("That account no longer exists.")
        if account.banned:
            raise Refused("This account is banned.")

    def characters(self):
        """CharacterInfo for each character, oldest first."""
        sessions = self.server.sessions
        result = []
        for character in self.account.characters():
            session = sessions.get(character.storeID)
            result.append(CharacterInfo(
                character.name, genderWord(character.gender),
                len(session.attachments) if session is not None else 0))
        return result

    def _own(self, name):
        # Compared as names are everywhere (accounts.nameKey): "zoe"
        # finds Zoë, "isil" finds Işıl.
        wanted = nameKey(" ".join(name.split()))
        for character in self.account.characters():
            if nameKey(character.name) == wanted:
                return character
        raise Refused("You have no character by that name.")

    def createCharacter(self, name, gender):
        """Make a character; returns its CharacterInfo.  Raises Refused."""
        self._checkAllowed()
        gender = (gender or "").lower()
        if gender not in GENDERS:
            raise Refused("Usage: create <name> <male|female|neuter|plural>")
        try:
            name = checkName(name, "character name")
        except NameRefused as e:
            raise Refused(str(e))
        owner = lookAlikeAccount(self.server.store, name)
        if owner is not None and owner is not self.account:
            # Nobody plays under (a look-alike of) another player's
            # account name.
            raise Refused(takenMessage(name, owner.username))
        existing = self.server.lookAlikeName(name)
        if existing is not None:
            raise Refused(takenMessage(name, existing))
        store, account = self.server.store, self.account

        def create():
            character = self.server.world.createCharacter(
                name, GENDERS[gender])
            AccountCharacter(store=store, account=account,
                             character=character)
            if account.level != "player":
                grant(character, account.level)
            return character
        character = store.transact(create)
        return CharacterInfo(character.name, gender, 0)

    def characterNamed(self, name):
        """The name of this account's character C{name} (as typed, any
        look-alike spelling); raises Refused when there is none."""
        return self._own(name).name

    def deleteCharacter(self, name):
        """Delete a resting character; returns its name.  Raises Refused."""
        character = self._own(name)
        if self.server.sessions.get(character.storeID) is not None:
            raise Refused("That character is being played; it can't be "
                          "deleted now.")
        name = character.name

        def delete():
            groups.forget(character)    # its groups go on without it
            character.destroy()
        self.server.store.transact(delete)
        return name

    def play(self, name, frontEnd, resumable=False):
        """Attach C{frontEnd} to the character's session; the Attachment."""
        self._checkAllowed()
        character = self._own(name)
        attachment = self.server.attach(self, character, frontEnd,
                                        resumable)
        self.attachments.append(attachment)
        return attachment

    def setPassword(self, password):
        """A Deferred firing once the new password is stored."""
        try:
            checkPassword(password)
        except ValueError as e:
            return defer.fail(Refused(str(e)))
        account, store = self.account, self.server.store

        def hashed(digest):
            store.transact(setattr, account, "passwordHash", digest)
        return hashPasswordLater(password).addCallback(hashed)

    def release(self, attachment):
        """Forget an attachment that detached itself."""
        if attachment in self.attachments:
            self.attachments.remove(attachment)

    def logout(self):
        """Detach everything this avatar still has attached."""
        attachments, self.attachments = self.attachments, []
        for attachment in attachments:
            attachment.detach()
