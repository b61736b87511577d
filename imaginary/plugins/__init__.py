"""
Imaginary's plugin package (Twisted's plugin system).

Plugin modules here, and in any ``imaginary/plugins/`` directory of another
installed distribution, are found by ``twisted.plugin.getPlugins``.  Verbs
come from IVerbSource plugins and thing types from IThingType plugins.
"""

from twisted.plugin import pluginPackagePaths

__path__.extend(pluginPackagePaths(__name__))
__all__ = []
