"""The web front end as a plugin, and the Site it makes."""

import subprocess
import sys

from twisted.web.server import Site

from imaginary.frontends.web import webFactory
from imaginary.server import frontEndTypes

from liveserver import ENV, ROOT
from sessionkit import fastHashes, server  # noqa


def test_plugin():
    kinds = {kind.name: kind for kind in frontEndTypes()}
    web = kinds["web"]
    assert web.defaultEndpoint is None          # off unless asked for
    assert web.factory == "imaginary.frontends.web:webFactory"


def test_factory(server):
    site = web = webFactory(server)
    assert isinstance(site, Site)
    assert web.game.server is server
    for path in (b"", b"session", b"login", b"account", b"logout",
                 b"characters", b"status", b"status.json", b"ws"):
        assert path in site.resource.children


def test_serveOffersWeb():
    out = subprocess.run(
        [sys.executable, "-m", "imaginary.cli", "serve", "--help"],
        cwd=ROOT, env=ENV, capture_output=True, text=True).stdout
    assert "--web" in out
