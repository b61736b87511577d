"""Tests for imaginary.store.query and comparison: the query language."""

import pytest

from imaginary.store import (
    AND, OR, Item, Placeholder, QueryError, Store, ieee754_double, integer,
    reference, text)


class Person(Item):
    typeName = "q_person"
    name = text()
    age = integer()
    height = ieee754_double()
    friend = reference()


class Pet(Item):
    typeName = "q_pet"
    name = text()
    owner = reference(reftype=Person)


@pytest.fixture
def store():
    s = Store()
    alice = Person(store=s, name="Alice", age=30, height=1.6)
    bob = Person(store=s, name="Bob", age=25, height=1.8, friend=alice)
    carol = Person(store=s, name="carol", age=30, height=None, friend=alice)
    Pet(store=s, name="Rex", owner=alice)
    Pet(store=s, name="Tom", owner=bob)
    Pet(store=s, name="Fluff", owner=bob)
    s.people = (alice, bob, carol)
    return s


def names(items):
    return [i.name for i in items]


def test_sorts_limit_offset(store):
    q = store.query(Person, sort=[Person.age.descending, Person.name.ascending])
    assert names(q) == ["Alice", "carol", "Bob"]
    assert names(store.query(Person, sort=Person.name.ascending, limit=2,
                             offset=1)) == ["Bob", "carol"]


def test_comparisons(store):
    assert names(store.query(Person, Person.name == "ALICE")) == ["Alice"]
    assert sorted(names(store.query(Person, Person.height == None))) == [  # noqa
        "carol"]
    assert sorted(names(store.query(Person, OR(Person.age < 26,
                                               Person.name == "carol")))) == [
        "Bob", "carol"]
    assert names(store.query(Person, AND(Person.age == 30,
                                         Person.height > 1.0))) == ["Alice"]
    assert sorted(names(store.query(Person, Person.name.oneOf(
        ["bob", "carol"])))) == ["Bob", "carol"]
    assert names(store.query(Person, Person.name.notOneOf(
        ["bob", "carol"]))) == ["Alice"]
    assert names(store.query(Person, Person.name.like("c%"))) == ["carol"]
    assert names(store.query(Person, Person.name.startswith("AL"))) == [
        "Alice"]
    assert names(store.query(Person, Person.name.endswith("OB"))) == ["Bob"]


def test_joins_and_multi_type_queries(store):
    alice, bob, carol = store.people
    pets = store.query(Pet, AND(Pet.owner == Person.storeID,
                                Person.age < 28), sort=Pet.name.ascending)
    assert names(pets) == ["Fluff", "Tom"]
    pairs = store.query((Person, Pet), Pet.owner == Person.storeID,
                        sort=Pet.name.ascending)
    assert [(p.name, q.name) for p, q in pairs] == [
        ("Bob", "Fluff"), ("Alice", "Rex"), ("Bob", "Tom")]


def test_placeholder_self_join(store):
    other = Placeholder(Person)
    # People whose friend is 30 years old.
    q = store.query(Person, AND(Person.friend == other.storeID,
                                other.age == 30), sort=Person.name.ascending)
    assert names(q) == ["Bob", "carol"]
    same = Placeholder(Person)
    q = store.query(Person, AND(Person.age == same.age,
                                Person.storeID != same.storeID)).distinct()
    assert sorted(names(q)) == ["Alice", "carol"]


def test_one_of_a_subquery(store):
    owners = store.query(Pet, Pet.name.oneOf(["Rex", "Tom"])).getColumn(
        "owner", raw=True)
    assert sorted(names(store.query(Person, Person.storeID.oneOf(owners)))) \
        == ["Alice", "Bob"]


def test_aggregates(store):
    ages = store.query(Person).getColumn("age")
    assert ages.sum() == 85
    assert ages.max() == 30 and ages.min() == 25
    assert ages.count() == 3
    assert sorted(ages.distinct()) == [25, 30]
    assert ages.average() == pytest.approx(85 / 3)
    assert store.query(Person, Person.age > 99).getColumn("age").max(
        default=-1) == -1
    assert store.sum(Person.age, Person.age > 26) == 60
    friends = store.query(Person, Person.friend != None).getColumn(  # noqa
        "friend")
    assert list(friends) == [store.people[0], store.people[0]]


def test_bad_queries_say_what_is_wrong(store):
    with pytest.raises(QueryError, match="sort must be"):
        list(store.query(Person, sort="name"))
    with pytest.raises(QueryError, match="limit must be"):
        store.query(Person, limit=-1)
    with pytest.raises(QueryError, match="a comparison"):
        store.query(Person, True)
    with pytest.raises(QueryError, match="no attribute"):
        store.query(Person).getColumn("colour")
    with pytest.raises(QueryError, match="only applies to text"):
        Person.age.like("3%")
    with pytest.raises(QueryError):
        Person.age < None
