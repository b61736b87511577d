"""
The store's own bookkeeping tables, and classes rebuilt from them.

A store records, for every type it holds, the typeName, version, defining
module and the signature of each attribute.  That record lets a store:

  - notice a class whose attributes changed without a new schemaVersion;
  - apply reference deletion rules for types whose module is not imported;
  - rebuild the class of an old version on disk, so upgraders can read it
    without the author re-declaring every legacy schema by hand.
"""

import importlib

import sqlalchemy as sa

from . import attributes as A
from .item import Item

FORMAT = "imaginary-store-1"

metadata = sa.MetaData()

objects = sa.Table(
    "imaginary_objects", metadata,
    sa.Column("oid", sa.Integer, primary_key=True, autoincrement=False),
    # -1 marks a deleted item: the row stays so the storeID is never reused.
    sa.Column("type_id", sa.Integer, nullable=False),
)

types = sa.Table(
    "imaginary_types", metadata,
    sa.Column("type_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("typeName", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("module", sa.Text, nullable=False),
    sa.UniqueConstraint("typeName", "version"),
)

attributeTable = sa.Table(
    "imaginary_attributes", metadata,
    sa.Column("type_id", sa.Integer, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("indexed", sa.Integer, nullable=False),
    sa.Column("allowNone", sa.Integer, nullable=False),
    sa.Column("caseSensitive", sa.Integer, nullable=False),
    sa.Column("reftype", sa.Text),
    sa.Column("whenDeleted", sa.Text),
)

info = sa.Table(
    "imaginary_store", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text),
)


def attributeRecord(attr):
    """The row describing one attribute, minus type_id and position."""
    reftype = None
    whenDeleted = None
    if attr.kind == "reference":
        reftype = attr.reftype.typeName if attr.reftype is not None else None
        whenDeleted = attr.whenDeleted
    return (attr.attrname, attr.kind, int(bool(attr.indexed)),
            int(bool(attr.allowNone)),
            int(bool(getattr(attr, "caseSensitive", False))),
            reftype, whenDeleted)


def classRecord(cls):
    """The rows describing a class's attributes."""
    return [attributeRecord(a) for a in cls.__attributes__]


_KINDS = {
    "text": A.text, "bytes": A.bytes, "integer": A.integer,
    "boolean": A.boolean, "ieee754_double": A.ieee754_double,
    "timestamp": A.timestamp, "textlist": A.textlist,
}


def buildClass(typeName, version, records):
    """
    Rebuild an Item class from its recorded schema: used for old versions
    on disk and for stored types whose module cannot be imported.
    References are rebuilt untyped (any Item), keeping their deletion rule.
    """
    from .item import Item, typeForName
    existing = typeForName(typeName, version)
    if existing is not None:
        return existing
    ns = {"typeName": typeName, "schemaVersion": version,
          "__module__": __name__}
    for (name, kind, indexed, allowNone, caseSensitive, reftype,
         whenDeleted) in records:
        if kind == "reference":
            ns[name] = A.reference(indexed=bool(indexed),
                                   allowNone=bool(allowNone),
                                   whenDeleted=whenDeleted or A.NULLIFY)
        elif kind == "text":
            ns[name] = A.text(indexed=bool(indexed), allowNone=bool(allowNone),
                              caseSensitive=bool(caseSensitive))
        else:
            ns[name] = _KINDS[kind](indexed=bool(indexed),
                                    allowNone=bool(allowNone))
    clsName = f"Stored_{typeName}_v{version}"
    return type(Item)(clsName, (Item,), ns, legacy=True)


def importTypeModule(typeName, module):
    """Try to import the module that defined a stored type."""
    from .item import typeForName
    if typeForName(typeName) is None and module and module != __name__:
        try:
            importlib.import_module(module)
        except Exception:
            # Unimportable: the type is served by a rebuilt class instead.
            return None
    return typeForName(typeName)


class TypeInfo:
    """Per-store facts about one Item class: its id and ready SQL."""

    __slots__ = ("cls", "typeID", "insertSQL", "loadSQL", "deleteSQL",
                 "activates", "storedHook", "table", "columns", "_updates",
                 "upgradeTo", "committedHook", "onAdd",
                 "_equalities")

    def __init__(self, cls, typeID):
        self.cls = cls
        self.typeID = typeID
        self.table = cls.__tableName__
        names = cls.__attributeNames__
        cols = ", ".join(['"oid"'] + [f'"{n}"' for n in names])
        marks = ", ".join("?" * (len(names) + 1))
        self.insertSQL = f'INSERT INTO "{self.table}" ({cols}) VALUES ({marks})'
        self.loadSQL = f'SELECT {cols} FROM "{self.table}" WHERE oid = ?'
        self.deleteSQL = f'DELETE FROM "{self.table}" WHERE oid = ?'
        self.activates = cls.activate is not Item.activate
        self.storedHook = cls.stored is not Item.stored
        self.committedHook = cls.committed is not Item.committed
        # For an old version's class: the current version its items must
        # be upgraded to when one is created while the store runs.
        self.upgradeTo = None
        if cls.__legacy__:
            from .item import typeForName
            current = typeForName(cls.typeName)
            if current is not None and \
                    current.schemaVersion > cls.schemaVersion:
                self.upgradeTo = current.schemaVersion
        # Whether adding an item of this class needs more than the common
        # steps (Store._addItem tests this one flag).
        self.onAdd = (self.storedHook or self.upgradeTo is not None or
                      cls.typeName == "imaginary_powerup_connector")
        self.columns = cols
        self._updates = {}
        self._equalities = {}

    def equalitySQL(self, column, limit):
        """SELECT text for C{column} = ? (the hottest query shape)."""
        key = (column, limit)
        sql = self._equalities.get(key)
        if sql is None:
            sql = (f'SELECT {self.columns} FROM "{self.table}" WHERE '
                   f'"{column}" = ? LIMIT {int(limit)}')
            self._equalities[key] = sql
        return sql

    def updateSQLFor(self, indexes):
        """UPDATE text setting only the columns at C{indexes} (sorted)."""
        sql = self._updates.get(indexes)
        if sql is None:
            names = self.cls.__attributeNames__
            sets = ", ".join(f'"{names[i]}" = ?' for i in indexes)
            sql = f'UPDATE "{self.table}" SET {sets} WHERE oid = ?'
            self._updates[indexes] = sql
        return sql
