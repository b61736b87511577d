"""Tests for imaginary.store.attributes: typed attributes and their checks."""

import pytest
from epsilon.extime import Time

from imaginary.store import (
    ConstraintError, Item, Store, boolean, bytes as bytesAttr, compoundIndex,
    ieee754_double, inmemory, integer, reference, text, textlist, timestamp)


class AllTypes(Item):
    typeName = "attr_all_types"
    name = text(indexed=True)
    exact = text(caseSensitive=True)
    blob = bytesAttr()
    number = integer(default=7)
    flag = boolean(default=False)
    ratio = ieee754_double()
    when = timestamp()
    words = textlist()
    other = reference()
    made = integer(defaultFactory=lambda: 42)
    required = integer(allowNone=False, default=1)
    scratch = inmemory()
    compoundIndex(number, flag)


class Target(Item):
    typeName = "attr_target"
    x = integer()


class Picky(Item):
    typeName = "attr_picky"
    target = reference(reftype=Target)


def test_round_trips_after_reopen(tmp_path):
    store = Store(str(tmp_path / "s"))
    when = Time.fromPOSIXTimestamp(1234567890.123456)
    t = Target(store=store, x=1)
    a = AllTypes(store=store, name="Lamp", exact="Lamp", blob=b"\x00\xff",
                 number=-2 ** 63, flag=True, ratio=2.5, when=when,
                 words=["a", "", "c d"], other=t)
    sid = a.storeID
    store.close()
    store = Store(str(tmp_path / "s"))
    a = store.getItemByID(sid)
    assert (a.name, a.exact, a.blob, a.number, a.flag, a.ratio) == (
        "Lamp", "Lamp", b"\x00\xff", -2 ** 63, True, 2.5)
    assert a.when == when
    assert a.when.asDatetime().microsecond == 123456
    assert a.words == ["a", "", "c d"]
    assert a.other.x == 1
    assert a.made == 42 and a.required == 1


def test_defaults_and_empty_textlists():
    store = Store()
    a = AllTypes(store=store, words=[])
    b = AllTypes(store=store, words=[""])
    assert a.number == 7 and a.flag is False
    assert a.words == [] and b.words == [""]


@pytest.mark.parametrize("attr, value, why", [
    ("name", 3, "expected str, got int"),
    ("name", "a\x00b", "text may not contain NUL characters"),
    ("name", "\ud800", "text must be encodable as UTF-8"),
    ("blob", "text", "expected bytes, got str"),
    ("number", True, "expected int, got bool"),
    ("number", 2 ** 63, "out of the signed 64-bit range"),
    ("number", 1.5, "expected int, got float"),
    ("flag", 1, "expected bool, got int"),
    ("ratio", 1, "expected float, got int"),
    ("ratio", float("nan"), "NaN cannot be stored"),
    ("when", 5, "expected epsilon.extime.Time, got int"),
    ("words", "abc", "expected list of str, got str"),
    ("words", ["a\x1fb"], "contains U+001F or NUL"),
    ("other", 5, "expected an Item, got int"),
    ("required", None, "None is not allowed"),
])
def test_wrong_values_name_class_attribute_and_value(attr, value, why):
    store = Store()
    a = AllTypes(store=store)
    before = getattr(a, attr)
    with pytest.raises(ConstraintError) as e:
        setattr(a, attr, value)
    assert str(e.value).startswith(f"AllTypes.{attr} = {value!r}: ")
    assert why in str(e.value)
    # The refused value changed nothing.
    assert getattr(a, attr) == before


def test_reference_type_is_checked():
    store = Store()
    with pytest.raises(ConstraintError, match="expected a Target"):
        Picky(store=store, target=AllTypes(store=store))
    with pytest.raises(ConstraintError, match="not in a store"):
        Picky(store=store, target=Target(x=1))


def test_text_comparison_case_rules():
    store = Store()
    AllTypes(store=store, name="Brass Lamp", exact="Brass Lamp")
    assert store.count(AllTypes, AllTypes.name == "brass lamp") == 1
    assert store.count(AllTypes, AllTypes.exact == "brass lamp") == 0
    assert store.count(AllTypes, AllTypes.exact == "Brass Lamp") == 1


def test_inmemory_unset_until_set_and_never_saved(tmp_path):
    store = Store(str(tmp_path / "s"))
    a = AllTypes(store=store)
    with pytest.raises(AttributeError):
        a.scratch
    a.scratch = "here"
    sid = a.storeID
    store.close()
    store = Store(str(tmp_path / "s"))
    with pytest.raises(AttributeError):
        store.getItemByID(sid).scratch


def test_indexes_are_created():
    store = Store()
    AllTypes(store=store)
    indexes = {r[0] for r in store._conn.execute(
        "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name = ?",
        (AllTypes.__tableName__,))}
    assert f"{AllTypes.__tableName__}_name" in indexes
    assert f"{AllTypes.__tableName__}_number_flag" in indexes
    assert f"{AllTypes.__tableName__}_other" in indexes
