"""
Shared pytest set-up: tests import their helpers (liveserver, rawtelnet,
sessionkit, transcript) from this folder, and the reactor's thread pool,
which in-memory session tests start for bcrypt, is stopped at the end (its
threads would otherwise keep the test process from exiting).
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# A dropped connection leaves its character in the game for a grace period
# (20 s by default); the tests that are about that set it themselves, the
# others want a closed connection's character gone at once.  Set before
# any imaginary module reads it (and inherited by servers tests start).
os.environ.setdefault("IMAGINARY_DROPPED_LINK_SECONDS", "0")


@pytest.fixture(scope="session", autouse=True)
def _stopReactorThreads():
    yield
    from twisted.internet import reactor
    pool = getattr(reactor, "threadpool", None)
    if pool is not None and pool.started:
        pool.stop()
