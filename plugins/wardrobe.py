"""Clothes: shirt, trousers, underwear, coat and hat, layered by bulk."""

from imaginary.language.grammar import PLURAL
from imaginary.simulation.garments import Garment
from imaginary.simulation.thing import Thing
from imaginary.verbs.builder import ThingType

# Nouns with no "a" (Thing.noun): trousers are plural only ("some
# trousers", "two pairs of trousers", "they"), underwear is a mass noun
# ("some underwear", never counted, "it").
NOUNS = {"trousers": "plural", "underwear": "mass"}

# name -> (slots, bulk, description)
CLOTHES = {
    "underwear": (["waist"], 1, "Plain cotton underwear."),
    "shirt": (["chest", "back", "left arm", "right arm"], 2,
              "A linen shirt."),
    "trousers": (["waist", "left leg", "right leg"], 2,
                 "Sturdy brown trousers."),
    "coat": (["chest", "back", "left arm", "right arm", "waist"], 4,
             "A heavy wool coat."),
    "hat": (["head"], 2, "A wide-brimmed hat."),
}


def garmentFactory(kind):
    """The factory of one kind of garment in CLOTHES."""
    slots, bulk, description = CLOTHES[kind]

    def make(store, name):
        thing = Thing(store=store, name=name, description=description)
        thing.noun = NOUNS.get(kind, "count")
        if thing.noun == "plural":
            thing.gender = PLURAL
        Garment.createFor(thing, garmentSlots=slots, bulk=bulk)
        return thing
    make.__name__ = kind
    return make


shirtType = ThingType("shirt", garmentFactory("shirt"), "a shirt")
trousersType = ThingType("trousers", garmentFactory("trousers"), "trousers")
underwearType = ThingType("underwear", garmentFactory("underwear"),
                          "underwear")
coatType = ThingType("coat", garmentFactory("coat"), "a bulky coat")
hatType = ThingType("hat", garmentFactory("hat"), "a hat")
