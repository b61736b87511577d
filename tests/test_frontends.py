"""
Front ends as plugins (imaginary.frontends.FrontEndType): found through
the plugin system, each with its option, and turned into the options of
`imaginary serve` and of `twistd imaginary` without a core file naming
any of them.
"""

import subprocess
import sys

import attr
import pytest

from twisted.internet.protocol import Factory
from zope.interface.verify import verifyObject

from imaginary.frontends import FrontEndType
from imaginary.server import frontEndTypes
from imaginary.session import IFrontEndType

from liveserver import ENV, ROOT
from sessionkit import fastHashes, server  # noqa


def test_the_installed_front_ends_are_found_as_plugins():
    kinds = frontEndTypes()
    assert [kind.name for kind in kinds] == ["irc", "smtp", "ssh", "telnet",
                                            "web"]
    for kind in kinds:
        assert verifyObject(IFrontEndType, kind)
    telnet = dict((kind.name, kind) for kind in kinds)["telnet"]
    assert telnet.defaultEndpoint == "tcp:4023:interface=127.0.0.1"


def test_each_makes_a_protocol_factory_for_the_server(server):
    for kind in frontEndTypes():
        assert isinstance(kind.makeFactory(server), Factory)


def test_a_new_front_end_is_a_plugin_file_and_nothing_else(tmp_path):
    (tmp_path / "echoer.py").write_text(
        "from imaginary.frontends import FrontEndType\n"
        "echo = FrontEndType(name='echo', description='an echo front end',"
        " factory='twisted.protocols.wire:Echo')\n")
    done = subprocess.run(
        [sys.executable, "-m", "imaginary.cli", "serve", "--plugins",
         str(tmp_path), "--help"], cwd=ROOT, env=ENV, capture_output=True,
        text=True)
    assert done.returncode == 0, done.stderr
    for option in ("--telnet", "--ssh", "--echo", "--connections"):
        assert option in done.stdout
    assert "an echo front end" in done.stdout


def test_twistd_options_come_from_the_front_ends():
    import importlib.util
    import os
    spec = importlib.util.spec_from_file_location(
        "imaginary_twistd_options",
        os.path.join(ROOT, "twisted", "plugins", "imaginary_twistd.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    options = module.Options()
    options.parseOptions(["--ssh", "tcp:0:interface=127.0.0.1",
                          "--connections", "takeover"])
    assert options["telnet"] == "tcp:4023:interface=127.0.0.1"
    assert options["ssh"] == "tcp:0:interface=127.0.0.1"
    assert options["connections"] == "takeover"


def test_a_front_end_type_is_a_frozen_value():
    kind = FrontEndType("x", "y", None, "a:b")
    with pytest.raises(attr.exceptions.FrozenInstanceError):
        kind.name = "z"
