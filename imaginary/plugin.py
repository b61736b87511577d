"""
Loading and live-reloading plugins.

A PluginLoader imports every module in the plugin package's folders and
collects what they provide (IVerbSource, IThingType).  C{reload()} looks
again: new files are imported, changed files are re-imported, and a file
that fails (a syntax error, an exception at import) is reported with its
file and line while the version that was working stays active.  A failing
plugin therefore never takes the game down.

Re-importing runs the new code in a *fresh* module object and swaps it into
C{sys.modules} only when it succeeded, so a half-executed module is never
left behind.  Item classes defined again by a reloaded module replace the
old ones (same module and class name), so existing items keep their data.
"""

import importlib.util
import os
import sys
import traceback

import attr
from twisted.logger import Logger

log = Logger()


@attr.s(frozen=True)
class PluginError:
    """A plugin file that could not be loaded, and where it went wrong."""

    path = attr.ib()
    line = attr.ib()
    message = attr.ib()

    def describe(self):
        """'plugins/torch.py, line 12: NameError: ...'"""
        where = f", line {self.line}" if self.line else ""
        return f"{self.path}{where}: {self.message}"


def _errorFor(path, exc):
    line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) \
        else None
    if line is None:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if os.path.abspath(frame.filename) == os.path.abspath(path):
                line = frame.lineno
                break
    return PluginError(path, line, f"{type(exc).__name__}: {exc}")


class PluginLoader:
    """Imports plugin modules and remembers their modification times."""

    def __init__(self, package=None):
        if package is None:
            import imaginary.plugins as package
        self.package = package
        self._mtimes = {}
        self.errors = []

    def _files(self):
        seen = set()
        for folder in self.package.__path__:
            if not os.path.isdir(folder):
                continue
            for name in sorted(os.listdir(folder)):
                if not name.endswith(".py") or name.startswith("_"):
                    continue
                stem = name[:-3]
                if stem in seen:
                    continue
                seen.add(stem)
                yield stem, os.path.join(folder, name)

    def reload(self):
        """
        Import new and changed plugin files.  Returns (loaded, errors):
        the module names (re)loaded now, and PluginErrors for files that
        failed (their previous versions, if any, stay active).
        """
        loaded, errors = [], []
        for stem, path in self._files():
            try:
                mtime = os.stat(path).st_mtime_ns
            except OSError:
                continue
            name = f"{self.package.__name__}.{stem}"
            if self._mtimes.get(path) == mtime and name in sys.modules:
                continue
            try:
                self._load(name, path)
            except Exception as exc:
                error = _errorFor(path, exc)
                errors.append(error)
                log.warn("plugin {path} failed: {error}", path=path,
                         error=error.describe())
            else:
                loaded.append(name)
            self._mtimes[path] = mtime
        self.errors = errors
        return loaded, errors

    def _load(self, name, path):
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        previous = sys.modules.get(name)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            if previous is not None:
                sys.modules[name] = previous
            else:
                del sys.modules[name]
            raise
        setattr(self.package, name.rsplit(".", 1)[1], module)

    def provided(self, interface):
        """Every object in a loaded plugin module that provides interface."""
        found = []
        for stem, path in self._files():
            module = sys.modules.get(f"{self.package.__name__}.{stem}")
            if module is None:
                continue
            for value in vars(module).values():
                if interface.providedBy(value):
                    found.append(value)
        return found


_default = []


def defaultLoader():
    """The process's plugin loader (loaded on first use)."""
    if not _default:
        loader = PluginLoader()
        loader.reload()
        _default.append(loader)
    return _default[0]
