"""Tests for imaginary.plugin: discovery, live reload, broken plugins."""

import textwrap

from pluginkit import pluginFolder, write  # noqa: F401 (a fixture)
from transcript import R, Transcript

GOOD = textwrap.dedent('''
    from imaginary.simulation.thing import Thing
    from imaginary.verbs.builder import ThingType


    def make(store, name):
        return Thing(store=store, name=name, description="%s")


    %s = ThingType("%s", make, "a test type")
''')


def test_reload_makes_a_new_thing_type_creatable(pluginFolder):
    t = Transcript()
    t.check("create widget named gizmo",
            actor=[R(r"There is no thing type 'widget'\. Known types: .*")])
    write(pluginFolder, "widgets.py",
          GOOD % ("A shiny widget.", "widgetType", "widget"))
    t.check("reload", actor=["Reloaded 1 plugin file(s): widgets."])
    t.check("create widget named gizmo", actor=["You create the gizmo."])
    t.check("look at gizmo", actor=["gizmo", "A shiny widget."])


def test_broken_plugin_is_reported_and_game_unharmed(pluginFolder):
    t = Transcript()
    path = write(pluginFolder, "gadgets.py",
                 GOOD % ("Version one.", "gadgetType", "gadget"))
    t.check("reload", actor=["Reloaded 1 plugin file(s): gadgets."])
    t.check("create gadget named first", actor=["You create the first."])
    write(pluginFolder, "gadgets.py", "def broken(:\n    pass\n")
    t.check("reload", actor=[
        "Reloaded 0 plugin file(s).",
        f"Failed: {path}, line 1: SyntaxError: invalid syntax "
        f"(gadgets.py, line 1)"])
    # The previous version stays active and the game goes on.
    t.check("create gadget named second", actor=["You create the second."])
    t.check("look at second", actor=["second", "Version one."])
    t.check("say still here", actor=["You say, 'still here'"],
            observer=["Alice says, 'still here'"])


def test_plugin_raising_at_import_names_its_line(pluginFolder):
    t = Transcript()
    path = write(pluginFolder, "raiser.py",
                 "x = 1\n\nraise RuntimeError('no good')\n")
    t.check("reload", actor=[
        "Reloaded 0 plugin file(s).",
        f"Failed: {path}, line 3: RuntimeError: no good"])


def test_changed_plugin_takes_effect_and_items_keep_data(pluginFolder):
    t = Transcript()
    write(pluginFolder, "gizmos.py",
          GOOD % ("Old words.", "gizmoType", "gizmo"))
    t.check("reload", actor=["Reloaded 1 plugin file(s): gizmos."])
    t.check("create gizmo named one", actor=["You create the one."])
    write(pluginFolder, "gizmos.py",
          GOOD % ("New words.", "gizmoType", "gizmo"))
    t.check("reload", actor=["Reloaded 1 plugin file(s): gizmos."])
    t.check("create gizmo named two", actor=["You create the two."])
    t.check("look at one", actor=["one", "Old words."])
    t.check("look at two", actor=["two", "New words."])


def test_players_cannot_reload():
    t = Transcript()
    t.check("reload", by=t.observer,
            actor=["You need builder permission to use 'reload'."])
