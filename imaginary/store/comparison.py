"""
The query language: comparisons, AND/OR, sort orders and placeholders.

A comparison is a small tree.  It is walked twice, cheaply, on every query:
once for a hashable *shape* (which attributes, which operators, how many
values) and once for the bound *values*.  Only when a shape is new is the
tree turned into a SQLAlchemy expression and compiled to SQL text; the store
keeps that text per shape, so the steady-state cost of a query is two tree
walks and one C{cursor.execute}.  Building statements with SQLAlchemy Core
keeps the SQL dialect-neutral, so another backend needs a dialect, not a
rewrite.
"""

import itertools

import sqlalchemy as sa

from .errors import QueryError


class _Binder:
    """Hands out bind parameters named in walk order: p0, p1, ..."""

    def __init__(self):
        self.count = 0

    def __call__(self):
        name = f"p{self.count}"
        self.count += 1
        return sa.bindparam(name)


class Comparison:
    """Base of every query condition."""

    def shape(self, out):
        """Append a hashable description of this condition's shape to out."""
        raise NotImplementedError()

    def values(self, out):
        """Append the bound values, in the order build() binds them."""
        raise NotImplementedError()

    def build(self, bind):
        """Return the SQLAlchemy expression, binding through C{bind()}."""
        raise NotImplementedError()

    def owners(self, out):
        """Add every Item class or Placeholder this condition touches."""
        raise NotImplementedError()


_OPS = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class AttributeValueComparison(Comparison):
    """C{attr <op> value}."""

    def __init__(self, attr, op, value):
        self.attr, self.op, self.value = attr, op, value

    def shape(self, out):
        """Append a hashable description of this condition's shape to
        C{out}.
        """
        out.append(("v", self.attr._columnKey(), self.op))

    def values(self, out):
        """Append the bound values, in the order build() binds them."""
        out.append(self.value)

    def build(self, bind):
        """Return the SQLAlchemy expression, binding through C{bind()}."""
        return _OPS[self.op](self.attr._column(), bind())

    def owners(self, out):
        """Add every Item class or Placeholder this condition touches to
        C{out}.
        """
        out.append(self.attr._owner())


class NullComparison(Comparison):
    """C{attr == None} or C{attr != None}."""

    def __init__(self, attr, negate):
        self.attr, self.negate = attr, negate

    def shape(self, out):
        """Append a hashable description of this condition's shape to
        C{out}.
        """
        out.append(("null", self.attr._columnKey(), self.negate))

    def values(self, out):
        """Append the bound values, in the order build() binds them."""
        pass

    def build(self, bind):
        """Return the SQLAlchemy expression, binding through C{bind()}."""
        col = self.attr._column()
        return col.isnot(None) if self.negate else col.is_(None)

    def owners(self, out):
        """Add every Item class or Placeholder this condition touches to
        C{out}.
        """
        out.append(self.attr._owner())


class TwoAttributeComparison(Comparison):
    """C{attrA <op> attrB}: how joins are written."""

    def __init__(self, left, op, right):
        self.left, self.op, self.right = left, op, right

    def shape(self, out):
        """Append a hashable description of this condition's shape to
        C{out}.
        """
        out.append(("2", self.left._columnKey(), self.op,
                    self.right._columnKey()))

    def values(self, out):
        """Append the bound values, in the order build() binds them."""
        pass

    def build(self, bind):
        """Return the SQLAlchemy expression, binding through C{bind()}."""
        return _OPS[self.op](self.left._column(), self.right._column())

    def owners(self, out):
        """Add every Item class or Placeholder this condition touches to
        C{out}.
        """
        out.append(self.left._owner())
        out.append(self.right._owner())


class InComparison(Comparison):
    """C{attr.oneOf(seq)} / C{attr.notOneOf(seq)}; seq may be a column query."""

    def __init__(self, attr, seq, negate):
        self.attr, self.negate = attr, negate
        from .query import AttributeQuery
        if isinstance(seq, AttributeQuery):
            self.subquery = seq
            self.items = None
        else:
            self.subquery = None
            self.items = [attr._queryValue(v) for v in seq]

    def shape(self, out):
        """Append a hashable description of this condition's shape to
        C{out}.
        """
        if self.subquery is not None:
            sub = []
            self.subquery._shape(sub)
            out.append(("in", self.attr._columnKey(), self.negate,
                        tuple(sub)))
        else:
            out.append(("in", self.attr._columnKey(), self.negate,
                        len(self.items)))

    def values(self, out):
        """Append the bound values, in the order build() binds them."""
        if self.subquery is not None:
            self.subquery._values(out)
        else:
            out.extend(self.items)

    def build(self, bind):
        """Return the SQLAlchemy expression, binding through C{bind()}."""
        col = self.attr._column()
        if self.subquery is not None:
            target = self.subquery._select(bind)
        else:
            target = [bind() for _ in self.items]
            if not target:
                # x IN () is false, x NOT IN () is true (even for NULL, as
                # in SQLite).  Plain SQL text, because SQLAlchemy folds
                # true()/false() into an enclosing AND/OR and would drop
                # the other conditions' bound parameters from the
                # statement, out of step with the values.
                return sa.text("(1 = 1)" if self.negate else "(1 = 0)")
        return col.not_in(target) if self.negate else col.in_(target)

    def owners(self, out):
        """Add every Item class or Placeholder this condition touches to
        C{out}.
        """
        out.append(self.attr._owner())
        if self.subquery is not None:
            self.subquery._owners(out)


class LikeComparison(Comparison):
    """
    SQL LIKE: C{%} and C{_} are wildcards, and (as in SQL) ASCII letters
    match without regard to case.  The pattern is one value, or (C{parts})
    a concatenation of values and columns.
    """

    def __init__(self, attr, pattern, negate, parts=None):
        self.attr, self.pattern, self.negate = attr, pattern, negate
        self.parts = parts

    def shape(self, out):
        """Append a hashable description of this condition's shape to
        C{out}.
        """
        if self.parts is None:
            out.append(("like", self.attr._columnKey(), self.negate))
        else:
            out.append(("like", self.attr._columnKey(), self.negate,
                        tuple(p._columnKey() if isinstance(p, Comparable)
                              else None for p in self.parts)))

    def values(self, out):
        """Append the bound values, in the order build() binds them."""
        if self.parts is None:
            out.append(self.pattern)
        else:
            out.extend(p for p in self.parts if not isinstance(p, Comparable))

    def build(self, bind):
        """Return the SQLAlchemy expression, binding through C{bind()}."""
        col = self.attr._column()
        if self.parts is None:
            pattern = bind()
        else:
            pieces = [p._column() if isinstance(p, Comparable) else bind()
                      for p in self.parts]
            pattern = pieces[0]
            for piece in pieces[1:]:
                # SQL's || (a + on untyped binds could mean addition).
                pattern = pattern.op("||")(piece)
        if self.attr.kind == "bytes":
            # SQLite's LIKE never matches a BLOB operand: compare the bytes
            # read as text (ASCII letters still fold, as LIKE does).
            col = sa.cast(col, sa.Text)
            pattern = sa.cast(pattern, sa.Text)
        expr = col.like(pattern, escape="\\")
        return sa.not_(expr) if self.negate else expr

    def owners(self, out):
        """Add every Item class or Placeholder this condition touches to
        C{out}.
        """
        out.append(self.attr._owner())
        for part in self.parts or ():
            if isinstance(part, Comparable):
                out.append(part._owner())

    def joins(self):
        """Owner pairs this condition relates (columns in its pattern)."""
        return [(self.attr._owner(), p._owner()) for p in self.parts or ()
                if isinstance(p, Comparable)]


class PrefixComparison(Comparison):
    """
    C{attr.startswith(prefix)} / C{endswith}: follows the column's own case
    rule (case-insensitive text matches case-insensitively).
    """

    def __init__(self, attr, affix, atStart):
        self.attr, self.affix, self.atStart = attr, affix, atStart

    def shape(self, out):
        """Append a hashable description of this condition's shape to
        C{out}.
        """
        out.append(("affix", self.attr._columnKey(), self.atStart))

    def values(self, out):
        """Append the bound values, in the order build() binds them."""
        out.extend([self.affix] * (2 if self.atStart else 3))

    def build(self, bind):
        """Return the SQLAlchemy expression, binding through C{bind()}."""
        col = self.attr._column()
        if self.atStart:
            part = sa.func.substr(col, 1, sa.func.length(bind()))
            guard = None
        else:
            # substr(x, -0) would be the whole string: guard the empty suffix.
            guard = sa.func.length(bind()) == 0
            part = sa.func.substr(col, -sa.func.length(bind()))
        other = bind()
        if self.attr._isCaseInsensitive():
            other = other.collate("NOCASE")
        test = part == other
        if guard is None:
            return test
        # The empty-suffix guard must not make a NULL column match.
        return sa.and_(col.isnot(None), sa.or_(guard, test))

    def owners(self, out):
        """Add every Item class or Placeholder this condition touches to
        C{out}.
        """
        out.append(self.attr._owner())


class _Aggregate(Comparison):
    sqlFunction = None
    label = None

    def __init__(self, *conditions):
        for c in conditions:
            if not isinstance(c, Comparison):
                raise QueryError(f"{self.label} takes comparisons, not "
                                 f"{c!r}")
        self.conditions = conditions

    def shape(self, out):
        """Append a hashable description of this condition's shape to
        C{out}.
        """
        inner = []
        for c in self.conditions:
            c.shape(inner)
        out.append((self.label, tuple(inner)))

    def values(self, out):
        """Append the bound values, in the order build() binds them."""
        for c in self.conditions:
            c.values(out)

    def build(self, bind):
        """Return the SQLAlchemy expression, binding through C{bind()}."""
        return self.sqlFunction(*[c.build(bind) for c in self.conditions])

    def owners(self, out):
        """Add every Item class or Placeholder this condition touches to
        C{out}.
        """
        for c in self.conditions:
            c.owners(out)


class AND(_Aggregate):
    """All of the given comparisons hold."""

    sqlFunction = staticmethod(sa.and_)
    label = "AND"


class OR(_Aggregate):
    """At least one of the given comparisons holds."""

    sqlFunction = staticmethod(sa.or_)
    label = "OR"


class SortOrder:
    """C{attr.ascending} / C{attr.descending}."""

    def __init__(self, attr, descending):
        self.attr, self.descending = attr, descending

    def shape(self):
        """Append a hashable description of this condition's shape to
        C{out}.
        """
        return (self.attr._columnKey(), self.descending)

    def build(self):
        """Return the SQLAlchemy expression, binding through C{bind()}."""
        col = self.attr._column()
        return col.desc() if self.descending else col.asc()


class Comparable:
    """
    Mixin for anything that names a column: gives it the comparison
    operators, oneOf, like, startswith and the sort orders.  Subclasses
    provide _columnKey, _column, _owner, _queryValue, _outValue and
    _isCaseInsensitive.
    """

    def _compare(self, op, other):
        if isinstance(other, Comparable):
            return TwoAttributeComparison(self, op, other)
        if other is None:
            if op == "==":
                return NullComparison(self, False)
            if op == "!=":
                return NullComparison(self, True)
            raise QueryError(f"cannot compare {self!r} {op} None")
        return AttributeValueComparison(self, op, self._queryValue(other))

    def __eq__(self, other):
        return self._compare("==", other)

    def __ne__(self, other):
        return self._compare("!=", other)

    def __lt__(self, other):
        return self._compare("<", other)

    def __le__(self, other):
        return self._compare("<=", other)

    def __gt__(self, other):
        return self._compare(">", other)

    def __ge__(self, other):
        return self._compare(">=", other)

    def oneOf(self, seq):
        """Matches when the value is one of C{seq} (a list or getColumn)."""
        return InComparison(self, seq, False)

    def notOneOf(self, seq):
        """Matches when the value is none of C{seq}."""
        return InComparison(self, seq, True)

    def _checkTextual(self, what, value):
        kind = getattr(self, "kind", None)
        if kind == "bytes":
            expected = bytes
        elif kind in ("text", "textlist"):
            expected = str
        else:
            raise QueryError(f"{what} only applies to text and bytes "
                             f"attributes, not {self!r}")
        if isinstance(value, Comparable):
            return
        if not isinstance(value, expected):
            raise QueryError(f"{what} on {self!r} needs a "
                             f"{expected.__name__}, not {value!r}")

    def like(self, *parts):
        """
        SQL LIKE with C{%} and C{_} wildcards (backslash escapes).  The
        pattern is the concatenation of C{parts}: strings (bytes for a
        bytes attribute) and other columns, as in Axiom.
        """
        return self._like("like", parts, False)

    def notLike(self, *parts):
        """The negation of like()."""
        return self._like("notLike", parts, True)

    def _like(self, what, parts, negate):
        if not parts:
            raise QueryError(f"{what}() needs a pattern")
        for part in parts:
            self._checkTextual(what, part)
        if len(parts) == 1 and not isinstance(parts[0], Comparable):
            return LikeComparison(self, parts[0], negate)
        return LikeComparison(self, None, negate, parts)

    def startswith(self, prefix):
        """Text that begins with C{prefix} (no wildcards)."""
        self._checkTextual("startswith", prefix)
        return PrefixComparison(self, prefix, True)

    def endswith(self, suffix):
        """Text that ends with C{suffix} (no wildcards)."""
        self._checkTextual("endswith", suffix)
        return PrefixComparison(self, suffix, False)

    @property
    def ascending(self):
        """Sort by this column, smallest first."""
        return SortOrder(self, False)

    @property
    def descending(self):
        """Sort by this column, largest first."""
        return SortOrder(self, True)

    asc = ascending
    desc = descending


_placeholderSerial = itertools.count()


class _PlaceholderAttribute(Comparable):
    def __init__(self, placeholder, attr):
        self.placeholder, self.attr = placeholder, attr
        self.kind = attr.kind

    __hash__ = object.__hash__

    def _columnKey(self):
        return ("ph", self.placeholder._serial) + self.attr._columnKey()

    def _column(self):
        name = "oid" if self.attr.kind == "storeID" else self.attr.attrname
        return self.placeholder._alias.c[name]

    def _owner(self):
        return self.placeholder

    def _queryValue(self, value):
        return self.attr._queryValue(value)

    def _outValue(self, dbValue, store):
        return self.attr._outValue(dbValue, store)

    def _isCaseInsensitive(self):
        return self.attr._isCaseInsensitive()


class Placeholder:
    """
    A second name for an Item class inside one query, for self-joins::

        other = Placeholder(Thing)
        store.query(Thing, AND(Thing.location == other.location,
                               other.name == "Alice"))
    """

    def __init__(self, itemClass):
        self.itemClass = itemClass
        self._serial = next(_placeholderSerial)
        self._alias = itemClass.__table__.alias(f"ph{self._serial}")

    def __getattr__(self, name):
        attr = getattr(self.itemClass, name)
        if not isinstance(attr, Comparable):
            raise AttributeError(f"{self.itemClass.__name__} has no "
                                 f"attribute {name!r} to query")
        return _PlaceholderAttribute(self, attr)

    def __repr__(self):
        return f"Placeholder({self.itemClass.__name__})"
