"""
Queries: lazy descriptions of a SELECT, run when iterated.

Every query reduces to a *shape* (hashable) and a list of *values*.  The SQL
text for a shape is generated once with SQLAlchemy Core and kept in a
module-level cache per dialect, so repeated queries (the common case in a
game: the same lookups every command) skip SQL generation entirely.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from . import item as _itemModule
from .comparison import (
    Comparison, InComparison, LikeComparison, Placeholder, SortOrder, TwoAttributeComparison,
    _Aggregate, _Binder)
from .errors import QueryError

class _QuoteEveryName(sqlite.base.SQLiteIdentifierPreparer):
    """
    Quote every identifier.  SQLAlchemy quotes only the names it knows to
    be reserved, and its SQLite list misses some of SQLite's keywords
    (C{nothing}, C{returning}): an attribute so named broke the DDL.
    """

    def _requires_quotes(self, value):
        return True


class _Dialect(sqlite.pysqlite.SQLiteDialect_pysqlite):
    """SQLite as the store speaks it: every identifier quoted."""

    preparer = _QuoteEveryName


_DIALECT = _Dialect(paramstyle="qmark")
_MAX_CACHED = 4096
_NOTHING = object()


class _Prepared:
    """Compiled SQL for one shape and how to order its parameters."""

    __slots__ = ("sql", "order", "direct", "tail", "ntail")

    def __init__(self, compiled):
        self.sql = compiled.string
        order = []
        for name in compiled.positiontup or ():
            if name[0] == "p" and name[1:].isdigit():
                order.append(int(name[1:]))
            else:
                order.append((compiled.params[name],))
        self.order = order
        self.direct = order == list(range(len(order)))
        # The usual non-direct case: the values in order, then constants
        # (LIMIT, OFFSET); params() is then one list concatenation.
        n = 0
        while n < len(order) and order[n] == n and type(order[n]) is int:
            n += 1
        rest = order[n:]
        self.ntail = n
        self.tail = (None if any(type(i) is int for i in rest)
                     else [i[0] for i in rest])

    def params(self, values):
        if self.direct:
            return values
        if self.tail is not None and len(values) == self.ntail:
            return values + self.tail
        return [values[i] if type(i) is int else i[0] for i in self.order]


class SQLCache:
    """Compiled statements per (dialect, shape), shared by every store."""

    _compiled = {}

    def __init__(self, dialect=_DIALECT):
        self.dialect = dialect

    def ddl(self, element):
        """CREATE TABLE / CREATE INDEX text for a table or index."""
        if isinstance(element, sa.Index):
            construct = CreateIndex(element, if_not_exists=True)
        else:
            construct = CreateTable(element, if_not_exists=True)
        return str(construct.compile(dialect=self.dialect))

    def prepare(self, shape, build):
        """The compiled statement for a query of this C{shape}, compiled by
        C{build()} once and cached.
        """
        key = (self.dialect.name, shape)
        prepared = self._compiled.get(key)
        if prepared is None:
            if len(self._compiled) > _MAX_CACHED:
                self._compiled.clear()
            prepared = _Prepared(build().compile(dialect=self.dialect))
            self._compiled[key] = prepared
        return prepared


def _checkCount(name, value):
    if value is not None and (type(value) is not int or value < 0):
        raise QueryError(f"{name} must be a non-negative int, not {value!r}")


def _sortOrders(sort):
    if sort is None:
        return ()
    if isinstance(sort, SortOrder):
        return (sort,)
    if isinstance(sort, (list, tuple)) and all(
            isinstance(s, SortOrder) for s in sort):
        return tuple(sort)
    raise QueryError(f"sort must be attr.ascending, attr.descending or a "
                     f"list of them, not {sort!r}")


def _classKey(target):
    """A query target's part of a shape: a class, or a Placeholder of one."""
    if isinstance(target, Placeholder):
        cls = target.itemClass
        return ("ph", target._serial, cls.typeName, cls.schemaVersion)
    return (target.typeName, target.schemaVersion)


def _itemClassOf(target):
    """The Item class a query target (class or Placeholder) yields."""
    return target.itemClass if isinstance(target, Placeholder) else target


def _tableOf(target):
    """The table (or a Placeholder's alias of it) a query target reads."""
    if isinstance(target, Placeholder):
        return target._alias
    return target.__table__


def _isTarget(target):
    Item = _itemModule.Item
    cls = _itemClassOf(target)
    return isinstance(cls, type) and issubclass(cls, Item) and cls is not Item


def _conditionOwners(comparison, owners, joins):
    """
    Walk a condition: add to C{owners} every class (or Placeholder) a
    condition names, and to C{joins} each column-to-column comparison as
    a pair of owners.  The inside of a sub-select is its own query.
    """
    if isinstance(comparison, _Aggregate):
        for c in comparison.conditions:
            _conditionOwners(c, owners, joins)
    elif isinstance(comparison, TwoAttributeComparison):
        left, right = comparison.left._owner(), comparison.right._owner()
        owners.extend((left, right))
        joins.append((left, right))
    elif isinstance(comparison, InComparison):
        owners.append(comparison.attr._owner())
    elif isinstance(comparison, LikeComparison) and comparison.parts:
        comparison.owners(owners)
        joins.extend(comparison.joins())
    else:
        owners.append(comparison.attr._owner())


def _checkJoined(classes, comparison, sort):
    """
    Refuse a condition or sort on a class the query neither returns nor
    joins (to a returned class, through a column-to-column comparison).
    SQL would otherwise add the class to FROM as a cross product and
    yield each result once per row of it: a silent wrong answer.
    """
    owners = []
    joins = []
    if comparison is not None:
        _conditionOwners(comparison, owners, joins)
    owners.extend(s.attr._owner() for s in sort)
    reached = set(classes)
    if all(o in reached for o in owners):
        return
    grown = True
    while grown:
        grown = False
        for a, b in joins:
            if (a in reached) != (b in reached):
                reached.update((a, b))
                grown = True
    for owner in owners:
        if owner not in reached:
            name = getattr(owner, "__name__", None) or repr(owner)
            returned = ", ".join(getattr(c, "__name__", repr(c))
                                 for c in classes)
            raise QueryError(
                f"the query over {returned} has a condition or sort on "
                f"{name}, which it neither returns nor joins; join it with "
                f"a comparison such as {name}.x == Returned.storeID, or "
                f"query it too")


class _BaseQuery:
    def __init__(self, store, comparison, limit, offset, sort):
        if comparison is not None and not isinstance(comparison, Comparison):
            raise QueryError(f"a query condition must be a comparison such "
                             f"as Thing.name == 'x', not {comparison!r}")
        if limit is not None:
            _checkCount("limit", limit)
        if offset is not None:
            _checkCount("offset", offset)
        self.store = store
        self.comparison = comparison
        self.limit = limit
        self.offset = offset
        self.sort = () if sort is None else _sortOrders(sort)
        self._distinct = False

    def _classes(self):
        raise NotImplementedError()

    def _owners(self, out):
        out.extend(self._classes())
        if self.comparison is not None:
            self.comparison.owners(out)

    def _ensureTables(self):
        owners = []
        self._owners(owners)
        known = self.store._infos
        for owner in owners:
            cls = owner.itemClass if isinstance(owner, Placeholder) else owner
            if cls not in known:
                self.store._typeInfo(cls)

    def _shape(self, out):
        comp = []
        if self.comparison is not None:
            self.comparison.shape(comp)
        out.append((type(self).__name__,
                    tuple([_classKey(c) for c in self._classes()]),
                    tuple(comp),
                    tuple([s.shape() for s in self.sort]) if self.sort else (),
                    self.limit, self.offset, self._distinct,
                    self._extraShape()))

    def _extraShape(self):
        return None

    def _values(self, out):
        if self.comparison is not None:
            self.comparison.values(out)

    def _columns(self):
        raise NotImplementedError()

    def _select(self, bind):
        stmt = sa.select(*self._columns())
        if self.comparison is not None:
            stmt = stmt.where(self.comparison.build(bind))
        if self.sort:
            stmt = stmt.order_by(*[s.build() for s in self.sort])
        if self._distinct:
            stmt = stmt.distinct()
        if self.limit is not None:
            stmt = stmt.limit(self.limit)
        if self.offset is not None:
            stmt = stmt.offset(self.offset)
        return stmt

    def _run(self, kind="rows", wrap=None):
        shape = [kind]
        self._shape(shape)
        shape = tuple(shape)
        store = self.store
        # The store remembers the shapes whose tables it has made sure of;
        # for those, one dict lookup replaces _ensureTables and the SQL
        # cache (see Store._readyShapes for when it forgets).
        prepared = store._readyShapes.get(shape)
        if (prepared is None or
                store._readyGeneration != _itemModule.classGeneration):
            self._ensureTables()

            def build():
                stmt = self._select(_Binder())
                return wrap(stmt) if wrap is not None else stmt
            prepared = store._sql.prepare(shape, build)
            store._rememberShape(shape, prepared)
        values = []
        self._values(values)
        return store._execute(prepared.sql, prepared.params(values))

    def count(self):
        """The number of results (runs SELECT count(*))."""
        return self._run("count", lambda stmt: sa.select(
            sa.func.count()).select_from(stmt.subquery())).fetchone()[0]

    def distinct(self):
        """A copy of this query that yields each distinct result once."""
        clone = self.cloneQuery()
        clone._distinct = True
        return clone

    def cloneQuery(self, limit=_NOTHING):
        """A copy, optionally with another limit."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        if limit is not _NOTHING:
            _checkCount("limit", limit)
            clone.limit = limit
        return clone

    def explain(self):
        """The SQL text this query runs (for debugging)."""
        shape = ["rows"]
        self._shape(shape)
        return self.store._sql.prepare(
            tuple(shape), lambda: self._select(_Binder())).sql


class ItemQuery(_BaseQuery):
    """A query yielding items of one class."""

    def __init__(self, store, tableClass, comparison=None, limit=None,
                 offset=None, sort=None):
        if not _isTarget(tableClass):
            raise QueryError(f"query() takes an Item class (or Placeholder) "
                             f"or a tuple of them, not {tableClass!r}")
        _BaseQuery.__init__(self, store, comparison, limit, offset, sort)
        self.tableClass = tableClass
        self.itemClass = _itemClassOf(tableClass)
        # The common condition (one comparison on the returned class, no
        # sort) needs no walk.
        if comparison is not None or self.sort:
            if (self.sort or not hasattr(comparison, "attr") or
                    comparison.attr._owner() is not tableClass):
                _checkJoined((tableClass,), comparison, self.sort)

    def _classes(self):
        return (self.tableClass,)

    def _shape(self, out):
        # _BaseQuery._shape for one class, without the generic walks
        # (this runs on every query).
        comp = []
        if self.comparison is not None:
            self.comparison.shape(comp)
        cls = self.tableClass
        key = ((cls.typeName, cls.schemaVersion) if cls is self.itemClass
               else _classKey(cls))
        out.append((type(self).__name__, (key,),
                    tuple(comp),
                    tuple([s.shape() for s in self.sort]) if self.sort else (),
                    self.limit, self.offset, self._distinct, None))

    def _columns(self):
        table = _tableOf(self.tableClass)
        return [table.c.oid] + [table.c[n] for n in
                                self.itemClass.__attributeNames__]

    def __iter__(self):
        rows = self._run().fetchall()
        store = self.store
        cls = self.itemClass
        info = store._infos.get(cls) or store._typeInfo(cls)
        return iter(store._loadRows(info, rows))

    def getColumn(self, attributeName, raw=False):
        """An AttributeQuery over one attribute of the matching items."""
        cls = self.itemClass
        attr = cls.__dict__.get(attributeName)
        if attributeName == "storeID":
            attr = cls.storeID
        if attr is None or not hasattr(attr, "_column"):
            raise QueryError(f"{cls.__name__} has no attribute "
                             f"{attributeName!r}")
        if self.tableClass is not cls:
            attr = getattr(self.tableClass, attributeName)
        return AttributeQuery(self, attr, raw)

    def deleteFromStore(self):
        """Delete every matching item, applying the deletion rules."""
        def delete():
            for item in list(self):
                if not item._deleted:
                    item.deleteFromStore()
        self.store.transact(delete)


class MultipleItemQuery(_BaseQuery):
    """A query over several classes, yielding tuples of items."""

    def __init__(self, store, tableClasses, comparison=None, limit=None,
                 offset=None, sort=None):
        for c in tableClasses:
            if not _isTarget(c):
                raise QueryError(f"query() takes Item classes (or "
                                 f"Placeholders), not {c!r}")
        if not tableClasses:
            raise QueryError("query() needs at least one Item class")
        _BaseQuery.__init__(self, store, comparison, limit, offset, sort)
        self.tableClasses = tuple(tableClasses)
        _checkJoined(self.tableClasses, comparison, self.sort)

    def _classes(self):
        return self.tableClasses

    def _columns(self):
        cols = []
        for target in self.tableClasses:
            table = _tableOf(target)
            cols.append(table.c.oid)
            cols.extend(table.c[n] for n in
                        _itemClassOf(target).__attributeNames__)
        return cols

    def __iter__(self):
        rows = self._run().fetchall()
        classes = [_itemClassOf(c) for c in self.tableClasses]
        infos = [self.store._typeInfo(c) for c in classes]
        widths = [len(c.__attributeNames__) + 1 for c in classes]
        load = self.store._loadRow
        results = []
        for row in rows:
            start = 0
            out = []
            for info, width in zip(infos, widths):
                out.append(load(info, row[start:start + width]))
                start += width
            results.append(tuple(out))
        return iter(results)


class AttributeQuery(_BaseQuery):
    """The values of one attribute over an ItemQuery's matches."""

    def __init__(self, itemQuery, attribute, raw=False):
        _BaseQuery.__init__(self, itemQuery.store, itemQuery.comparison,
                            itemQuery.limit, itemQuery.offset,
                            itemQuery.sort)
        self._distinct = itemQuery._distinct
        self.itemQuery = itemQuery
        self.attribute = attribute
        self.raw = raw

    def _classes(self):
        return (self.attribute._owner(),)

    def _extraShape(self):
        return self.attribute._columnKey()

    def _columns(self):
        return [self.attribute._column()]

    def __iter__(self):
        rows = self._run().fetchall()
        if self.raw:
            return iter([r[0] for r in rows])
        out = self.attribute._outValue
        store = self.store
        return iter([out(r[0], store) for r in rows])

    def count(self):
        """
        The number of non-NULL values (SQL C{COUNT(column)}, as in Axiom);
        after distinct(), the number of distinct non-NULL values.
        """
        return self._aggregate("count", sa.func.count)

    def _aggregate(self, name, function):
        return self._run(name, lambda stmt: sa.select(
            function(stmt.subquery().c[0]))).fetchone()[0]

    def sum(self):
        """The sum of the values (0 when there are none)."""
        return self._aggregate("sum", sa.func.total if self.attribute.kind
                               == "ieee754_double" else sa.func.sum) or 0

    def average(self):
        """The mean of the values, or None when there are none."""
        return self._aggregate("avg", sa.func.avg)

    def max(self, default=_NOTHING):
        """
        The largest value.  When there is none: C{default} if given, else
        ValueError (as in Axiom: None could be a value).
        """
        return self._extreme("max", sa.func.max, default)

    def min(self, default=_NOTHING):
        """The smallest value; with none, C{default} or ValueError."""
        return self._extreme("min", sa.func.min, default)

    def _extreme(self, name, function, default):
        v = self._aggregate(name, function)
        if v is not None:
            return self.attribute._outValue(v, self.store)
        if default is _NOTHING:
            raise QueryError(f"{name}() of {self.attribute!r} over no values "
                             f"needs a default=")
        return default
