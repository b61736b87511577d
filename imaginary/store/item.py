"""
Items: the persistent objects of a store.

C{class Lamp(Item)} declares a type.  The metaclass gathers its attributes
in definition order, gives each a slot in the item's value list, turns
C{inmemory} attributes into real C{__slots__} (so undeclared attributes
cannot be assigned at all), builds the SQLAlchemy table for the type and
registers it by C{(typeName, schemaVersion)}.

An item is in one of three conditions: *unstored* (C{store} is None, values
live only in memory), *stored* (it has a storeID and its store tracks every
change) or *deleted*.
"""

import functools
import re
import weakref

import sqlalchemy as sa

from . import construct
from .attributes import SQLAttribute, StoreIDAttribute, inmemory
from .errors import (
    ConstraintError, DuplicateTypeName, NoInheritance, StoreError)

# (typeName, version) -> class.  Current classes and legacy declarations.
_typeRegistry = {}
# typeName -> the current (newest) class.
_currentTypes = {}
# Counts Item class definitions (reloads included); stores compare it to
# know when what they learned about classes may be stale.
classGeneration = 0

_FORBIDDEN_NAMES = frozenset(["oid", "storeID", "store"])


def _defaultTypeName(cls):
    name = f"{cls.__module__}_{cls.__qualname__}".lower()
    return re.sub(r"[^a-z0-9_]", "_", name)


def _tableName(typeName, version):
    return "item_" + re.sub(r"[^a-z0-9_]", "_", typeName.lower()) + f"_v{version}"


def typeForName(typeName, version=None):
    """The class registered for a typeName (and version), or None."""
    if version is None:
        return _currentTypes.get(typeName)
    return _typeRegistry.get((typeName, version))


def _sameDefinition(a, b):
    return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


_NO_DEFAULT = object()
_DEFAULTED_PREFIX = "_inmemory_"


def _baseDefault(bases, key):
    """The class-level value a base (not Item itself) gives C{key}."""
    for base in bases:
        for klass in base.__mro__:
            if klass.__dict__.get("__isItemBase__") or klass is object:
                continue
            if key in klass.__dict__:
                return klass.__dict__[key]
    return _NO_DEFAULT


class _DefaultedSlot:
    """An inmemory slot that reads as a base class's value until set."""

    __slots__ = ("slot", "default")

    def __init__(self, slot, default):
        self.slot = slot
        self.default = default

    def __get__(self, inst, owner=None):
        if inst is None:
            return self.default
        try:
            return self.slot.__get__(inst, owner)
        except AttributeError:
            default = self.default
            # A method default reads bound, as it would without the slot.
            if hasattr(default, "__get__"):
                return default.__get__(inst, owner)
            return default

    def __set__(self, inst, value):
        self.slot.__set__(inst, value)

    def __delete__(self, inst):
        self.slot.__delete__(inst)


class MetaItem(type):
    """Registers Item classes and lays out their storage."""

    def __init__(cls, name, bases, ns, legacy=False, **kw):
        type.__init__(cls, name, bases, ns, **kw)

    def __new__(mcls, name, bases, ns, legacy=False, **kw):
        if ns.get("__isItemBase__"):
            return type.__new__(mcls, name, bases, ns)
        for base in bases:
            if isinstance(base, MetaItem) and not base.__dict__.get(
                    "__isItemBase__"):
                raise NoInheritance(
                    f"{name} subclasses the Item class {base.__name__}; "
                    f"Item classes cannot be subclassed (compose with "
                    f"powerups instead)")
        attrs = []
        slots = list(ns.get("__slots__", ()))
        inmemoryNames = []
        defaulted = {}
        for key, value in list(ns.items()):
            if isinstance(value, SQLAttribute):
                if key in _FORBIDDEN_NAMES:
                    raise StoreError(f"{name}.{key}: the name {key!r} is "
                                     f"reserved by the store")
                attrs.append(value)
            elif isinstance(value, inmemory):
                del ns[key]
                inmemoryNames.append(key)
                default = _baseDefault(bases, key)
                if default is _NO_DEFAULT:
                    slots.append(key)
                else:
                    # A base or mixin gives a class-level value: it is what
                    # the attribute reads until set (as in Axiom).  Only
                    # then does the slot need a wrapper.
                    slots.append(_DEFAULTED_PREFIX + key)
                    defaulted[key] = default
        ns["__slots__"] = tuple(slots)
        compound = ns.pop("__compoundIndexes__", [])
        cls = type.__new__(mcls, name, bases, ns)
        for key, default in defaulted.items():
            slot = cls.__dict__[_DEFAULTED_PREFIX + key]
            type.__setattr__(cls, key, _DefaultedSlot(slot, default))
        cls.__attributes__ = tuple(attrs)
        cls.__attributeNames__ = tuple(a.attrname for a in attrs)
        cls.__attributesByName__ = {a.attrname: a for a in attrs}
        cls.__inmemory__ = tuple(inmemoryNames)
        for i, a in enumerate(attrs):
            a.index = i
            a.ownerClass = cls
        if "typeName" not in ns:
            cls.typeName = _defaultTypeName(cls)
        if "schemaVersion" not in ns:
            cls.schemaVersion = 1
        cls.storeID = StoreIDAttribute(cls)
        cls.__legacy__ = legacy
        cls.__tableName__ = _tableName(cls.typeName, cls.schemaVersion)
        metadata = sa.MetaData()
        columns = [sa.Column("oid", sa.Integer, primary_key=True,
                             autoincrement=False)]
        columns += [sa.Column(a.attrname, a.sqlType()) for a in attrs]
        table = sa.Table(cls.__tableName__, metadata, *columns)
        for a in attrs:
            if a.indexed:
                sa.Index(f"{cls.__tableName__}_{a.attrname}", table.c[a.attrname])
        for ci in compound:
            names = [a.attrname for a in ci.attrs]
            sa.Index(f"{cls.__tableName__}_{'_'.join(names)}",
                     *[table.c[n] for n in names])
        cls.__table__ = table
        cls.__initialValues__ = [a.initialValue() for a in attrs]
        cls.__factories__ = [(a.index, a.defaultFactory) for a in attrs
                             if a.defaultFactory is not None]
        cls.__noneForbidden__ = tuple(a for a in attrs if not a.allowNone)
        cls.__referenceIndexes__ = tuple(a.index for a in attrs
                                         if a.kind == "reference")
        if construct.canGenerate(cls, bases):
            cls.__init__ = construct.generateInit(cls, Item)
        key = (cls.typeName, cls.schemaVersion)
        previous = _typeRegistry.get(key)
        if previous is not None and not _sameDefinition(previous, cls):
            raise DuplicateTypeName(
                f"typeName {cls.typeName!r} version {cls.schemaVersion} is "
                f"declared by both {previous.__module__}.{previous.__qualname__}"
                f" and {cls.__module__}.{cls.__qualname__}")
        # A class with the same module and name replaces the old one: that is
        # a module reload, which live plugin reloading relies on.
        _typeRegistry[key] = cls
        global classGeneration
        classGeneration += 1
        if not legacy:
            current = _currentTypes.get(cls.typeName)
            if current is None or current.schemaVersion <= cls.schemaVersion:
                _currentTypes[cls.typeName] = cls
        return cls


# Items' in-memory powerups: item -> {interface: object}.  Held weakly, so
# they live as long as the item object; _anyInMemory keeps adaptation,
# the hot path, to one global test until the feature is first used.
_inMemory = weakref.WeakKeyDictionary()
_anyInMemory = False


class Indirect:
    """
    A powerup that provides IPowerupIndirector, as found in the powerup
    index: adaptation answers C{powerup.indirect(interface)} instead.
    """

    __slots__ = ("powerup",)

    def __init__(self, powerup):
        self.powerup = powerup


def _resolve(found, interface):
    return (found.powerup.indirect(interface) if type(found) is Indirect
            else found)


def declaredInterfaces(powerup, priority=0):
    """
    The (interface, priority) pairs C{powerup} is installed for when
    powerUp names no interface: its class's C{powerupInterfaces}
    (interfaces, or (interface, priority) pairs), passed through its
    C{__getPowerupInterfaces__(pairs)} if it has one (as in Axiom).
    """
    pairs = [e if isinstance(e, tuple) else (e, priority)
             for e in getattr(type(powerup), "powerupInterfaces", None) or ()]
    hook = getattr(powerup, "__getPowerupInterfaces__", None)
    if hook is not None:
        try:
            pairs = [(iface, prio) for iface, prio in hook(pairs)]
        except (TypeError, ValueError):
            raise StoreError(f"{powerup!r}.__getPowerupInterfaces__ must "
                             f"return (interface, priority) pairs")
    if not pairs:
        raise StoreError(
            f"powerUp/powerDown of {powerup!r} names no interface and "
            f"{type(powerup).__name__} declares no powerupInterfaces")
    return pairs


class Empowered:
    """Powerup methods shared by Items and the Store."""

    __slots__ = ()

    def _powerupTarget(self):
        raise NotImplementedError()

    def powerUp(self, powerup, interface=None, priority=0):
        """
        Install C{powerup} so that adapting this object to C{interface}
        finds it.  With no interface, the powerup's class-level
        C{powerupInterfaces} (interfaces or (interface, priority) pairs,
        or what its C{__getPowerupInterfaces__} makes of them) are used.
        Installing again only changes the priority.
        """
        store, targetID = self._powerupTarget()
        if interface is None:
            for iface, prio in declaredInterfaces(powerup, priority):
                store._powerUp(targetID, powerup, iface, prio)
        else:
            store._powerUp(targetID, powerup, interface, priority)

    def powerDown(self, powerup, interface=None):
        """Remove a powerup installed with powerUp (ValueError if absent)."""
        store, targetID = self._powerupTarget()
        if interface is None:
            ifaces = [i for i, _ in declaredInterfaces(powerup)]
        else:
            ifaces = [interface]
        for iface in ifaces:
            store._powerDown(targetID, powerup, iface)

    def inMemoryPowerUp(self, powerup, interface):
        """
        Make any object this item's powerup for C{interface}, for as long
        as this item object lives: never saved, found before the
        persistent powerups.  C{None} removes it.
        """
        global _anyInMemory
        mine = _inMemory.get(self)
        if powerup is None:
            if mine:
                mine.pop(interface, None)
            return
        if mine is None:
            mine = _inMemory[self] = {}
        mine[interface] = powerup
        _anyInMemory = True

    def powerupsFor(self, interface):
        """The powerups installed for C{interface}, highest priority first."""
        if _anyInMemory:
            found = _inMemory.get(self, {}).get(interface)
            if found is not None:
                yield found
        store, targetID = self._powerupTarget()
        if store is None:
            # An unstored item has no connectors (as in Axiom: nothing).
            return
        for found in store._powerupsFor(targetID, interface):
            yield _resolve(found, interface)

    def interfacesFor(self, powerup):
        """The interfaces C{powerup} is installed for on this object."""
        store, targetID = self._powerupTarget()
        if store is None:
            return []
        return store._interfacesFor(targetID, powerup)

    def __conform__(self, interface):
        if _anyInMemory:
            found = _inMemory.get(self, {}).get(interface)
            if found is not None:
                return found
        store, targetID = self._powerupTarget()
        if store is None:
            return None
        found = store._powerupsFor(targetID, interface)
        if found:
            found = found[0]
            return (found.powerup.indirect(interface)
                    if type(found) is Indirect else found)
        return store._conformFallback(self, interface)


def transacted(method):
    """
    Decorate an Item method to run in a transaction of the item's store
    (Axiom's C{axiom.item.transacted}); on an unstored item it just runs.
    """
    @functools.wraps(method)
    def inTransaction(self, *args, **kw):
        store = self.store
        if store is None:
            return method(self, *args, **kw)
        return store.transact(method, self, *args, **kw)
    return inTransaction


def empowerment(interface, priority=0):
    """
    Class decorator adding C{(interface, priority)} to the class's
    C{powerupInterfaces} (Axiom's C{axiom.item.empowerment}).
    """
    def declare(cls):
        declared = tuple(cls.__dict__.get("powerupInterfaces", ()))
        cls.powerupInterfaces = declared + ((interface, priority),)
        return cls
    return declare


class Item(Empowered, metaclass=MetaItem):
    """
    Base class of persistent objects.  Subclass it directly, declare
    attributes as class attributes, and create instances with
    C{Lamp(store=s, name="lamp")}.

    Hooks a subclass may define: C{activate()} (after creation and after
    every load from the database), C{stored()} (once, when first added to a
    store), C{deleted()} (when deleted from its store).
    """

    __isItemBase__ = True
    __slots__ = ("__weakref__", "_v", "_storeID", "_store", "_deleted")
    __attributes__ = ()
    __attributesByName__ = {}
    schemaVersion = 1

    def __init__(self, store=None, **kw):
        cls = type(self)
        self._storeID = None
        self._store = None
        self._deleted = False
        v = self._v = list(cls.__initialValues__)
        for i, factory in cls.__factories__:
            attr = cls.__attributes__[i]
            v[i] = attr.toDB(factory(), cls)
        byName = cls.__attributesByName__
        extra = None
        for name, value in kw.items():
            attr = byName.get(name)
            if attr is None:
                extra = extra or {}
                extra[name] = value
                continue
            v[attr.index] = attr.toDB(value, cls)
        if extra:
            self._setInMemory(extra)
        if cls.activate is not Item.activate:
            self.activate()
        if store is not None and self._storeID is None:
            # The store setter, inlined (the hot path of bulk creation).
            for attr in cls.__noneForbidden__:
                if v[attr.index] is None:
                    raise ConstraintError(cls, attr.attrname, None,
                                          "None is not allowed")
            store._addItem(self)
        elif store is not None:
            self.store = store      # activate() stored it: the setter decides

    def _setInMemory(self, values):
        """Axiom's Item(**kw) sets inmemory attributes too."""
        cls = type(self)
        for name, value in values.items():
            if name not in cls.__inmemory__:
                raise AttributeError(
                    f"{cls.__name__} has no persistent attribute {name!r}"
                    f" (nor an inmemory one)")
            setattr(self, name, value)

    @property
    def store(self):
        """The Store this item lives in, or None."""
        return self._store

    @store.setter
    def store(self, store):
        """Put a new item in C{store} (once stored, an item can't move to
        another store).
        """
        if self._storeID is not None:
            if store is self._store:
                return
            raise StoreError(f"{self!r} is already in a store; an item's "
                             f"store cannot change")
        if store is None:
            return
        for attr in type(self).__noneForbidden__:
            if self._v[attr.index] is None:
                raise ConstraintError(type(self), attr.attrname, None,
                                      "None is not allowed")
        store._addItem(self)

    def _powerupTarget(self):
        if self._storeID is None:
            return (None, None)
        return (self._store, self._storeID)

    def powerUp(self, powerup, interface=None, priority=0):
        """Empowered.powerUp, for an item already in a store (a StoreError
        otherwise).
        """
        if self._storeID is None:
            raise StoreError(f"{self!r} must be in a store to be powered up")
        Empowered.powerUp(self, powerup, interface, priority)

    def deleteFromStore(self):
        """Delete this item, applying the reference deletion rules."""
        if self._storeID is None:
            raise StoreError(f"{self!r} is not in a store")
        self._store._deleteItem(self)

    def upgradeVersion(self, typeName, oldVersion, newVersion, **attrs):
        """
        In an upgrader: replace this old-version item with an item of
        C{newVersion} holding C{attrs}, keeping the storeID.
        """
        if self._storeID is None:
            raise StoreError(f"{self!r} is not in a store")
        return self._store._upgradeVersion(self, typeName, oldVersion,
                                           newVersion, attrs)

    def touch(self):
        """
        Count this item as changed by the current transaction (so its
        C{committed()} runs), as Axiom's C{touch} does; a rollback
        restores it like any changed item.
        """
        if self._storeID is not None:
            self._store._touchItem(self)

    def checkpoint(self):
        """Write this item's pending changes now (Axiom's C{checkpoint})."""
        if self._storeID is not None:
            self._store.checkpoint()

    def committed(self):
        """
        Called after a transaction that created, changed, or touched this
        item committed (not after a rollback).
        """

    def activate(self):
        """Called after creation and after every load; set inmemory here."""

    def stored(self):
        """Called once, when this item is first added to a store."""

    def deleted(self):
        """Called when this item is deleted from its store."""

    def __repr__(self):
        sid = self._storeID if self._storeID is not None else "unstored"
        return f"{type(self).__name__}(storeID={sid})"

    def persistentValues(self):
        """A dict of attribute name to current Python value."""
        return {a.attrname: getattr(self, a.attrname)
                for a in type(self).__attributes__}

