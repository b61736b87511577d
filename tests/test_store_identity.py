"""Tests for imaginary.store.identity: the weak identity map."""

import gc

from imaginary.store.identity import IdentityMap


class Thing:
    pass


def test_holds_weakly():
    m = IdentityMap()
    a, b = Thing(), Thing()
    m[1] = a
    m[2] = b
    assert m.get(1) is a and m.get(3, "none") == "none"
    del a
    gc.collect()
    assert m.get(1) is None and len(m) == 1
    assert m.pop(2) is b and m.get(2) is None


def test_replaced_entry_is_not_removed_by_the_old_ones_death():
    m = IdentityMap()
    old = Thing()
    m[1] = old
    new = Thing()
    m[1] = new
    del old
    gc.collect()
    assert m.get(1) is new
    del m[1]
    assert m.get(1) is None
