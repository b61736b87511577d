"""
Random comparisons checked against a Python filter over all items, with
SQL's three-valued logic and SQLite's NOCASE (ASCII-only) folding.
"""

from hypothesis import given, settings, strategies as st

from imaginary.store import AND, OR, Item, Store, integer, text

ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                           "abcdefghijklmnopqrstuvwxyz")


class CmpThing(Item):
    typeName = "cmp_thing"
    word = text(indexed=True)
    exact = text(caseSensitive=True)
    number = integer()


words = st.one_of(st.none(), st.text(alphabet="aAbBzZé_%", max_size=4))
numbers = st.one_of(st.none(), st.integers(-5, 5),
                    st.sampled_from([2 ** 63 - 1, -2 ** 63]))
rows = st.lists(st.tuples(words, words, numbers), max_size=12)

OPS = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b,
       "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
       ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def key(attr, value):
    if value is None or attr != "word":
        return value
    return value.translate(ASCII_FOLD)


def like(pattern, value):
    """SQL LIKE: % any run, _ one character, ASCII letters fold."""
    import re
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c)
                    for c in pattern.translate(ASCII_FOLD))
    return re.fullmatch(regex, value.translate(ASCII_FOLD),
                        re.DOTALL) is not None


@st.composite
def comparisons(draw, depth=0):
    """(store comparison, python predicate returning True/False/None)."""
    kind = draw(st.sampled_from(
        ["op", "op", "null", "in", "like", "prefix"] +
        (["and", "or"] if depth < 2 else [])))
    attr = draw(st.sampled_from(["word", "exact", "number"]))
    column = getattr(CmpThing, attr)
    sample = numbers if attr == "number" else words.filter(
        lambda w: w is not None)
    if kind == "op":
        op = draw(st.sampled_from(sorted(OPS)))
        value = draw(sample.filter(lambda v: v is not None))
        expr = {"==": column.__eq__, "!=": column.__ne__,
                "<": column.__lt__, "<=": column.__le__,
                ">": column.__gt__, ">=": column.__ge__}[op](value)
        return expr, lambda row: None if row[attr] is None else OPS[op](
            key(attr, row[attr]), key(attr, value))
    if kind == "null":
        negate = draw(st.booleans())
        return ((column != None) if negate else (column == None),  # noqa
                lambda row: (row[attr] is not None) == negate)
    if kind == "in":
        values = draw(st.lists(sample.filter(lambda v: v is not None),
                               max_size=3))
        negate = draw(st.booleans())
        expr = column.notOneOf(values) if negate else column.oneOf(values)

        def inside(row):
            if not values:
                # As in SQLite: x IN () is false, x NOT IN () true, even
                # for NULL.
                return negate
            if row[attr] is None:
                return None
            found = key(attr, row[attr]) in [key(attr, v) for v in values]
            return (not found) if negate else found
        return expr, inside
    if kind in ("like", "prefix"):
        attr = draw(st.sampled_from(["word", "exact"]))
        column = getattr(CmpThing, attr)
        value = draw(words.filter(lambda v: v is not None))
        if kind == "like":
            return column.like(value), lambda row: None if \
                row[attr] is None else like(value, row[attr])
        start = draw(st.booleans())
        expr = column.startswith(value) if start else column.endswith(value)

        def affix(row):
            if row[attr] is None:
                return None
            a, b = key(attr, row[attr]), key(attr, value)
            return a.startswith(b) if start else a.endswith(b)
        return expr, affix
    parts = draw(st.lists(comparisons(depth + 1), min_size=1, max_size=3))
    if kind == "and":
        def both(row):
            results = [p(row) for _, p in parts]
            if False in results:
                return False
            return None if None in results else True
        return AND(*[e for e, _ in parts]), both

    def either(row):
        results = [p(row) for _, p in parts]
        if True in results:
            return True
        return None if None in results else False
    return OR(*[e for e, _ in parts]), either


@settings(max_examples=200, deadline=None)
@given(rows, comparisons())
def test_query_matches_python_filter(data, comparison):
    store = Store()
    items = {}
    for word, exact, number in data:
        item = CmpThing(store=store, word=word, exact=exact, number=number)
        items[item.storeID] = {"word": word, "exact": exact,
                               "number": number}
    expr, predicate = comparison
    expected = {sid for sid, row in items.items() if predicate(row) is True}
    got = {t.storeID for t in store.query(CmpThing, expr)}
    assert got == expected
    assert store.count(CmpThing, expr) == len(expected)


@settings(max_examples=100, deadline=None)
@given(rows, st.booleans(), st.integers(0, 5), st.integers(0, 3))
def test_sort_limit_offset_and_aggregates(data, descending, limit, offset):
    store = Store()
    for word, exact, number in data:
        CmpThing(store=store, word=word, exact=exact, number=number)
    sort = CmpThing.number.descending if descending else \
        CmpThing.number.ascending
    numbers = [n for _, _, n in data]
    # SQLite sorts NULL first ascending (last descending).
    ordered = sorted(numbers, key=lambda n: (n is not None, n or 0),
                     reverse=descending)
    got = [t.number for t in store.query(CmpThing, sort=sort, limit=limit,
                                         offset=offset)]
    assert got == ordered[offset:offset + limit]
    present = [n for n in numbers if n is not None]
    column = store.query(CmpThing).getColumn("number")
    # As in Axiom: a column's count() counts values (not NULLs), and
    # max()/min() of no values need a default.
    assert column.count() == len(present)
    assert column.max(default=None) == (max(present) if present else None)
    assert column.min(default=None) == (min(present) if present else None)
    assert sorted(column.distinct(), key=lambda n: (n is not None, n or 0)) \
        == sorted(set(numbers), key=lambda n: (n is not None, n or 0))
    if present and all(abs(n) < 2 ** 40 for n in present):
        assert column.sum() == sum(present)
