"""
Transactions of the Store: deferred writes, checkpoints, rollback.

A mixin of imaginary.store.store.Store (its design notes explain the
model).  Inside C{transact} changes live in memory and in the
C{_Transaction} record; a checkpoint (before any SQL read, and at commit)
writes them in batches; an exception rolls back the database and restores
every touched item's values.  SQLite's own transaction is opened only by
the first write, so a command that only looks and talks costs no SQL at all.
"""

import sqlite3

from .errors import StoreClosed, StoreError, translated
from .item import Item
from .powerups import _PowerupConnector


class _Transaction:
    __slots__ = ("touched", "created", "insertedBelow", "newItems", "dirty",
                 "newTypes", "begun", "legacy", "toNotify")

    def __init__(self):
        # storeID -> (item, snapshot of its values): items that existed
        # before this transaction and that it changed or deleted.
        self.touched = {}
        # storeID -> item: items created in this transaction.  (Kept apart
        # from touched so a bulk creation allocates no tuple per item.)
        self.created = {}
        # Created items with a smaller storeID were INSERTed by a
        # checkpoint (which writes every pending new item, and storeIDs
        # only grow): later changes to them must be written as UPDATEs.
        self.insertedBelow = 0
        self.newItems = {}   # _TypeInfo -> [items] awaiting INSERT
        # storeID -> (item, set of changed value indexes) awaiting UPDATE
        self.dirty = {}
        self.newTypes = []   # (class, (typeName, version), type_id)
        # Whether BEGIN was sent: a transaction that writes nothing (most
        # commands only look and talk) never opens one in SQLite at all.
        self.begun = False
        # Items of an old schemaVersion created in this transaction, to be
        # upgraded before it commits.
        self.legacy = []
        # Created items whose class has a committed() hook (gathered per
        # type at checkpoints, so bulk creation pays nothing per item).
        self.toNotify = []


class Transactions:
    """Store methods: transact and what keeps memory and disk in step."""

    def transact(self, f, *a, **kw):
        """
        Run C{f(*a, **kw)} in a transaction and return its result.  On an
        exception the database and the touched items roll back and the
        exception propagates.  A call inside a transaction joins it.
        """
        if self._txn is not None:
            return f(*a, **kw)
        if self._conn is None:
            raise StoreClosed("the store is closed")
        txn = self._txn = _Transaction()
        try:
            result = f(*a, **kw)
            while txn.legacy:
                legacy, txn.legacy = txn.legacy, []
                self._upgradeCreated(legacy)
            if txn.newItems or txn.dirty:
                self._checkpoint()      # (most commands wrote nothing)
        except BaseException:
            self._txn = None
            self._rollback(txn)
            raise
        self._txn = None
        if txn.begun:
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as e:
                self._rollback(txn)
                raise translated(e, "commit failed")
        if txn.toNotify or txn.touched:
            self._notifyCommitted(txn)
        return result

    def _notifyCommitted(self, txn):
        """Call committed() on what the committed transaction changed."""
        items = txn.toNotify + [
            item for item, _ in txn.touched.values()
            if self._infos[type(item)].committedHook]
        for item in items:
            if not item._deleted and item._store is self:
                item.committed()

    def checkpoint(self):
        """
        Write the current transaction's pending changes to the database
        now (they are written anyway before any query and at commit).
        """
        self._checkpoint()

    def _touchItem(self, item):
        if self._txn is None:
            return self.transact(self._touchItem, item)
        self._touch(item)

    def batchInsert(self, itemClass, attributes, rows):
        """
        Insert one item of C{itemClass} per row, the row's values going to
        C{attributes} (in order), without building item objects (Axiom's
        C{batchInsert}).  Values are checked as on creation; defaults fill
        the other attributes.
        """
        names = []
        for attr in attributes:
            if getattr(attr, "ownerClass", None) is not itemClass or \
                    attr.kind == "storeID":
                raise StoreError(f"batchInsert: {attr!r} is not an "
                                 f"attribute of {itemClass.__name__}")
            names.append(attr)
        if itemClass.__factories__ or itemClass.stored is not Item.stored \
                or itemClass.activate is not Item.activate:
            # Hooks and per-item defaults need the objects.
            def each():
                for row in rows:
                    itemClass(store=self, **{a.attrname: v
                                             for a, v in zip(names, row)})
            return self.transact(each)
        return self.transact(self._batchInsert, itemClass, names, rows)

    def _batchInsert(self, itemClass, attributes, rows):
        info = self._typeInfo(itemClass)
        records = []
        for row in rows:
            if len(row) != len(attributes):
                raise StoreError(f"batchInsert: row {row!r} does not have "
                                 f"{len(attributes)} values")
            v = list(itemClass.__initialValues__)
            for attr, value in zip(attributes, row):
                value = attr.toDB(value, itemClass)
                if attr.kind == "reference":
                    value = attr.storeIDIn(value, itemClass, self)
                v[attr.index] = value
            for attr in itemClass.__noneForbidden__:
                if v[attr.index] is None:
                    raise StoreError(f"batchInsert: {itemClass.__name__}."
                                     f"{attr.attrname} may not be None")
            records.append(v)
        self._checkpoint()
        self._begin()
        first = self._nextID
        self._nextID += len(records)
        self.generation += 1
        self._executeRaw("INSERT INTO imaginary_objects VALUES (?, ?)",
                         [(first + i, info.typeID)
                          for i in range(len(records))], many=True)
        self._executeRaw(info.insertSQL,
                         [[first + i] + v for i, v in enumerate(records)],
                         many=True)

    def _begin(self):
        """Open the SQLite transaction before the current one's first write.

        Reads before it need none: one process owns the store (exclusive
        lock), so nothing can change between them and the first write.
        """
        txn = self._txn
        if txn is not None and not txn.begun:
            self._executeRaw("BEGIN IMMEDIATE")
            txn.begun = True

    def _rollback(self, txn):
        self.generation += 1
        if txn.newTypes:
            self.epoch += 1
        if txn.begun:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        # Versions move for what the transaction touched, before and after
        # the values are restored, so caches built on either go stale.
        for sid, (item, snapshot) in txn.touched.items():
            self._changed(item)
            item._v[:] = snapshot
            self._changed(item)
            if item._deleted:
                item._deleted = False
                self._cache[sid] = item
        # Items created here become unstored again, and an unstored item
        # holds its referents as objects: resolve them while every item of
        # the transaction is still in the identity map.
        for item in txn.created.values():
            v = item._v
            for index in type(item).__referenceIndexes__:
                if type(v[index]) is int:
                    v[index] = self._referent(v[index])
        for item in txn.created.values():
            if item._storeID is not None:
                self._changed(item)
            if self._cache.get(item._storeID) is item:
                del self._cache[item._storeID]
            item._storeID = None
            item._store = None
            item._deleted = False
        if txn.newTypes:
            self._readyShapes.clear()
        for cls, key, typeID in txn.newTypes:
            self._infos.pop(cls, None)
            self._infosByID.pop(typeID, None)
            self._recorded.pop(key, None)
        self._referrers.clear()
        # Only targets whose connectors the transaction touched can differ.
        for item in list(txn.created.values()) + [
                t[0] for t in txn.touched.values()]:
            if type(item) is _PowerupConnector:
                self._powerups.forget(item.item)

    def _touch(self, item):
        txn = self._txn
        sid = item._storeID
        if sid not in txn.touched and sid not in txn.created:
            txn.touched[sid] = (item, list(item._v))

    def _checkpoint(self):
        txn = self._txn
        if txn is None:
            return
        try:
            self._writePending(txn)
        except sqlite3.Error as e:
            raise translated(e, "the database refused the transaction's "
                                "writes")

    def _writePending(self, txn):
        """Write the transaction's new and changed items (a checkpoint)."""
        # (Most commands write nothing; the writing is apart, so they do
        # not pay for the cells its generators close over.)
        if txn.newItems or txn.dirty:
            self._begin()
            self._write(txn)

    def _write(self, txn):
        conn = self._conn
        if txn.newItems:
            # Rows are fed to executemany from generators: each row dies
            # as soon as it is written, instead of a list of them all
            # living (and being scanned by the cyclic GC) until the end.
            new, txn.newItems = txn.newItems, {}
            txn.insertedBelow = self._nextID
            for info, items in new.items():
                typeID = info.typeID
                conn.executemany("INSERT INTO imaginary_objects VALUES (?, ?)",
                                 ((i._storeID, typeID) for i in items))
            for info, items in new.items():
                conn.executemany(info.insertSQL,
                                 ([i._storeID] + i._v for i in items))
                if info.committedHook:
                    txn.toNotify.extend(items)
        if txn.dirty:
            # Only the columns that changed are written: rewriting every
            # column makes SQLite update every index of the row too.
            dirty, txn.dirty = txn.dirty, {}
            groups = {}
            for item, changed in dirty.values():
                if not item._deleted:
                    key = (type(item), tuple(sorted(changed)))
                    group = groups.get(key)
                    if group is None:
                        groups[key] = [item]
                    else:
                        group.append(item)
            for (cls, indexes), items in groups.items():
                sql = self._infos[cls].updateSQLFor(indexes)
                conn.executemany(sql, [[i._v[x] for x in indexes] +
                                       [i._storeID] for i in items])
