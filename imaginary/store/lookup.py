"""
Finding items: the Store's query entry points (a mixin of Store).

C{query} builds lazy queries; C{findFirst}/C{findUnique} answer the
commonest shape, equality on one column of the queried class, through a
statement prepared per type, because the game asks it on every command.
"""

from .comparison import AND, AttributeValueComparison
from .errors import DuplicateUniqueItem, ItemNotFound, QueryError
from .query import ItemQuery, MultipleItemQuery

_NOTHING = object()


class Lookups:
    """Store methods: query, count, findFirst, findUnique, findOrCreate."""

    def query(self, tableClass, comparison=None, limit=None, offset=None,
              sort=None):
        """
        A lazy query over one Item class (yielding items) or a tuple of
        classes (yielding tuples).  Iterating runs it.
        """
        if isinstance(tableClass, tuple):
            return MultipleItemQuery(self, tableClass, comparison, limit,
                                     offset, sort)
        return ItemQuery(self, tableClass, comparison, limit, offset, sort)

    def count(self, tableClass, comparison=None):
        """How many items match."""
        return self.query(tableClass, comparison).count()

    def findFirst(self, tableClass, comparison=None, offset=None, sort=None,
                  default=None):
        """The first match, or C{default}."""
        if offset is None and sort is None:
            found = self._equalityLookup(tableClass, comparison, 1)
            if found is not None:
                return found[0] if found else default
        for item in self.query(tableClass, comparison, limit=1,
                               offset=offset, sort=sort):
            return item
        return default

    def _equalityLookup(self, tableClass, comparison, limit):
        """
        The matches of C{Cls.attr == value} through a prepared statement,
        or None when the comparison is not of that shape.  Equality on one
        column is what the game asks most (names, owners, locations), so it
        skips the general query machinery.
        """
        if type(comparison) is not AttributeValueComparison or \
                comparison.op != "==":
            return None
        attr = comparison.attr
        if getattr(attr, "ownerClass", None) is not tableClass:
            return None
        info = self._infos.get(tableClass)
        if info is None:
            return None
        column = "oid" if attr.kind == "storeID" else attr.attrname
        rows = self._execute(info.equalitySQL(column, limit),
                             (comparison.value,)).fetchall()
        load = self._loadRow
        return [load(info, row) for row in rows]

    def findUnique(self, tableClass, comparison=None, default=_NOTHING):
        """
        The only match.  None: ItemNotFound (or C{default}); more than
        one: DuplicateUniqueItem.
        """
        found = self._equalityLookup(tableClass, comparison, 2)
        if found is None:
            found = list(self.query(tableClass, comparison, limit=2))
        if len(found) == 1:
            return found[0]
        if not found:
            if default is not _NOTHING:
                return default
            raise ItemNotFound(f"no {tableClass.__name__} matches "
                               f"{_describe(comparison)}")
        raise DuplicateUniqueItem(f"more than one {tableClass.__name__} "
                                  f"matches {_describe(comparison)}")

    def findOrCreate(self, tableClass, callback=None, **attrs):
        """
        The item of tableClass whose attributes equal C{attrs}; if there is
        none, create it (and call C{callback(newItem)}).
        """
        conditions = []
        for name, value in attrs.items():
            attr = tableClass.__dict__.get(name)
            if attr is None or not hasattr(attr, "attrname"):
                raise QueryError(f"{tableClass.__name__} has no attribute "
                                 f"{name!r}")
            conditions.append(attr == value)
        comparison = AND(*conditions) if len(conditions) > 1 else (
            conditions[0] if conditions else None)

        def findOrMake():
            found = self.findFirst(tableClass, comparison)
            if found is not None:
                return found
            item = tableClass(store=self, **attrs)
            if callback is not None:
                callback(item)
            return item
        return self.transact(findOrMake)

    def sum(self, attribute, comparison=None):
        """The sum of an attribute over matching items."""
        return self.query(attribute.ownerClass, comparison).getColumn(
            attribute.attrname).sum()


def _describe(comparison):
    if comparison is None:
        return "the query"
    if type(comparison) is AttributeValueComparison:
        attr = comparison.attr
        owner = getattr(attr, "ownerClass", None)
        where = f"{owner.__name__}." if owner is not None else ""
        return f"{where}{attr.attrname} {comparison.op} {comparison.value!r}"
    return f"the {type(comparison).__name__}"

