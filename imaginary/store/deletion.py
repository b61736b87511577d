"""
Deleting items from the Store, with Axiom's reference rules.

A mixin of imaginary.store.store.Store.  Deleting an item first collects
everything that goes with it (CASCADE references, its powerup connectors),
refuses the whole deletion if anything outside that set refers to a
victim with DISALLOW, then removes the rows and sets NULLIFY references
to None in memory and on disk.
"""

from .attributes import CASCADE, DISALLOW
from .errors import DeletionDisallowed, StoreError
from .powerups import _PowerupConnector


class Deletion:
    """Store methods: deleting items and applying whenDeleted rules."""

    def _referrersOf(self, typeName):
        """[(referrer info, column, rule)] for references that may point
        at items of typeName."""
        found = self._referrers.get(typeName)
        if found is None:
            found = []
            for (tn, version), (typeID, recs) in self._recorded.items():
                info = self._infosByID.get(typeID)
                if info is None:
                    continue
                for rec in recs:
                    name, kind, reftype, rule = rec[0], rec[1], rec[5], rec[6]
                    if kind == "reference" and reftype in (None, typeName):
                        found.append((info, name, rule))
            self._referrers[typeName] = found
        return found

    def _deleteItem(self, item):
        if item._deleted:
            raise StoreError(f"{item!r} was already deleted")
        if item._store is not self:
            raise StoreError(f"{item!r} belongs to another store")
        if self._txn is None:
            return self.transact(self._deleteItem, item)
        closure = {}
        self._collectCascade(item, closure)
        for victim in closure.values():
            for info, column, rule in self._referrersOf(type(victim).typeName):
                if rule != DISALLOW:
                    continue
                for (rid,) in self._execute(
                        f'SELECT oid FROM "{info.table}" WHERE "{column}" = ?',
                        (victim._storeID,)):
                    if rid not in closure:
                        raise DeletionDisallowed(
                            f"{victim!r} cannot be deleted: "
                            f"{info.cls.__name__}({rid}).{column} refers to "
                            f"it with whenDeleted=DISALLOW")
        for victim in closure.values():
            victim.deleted()
        for victim in closure.values():
            self._removeRow(victim, closure)
            if type(victim) is _PowerupConnector:
                self._powerups.forget(victim.item)

    def _collectCascade(self, item, closure):
        stack = [item]
        while stack:
            victim = stack.pop()
            sid = victim._storeID
            if sid in closure:
                continue
            closure[sid] = victim
            for info, column, rule in self._referrersOf(type(victim).typeName):
                if rule != CASCADE:
                    continue
                for row in self._execute(
                        f'SELECT * FROM "{info.table}" WHERE "{column}" = ?',
                        (sid,)).fetchall():
                    stack.append(self._loadRow(info, row))
            stack.extend(self._powerups.connectorsOf(sid))

    def _removeRow(self, victim, closure):
        self.generation += 1
        self._changed(victim)
        sid = victim._storeID
        self._touch(victim)
        info = self._infos[type(victim)]
        self._execute(info.deleteSQL, (sid,))
        self._execute("UPDATE imaginary_objects SET type_id = -1 WHERE oid = ?",
                      (sid,))
        for rinfo, column, rule in self._referrersOf(type(victim).typeName):
            if rule == CASCADE or rule == DISALLOW:
                continue
            index = rinfo.cls.__attributeNames__.index(column)
            for (rid,) in self._execute(
                    f'SELECT oid FROM "{rinfo.table}" WHERE "{column}" = ?',
                    (sid,)).fetchall():
                referrer = self._cache.get(rid)
                if referrer is not None:
                    self._touch(referrer)
                    referrer._v[index] = None
            self._execute(f'UPDATE "{rinfo.table}" SET "{column}" = NULL '
                          f'WHERE "{column}" = ?', (sid,))
        victim._deleted = True
        self._txn.dirty.pop(sid, None)
        self._cache.pop(sid, None)
