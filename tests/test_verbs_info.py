"""Transcript tests for imaginary.verbs.info and the permission check."""

from imaginary.simulation.thing import Thing
from transcript import R, Transcript, registry


def test_help_without_and_with_a_topic():
    t = Transcript()
    t.check("help", actor=["Type commands in plain English: 'look', "
                           "'look at <thing>', 'take <thing>', 'go north' "
                           "(or just 'n'), 'say hello'. 'actions' lists "
                           "every command; 'help <command>' explains one, "
                           "'help quit' and 'help password' among them."])
    take = registry().find("take")
    t.check("help take", actor=take.help.split("\n"))
    t.check("help get", actor=take.help.split("\n"))
    t.check("help frobnicate", actor=["There is no help on 'frobnicate'. "
                                      "Type 'actions' for the list of "
                                      "commands."])


def test_every_verb_has_help_that_names_it():
    for verb in registry().verbs():
        assert verb.help, verb
        if verb.fallback:
            # Claims lines by what is in the world (a channel's name).
            assert not verb.names, verb
            continue
        assert verb.names[0] in verb.help or any(
            n in verb.help for n in verb.names), verb


def test_actions_lists_what_you_may_use():
    t = Transcript()
    t.check("actions", by=t.observer,
            actor=[R(r"Commands: (\w+, )*actions, .*")])
    t.observer.do("actions")
    t.actor.do("commands")
    player = t.actor.output()[0]
    assert "dig" in player
    t.observer.do("actions")
    assert "dig" not in t.observer.output()[0]


def test_players_are_refused_builder_verbs_and_nothing_changes():
    t = Transcript()
    before = t.store.count(Thing)
    t.check("dig north Hall", by=t.observer,
            actor=["You need builder permission to use 'dig'."])
    t.check("create thing named x", by=t.observer,
            actor=["You need builder permission to use 'create'."])
    assert t.store.count(Thing) == before
    t.check("help dig", by=t.observer,
            actor=["There is no help on 'dig'. Type 'actions' for the list "
                   "of commands."])


def test_unknown_verbs_get_a_suggestion():
    t = Transcript()
    t.check("lok", actor=["I don't know how to 'lok'. Did you mean 'look'?"])
    t.check("xyzzy", actor=["I don't know how to 'xyzzy'. Type 'actions' "
                            "for a list."])
