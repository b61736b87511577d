"""
A real DNS server for tests: twisted.names' authoritative server on
127.0.0.1 (UDP and TCP, one free port), answering TXT records given as a
dict {name: text}.  In the test's own process (``startDNS``, the reactor
turned by the test), or as its own process (``python tests/dnskit.py
PORT NAME=TEXT...``, for a server the test does not spin) with
``DNSProcess``.
"""

import os
import socket
import subprocess
import sys
import time

from twisted.internet import reactor
from twisted.names import authority, common, dns, server

from liveserver import freePort

HERE = os.path.dirname(os.path.abspath(__file__))
ZONE = "example"            # every name the tests ask for ends in .example


class MemoryAuthority(authority.FileAuthority):
    """An authority whose records are given, not read from a file."""

    def __init__(self, records):
        common.ResolverBase.__init__(self)
        soa = dns.Record_SOA(mname=b"ns." + ZONE.encode(),
                             rname=b"root." + ZONE.encode(), serial=1,
                             refresh=60, retry=60, expire=60, minimum=60,
                             ttl=60)
        self.soa = (ZONE.encode(), soa)
        self.records = {ZONE.encode(): [soa]}
        for name, value in records.items():
            self.records.setdefault(name.lower().encode(), []).append(
                dns.Record_TXT(value.encode("ascii"), ttl=60))


def startDNS(records, port=None):
    """The server in this process: (port, [listening ports])."""
    port = port or freePort()
    factory = server.DNSServerFactory(
        authorities=[MemoryAuthority(records)])
    udp = reactor.listenUDP(port, dns.DNSDatagramProtocol(factory),
                            interface="127.0.0.1")
    tcp = reactor.listenTCP(port, factory, interface="127.0.0.1")
    return port, [udp, tcp]


class DNSProcess:
    """The server as its own process (for a server under test that runs
    in another process)."""

    def __init__(self, records):
        self.port = freePort()
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "dnskit.py"),
             str(self.port)] + [f"{k}={v}" for k, v in records.items()],
            cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port),
                                         1).close()
                break
            except OSError:
                if self.process.poll() is not None or \
                        time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the DNS server did not start")
                time.sleep(0.05)

    def stop(self):
        """Stop it (SIGTERM)."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process.stdout.close()


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    records = dict(arg.split("=", 1) for arg in sys.argv[2:])
    startDNS(records, int(sys.argv[1]))
    reactor.run()
