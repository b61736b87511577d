"""Tests for imaginary.store.item: declaring Item types and their hooks."""

import pytest

from imaginary.store import (
    DuplicateTypeName, Item, NoInheritance, Store, StoreError, integer, text)


class Hooked(Item):
    typeName = "item_hooked"
    schemaVersion = 1
    name = text()
    calls = []

    def activate(self):
        Hooked.calls.append(("activate", self.name))

    def stored(self):
        Hooked.calls.append(("stored", self.name))

    def deleted(self):
        Hooked.calls.append(("deleted", self.name))


def test_type_name_and_version():
    assert Hooked.typeName == "item_hooked" and Hooked.schemaVersion == 1

    class Plain(Item):
        x = integer()
    assert Plain.typeName == "test_store_item_test_type_name_and_version__" \
        "locals__plain"
    assert Plain.schemaVersion == 1


def test_hooks(tmp_path):
    Hooked.calls[:] = []
    store = Store(str(tmp_path / "s"))
    h = Hooked(store=store, name="a")
    assert Hooked.calls == [("activate", "a"), ("stored", "a")]
    sid = h.storeID
    store.close()
    Hooked.calls[:] = []
    store = Store(str(tmp_path / "s"))
    h = store.getItemByID(sid)
    assert Hooked.calls == [("activate", "a")]
    h.deleteFromStore()
    assert Hooked.calls[-1] == ("deleted", "a")


def test_undeclared_attribute_refused():
    h = Hooked(name="x")
    with pytest.raises(AttributeError):
        h.colour = "red"
    with pytest.raises(AttributeError, match="no persistent attribute"):
        Hooked(colour="red")


def test_two_classes_one_type_name_refused():
    class First(Item):
        typeName = "item_clash"
        x = integer()

    def other():
        class Second(Item):
            typeName = "item_clash"
            y = integer()
    with pytest.raises(DuplicateTypeName, match="item_clash"):
        other()


def test_subclassing_an_item_class_refused():
    with pytest.raises(NoInheritance, match="cannot be subclassed"):
        class Sub(Hooked):
            pass


def test_reserved_names_refused():
    with pytest.raises(StoreError, match="reserved"):
        class Bad(Item):
            typeName = "item_bad_names"
            storeID = integer()


def test_store_of_an_item_cannot_change():
    a, b = Store(), Store()
    h = Hooked(store=a, name="x")
    with pytest.raises(StoreError, match="store cannot change"):
        h.store = b
