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

from .errors import NoUpgradePathAvailable, StoreError, UpgradeFailed
from .item import Item, MetaItem, typeForName

# (typeName, oldVersion) -> (newVersion, function)
_upgraders = {}
# (id(store), storeID) of the items whose upgrader is running: an upgrader
# that upgrades its own item again would otherwise loop or corrupt it.
_inProgress = set()


def registerUpgrader(upgrader, typeName, oldVersion, newVersion):
    """
    Register C{upgrader(oldItem) -> newItem} for one step.  The upgrader
    normally returns C{oldItem.upgradeVersion(typeName, old, new, **attrs)}.
    """
    # One version at a time is the rule Axiom documents, but it accepts a
    # jump (1 -> 3), and code written for it must import: so do we.
    if not (isinstance(oldVersion, int) and isinstance(newVersion, int)
            and newVersion > oldVersion):
        raise StoreError(f"an upgrader goes to a newer version: "
                         f"{typeName} {oldVersion!r} -> {newVersion!r}")
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
    """
    Run upgraders on one item until it reaches currentVersion.  An
    upgrader that raises is reported as UpgradeFailed naming the type,
    the versions and the item (the original exception is its cause).
    """
    while item is not None and type(item).schemaVersion < currentVersion:
        cls = type(item)
        version = cls.schemaVersion
        sid = item._storeID
        key = (id(item._store), sid)
        if key in _inProgress:
            raise UpgradeFailed(f"re-entrant upgrade of {cls.typeName!r} "
                                f"item {sid} at version {version}: its "
                                f"upgrader is already running")
        step = _upgraders.get((cls.typeName, version))
        if step is None:
            raise NoUpgradePathAvailable(
                f"no upgrader takes {cls.typeName!r} item {sid} from "
                f"version {version} towards {currentVersion}")
        newVersion, fn = step
        _inProgress.add(key)
        try:
            upgraded = fn(item)
        except UpgradeFailed:
            raise
        except Exception as e:
            raise UpgradeFailed(
                f"upgrading {cls.typeName!r} item {sid} from version "
                f"{version} to {newVersion} failed: "
                f"{type(e).__name__}: {e}") from e
        finally:
            _inProgress.discard(key)
        if upgraded is not None and (
                not isinstance(upgraded, Item) or
                type(upgraded).schemaVersion <= version):
            raise UpgradeFailed(
                f"the upgrader of {cls.typeName!r} from version {version} "
                f"returned {upgraded!r} for item {sid}, not an item of a "
                f"newer version (use old.upgradeVersion)")
        item = upgraded
    return item


class Upgrading:
    """
    The Store's half of an upgrade (a mixin of Store): swap an item's row
    for its next version's, keeping its storeID, inside the transaction.
    """

    def getOldVersionOf(self, typeName, version):
        """
        The class of C{typeName} at an old C{version}: declared with
        declareLegacyItem or rebuilt from this store's record (KeyError
        when there is none, as in Axiom).
        """
        cls = typeForName(typeName, version)
        if cls is None:
            raise KeyError((typeName, version))
        return cls

    def _upgradeVersion(self, old, typeName, oldVersion, newVersion, attrs):
        if self._txn is None:
            return self.transact(self._upgradeVersion, old, typeName,
                                 oldVersion, newVersion, attrs)
        newClass = typeForName(typeName, newVersion)
        if newClass is None:
            raise StoreError(f"no class is declared for {typeName!r} "
                             f"version {newVersion}; use declareLegacyItem")
        if type(old).schemaVersion != oldVersion:
            raise StoreError(f"{old!r} is not at version {oldVersion}")
        if old._deleted:
            raise StoreError(f"{old!r} was already upgraded or deleted")
        info = self._typeInfo(newClass)
        sid = old._storeID
        new = self._buildUpgraded(newClass, attrs)
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
        self._changed(new)
        # activate() runs once the item is in the store, as on a load, so
        # it may use self.store and read references.
        if info.activates:
            new.activate()
        if info.upgradeTo is not None:
            # Still an old version (an upgrader called by hand, one step
            # of several): the rest of the chain runs before commit.
            self._txn.legacy.append(new)
        return new

    def _buildUpgraded(self, newClass, attrs):
        """The new version's item, unstored, holding C{attrs} (stored form)."""
        new = newClass.__new__(newClass)
        new._storeID = None
        new._store = None
        new._deleted = False
        v = new._v = list(newClass.__initialValues__)
        for i, factory in newClass.__factories__:
            v[i] = newClass.__attributes__[i].toDB(factory(), newClass)
        for name, value in attrs.items():
            if name not in newClass.__attributesByName__:
                raise AttributeError(f"{newClass.__name__} version "
                                     f"{newClass.schemaVersion} has no "
                                     f"persistent attribute {name!r}")
            setattr(new, name, value)
        for attr in newClass.__noneForbidden__:
            if v[attr.index] is None:
                raise StoreError(f"{newClass.__name__}.{attr.attrname}: None "
                                 f"is not allowed")
        for index in newClass.__referenceIndexes__:
            v[index] = newClass.__attributes__[index].storeIDIn(
                v[index], newClass, self)
        return new

    def _upgradeCreated(self, items):
        """Upgrade legacy-version items created while the store runs."""
        for item in items:
            if not item._deleted and item._storeID is not None:
                upgradeItem(item, self._infos[type(item)].upgradeTo)
