"""
The package list, and only that: everything else is in pyproject.toml.

pyproject.toml can either list packages or find them, not both.  The
imaginary packages are found, so a new subpackage needs no edit here; the
content that ships is added by name, because its folders are not where it
goes in the wheel (world/ and plugins/ become imaginary.shipped.world and
imaginary.shipped.plugins, see [tool.setuptools.package-dir] in
pyproject.toml), and twisted/plugins/ has no __init__.py (it must not: it
joins Twisted's own twisted.plugins package when installed).
"""

from setuptools import find_packages, setup

setup(packages=find_packages(include=["imaginary", "imaginary.*"]) + [
    "imaginary.shipped.world",
    "imaginary.shipped.plugins",
    "twisted.plugins",
])
