"""
Where the content that ships with Imaginary lives: the default world and
the content plugins (torch, chair, mice, guard...).

In a checkout they are the top-level C{world/} and C{plugins/} folders,
which is where authors edit them.  A wheel carries them inside this package
instead, as C{imaginary/shipped/world} and C{imaginary/shipped/plugins}
(pyproject.toml maps the folders there), because installing top-level
C{world} and C{plugins} packages into site-packages would collide with
anyone else's.  The rest of Imaginary asks this module and doesn't care
which of the two it is running from.
"""

import importlib
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_CHECKOUT = os.path.dirname(os.path.dirname(_HERE))


def _installed(name):
    """The folder C{name} inside this package, as a wheel installs it."""
    path = os.path.join(_HERE, name)
    return path if os.path.isdir(path) else None


def _fromCheckout(name):
    """
    The top-level folder C{name} of the checkout this package was imported
    from, or None when this is not a checkout (for example site-packages,
    whose unrelated "world" or "plugins" folder must not be taken).
    """
    if not os.path.isfile(os.path.join(_CHECKOUT, "pyproject.toml")):
        return None
    path = os.path.join(_CHECKOUT, name)
    return path if os.path.isdir(path) else None


def folder(name):
    """
    The folder of the shipped content C{name} (C{"world"} or C{"plugins"}):
    the installed copy inside this package, else the checkout's top-level
    folder; None if there is neither.
    """
    return _installed(name) or _fromCheckout(name)


def defaultWorld():
    """
    The module that builds the default world: its C{build(store)} creates
    it in an empty store, C{PATH} is its JSON file.

    Installed, it is C{imaginary.shipped.world.default}.  In a checkout it
    is the top-level C{world.default}, importable because the checkout root
    is on sys.path (that is how C{imaginary} itself was found; the
    development venv's editable install puts it there).
    """
    if _installed("world"):
        return importlib.import_module(__name__ + ".world.default")
    module = importlib.import_module("world.default")
    expected = _fromCheckout("world")
    # Another distribution's top-level "world" earlier on sys.path would
    # build someone else's world; refuse rather than surprise.
    if expected is None or os.path.dirname(
            os.path.abspath(module.__file__)) != expected:
        raise ImportError(
            f"the default world should come from {expected or _CHECKOUT!r}"
            f", but 'world.default' is {module.__file__!r}")
    return module
