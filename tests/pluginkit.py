"""
A world's own plugin folder for tests that write plugin files and
`reload` them: the folder joins imaginary.plugins' search path for one
test, and afterwards the plugins written there are forgotten again.
"""

import os
import sys

import pytest

import imaginary.plugins
from imaginary.plugin import defaultLoader
from transcript import registry


@pytest.fixture
def pluginFolder(tmp_path):
    """A world's own plugin folder, as IMAGINARY_PLUGIN_PATH would add."""
    folder = tmp_path / "worldplugins"
    folder.mkdir()
    imaginary.plugins.__path__.append(str(folder))
    yield folder
    imaginary.plugins.__path__.remove(str(folder))
    defaultLoader().reload()
    # The modules loaded from the folder, and the verbs they brought.
    for name, module in list(sys.modules.items()):
        if name.startswith("imaginary.plugins.") and str(getattr(
                module, "__file__", "") or "").startswith(str(folder)):
            del sys.modules[name]
    registry().refresh()


def write(folder, name, text):
    """Write a plugin file with a modification time the loader sees as new."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10 ** 9))
    return path
