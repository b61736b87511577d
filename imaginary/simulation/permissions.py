"""
Permission levels on characters: player < builder < admin.

A character without a Permissions powerup is a player.  The verb registry
asks IPermissions in one place before running any verb, so no verb checks
permissions itself.
"""

from zope.interface import implementer

from imaginary.interfaces import IPermissions
from imaginary.store import CASCADE, Item, reference, text

from .thing import Enhancement, Thing

LEVELS = ("player", "builder", "admin")


@implementer(IPermissions)
class Permissions(Enhancement, Item):
    """The permission level of one character."""

    typeName = "imaginary_permissions"
    schemaVersion = 1
    powerupInterfaces = (IPermissions,)

    thing = reference(reftype=Thing, whenDeleted=CASCADE, allowNone=False)
    level = text(default="player", allowNone=False)

    def has(self, level):
        """
        Whether this level is C{level} or above (an admin has builder's
        rights).
        """
        return LEVELS.index(self.level) >= LEVELS.index(level)


def grant(thing, level):
    """Give C{thing} exactly permission C{level}."""
    if level not in LEVELS:
        raise ValueError(f"unknown permission level {level!r}")
    permissions = IPermissions(thing, None)
    if permissions is None:
        permissions = Permissions.createFor(thing, level=level)
    permissions.level = level
    return permissions
