"""
Bodies in action: hit/attack, score.

Fighting costs stamina and does damage.  Death never deletes a character:
a defeated body drops everything it carries where it fell, is restored,
and is brought back at the world's recovery location.
"""

import random

from imaginary.interfaces import IActor
from imaginary.language import sentence, styled
from imaginary.simulation.events import Event
from imaginary.simulation.failure import ActionFailure
from imaginary.simulation.garments import Garment
from imaginary.simulation.recovery import (
    HEALTH_STEP, RECOVERY_SECONDS, STAMINA_STEP, isRecovering, needsRest)

from .base import HERE, Find, Verb, resolve

# Dice are a module attribute so tests can make fights deterministic.
dice = random.Random()


def defeat(body, world):
    """A defeated body drops its things and recovers elsewhere."""
    thing = body.thing
    fell = thing.location
    for garment in thing.store.query(Garment, Garment.wearer == thing):
        garment.wearer = None
        garment.wearLevel = 0
    for carried in thing.contents():
        carried.moveTo(fell, force=True)
    body.hitpoints = body.maxHitpoints
    body.stamina = body.maxStamina
    recovery = world.recoveryLocation() if world is not None else None
    if recovery is not None and recovery is not fell:
        thing.moveTo(recovery, force=True)
        Event(location=recovery, actor=thing,
              actorMessage=styled("You wake up, sore but alive."),
              otherMessage=sentence("{actor} {actor:stagger} in, looking "
                                    "dazed.", actor=thing)).broadcast()


class Hit(Verb):
    """
    hit <someone> (or: attack): fight. Each blow costs stamina; a body at 0 hit
    points is defeated, drops what it carries and wakes up at the recovery
    point.
    """

    names = ("hit", "attack", "kill")
    syntax = ("hit|attack|kill {target}",)
    finds = {"target": Find(interface=IActor, radius=HERE,
                            notFound="There is nobody like that here.")}

    def run(self, context, target):
        """
        Strike C{target}: roll the damage, tell the room, and defeat a body
        that reaches 0 hit points.
        """
        actor = context.actor
        attacker = IActor(actor, None)
        if attacker is None:
            raise ActionFailure.simple("You have no body to fight with.")
        [victim] = resolve(context, self.finds["target"], target)
        if victim.thing is actor:
            raise ActionFailure.simple("Hitting yourself would be silly.")
        cost = dice.randint(1, 4)
        if attacker.stamina < cost:
            raise ActionFailure.simple("You are too tired to fight.")
        attacker.stamina -= cost
        damage = dice.randint(1, 4) + attacker.strength // 10
        victim.hitpoints = max(0, victim.hitpoints - damage)
        s = sentence("{actor} {actor:hit} {target}.", actor=actor,
                     target=victim.thing)
        Event(location=actor.location, actor=actor, target=victim.thing,
              actorMessage=s, targetMessage=s, otherMessage=s).broadcast()
        if victim.hitpoints == 0:
            attacker.experience += victim.experience // 2 + 1
            s = sentence("{target} {target:be} defeated!", target=victim.thing)
            Event(location=actor.location, actor=actor, target=victim.thing,
                  actorMessage=s, targetMessage=s,
                  otherMessage=s).broadcast()
            defeat(victim, context.world)
        # Both get their strength back over time (nothing if full).
        needsRest(attacker)
        needsRest(victim)


class Score(Verb):
    """score: show your level, experience, hit points and stamina."""

    names = ("score", "stats")
    syntax = ("score|stats",)

    def run(self, context):
        """
        Tell the actor their body's figures (and whether they are still
        recovering).
        """
        body = IActor(context.actor, None)
        if body is None:
            raise ActionFailure.simple("You have no body to score.")
        text = (f"Level {body.level}, experience {body.experience}.\n"
                f"Hit points {body.hitpoints}/{body.maxHitpoints}, "
                f"stamina {body.stamina}/{body.maxStamina}, "
                f"strength {body.strength}.")
        if isRecovering(body):
            text += ("\nYou are getting your strength back (about "
                     f"{STAMINA_STEP} stamina and {HEALTH_STEP} hit points "
                     f"every {RECOVERY_SECONDS} seconds).")
        Event(location=None, actor=context.actor,
              actorMessage=styled(text),
              data={"vitals": body}).broadcast()
