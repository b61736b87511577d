"""
Typed attributes: the columns of an Item.

An attribute is a data descriptor on an Item class.  On an instance it reads
and writes one slot of the item's value list (C{item._v}), which always holds
the *database* representation (a storeID for a reference, microseconds for a
timestamp).  That choice keeps loading a row a single C{list(row)}, keeps
rollback a list copy, and puts the cost of conversion on the few types that
need it, at read time.

On the class (C{Lamp.name}) an attribute is a query expression: comparisons
such as C{Lamp.name == "brass lamp"} build the comparison objects of
:mod:`imaginary.store.comparison`.
"""

import builtins
import datetime
import math
import sys

import sqlalchemy as sa

from .comparison import Comparable
from .errors import ConstraintError, NoCrossStoreReferences

NULLIFY = "nullify"
CASCADE = "cascade"
DISALLOW = "disallow"
_DELETION_RULES = (NULLIFY, CASCADE, DISALLOW)

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_INT64 = (-(2 ** 63), 2 ** 63 - 1)

# textlist encoding: empty list -> '', otherwise GUARD + SEP.join(items)
_TEXTLIST_SEP = "\x1f"
_TEXTLIST_GUARD = "\x02"

_NOTHING = object()


class SQLAttribute(Comparable):
    """
    Base class of every persistent attribute.

    @param doc: documentation for the attribute.
    @param indexed: create a single-column index on it.
    @param default: the value a new item gets when none is given.
    @param defaultFactory: a callable producing that value instead.
    @param allowNone: whether None may be stored (default True, as in Axiom).
    """

    kind = "abstract"
    sqlTypeName = "TEXT"

    def __init__(self, doc="", indexed=False, default=None,
                 defaultFactory=None, allowNone=True):
        self.doc = doc
        self.indexed = indexed
        self.default = default
        self.defaultFactory = defaultFactory
        self.allowNone = allowNone
        # Filled in by MetaItem when the class is created.
        self.attrname = None
        self.index = None
        self.ownerClass = None

    __hash__ = object.__hash__

    def __set_name__(self, owner, name):
        self.attrname = name

    def __repr__(self):
        owner = self.ownerClass.__name__ if self.ownerClass else "?"
        return f"<{type(self).__name__} {owner}.{self.attrname}>"

    # -- descriptor protocol ------------------------------------------------

    def __get__(self, inst, owner=None):
        if inst is None:
            return self
        return inst._v[self.index]

    def __set__(self, inst, value):
        dbValue = self.toDB(value, type(inst))
        if inst._storeID is None:
            inst._v[self.index] = dbValue
        else:
            inst._store._setAttribute(inst, self.index, dbValue)

    # -- conversion --------------------------------------------------------

    def initialValue(self):
        """The database value a new item starts with."""
        if self.defaultFactory is not None:
            return _NOTHING
        if self.default is None:
            return None
        return self.toDB(self.default, self.ownerClass)

    def toDB(self, value, itemClass):
        """
        Check C{value} and return its database form; raise ConstraintError
        naming the class, attribute and value when it does not fit.
        """
        if value is None:
            if not self.allowNone:
                raise ConstraintError(itemClass, self.attrname, value,
                                      "None is not allowed")
            return None
        return self.check(value, itemClass)

    def check(self, value, itemClass):
        """Check that C{value} fits this attribute (a TypeError or
        ValueError naming C{itemClass} and the attribute if not); return the
        value to store.
        """
        raise NotImplementedError()

    def fromDB(self, dbValue, store):
        """Turn a stored value back into the Python value."""
        return dbValue

    def sqlType(self):
        """The SQLAlchemy column type."""
        raise NotImplementedError()

    def schemaSignature(self):
        """A tuple recorded in the store to detect silent schema changes."""
        return (self.attrname, self.kind, self.sqlTypeName)

    # -- Comparable hooks ----------------------------------------------------

    def _columnKey(self):
        return (self.ownerClass.typeName, self.ownerClass.schemaVersion,
                self.attrname)

    def _column(self):
        return self.ownerClass.__table__.c[self.attrname]

    def _owner(self):
        return self.ownerClass

    def _queryValue(self, value):
        return self.toDB(value, self.ownerClass) if value is not None else None

    def _outValue(self, dbValue, store):
        return self.fromDB(dbValue, store) if dbValue is not None else None

    def _isCaseInsensitive(self):
        return False


def _wrongType(itemClass, name, value, expected):
    raise ConstraintError(itemClass, name, value,
                          f"expected {expected}, got {type(value).__name__}")


class text(SQLAttribute):
    """
    Unicode text without NUL characters.  Comparisons and sorting are
    case-insensitive for ASCII letters unless C{caseSensitive=True} (the
    column uses SQLite's NOCASE collation, as Axiom's does).
    """

    kind = "text"

    def __init__(self, doc="", indexed=False, default=None,
                 defaultFactory=None, allowNone=True, caseSensitive=False):
        SQLAttribute.__init__(self, doc, indexed, default, defaultFactory,
                              allowNone)
        self.caseSensitive = caseSensitive

    def check(self, value, itemClass):
        """Check that C{value} fits this attribute (a TypeError or
        ValueError naming C{itemClass} and the attribute if not); return the
        value to store.
        """
        if type(value) is not str:
            if not isinstance(value, str):
                _wrongType(itemClass, self.attrname, value, "str")
        elif value.isascii() and "\x00" not in value:
            # The common case: ASCII cannot hold a lone surrogate.
            return value
        if "\x00" in value:
            raise ConstraintError(itemClass, self.attrname, value,
                                  "text may not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ConstraintError(itemClass, self.attrname, value,
                                  "text must be encodable as UTF-8 "
                                  "(no lone surrogates)")
        return str(value)

    def sqlType(self):
        """The SQLAlchemy column type of this attribute."""
        return sa.Text() if self.caseSensitive else sa.Text(collation="NOCASE")

    def schemaSignature(self):
        """The base signature, plus what else decides how this attribute is
        stored.
        """
        return SQLAttribute.schemaSignature(self) + (self.caseSensitive,)

    def _isCaseInsensitive(self):
        return not self.caseSensitive


class bytes(SQLAttribute):
    """Binary data (C{bytes} only), stored as a BLOB."""

    kind = "bytes"
    sqlTypeName = "BLOB"

    def check(self, value, itemClass):
        """Check that C{value} fits this attribute (a TypeError or
        ValueError naming C{itemClass} and the attribute if not); return the
        value to store.
        """
        if not isinstance(value, builtins.bytes):
            _wrongType(itemClass, self.attrname, value, "bytes")
        return value

    def sqlType(self):
        """The SQLAlchemy column type of this attribute."""
        return sa.LargeBinary()


class integer(SQLAttribute):
    """A signed 64-bit integer (bool is refused: say what you mean)."""

    kind = "integer"
    sqlTypeName = "INTEGER"

    def check(self, value, itemClass):
        """Check that C{value} fits this attribute (a TypeError or
        ValueError naming C{itemClass} and the attribute if not); return the
        value to store.
        """
        if type(value) is not int:
            if isinstance(value, bool) or not isinstance(value, int):
                _wrongType(itemClass, self.attrname, value, "int")
            value = int(value)
        if not _INT64[0] <= value <= _INT64[1]:
            raise ConstraintError(itemClass, self.attrname, value,
                                  "out of the signed 64-bit range")
        return value

    def sqlType(self):
        """The SQLAlchemy column type of this attribute."""
        return sa.Integer()


class _Converted(SQLAttribute):
    """An attribute whose stored form differs from its Python value."""

    def __get__(self, inst, owner=None):
        if inst is None:
            return self
        v = inst._v[self.index]
        return None if v is None else self.fromDB(v, None)


class boolean(_Converted):
    """True or False, stored as 1 or 0."""

    kind = "boolean"
    sqlTypeName = "INTEGER"

    def check(self, value, itemClass):
        """Check that C{value} fits this attribute (a TypeError or
        ValueError naming C{itemClass} and the attribute if not); return the
        value to store.
        """
        if value is not True and value is not False:
            _wrongType(itemClass, self.attrname, value, "bool")
        return 1 if value else 0

    def fromDB(self, dbValue, store):
        """Turn a stored value back into the Python value."""
        return dbValue == 1

    def sqlType(self):
        """The SQLAlchemy column type of this attribute."""
        return sa.Integer()


class ieee754_double(SQLAttribute):
    """A float (int is refused, as in Axiom; NaN is refused: SQLite drops it)."""

    kind = "ieee754_double"
    sqlTypeName = "REAL"

    def check(self, value, itemClass):
        """Check that C{value} fits this attribute (a TypeError or
        ValueError naming C{itemClass} and the attribute if not); return the
        value to store.
        """
        if type(value) is not float:
            _wrongType(itemClass, self.attrname, value, "float")
        if math.isnan(value):
            raise ConstraintError(itemClass, self.attrname, value,
                                  "NaN cannot be stored")
        return value

    def sqlType(self):
        """The SQLAlchemy column type of this attribute."""
        return sa.REAL()


class timestamp(_Converted):
    """An C{epsilon.extime.Time}, stored as integer microseconds since 1970."""

    kind = "timestamp"
    sqlTypeName = "INTEGER"

    def check(self, value, itemClass):
        """Check that C{value} fits this attribute (a TypeError or
        ValueError naming C{itemClass} and the attribute if not); return the
        value to store.
        """
        from epsilon.extime import Time
        if not isinstance(value, Time):
            _wrongType(itemClass, self.attrname, value, "epsilon.extime.Time")
        delta = value.asDatetime() - _EPOCH
        return (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds

    def fromDB(self, dbValue, store):
        """Turn a stored value back into the Python value."""
        from epsilon.extime import Time
        return Time.fromDatetime(_EPOCH + datetime.timedelta(microseconds=dbValue))

    def sqlType(self):
        """The SQLAlchemy column type of this attribute."""
        return sa.Integer()


class textlist(_Converted):
    """
    A list of str.  Elements may not contain U+001F (the separator) or NUL.
    Each read returns a new list: mutate it and assign it back to save.
    """

    kind = "textlist"

    def check(self, value, itemClass):
        """Check that C{value} fits this attribute (a TypeError or
        ValueError naming C{itemClass} and the attribute if not); return the
        value to store.
        """
        if not isinstance(value, (list, tuple)):
            _wrongType(itemClass, self.attrname, value, "list of str")
        for element in value:
            if not isinstance(element, str):
                raise ConstraintError(itemClass, self.attrname, value,
                                      f"element {element!r} is not a str")
            if _TEXTLIST_SEP in element or "\x00" in element:
                raise ConstraintError(
                    itemClass, self.attrname, value,
                    f"element {element!r} contains U+001F or NUL")
            try:
                element.encode("utf-8")
            except UnicodeEncodeError:
                raise ConstraintError(itemClass, self.attrname, value,
                                      "elements must be encodable as UTF-8")
        if not value:
            return ""
        return _TEXTLIST_GUARD + _TEXTLIST_SEP.join(value)

    def fromDB(self, dbValue, store):
        """Turn a stored value back into the Python value."""
        if dbValue == "":
            return []
        return dbValue[1:].split(_TEXTLIST_SEP)

    def sqlType(self):
        """The SQLAlchemy column type of this attribute."""
        return sa.Text()


class reference(SQLAttribute):
    """
    A reference to another Item in the same store, stored as its storeID.

    @param reftype: the Item class referred to, or None for any Item.
    @param whenDeleted: what happens to this item when the referent is
        deleted: NULLIFY (reads as None), CASCADE (this item is deleted
        too) or DISALLOW (the referent's deletion raises DeletionDisallowed).
    """

    kind = "reference"
    sqlTypeName = "INTEGER"
    # Axiom code spells the deletion rules reference.CASCADE etc.
    NULLIFY = NULLIFY
    CASCADE = CASCADE
    DISALLOW = DISALLOW

    def __init__(self, doc="", indexed=True, allowNone=True, reftype=None,
                 whenDeleted=NULLIFY, default=None):
        SQLAttribute.__init__(self, doc, indexed, default, None, allowNone)
        if whenDeleted not in _DELETION_RULES:
            raise ValueError(f"whenDeleted must be one of NULLIFY, CASCADE, "
                             f"DISALLOW, not {whenDeleted!r}")
        self.reftype = reftype
        self.whenDeleted = whenDeleted

    def __get__(self, inst, owner=None):
        if inst is None:
            return self
        sid = inst._v[self.index]
        if sid is None:
            return None
        store = inst._store
        if store is None:
            # An unstored item holds its referent itself (see __set__).
            return sid
        return store._referent(sid)

    def __set__(self, inst, value):
        referent = self.toDB(value, type(inst))
        if inst._storeID is None:
            # Until the item is stored, the reference is the object: it
            # reads back in memory, and storing the item checks that the
            # referent lives in the same store (Store._addItem).
            inst._v[self.index] = referent
        else:
            store = inst._store
            store._setAttribute(inst, self.index,
                                self.storeIDIn(referent, type(inst), store))

    def check(self, value, itemClass):
        """Check that C{value} fits this attribute (a TypeError or
        ValueError naming C{itemClass} and the attribute if not); return the
        value to store.
        """
        Item = _itemClass()
        if not isinstance(value, Item):
            if self.reftype is None and _isStore(value):
                # The store itself (Axiom apps point at what is installed
                # on it this way); it is recorded as storeID -1.
                return value
            _wrongType(itemClass, self.attrname, value, "an Item")
        if self.reftype is not None and not isinstance(value, self.reftype):
            _wrongType(itemClass, self.attrname, value,
                       f"a {self.reftype.__name__}")
        return value

    def storeIDIn(self, referent, itemClass, store):
        """
        The storeID to record for C{referent} in an item of C{itemClass}
        living in C{store}: refuse a referent that is unstored or lives in
        another store, where its storeID would name some other item.
        """
        if referent is None:
            return None
        if referent._store is not store or referent._storeID is None:
            if referent._storeID is None:
                raise ConstraintError(itemClass, self.attrname, referent,
                                      "the referenced item is not in a "
                                      "store")
            raise NoCrossStoreReferences(
                f"{itemClass.__name__}.{self.attrname} = {referent!r}: the "
                f"referenced item is in {referent._store!r}, not in "
                f"{store!r}; references cannot cross stores")
        return referent._storeID

    def _queryValue(self, value):
        if value is None:
            return None
        referent = self.toDB(value, self.ownerClass)
        if referent._storeID is None:
            raise ConstraintError(self.ownerClass, self.attrname, referent,
                                  "the referenced item is not in a store")
        return referent._storeID

    def fromDB(self, dbValue, store):
        """Turn a stored value back into the Python value."""
        return store._referent(dbValue)

    def sqlType(self):
        """The SQLAlchemy column type of this attribute."""
        return sa.Integer()

    def schemaSignature(self):
        """The base signature, plus what else decides how this attribute is
        stored.
        """
        reftype = self.reftype.typeName if self.reftype is not None else None
        return SQLAttribute.schemaSignature(self) + (reftype, self.whenDeleted)


_Item = None


def _isStore(value):
    from .store import Store
    return isinstance(value, Store)


def _itemClass():
    """imaginary.store.item.Item (imported late: item imports this module)."""
    global _Item
    if _Item is None:
        from .item import Item
        _Item = Item
    return _Item


class inmemory:
    """
    A per-instance slot that is never saved.  It is unset on every new and
    every loaded item until code (usually C{activate()}) sets it; reading it
    before then raises AttributeError.
    """

    def __init__(self, doc=""):
        self.doc = doc


class _CompoundIndex:
    def __init__(self, attrs):
        self.attrs = attrs


def compoundIndex(*attrs):
    """
    Declare a multi-column index; call it in a class body, after the
    attributes it names::

        class Exit(Item):
            fromLocation = reference()
            name = text()
            compoundIndex(fromLocation, name)
    """
    if len(attrs) < 2:
        raise ValueError("compoundIndex needs at least two attributes")
    frame = sys._getframe(1)
    frame.f_locals.setdefault("__compoundIndexes__", []).append(
        _CompoundIndex(attrs))


class StoreIDAttribute(Comparable):
    """
    C{Item.storeID}: on an instance its integer id, on a class a query
    expression over the id column (used to write joins:
    C{Garment.wearer == Thing.storeID}).
    """

    kind = "storeID"
    attrname = "storeID"

    def __init__(self, ownerClass=None):
        self.ownerClass = ownerClass

    __hash__ = object.__hash__

    def __get__(self, inst, owner=None):
        if inst is None:
            return self
        return inst._storeID

    def __set__(self, inst, value):
        raise AttributeError("storeID is assigned by the store and is "
                             "read-only")

    def _columnKey(self):
        return (self.ownerClass.typeName, self.ownerClass.schemaVersion, "oid")

    def _column(self):
        return self.ownerClass.__table__.c.oid

    def _owner(self):
        return self.ownerClass

    def _queryValue(self, value):
        if isinstance(value, _itemClass()):
            value = value._storeID
        if value is None or (type(value) is int):
            return value
        raise ConstraintError(self.ownerClass, "storeID", value,
                              "expected an int or an Item")

    def _outValue(self, dbValue, store):
        return dbValue

    def _isCaseInsensitive(self):
        return False
