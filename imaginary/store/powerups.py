"""
Powerups: adaptation of Items (and the Store) through installed items.

C{thing.powerUp(container, IContainer)} records a connector item; after
that C{IContainer(thing)} finds C{container} through C{__conform__}.
Simulation code adapts things through powerups many times per command, so
every (target, interface) lookup is answered from memory after the first
SQL query.  The memory index is kept exact: install and removal replace the
affected entry, and deleting any item or rolling back a transaction drops
the whole index (both are rare next to lookups).
"""

from twisted.python.reflect import namedAny
from zope.interface import Interface

from .attributes import CASCADE, compoundIndex, integer, reference, text
from .errors import PowerupNotInstalled, StoreError
from .item import Empowered, Indirect, Item

STORE_TARGET = -1


class IPowerupIndirector(Interface):
    """
    A powerup that stands for another object: adapting its target (or
    powerupsFor) yields C{indirect(interface)} instead of the powerup.
    """

    def indirect(interface):
        """The object that serves C{interface} for this powerup."""


class _PowerupConnector(Item):
    """One installed powerup: target, interface, powerup, priority."""

    typeName = "imaginary_powerup_connector"
    schemaVersion = 1

    item = integer(indexed=False, allowNone=False,
                   doc="storeID of the target; -1 for the store itself")
    interface = text(caseSensitive=True, allowNone=False)
    powerup = reference(whenDeleted=CASCADE, allowNone=False)
    priority = integer(default=0, allowNone=False)
    compoundIndex(item, interface)


def interfaceName(interface):
    """The name under which an interface is recorded."""
    return interface.__identifier__


class PowerupIndex:
    """The store's memory of which powerups serve which target/interface."""

    def __init__(self, store):
        self.store = store
        # targetID -> {interface name: (powerup, ...)}: every connector of
        # a target is loaded by one query the first time it is adapted.
        self._byTarget = {}
        self._loadSQL = None

    def clear(self):
        """Forget everything (it is reloaded on demand)."""
        self._byTarget.clear()

    def forget(self, targetID):
        """Forget one target's powerups (after its connectors changed)."""
        self._byTarget.pop(targetID, None)

    def _table(self):
        return self.store._infos.get(_PowerupConnector)

    def lookup(self, targetID, interface):
        """The powerups installed on C{targetID} for C{interface}, highest
        priority first.
        """
        found = self._byTarget.get(targetID)
        if found is None:
            found = self._load(targetID)
        return found.get(interface.__identifier__, ())

    def _load(self, targetID):
        info = self._table()
        found = {}
        if info is not None:
            if self._loadSQL is None:
                self._loadSQL = (
                    f'SELECT interface, powerup FROM "{info.table}" WHERE '
                    f'item = ? ORDER BY priority DESC, oid ASC')
            rows = self.store._execute(self._loadSQL, (targetID,)).fetchall()
            lists = {}
            for name, pid in rows:
                powerup = self.store.getItemByID(pid, None)
                if powerup is not None:
                    if IPowerupIndirector.providedBy(powerup):
                        # Resolved on each adaptation (Empowered).
                        powerup = Indirect(powerup)
                    lists.setdefault(name, []).append(powerup)
            found = {name: tuple(ps) for name, ps in lists.items()}
        self._byTarget[targetID] = found
        return found

    def _connectors(self, targetID, interface=None, powerup=None):
        from .comparison import AND
        if self._table() is None:
            return []
        conditions = [_PowerupConnector.item == targetID]
        if interface is not None:
            conditions.append(
                _PowerupConnector.interface == interfaceName(interface))
        if powerup is not None:
            conditions.append(_PowerupConnector.powerup == powerup)
        return list(self.store.query(_PowerupConnector, AND(*conditions)))

    def install(self, targetID, powerup, interface, priority):
        """Record C{powerup} as installed on C{targetID} for C{interface} at
        C{priority}.
        """
        store = self.store
        if not isinstance(powerup, Item) or powerup.store is not store:
            raise StoreError(f"a powerup must be an Item in the same store, "
                             f"not {powerup!r}")
        if type(priority) is not int:
            raise StoreError(f"priority must be an int, not {priority!r}")

        def install():
            """Record C{powerup} as installed on C{targetID} for
            C{interface} at C{priority}.
            """
            existing = self._connectors(targetID, interface, powerup)
            if existing:
                existing[0].priority = priority
            else:
                _PowerupConnector(store=store, item=targetID,
                                  interface=interfaceName(interface),
                                  powerup=powerup, priority=priority)
            self.forget(targetID)
        store.transact(install)

    def remove(self, targetID, powerup, interface):
        """Forget C{powerup} as installed on C{targetID} for C{interface}."""
        store = self.store

        def remove():
            """Forget C{powerup} as installed on C{targetID} for
            C{interface}.
            """
            existing = self._connectors(targetID, interface, powerup)
            if not existing:
                raise PowerupNotInstalled(
                    f"{powerup!r} is not installed for "
                    f"{interfaceName(interface)} on "
                    f"{'the store' if targetID == STORE_TARGET else targetID}")
            for connector in existing:
                connector.deleteFromStore()
            self.forget(targetID)
        store.transact(remove)

    def interfacesFor(self, targetID, powerup):
        """The interfaces C{powerup} is installed on C{targetID} for."""
        names = [c.interface for c in self._connectors(targetID, None, powerup)]
        return [namedAny(n) for n in names]

    def connectorsOf(self, targetID):
        """Connectors whose target is targetID (deleted with the target)."""
        return self._connectors(targetID)


class StorePowerups(Empowered):
    """
    The Store's side of powerups (a mixin of Store): the store itself is
    an Empowered target (its powerups are kept under target id -1), and
    it alone may also hold in-memory powerups, run-time services that are
    never saved.
    """

    def _powerupTarget(self):
        return (self, -1)

    def _powerUp(self, targetID, powerup, interface, priority):
        self._powerups.install(targetID, powerup, interface, priority)

    def _powerDown(self, targetID, powerup, interface):
        self._powerups.remove(targetID, powerup, interface)

    def _powerupsFor(self, targetID, interface):
        return self._powerups.lookup(targetID, interface)

    def _interfacesFor(self, targetID, powerup):
        return self._powerups.interfacesFor(targetID, powerup)

    def inMemoryPowerUp(self, powerup, interface):
        """
        Install any object (an Item or not) as this store's powerup for
        C{interface}, for as long as this Store object lives: it is never
        saved, and it comes before the persistent powerups for that
        interface, in adaptation (C{interface(store)}) and in
        C{powerupsFor}.  This is how whoever opens a store gives it
        run-time services (the verbs that NPC minds act through).
        Installing again replaces it; C{None} removes it.
        """
        if powerup is None:
            self._inMemoryPowerups.pop(interface, None)
        else:
            self._inMemoryPowerups[interface] = powerup

    def __conform__(self, interface):
        # Only the Store overrides this: item adaptation, the hot path,
        # never pays for the in-memory lookup.
        found = self._inMemoryPowerups.get(interface)
        if found is not None:
            return found
        return Empowered.__conform__(self, interface)

    def powerupsFor(self, interface):
        """The powerups for C{interface}: in-memory first, then by priority."""
        found = self._inMemoryPowerups.get(interface)
        if found is not None:
            yield found
        yield from Empowered.powerupsFor(self, interface)

    def _conformFallback(self, obj, interface):
        if obj is self:
            from twisted.application.service import IService
            from .scheduler import IScheduler, Scheduler
            if interface is IScheduler:
                return self.transact(Scheduler.installOn, self)
            if interface is IService:
                # The store's service is its scheduler (see Scheduler).
                return IScheduler(self)
        return None

