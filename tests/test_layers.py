"""
The layering rule of docs/layers.md: no module in imaginary/ imports from
a layer above its own (imports inside functions count too).
"""

import ast
import os

import imaginary

ROOT = os.path.dirname(imaginary.__file__)

# Rank of each part of imaginary/ (docs/layers.md); higher may import lower.
RANKS = {
    "store": 0, "language": 1, "simulation": 2, "interfaces": 2,
    "accounts": 3, "plugin": 3, "mail": 3.5, "notify": 3.7, "verbs": 4, "worldfile": 5, "session": 6,
    "frontends": 7, "bridge": 7, "server": 8, "cli": 9, "plugins": 9,
    # Where the shipped world and plugins are found (below the server
    # that builds the world); the dialogue script shared by tests and
    # benchmarks, which imports nothing of the engine.
    "shipped": 5, "testing": 9,
}

# The plugin loader imports the imaginary.plugins package itself (only its
# __init__, to read its folders), not the plugin modules in it.
ALLOWED = {("plugin", "plugins")}


def _part(dotted):
    parts = dotted.split(".")
    if parts[0] != "imaginary" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path, module):
    """The imaginary.* modules that the file at C{path} imports."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    package = module.split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module
                                        else []))
            else:
                name = node.module
            yield node.lineno, name


def upwardImports(root=ROOT):
    """(file, line, imported module) for every import that goes up."""
    found = []
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, os.path.dirname(root))
            module = relative[:-3].replace(os.sep, ".")
            module = module.removesuffix(".__init__")
            source = _part(module)
            if source not in RANKS:
                continue
            for line, imported in _imports(path, module):
                target = _part(imported or "")
                if (target in RANKS and RANKS[target] > RANKS[source]
                        and (source, target) not in ALLOWED):
                    found.append((relative, line, imported))
    return found


def test_no_module_imports_from_a_layer_above():
    assert upwardImports() == []


def test_the_check_sees_upward_imports(tmp_path):
    # The rule can fail: what npc.py and verbs/account.py did before their
    # seams (a mind importing the verbs, a verb importing a front end), in
    # a function or at the top, absolute or relative.
    simulation = tmp_path / "imaginary" / "simulation"
    verbs = tmp_path / "imaginary" / "verbs"
    simulation.mkdir(parents=True)
    verbs.mkdir()
    (simulation / "npc.py").write_text(
        "def act():\n    from imaginary.verbs.base import execute\n")
    (simulation / "fine.py").write_text("from .events import Event\n")
    (verbs / "account.py").write_text(
        "from ..frontends.keys import addKey\n")
    assert sorted(upwardImports(str(tmp_path / "imaginary"))) == [
        (os.path.join("imaginary", "simulation", "npc.py"), 2,
         "imaginary.verbs.base"),
        (os.path.join("imaginary", "verbs", "account.py"), 1,
         "imaginary.frontends.keys"),
    ]
