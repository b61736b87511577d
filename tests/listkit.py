"""
Group list test helpers: a character made a player (an account) with a
verified real address, and a group with members, in one call each.
"""

from imaginary.accounts import Account, AccountCharacter, nameKey
from imaginary.mail import accountmail, listmail
from imaginary.simulation import groups


def makePlayer(character, address=None, listMailFor=None):
    """Give C{character} an account (named after it) and, if given, the
    verified C{address}; turn list mail on for the group C{listMailFor}."""
    store = character.store

    def make():
        account = Account(store=store, username=character.name.lower(),
                          nameKey=nameKey(character.name.lower()),
                          passwordHash=b"unused")
        AccountCharacter(store=store, account=account, character=character)
        if address is not None:
            accountmail.AccountEmail(store=store, account=account,
                                     address=address, verified=True)
        if listMailFor is not None:
            listmail.subscription(listMailFor, character).mail = True
        return account
    return store.transact(make)


def makeGroup(founder, name, handle, *members):
    """A group founded by C{founder}, the C{members} in it."""
    store = founder.store

    def make():
        group = groups.createGroup(founder, name, handle)
        for member in members:
            groups.addMember(group, member)
        return group
    return store.transact(make)
