"""
The session layer in memory, for unit tests: a real ImaginaryServer on a
store in tmp (no listeners), a front end that records what it is sent,
and ``wait`` to spin the reactor until a Deferred fires (bcrypt runs in
the reactor's thread pool, as in the real server).
"""

import pytest
from twisted.internet import defer, reactor
from twisted.python.failure import Failure
from zope.interface import implementer

from imaginary import accounts
from imaginary.language import renderPlain
from imaginary.server import ImaginaryServer
from imaginary.session import IFrontEnd


def wait(d, timeout=10.0):
    """The result of Deferred C{d}, spinning the reactor until it fires."""
    pool = reactor.getThreadPool()
    if not pool.started:
        pool.start()
    results = []
    d.addBoth(results.append)
    deadline = reactor.seconds() + timeout
    while not results:
        if reactor.seconds() > deadline:
            raise AssertionError("the Deferred did not fire in time")
        reactor.iterate(0.005)
    result = results[0]
    if isinstance(result, Failure):
        result.raiseException()
    return result


def failureOf(d):
    """The Failure a Deferred fails with (spinning until it does)."""
    results = []
    d.addBoth(results.append)
    try:
        wait(defer.succeed(None).addCallback(lambda _: d))
    except Exception:
        pass
    assert results and isinstance(results[0], Failure), \
        results
    return results[0]


@implementer(IFrontEnd)
class RecordingFrontEnd:
    """
    IFrontEnd that keeps everything it is sent: plain-text lines, prompts
    (as "PROMPT <text>"), out-of-band data, password mode and whether it
    was disconnected.
    """

    kind = "test"
    width = None

    def __init__(self, address="127.0.0.1", wantsData=True):
        self.address = address
        self.wantsData = wantsData
        self.lines = []
        self.data = []
        self.hidden = False
        self.disconnected = False
        self.dialogue = None

    def sendSpan(self, span):
        self.lines.extend(renderPlain(span).split("\n"))

    def sendData(self, package, data):
        self.data.append((package, data))

    def sendPrompt(self, text):
        self.lines.append("PROMPT " + text)

    def setPasswordMode(self, hidden):
        self.hidden = hidden

    def disconnect(self):
        if not self.disconnected:
            self.disconnected = True
            if self.dialogue is not None:
                # As a real transport would: the connection is then lost.
                reactor.callLater(0, self.dialogue.connectionLost)

    def take(self):
        """The lines so far (forgotten once taken)."""
        lines, self.lines = self.lines, []
        return lines


def settle(seconds=0.05):
    """Let the reactor run the callLater(0)s and thread results."""
    wait(defer.Deferred().addTimeout(seconds, reactor).addErrback(
        lambda f: None))


@pytest.fixture
def fastHashes(monkeypatch):
    """bcrypt at its lowest cost: these tests are about the flow."""
    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def server(tmp_path, fastHashes):
    """A real ImaginaryServer with the default world, listening nowhere."""
    s = ImaginaryServer(str(tmp_path / "store"), reactor=reactor)
    s.open()
    yield s
    for session in list(s.sessions.values()):
        session.close()
    s.store.close()


def newAccount(server, name="alice", password="secret99"):
    """An account made through the account service (its token unused)."""
    wait(server.accounts.create(name, password))
    return accounts.findAccount(server.store, name)
