"""
The Store: one SQLite database holding Items.

Design notes
============

*Writes are deferred to a checkpoint.*  Creating or changing an item inside a
transaction only updates memory and marks the item dirty; the store writes
all dirty items (grouped per type, with C{executemany}; an UPDATE sets only
the columns that changed, so unchanged indexed columns cost nothing) at a
*checkpoint*: before any SQL read and at commit.  Queries therefore always
see the transaction's own changes, and bulk creation costs one batched
INSERT per type instead of one statement per item.

*Outside C{transact} every change commits at once* (autocommit): a set,
a creation or a deletion runs in its own small transaction.

*Rollback restores memory too.*  The first time a transaction touches an
item it keeps a copy of the item's values; on an exception the database
rolls back and every touched item gets its values back.  Items created in
the failed transaction become unstored again; items deleted in it come back.

*Identity map.*  Loaded items live in a weak-value cache keyed by storeID,
so while anything holds an item, loading its storeID gives that same object.

*Durability.*  WAL journal, C{synchronous=NORMAL} by default: a transaction
that returned is in the WAL file in the OS, so it survives C{kill -9} of the
process; a power loss or OS crash may lose the last transactions since the
WAL was last synced (the database stays consistent).  Pass
C{synchronous="FULL"} to sync every commit (about 3-5x fewer commits/s on
this machine kind).  The store takes an exclusive lock: one process owns it.
"""

import os
import sqlite3

from twisted.python.filepath import FilePath

from . import schema
from .schema import TypeInfo as _TypeInfo
from .errors import (
    ItemNotFound, NotAStore,
    QueryError, SchemaMismatch, StoreClosed, StoreError, StoreInUse,
    translated)
from .identity import IdentityMap, _KeyedRef
from .item import Item
from .powerups import (
    STORE_TARGET, PowerupIndex, StorePowerups, _PowerupConnector)
from .folder import openFolder
from .lookup import Lookups
from .query import SQLCache
from .transaction import Transactions
from .deletion import Deletion
from . import upgrade

_NOTHING = object()
# How big the WAL may grow before it is written back into db.sqlite and
# cut back (SQLite's default lets it reach 4 MB and keeps the file at its
# largest for good): the store then needs little room beyond its file.
WAL_LIMIT_BYTES = 1024 * 1024
_MAX_READY_SHAPES = 4096


class Store(Transactions, Deletion, upgrade.Upgrading, StorePowerups,
            Lookups):
    """
    An object database of Items on SQLite.

    @param path: a directory holding the store (created if missing), or
        None for a store in memory.
    @param synchronous: SQLite's synchronous setting, "NORMAL" or "FULL".
    """

    # A Store can be the target of a reference (Axiom apps point at what
    # is installed on the store): it is recorded as storeID -1, the id its
    # own powerups are kept under, and it is in itself.
    _storeID = STORE_TARGET
    _deleted = False

    @property
    def _store(self):
        return self

    def __init__(self, path=None, synchronous="NORMAL"):
        if synchronous not in ("NORMAL", "FULL"):
            raise StoreError(f"synchronous must be 'NORMAL' or 'FULL', not "
                             f"{synchronous!r}")
        if isinstance(path, FilePath):
            path = path.path
        self.path = None if path is None else os.path.abspath(path)
        self._syncSetting = synchronous
        self._conn = None
        self._cache = IdentityMap()
        self._txn = None
        self._infos = {}          # class -> _TypeInfo
        self._infosByID = {}      # type_id -> _TypeInfo
        self._recorded = {}       # (typeName, version) -> (type_id, records)
        self._referrers = {}      # typeName -> [(info, column, rule)]
        self._sql = SQLCache()
        # query shape -> prepared SQL, for shapes whose tables this store
        # has made sure of (query._run).  Forgotten when a rollback drops
        # tables and whenever an Item class is (re)defined.
        self._readyShapes = {}
        self._readyGeneration = None
        self._powerups = PowerupIndex(self)
        self._nextID = 1
        self._nextTypeID = 1
        # Goes up on every change to any item (and on rollback): caches of
        # values derived from the store compare it to know they are fresh.
        self.generation = 0
        # Caches of values derived from this store's items (a room's
        # observers, rendered sentences), named by their owners; they die
        # with the store and check self.generation for freshness.
        self.derivedCaches = {}
        # Finer: per item, a version that goes up when the item changes,
        # when an item referring to it changes (so a room's version moves
        # when something enters or leaves it, or its container powerup
        # closes), and when its powerups change.  Rollbacks move the epoch,
        # which makes every version stale.
        self.epoch = 0
        self._versions = {}
        self._inMemoryPowerups = {}   # interface -> object (inMemoryPowerUp)
        self._schedulers = set()
        self._lock = None
        conn = self._connect()
        try:
            self._loadSchema(conn)
        except BaseException:
            conn.close()
            self._unlock()
            raise
        self._conn = conn
        try:
            self._configure()
            self._runUpgrades()
        except BaseException:
            # A failed upgrade rolled back: close, so the store is not
            # left locked by an object the caller never received.
            self._conn, conn = None, self._conn
            if conn is not None:
                conn.close()
            self._unlock()
            raise

    @property
    def dbdir(self):
        """The store's directory as a FilePath (None in memory), as Axiom."""
        return None if self.path is None else FilePath(self.path)

    # -- opening -----------------------------------------------------------

    def _connect(self):
        if self.path is None:
            conn = sqlite3.connect(":memory:", isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            return conn
        conn, self._lock = openFolder(self.path)
        return conn

    def _loadSchema(self, conn):
        where = self.path or "the in-memory store"
        try:
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.OperationalError as e:
            if "locked" in str(e):
                raise StoreInUse(f"{where} is open in another process")
            raise NotAStore(f"{where} is damaged or not a database: {e}")
        except sqlite3.DatabaseError as e:
            raise NotAStore(f"{where} is damaged or not a database: {e}")
        if not tables:
            self._fresh = True
            return
        self._fresh = False
        if "imaginary_store" not in tables:
            raise NotAStore(f"{where} is an SQLite database but not an "
                            f"Imaginary store; refusing to touch it")
        try:
            fmt = conn.execute("SELECT value FROM imaginary_store WHERE "
                               "key='format'").fetchone()
            if fmt is None or fmt[0] != schema.FORMAT:
                raise NotAStore(f"{where} has store format {fmt!r}; this "
                                f"code reads {schema.FORMAT!r}")
            records = {}
            for row in conn.execute(
                    "SELECT type_id, name, kind, indexed, allowNone, "
                    "caseSensitive, reftype, whenDeleted FROM "
                    "imaginary_attributes ORDER BY type_id, position"):
                records.setdefault(row[0], []).append(tuple(row[1:]))
            typeRows = list(conn.execute(
                "SELECT type_id, typeName, version, module FROM "
                "imaginary_types"))
            maxID = conn.execute(
                "SELECT max(oid) FROM imaginary_objects").fetchone()[0]
            self._pendingUpgrades = []
            for typeID, typeName, version, module in typeRows:
                recs = records.get(typeID, [])
                self._recorded[(typeName, version)] = (typeID, recs)
                self._nextTypeID = max(self._nextTypeID, typeID + 1)
                current = schema.importTypeModule(typeName, module)
                if current is None:
                    current = schema.buildClass(typeName, version, recs)
                if current.schemaVersion == version:
                    if schema.classRecord(current) != recs:
                        raise SchemaMismatch(
                            f"type {typeName!r} version {version}: the "
                            f"class {current.__module__}.{current.__name__} "
                            f"has attributes {schema.classRecord(current)} "
                            f"but the store has {recs}; bump schemaVersion "
                            f"and register an upgrader")
                    self._registerInfo(current, typeID)
                elif self._holdsItemsOf(conn, typeID):
                    upgrade.checkUpgradePath(typeName, version,
                                             current.schemaVersion)
                    old = schema.buildClass(typeName, version, recs)
                    self._registerInfo(old, typeID)
                    self._pendingUpgrades.append((old, current))
                else:
                    old = schema.buildClass(typeName, version, recs)
                    self._registerInfo(old, typeID)
            self._nextID = (maxID or 0) + 1
        except sqlite3.DatabaseError as e:
            raise NotAStore(f"{where} is damaged: {e}")

    def _holdsItemsOf(self, conn, typeID):
        """
        Whether any item of a type is stored: asked only for old versions
        (the objects table has no index on type, so this is a scan, which
        opening a store must not pay for every current type).
        """
        return conn.execute(
            "SELECT 1 FROM imaginary_objects WHERE type_id = ? LIMIT 1",
            (typeID,)).fetchone() is not None

    def _configure(self):
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("COMMIT")
        except sqlite3.OperationalError as e:
            conn.close()
            raise StoreInUse(f"{self.path} is open in another process ({e})")
        if self.path is not None:
            self._executeRaw("PRAGMA journal_mode=WAL")
            self._limitWAL()
        self._executeRaw(f"PRAGMA synchronous={self._synchronous()}")
        if self._fresh:
            run = self._executeRaw
            try:
                run("BEGIN IMMEDIATE")
                for table in schema.metadata.sorted_tables:
                    run(self._sql.ddl(table))
                run("INSERT INTO imaginary_store VALUES ('format', ?)",
                    (schema.FORMAT,))
                run("COMMIT")
            except StoreError:
                conn.close()
                self._conn = None
                raise
            self._pendingUpgrades = []

    def _limitWAL(self):
        """
        Keep the WAL under WAL_LIMIT_BYTES: SQLite checkpoints (writes the
        WAL back into db.sqlite) once it holds that many bytes of pages,
        at a commit, and cuts the file back to the limit when it starts
        the WAL over (journal_size_limit); by default it would wait for
        1,000 pages and never give the file's space back.
        """
        pageSize = self._conn.execute("PRAGMA page_size").fetchone()[0]
        self._executeRaw(f"PRAGMA wal_autocheckpoint="
                         f"{max(1, WAL_LIMIT_BYTES // pageSize)}")
        self._executeRaw(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")

    def _rememberShape(self, shape, prepared):
        """Note that a query shape's tables are known to exist (query._run)."""
        from .item import classGeneration
        ready = self._readyShapes
        if (self._readyGeneration != classGeneration or
                len(ready) > _MAX_READY_SHAPES):
            ready.clear()
            self._readyGeneration = classGeneration
        ready[shape] = prepared

    def _synchronous(self):
        return self._syncSetting

    def _runUpgrades(self):
        if not self._pendingUpgrades:
            return
        pending, self._pendingUpgrades = self._pendingUpgrades, []

        def run():
            for old, current in pending:
                for item in list(self.query(old)):
                    upgrade.upgradeItem(item, current.schemaVersion)
        self.transact(run)

    # -- types and tables --------------------------------------------------

    def _registerInfo(self, cls, typeID):
        info = _TypeInfo(cls, typeID)
        self._infos[cls] = info
        self._infosByID[typeID] = info
        return info

    def _typeInfo(self, cls):
        """The _TypeInfo for cls, creating its table on first use."""
        info = self._infos.get(cls)
        if info is not None:
            return info
        if not (isinstance(cls, type) and issubclass(cls, Item)) or cls is Item:
            raise QueryError(f"{cls!r} is not an Item class")
        if self._conn is None:
            raise StoreClosed("the store is closed")
        key = (cls.typeName, cls.schemaVersion)
        recorded = self._recorded.get(key)
        if recorded is not None:
            # Another class object (a reload) for a recorded type.
            typeID, recs = recorded
            if schema.classRecord(cls) != recs:
                raise SchemaMismatch(
                    f"type {cls.typeName!r} version {cls.schemaVersion} "
                    f"changed its attributes without a new schemaVersion")
            old = self._infosByID.get(typeID)
            if old is not None:
                del self._infos[old.cls]
            return self._registerInfo(cls, typeID)
        typeID = self._nextTypeID
        self._nextTypeID += 1
        records = schema.classRecord(cls)

        def create():
            self._begin()
            run = self._executeRaw
            run(self._sql.ddl(cls.__table__))
            for index in cls.__table__.indexes:
                run(self._sql.ddl(index))
            run("INSERT INTO imaginary_types VALUES (?, ?, ?, ?)",
                (typeID, cls.typeName, cls.schemaVersion, cls.__module__))
            run("INSERT INTO imaginary_attributes VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(typeID, i) + r for i, r in enumerate(records)], many=True)
        self.transact(create)
        self._recorded[key] = (typeID, records)
        self._referrers.clear()
        if self._txn is not None:
            # A rollback must forget the type again: its table is gone.
            self._txn.newTypes.append((cls, key, typeID))
        return self._registerInfo(cls, typeID)

    def _executeRaw(self, sql, params=(), many=False):
        """
        Run SQL as it is (no checkpoint, no BEGIN), translating sqlite3
        errors: every statement the store sends goes through here or
        _execute, so no raw sqlite3 error reaches a caller.
        """
        try:
            if many:
                return self._conn.executemany(sql, params)
            return self._conn.execute(sql, params)
        except sqlite3.Error as e:
            raise translated(e, f"the database refused {sql[:200]!r}")

    def _execute(self, sql, params=()):
        """Run SQL after a checkpoint; translate sqlite3 errors."""
        if self._conn is None:
            raise StoreClosed("the store is closed")
        txn = self._txn
        if txn is not None:
            if txn.newItems or txn.dirty:
                self._checkpoint()
            if not txn.begun and not sql.startswith("SELECT"):
                self._begin()
        try:
            return self._conn.execute(sql, params)
        except sqlite3.Error as e:
            raise translated(e, f"the database refused {sql!r}")

    # -- items -------------------------------------------------------------

    def _addItem(self, item):
        txn = self._txn
        if txn is None:
            return self.transact(self._addItem, item)
        cls = type(item)
        v = item._v
        refs = cls.__referenceIndexes__
        # An unstored item holds its referents themselves; each must live
        # here (checked before anything changes, so a refusal leaves the
        # item unstored and intact).
        for index in refs:
            target = v[index]
            if target is not None and target._store is not self:
                cls.__attributes__[index].storeIDIn(target, cls, self)
        info = self._infos.get(cls) or self._typeInfo(cls)
        self.generation += 1
        sid = self._nextID
        self._nextID = sid + 1
        item._storeID = sid
        item._store = self
        txn.created[sid] = item
        # A new item has no cached views yet; only what it refers to
        # (the room it appears in, the thing it powers up) moves on.
        versions = self._versions
        for index in refs:
            target = v[index]
            if target is not None:
                target = v[index] = target._storeID
                versions[target] = versions.get(target, 0) + 1
        pending = txn.newItems.get(info)
        if pending is None:
            txn.newItems[info] = [item]
        else:
            pending.append(item)
        # IdentityMap.__setitem__, inlined: this runs once per new item.
        cache = self._cache
        ref = _KeyedRef(item, cache._remove)
        ref.key = sid
        cache._data[sid] = ref
        if info.onAdd:
            if cls is _PowerupConnector:
                self._bump(item.item)
            if info.storedHook:
                item.stored()
            if info.upgradeTo is not None:
                # An old version created at run time: upgraded at commit.
                txn.legacy.append(item)

    def versionOf(self, storeID):
        """(epoch, version) of an item, for caches derived from it."""
        return (self.epoch, self._versions.get(storeID, 0))

    def _bump(self, storeID):
        self._versions[storeID] = self._versions.get(storeID, 0) + 1

    def _changed(self, item):
        """An item changed: bump it and everything it refers to."""
        self._bump(item._storeID)
        v = item._v
        for index in type(item).__referenceIndexes__:
            if v[index] is not None:
                self._bump(v[index])
        if type(item) is _PowerupConnector:
            self._bump(item.item)

    def _setAttribute(self, item, index, dbValue):
        if item._deleted:
            raise StoreError(f"{item!r} has been deleted")
        if item._store is not self:
            raise StoreError(f"{item!r} belongs to another store")
        if self._txn is None:
            return self.transact(self._setAttribute, item, index, dbValue)
        self.generation += 1
        self._changed(item)
        if index in type(item).__referenceIndexes__:
            old = item._v[index]
            if old is not None:
                self._bump(old)
            if dbValue is not None:
                self._bump(dbValue)
        self._touch(item)
        item._v[index] = dbValue
        sid = item._storeID
        txn = self._txn
        if sid not in txn.created or sid < txn.insertedBelow:
            entry = txn.dirty.get(sid)
            if entry is None or entry[0] is not item:
                txn.dirty[sid] = (item, {index})
            else:
                entry[1].add(index)

    def _loadRow(self, info, row):
        sid = row[0]
        item = self._cache.get(sid)
        if item is not None:
            return item
        cls = info.cls
        item = cls.__new__(cls)
        item._v = list(row[1:])
        item._storeID = sid
        item._store = self
        item._deleted = False
        self._cache[sid] = item
        if info.activates:
            item.activate()
        return item

    def _loadRows(self, info, rows):
        """
        _loadRow for every row of a query, with the identity map's get
        and set inlined: loading a whole table is the second hot path.
        """
        cls = info.cls
        new = cls.__new__
        activates = info.activates
        cache = self._cache
        data = cache._data
        remove = cache._remove
        out = []
        append = out.append
        for row in rows:
            sid = row[0]
            ref = data.get(sid)
            if ref is not None:
                item = ref()
                if item is not None:
                    append(item)
                    continue
            item = new(cls)
            item._v = list(row[1:])
            item._storeID = sid
            item._store = self
            item._deleted = False
            ref = _KeyedRef(item, remove)
            ref.key = sid
            data[sid] = ref
            if activates:
                item.activate()
            append(item)
        return out

    def getItemByID(self, storeID, default=_NOTHING):
        """
        The item with this storeID (the same object while it is alive), or
        C{default}; without a default, ItemNotFound.
        """
        item = self._cache.get(storeID)
        if item is not None:
            return item
        if type(storeID) is not int:
            raise QueryError(f"a storeID is an int, not {storeID!r}")
        if storeID == STORE_TARGET:
            return self
        row = self._execute("SELECT type_id FROM imaginary_objects WHERE "
                            "oid = ?", (storeID,)).fetchone()
        if row is None or row[0] == -1:
            if default is not _NOTHING:
                return default
            why = "was deleted" if row else "does not exist"
            raise ItemNotFound(f"item {storeID} {why}")
        info = self._infosByID[row[0]]
        row = self._execute(info.loadSQL, (storeID,)).fetchone()
        return self._loadRow(info, row)

    def _referent(self, storeID):
        item = self._cache.get(storeID)
        if item is not None:
            return item
        return self.getItemByID(storeID, None)

    # -- closing -----------------------------------------------------------

    def close(self):
        """Close the store: a later use raises StoreClosed."""
        if self._conn is None:
            return
        if self._txn is not None:
            raise StoreError("cannot close the store inside a transaction")
        for scheduler in list(self._schedulers):
            scheduler.stopService()
        conn, self._conn = self._conn, None
        if self.path is not None:
            # Write the WAL back and empty it, so the folder left behind is
            # db.sqlite alone, whole (SQLite does this at close too, but
            # leaves the WAL in place if anything stops it then).
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass        # the WAL stays, and is replayed on opening
        conn.close()
        self._unlock()

    def _unlock(self):
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __repr__(self):
        return f"<Store {self.path or ':memory:'}>"

