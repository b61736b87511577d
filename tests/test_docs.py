"""
Tests for the documentation: the tutorial's code runs, and the public
names of the documented packages have docstrings.

The site itself is built (strictly) by bin/docs, which .ci/run runs; these
tests keep what the pages promise true without a docs build.
"""

import ast
import pathlib
import re
import textwrap
import types

from imaginary.interfaces import ILightSource
from imaginary.simulation.thing import Thing
from imaginary.store import Store
from pluginkit import pluginFolder, write  # noqa: F401 (a fixture)
from transcript import Transcript, registry

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TUTORIAL = DOCS / "authoring.md"


def codeBlocks(path, language="python"):
    """The fenced code blocks of one language in a Markdown file, in order."""
    text = path.read_text(encoding="utf-8")
    return re.findall(r"^```" + language + r"\n(.*?)^```$", text,
                      re.MULTILINE | re.DOTALL)


def tutorialPlugin():
    """The plugin the tutorial writes (its first Python block)."""
    blocks = codeBlocks(TUTORIAL)
    assert blocks, "docs/authoring.md has no ```python block"
    return blocks[0]


def test_tutorial_code_blocks_run():
    """Every Python block of the tutorial runs as a module on its own."""
    for i, code in enumerate(codeBlocks(TUTORIAL)):
        module = types.ModuleType(f"tutorial_block_{i}")
        exec(compile(code, f"docs/authoring.md block {i}", "exec"),
             module.__dict__)


def test_tutorial_plugin_is_the_torch_that_ships():
    """The tutorial says it builds plugins/torch.py: it does, to the line."""
    shipped = (ROOT / "plugins" / "torch.py").read_text(encoding="utf-8")
    assert tutorialPlugin() == shipped


def test_group_story_chapter_quotes_the_shipped_cartographer():
    """The chapter's excerpts (indented blocks) are plugins/cartographer.py's
    own lines, so the chapter can't drift from the plugin it explains."""
    text = TUTORIAL.read_text(encoding="utf-8")
    chapter = text.split("## A story for a group", 1)[1].split("\n## ")[0]
    shipped = (ROOT / "plugins" / "cartographer.py").read_text(
        encoding="utf-8")
    excerpts = re.findall(r"((?:^    .*\n|^\n(?=    ))+)", chapter,
                          re.MULTILINE)
    assert len(excerpts) == 4
    for excerpt in excerpts:
        # Markdown's four spaces off; then the excerpt sits in the plugin
        # at some depth of indentation.
        code = [line[4:] if line.startswith("    ") else line
                for line in excerpt.strip("\n").split("\n")]
        code = textwrap.dedent("\n".join(code))
        assert any(textwrap.indent(code, " " * depth,
                                   lambda line: line.strip() != "")
                   in shipped for depth in (0, 4, 8, 12)), code[:60]


def test_tutorial_factory_makes_an_unlit_torch():
    module = types.ModuleType("tutorial_torch")
    exec(tutorialPlugin(), module.__dict__)
    store = Store()
    thing = store.transact(module.torch, store, "torch")
    assert isinstance(thing, Thing) and thing.name == "torch"
    source = ILightSource(thing)
    assert source.lit is False and source.candelas == 80
    assert module.torchType.factory is module.torch
    assert list(module.torchVerbs.verbs()) == [module.Light,
                                               module.Extinguish]


def test_tutorial_steps_in_a_running_game(pluginFolder):
    """
    Sections 2 to 4 of the tutorial: write the file, C{reload}, create a
    torch and light it, and a dark room is seen by its light.
    """
    t = Transcript()
    write(pluginFolder, "mytorch.py", tutorialPlugin())
    t.check("reload", actor=["Reloaded 1 plugin file(s): mytorch."])
    light = registry().find("light")
    assert type(light).__module__ == "imaginary.plugins.mytorch"
    t.actor.do("list thing types")
    assert ", torch," in t.actor.output()[0]
    t.check("create torch named torch", actor=["You create the torch."])
    t.check("illuminate 0", actor=["You set the light here to 0 candelas."])
    t.check("look", actor=["It's too dark to see."])
    t.check("light torch", actor=["You light the torch."],
            observer=["Alice lights a torch."])
    t.check("look", actor=["[ Test Location ]", "Location for testing.",
                           "Here, you see Bob."])
    t.check("light torch", actor=["It is already lit."])
    t.check("douse torch", actor=["You extinguish the torch."],
            observer=["Alice extinguishes a torch."])
    t.check("look", actor=["It's too dark to see."])


def test_tutorial_reload_reports_a_broken_plugin(pluginFolder):
    """'If the file has an error, you get its file and line.'"""
    t = Transcript()
    broken = tutorialPlugin().replace(
        'torchVerbs = VerbSource("torch", [Light, Extinguish])',
        'torchVerbs = VerbSource("torch", [Light, Extingiush])')
    line = broken.splitlines().index(
        'torchVerbs = VerbSource("torch", [Light, Extingiush])') + 1
    write(pluginFolder, "mytorch.py", broken)
    t.actor.do("reload")
    got = t.actor.output()
    assert got[0] == "Reloaded 0 plugin file(s)."
    path = str(pluginFolder / "mytorch.py")
    assert got[1:] == [f"Failed: {path}, line {line}: NameError: name "
                       f"'Extingiush' is not defined"]
    # The tutorial shows the very same reply.
    shown = got[1].replace(path, "plugins/mytorch.py")
    assert "    " + shown + "\n" in TUTORIAL.read_text(encoding="utf-8")


# The docstring check.  A public name is a module, or a class, function or
# method (at module level or in a class) whose name does not start with an
# underscore, in any module of the engine or of the shipped plugins.  Names that
# only override a documented interface's method or an attribute of their
# base (a Verb's run()) count too: every one should say what it does.
DOCUMENTED = ["imaginary", "plugins"]

# The most public names in DOCUMENTED that may lack a docstring.  Lower it
# as docstrings are added; it never goes up.
MAX_UNDOCUMENTED = 0


def publicNames(path):
    """(qualified name, has a docstring) for the module and its names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [("<module>", ast.get_docstring(tree) is not None)]

    def walk(body, prefix):
        for node in body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef,
                                 ast.AsyncFunctionDef)):
                if node.name.startswith("_"):
                    continue
                found.append((prefix + node.name,
                              ast.get_docstring(node) is not None))
                if isinstance(node, ast.ClassDef):
                    walk(node.body, prefix + node.name + ".")

    walk(tree.body, "")
    return found


def documentedModules():
    """Every module file under DOCUMENTED."""
    for entry in DOCUMENTED:
        path = ROOT / entry
        if path.is_dir():
            yield from sorted(path.rglob("*.py"))
        else:
            yield path


def undocumented():
    """'module.py: name' for every public name without a docstring."""
    missing = []
    for path in documentedModules():
        for name, documented in publicNames(path):
            if not documented:
                missing.append(f"{path.relative_to(ROOT)}: {name}")
    return missing


def test_public_names_have_docstrings():
    missing = undocumented()
    assert len(missing) <= MAX_UNDOCUMENTED, (
        f"{len(missing)} public names in the documented packages have no "
        f"docstring (at most {MAX_UNDOCUMENTED}):\n" + "\n".join(missing))


if __name__ == "__main__":
    # python tests/test_docs.py: the list, and how many.
    missing = undocumented()
    total = sum(len(publicNames(p)) for p in documentedModules())
    print("\n".join(missing))
    print(f"{len(missing)} of {total} public names have no docstring")
