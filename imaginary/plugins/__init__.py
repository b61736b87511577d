"""
Imaginary's plugin package.

Plugins are Python modules that define IVerbSource and IThingType objects
(and the Item classes behind them), front ends (IFrontEndType: telnet,
SSH) and commands of the `imaginary` program (ICommand: play, account
add-key).  They are found in, in this order:

  1. this directory (the engine's own verbs and basic thing types);
  2. C{imaginary/plugins/} directories of other installed distributions
     (Twisted's plugin convention, so a content package can be pip-installed);
  3. the content that ships (C{plugins/} of a checkout, or its copy inside
     an installed wheel; C{imaginary.shipped} knows which);
  4. folders named in C{IMAGINARY_PLUGIN_PATH} (os.pathsep-separated), and
     a world's own folders given with C{imaginary --plugins DIR} (added to
     this package's path before the command line is read, so their front
     ends and commands appear among its options).

We use Twisted's plugin package layout rather than entry points because a
world author can then drop a .py file into a folder and C{reload} it into a
running game, with no packaging step; installed distributions still work.
Loading, reloading and error reporting are done by C{imaginary.plugin}.
"""

import os

from twisted.plugin import pluginPackagePaths

from imaginary import shipped

__path__.extend(pluginPackagePaths(__name__))
_shipped = shipped.folder("plugins")
if _shipped is not None:
    __path__.append(_shipped)
for _extra in os.environ.get("IMAGINARY_PLUGIN_PATH", "").split(os.pathsep):
    if _extra and os.path.isdir(_extra):
        __path__.append(os.path.abspath(_extra))
__all__ = []
