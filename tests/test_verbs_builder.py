"""Transcript tests for imaginary.verbs.builder."""

from imaginary.interfaces import IContainer
from imaginary.language.grammar import FEMALE
from imaginary.simulation.containment import Exit
from imaginary.simulation.lighting import LocationLighting
from imaginary.simulation.thing import Thing
from transcript import R, Transcript


def test_dig_and_bury():
    t = Transcript()
    t.check("dig north Hall", actor=["You dig north and make Hall."])
    hall = t.store.findUnique(Thing, Thing.name == "Hall")
    assert {e.name for e in t.store.query(Exit)} == {"north", "south"}
    t.check("dig north Again", actor=["There is already an exit north from "
                                      "Test Location."])
    t.check("dig sideways Nowhere", actor=["'sideways' is not a direction."])
    t.check("bury north", actor=["You bury the way north."])
    assert t.store.count(Exit) == 0 and hall.store is not None
    t.check("bury north", actor=["There is no exit that way."])


def test_create_and_list_thing_types():
    t = Transcript()
    t.check("list thing types", actor=[R(r"Thing types: .*\bbox\b.*\.")])
    t.check("create box named crate", actor=["You create the crate."])
    crate = t.store.findUnique(Thing, Thing.name == "crate")
    assert crate.location is t.actor.thing and IContainer(crate) is not None
    assert crate.kind == "box"
    t.check("create the thing named Orb", actor=["You create Orb."])
    assert t.store.findUnique(Thing, Thing.name == "Orb").proper
    t.check("create dragon named Smaug", actor=[
        R(r"There is no thing type 'dragon'\. Known types: .*")])
    t.check("create thing named \x01", actor=[
        "A name must be 1 to 80 printable characters."])


def test_describe_name_set():
    t = Transcript()
    t.check("create thing named rock", actor=["You create the rock."])
    t.check("describe rock as A grey rock.", actor=["You describe the rock."])
    t.check("look at rock", actor=["rock", "A grey rock."])
    t.check("name rock to pebble", actor=["You rename the rock to pebble."])
    pebble = t.store.findUnique(Thing, Thing.name == "pebble")
    t.check("set gender of pebble to female",
            actor=["You set the gender of the pebble to female."])
    assert pebble.gender == FEMALE
    t.check("set proper of pebble to yes",
            actor=["You set the proper of pebble to yes."])
    t.check("set weight of pebble to 7",
            actor=["You set the weight of pebble to 7."])
    t.check("set portable of pebble to no",
            actor=["You set the portable of pebble to no."])
    assert (pebble.proper, pebble.weight, pebble.portable) == (True, 7, False)
    t.check("set weight of pebble to heavy", actor=[
        "weight must be a whole number from 0 to 1000000000."])
    t.check("set colour of pebble to red", actor=[
        "There is no property 'colour'. Try gender, proper, noun, weight, "
        "portable or capacity."])
    t.check("set capacity of pebble to 3",
            actor=["Pebble is not a container."])
    assert pebble.weight == 7


def test_set_noun_form_is_used_in_every_listing():
    t = Transcript()
    t.actor.do("create thing named sand")
    t.actor.do("drop sand")
    t.actor.output()
    t.observer.output()
    t.check("look", by=t.observer, actor=[
        "[ Test Location ]", "Location for testing.",
        "Here, you see Alice and a sand."])
    t.check("set noun of sand to mass",
            actor=["You set the noun of the sand to mass."])
    t.check("look", by=t.observer, actor=[
        "[ Test Location ]", "Location for testing.",
        "Here, you see Alice and some sand."])
    t.check("set noun of sand to lots", actor=[
        "A noun is count (a coin, two coins), mass (some bread) or plural "
        "(some trousers, two pairs of trousers)."])
    assert t.store.findUnique(Thing, Thing.name == "sand").noun == "mass"


def test_illuminate_teleport_destroy_scrutinize():
    t = Transcript()
    t.check("illuminate 0", actor=["You set the light here to 0 candelas."])
    lighting = t.store.findUnique(LocationLighting)
    assert lighting.candelas == 0
    t.check("look", actor=["It's too dark to see."])
    t.check("illuminate 50", actor=["You set the light here to 50 candelas."])
    assert t.store.count(LocationLighting) == 1
    t.check("illuminate bright", actor=[
        "Give the light as a whole number of candelas, 0 to 1000000."])
    t.check("dig east Annex", actor=["You dig east and make Annex."])
    t.check("teleport to Annex", actor=["You teleport yourself to Annex."],
            observer=[])
    t.check("teleport to Atlantis", actor=["There is no place called "
                                           "'Atlantis'."])
    t.check("create thing named vase", actor=["You create the vase."])
    t.check("scrutinize vase", actor=[R(r"Thing\(storeID=\d+\)"),
                                      R(r"\{'description': '',"),
                                      " 'gender': 0,", " 'kind': 'thing',",
                                      R(r" 'location': Thing.*"),
                                      " 'name': 'vase',",
                                      " 'noun': 'count',",
                                      " 'portable': True,",
                                      " 'proper': False,",
                                      " 'weight': 1}"])
    t.check("destroy vase", actor=["You destroy the vase."])
    assert t.store.findFirst(Thing, Thing.name == "vase") is None
    t.check("teleport to Test Location",
            actor=["You teleport yourself to Test Location."])
    t.check("destroy bob", actor=["Characters can't be destroyed."])


def test_destroy_refuses_rooms_with_characters_and_the_worlds_rooms():
    # Issue 18, item 7: destroying a room stranded those inside in the
    # void, and destroying the start room made newcomers start there.
    from test_verbs_base import dump
    from transcript import Player
    t = Transcript()
    t.check("dig east Annex", actor=["You dig east and make Annex."])
    t.check("dig west Infirmary", actor=["You dig west and make Infirmary."])
    t.check("dig north Attic", actor=["You dig north and make Attic."])
    infirmary = t.store.findUnique(Thing, Thing.name == "Infirmary")
    t.store.transact(setattr, t.world, "recovery", infirmary)
    assert t.observer.do("east")
    carol = Player(t.world, "Carol")
    t.world.loggedOut(carol.thing)
    attic = t.store.findUnique(Thing, Thing.name == "Attic")
    chair = t.store.transact(
        lambda: Thing(store=t.store, name="chair", location=attic))
    t.store.transact(carol.thing.moveTo, chair, True)
    t.actor.output(), t.observer.output()
    before = dump(t.store)
    t.check("destroy annex", actor=["Annex can't be destroyed: Bob is in it."])
    t.check("destroy attic", actor=["Attic can't be destroyed: Carol is in it."])
    t.check("destroy infirmary", actor=[
        "Infirmary can't be destroyed: it is where the defeated recover."])
    assert dump(t.store) == before
    t.check("teleport to Infirmary",
            actor=["You teleport yourself to Infirmary."])
    t.check("destroy test location", actor=[
        "Test Location can't be destroyed: it is where new characters "
        "start."])
    # An empty room goes, with its exits.
    t.check("teleport to Test Location",
            actor=["You teleport yourself to Test Location."])
    assert t.observer.do("west")
    t.actor.output(), t.observer.output()
    t.check("destroy annex", actor=["You destroy Annex."])
    assert t.store.findFirst(Thing, Thing.name == "Annex") is None


def test_renaming_a_character_is_for_admins_and_follows_the_name_rules():
    # Issue 18, item 8: builders renamed anyone, the admin too, to
    # anything ("two Boss in who").
    from imaginary.accounts import AccountCharacter, createAccount
    from test_verbs_base import dump
    from transcript import Player
    t = Transcript()
    boss = Player(t.world, "Boss", level="admin")
    t.actor.output(), t.observer.output(), boss.output()

    def owned(name, character=None):
        account = createAccount(t.store, name, b"x")
        if character is not None:
            t.store.transact(lambda: AccountCharacter(
                store=t.store, account=account, character=character))
        return account
    owned("Bobby", t.observer.thing)
    owned("Dave")
    before = dump(t.store)
    t.check("rename boss to Alice", actor=[
        "You need admin permission to rename a character."])
    t.check("name bob as Boss", actor=[
        "You need admin permission to rename a character."])
    for line, answer in [
            ("rename bob to B0ss", "A character name may hold only "
             "letters, with single spaces, hyphens or apostrophes between "
             "them; digit zero is not allowed."),
            ("rename bob to X", "A character name must be 2 to 20 "
             "characters long."),
            ("rename bob to boss", "The name 'boss' is taken."),
            ("rename bob to \u0410lice", "A character name is written "
             "in one alphabet, not a mix (Cyrillic, Latin)."),
            ("rename bob to \u0430\u04cf\u0456\u0441\u0435",
             "The name '\u0430\u04cf\u0456\u0441\u0435' is taken."),
            ("rename bob to DAVE", "The name 'DAVE' is taken.")]:
        t.check(line, by=boss, actor=[answer])
        assert dump(t.store) == before, line
    # His own account's name, or a fresh one, is fine.
    t.check("rename bob to Bobby", by=boss, actor=["You rename Bob to Bobby."])
    t.check("rename bobby to Robert", by=boss,
            actor=["You rename Bobby to Robert."])
    assert t.observer.thing.name == "Robert"
    # Things other than characters stay the builders' to name.
    t.check("create thing named vase", actor=["You create the vase."])
    t.check("rename vase to urn", actor=["You rename the vase to urn."])
