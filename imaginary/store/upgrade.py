"""
Schema evolution: upgraders from one schemaVersion of a type to the next.

When a store opens, every item of an old version is upgraded, in one
transaction, before the store is handed back, so the first query already
sees upgraded items.  (Axiom upgrades lazily and in the background, so a
query right after opening misses items; we chose the eager way because a game
world is small enough to upgrade at start and correctness beats a fast open.)

Before anything is written, every old version on disk must have a complete
chain of upgraders to the current class; otherwise the store refuses to open
with NoUpgradePathAvailable naming the type and versions, untouched.
"""

from .errors import NoUpgradePathAvailable, StoreError
from .item import Item, MetaItem, typeForName

# (typeName, oldVersion) -> (newVersion, function)
_upgraders = {}


def registerUpgrader(upgrader, typeName, oldVersion, newVersion):
    """
    Register C{upgrader(oldItem) -> newItem} for one step.  The upgrader
    normally returns C{oldItem.upgradeVersion(typeName, old, new, **attrs)}.
    """
    if newVersion != oldVersion + 1:
        raise StoreError(f"upgraders go one version at a time: "
                         f"{typeName} {oldVersion} -> {newVersion}")
    _upgraders[(typeName, oldVersion)] = (newVersion, upgrader)


def registerAttributeCopyingUpgrader(itemClass, oldVersion, newVersion,
                                     postCopy=None):
    """
    Register an upgrader that copies every attribute the old and new
    schemas share, then calls C{postCopy(newItem)} if given.
    """
    def upgrader(old):
        newClass = typeForName(itemClass.typeName, newVersion) or itemClass
        names = set(newClass.__attributeNames__)
        values = {a.attrname: getattr(old, a.attrname)
                  for a in type(old).__attributes__ if a.attrname in names}
        new = old.upgradeVersion(itemClass.typeName, oldVersion, newVersion,
                                 **values)
        if postCopy is not None:
            postCopy(new)
        return new
    registerUpgrader(upgrader, itemClass.typeName, oldVersion, newVersion)


def registerDeletionUpgrader(itemClass, oldVersion, newVersion):
    """Register an upgrader that deletes items of the old version."""
    def upgrader(old):
        old.deleteFromStore()
        return None
    registerUpgrader(upgrader, itemClass.typeName, oldVersion, newVersion)


def declareLegacyItem(typeName, schemaVersion, attributes):
    """
    Declare the schema of an old version: C{attributes} maps names to
    attribute objects.  The store can also rebuild an old schema from what
    it recorded on disk, so this is needed only for intermediate versions
    that a store may never have held, or to give upgraders typed references.
    """
    ns = dict(attributes)
    ns["typeName"] = typeName
    ns["schemaVersion"] = schemaVersion
    ns["__module__"] = __name__
    name = f"Legacy_{typeName}_v{schemaVersion}"
    return MetaItem(name, (Item,), ns, legacy=True)


def checkUpgradePath(typeName, oldVersion, currentVersion):
    """Raise NoUpgradePathAvailable unless old can reach current."""
    version = oldVersion
    while version < currentVersion:
        step = _upgraders.get((typeName, version))
        if step is None:
            raise NoUpgradePathAvailable(
                f"items of type {typeName!r} are at version {oldVersion} "
                f"but the code is at version {currentVersion}, and no "
                f"upgrader from version {version} to {version + 1} is "
                f"registered")
        version = step[0]
    if version > currentVersion:
        raise NoUpgradePathAvailable(
            f"items of type {typeName!r} are at version {oldVersion}, newer "
            f"than the code's version {currentVersion}")


def upgradeItem(item, currentVersion):
    """Run upgraders on one item until it reaches currentVersion."""
    while item is not None and type(item).schemaVersion < currentVersion:
        newVersion, fn = _upgraders[(type(item).typeName,
                                     type(item).schemaVersion)]
        item = fn(item)
    return item


class Upgrading:
    """
    The Store's half of an upgrade (a mixin of Store): swap an item's row
    for its next version's, keeping its storeID, inside the transaction.
    """

    def _upgradeVersion(self, old, typeName, oldVersion, newVersion, attrs):
        newClass = typeForName(typeName, newVersion)
        if newClass is None:
            raise StoreError(f"no class is declared for {typeName!r} "
                             f"version {newVersion}; use declareLegacyItem")
        if type(old).schemaVersion != oldVersion:
            raise StoreError(f"{old!r} is not at version {oldVersion}")
        info = self._typeInfo(newClass)
        new = newClass(**attrs)
        sid = old._storeID
        self._touch(old)
        self._execute(self._infos[type(old)].deleteSQL, (sid,))
        self._execute("UPDATE imaginary_objects SET type_id = ? WHERE oid = ?",
                      (info.typeID, sid))
        self._execute(info.insertSQL, [sid] + new._v)
        old._deleted = True
        self._cache.pop(sid, None)
        new._storeID = sid
        new._store = self
        # Keyed apart from the old item, which the same rollback restores.
        self._txn.created[("upgraded", sid)] = new
        self._cache[sid] = new
        return new
