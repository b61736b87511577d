"""
The store's own exceptions.

Every misuse of the store raises one of these, with a message that names what
was wrong (the class, the attribute, the value, the path).  Raw C{sqlite3}
errors are translated at the single place where SQL is executed, so callers
never need to know which database sits underneath.
"""


class StoreError(Exception):
    """Base class of every error the store raises."""


class ConstraintError(StoreError, TypeError):
    """
    A value does not fit an attribute: wrong type, out of range, None where
    None is not allowed.  Also a TypeError, as in Axiom.
    """

    def __init__(self, itemClass, attributeName, value, why):
        self.itemClass = itemClass
        self.attributeName = attributeName
        self.value = value
        self.why = why
        name = getattr(itemClass, "__name__", str(itemClass))
        StoreError.__init__(
            self, f"{name}.{attributeName} = {value!r}: {why}"
        )


class ItemNotFound(StoreError, KeyError):
    """No item matched (C{findUnique}, C{getItemByID})."""

    def __str__(self):
        return str(self.args[0]) if self.args else "item not found"


class DuplicateUniqueItem(StoreError):
    """C{findUnique} matched more than one item."""


class DeletionDisallowed(StoreError):
    """An item is referenced by a C{whenDeleted=DISALLOW} reference."""


class NoInheritance(StoreError, RuntimeError):
    """Item subclasses may not be subclassed again (as in Axiom)."""


class DuplicateTypeName(StoreError, RuntimeError):
    """Two different classes declared the same C{typeName} and version."""


class CannotOpenStore(StoreError):
    """
    The store cannot be opened (Axiom's name): the base of NotAStore,
    StoreInUse, NoUpgradePathAvailable and SchemaMismatch.
    """


class SQLError(StoreError):
    """The database refused a statement (the sqlite3 error translated)."""


class StoreFull(SQLError):
    """
    The disk (or the store's size limit) is full: nothing of the refused
    transaction was written, and the store is sound; writing works again
    once there is room.
    """


def translated(error, message):
    """
    The store's exception for sqlite3 C{error}: StoreFull when the disk or
    the database is full (SQLITE_FULL), else SQLError; C{message} says
    what was refused.
    """
    name = getattr(error, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL") or "disk is full" in str(error):
        return StoreFull(f"{message}: the disk is full ({error})")
    return SQLError(f"{message}: {error}")


class NoUpgradePathAvailable(CannotOpenStore):
    """A store holds items of a version that no upgrader chain can reach."""


class SchemaMismatch(CannotOpenStore):
    """The schema on disk for a type/version differs from its class."""


class NotAStore(CannotOpenStore):
    """The path given is not an Imaginary store (or is damaged)."""


class StoreInUse(CannotOpenStore):
    """Another process holds the store open."""


class StoreClosed(StoreError):
    """The store was closed and can no longer be used."""


class QueryError(StoreError, ValueError):
    """
    A query was malformed: unknown attribute, bad sort, wrong class, a
    condition on a class the query neither returns nor joins.  Also a
    ValueError, which is what Axiom raises for these.
    """


class NoCrossStoreReferences(StoreError, AttributeError):
    """
    A reference would point into another store: a storeID means nothing
    outside its own store.  Also an AttributeError, as in Axiom.
    """


class UpgradeFailed(StoreError):
    """An upgrader raised; the message names the type, version and item."""


class UnknownItemType(StoreError):
    """A stored type has no class in this process and none can be built."""


class PowerupNotInstalled(StoreError, ValueError):
    """powerDown of a powerup that is not installed for that interface."""


# Axiom's name for a failed upgrade.
ItemUpgradeError = UpgradeFailed
