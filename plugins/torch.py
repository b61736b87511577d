"""A torch: 'light torch' to carry light into the dark, 'extinguish torch'."""
from imaginary.interfaces import ILightSource
from imaginary.language import sentence
from imaginary.simulation.events import Event
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.lighting import LightSource
from imaginary.simulation.thing import Thing
from imaginary.verbs.base import Find, Verb, VerbSource, resolve
from imaginary.verbs.builder import ThingType


def torch(store, name):
    """A torch called C{name}: a light source, not yet lit."""
    thing = Thing(store=store, name=name, description="Oily rags on a stick.")
    LightSource.createFor(thing, candelas=80, lit=False)
    return thing


class Light(Verb):
    """light <torch>: set it burning."""
    names, syntax, lit = ("light",), ("light {target}",), True
    finds = {"target": Find(interface=ILightSource)}

    def run(self, context, target):
        """Light (or put out) the light source C{target} names."""
        [source] = resolve(context, self.finds["target"], target)
        if source.lit == self.lit:
            raise ActionFailure(f"It is already {'lit' if self.lit else 'out'}.")
        source.lit = self.lit
        line = sentence("{actor} {actor:" + self.names[0] + "} {torch}.",
                        actor=context.actor, torch=source.thing)
        Event(location=context.actor.location, actor=context.actor,
              actorMessage=line, otherMessage=line).broadcast()


class Extinguish(Light):
    """extinguish <torch>: put it out."""
    names, syntax, lit = ("extinguish",), ("extinguish|douse {target}",), False


torchType = ThingType("torch", torch, "a torch to light and put out")
torchVerbs = VerbSource("torch", [Light, Extinguish])
