"""
Memory per telnet connection with and without MCCP2 (issue 18 item 14).

Opens N telnet connections in memory (MudTelnetTransport and protocol on
Twisted's StringTransport, no session behind them), lets each accept
MCCP2 or not, sends each the same few screens of output, and reports what
tracemalloc sees per connection (zlib's state is allocated through
Python's allocator, so it is counted).  Figures are in KB (1,000 bytes).

    python bench/mccp_memory.py [N]
    python bench/mccp_memory.py [N] --wbits 15 --memlevel 8   # zlib's defaults
"""

import argparse
import os
import sys
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from twisted.internet.testing import StringTransport  # noqa: E402

from imaginary.frontends import clientinfo  # noqa: E402
from imaginary.frontends.telnet import (  # noqa: E402
    MCCP2, MudTelnetProtocol, MudTelnetTransport)

DO = b"\xff\xfd"
SCREEN = ("[ Town Square ]\nThe cobbled square is busy with traders, and a "
          "fountain plays in its middle.\nExits: north, east, west\n"
          "Here: a lamp, a bench, Alice and Bob.\n") * 4


class Sink:
    """The protocol's handler: ignores what it is given."""

    def __init__(self, protocol):
        pass

    def lineReceived(self, line):
        pass

    def connectionLost(self):
        pass


def connect(mccp):
    """One connection, with MCCP2 accepted or not, after some output."""
    transport = MudTelnetTransport(MudTelnetProtocol, Sink)
    tcp = StringTransport()
    tcp._tempDataLen, tcp.dataBuffer = 0, b""
    transport.makeConnection(tcp)
    if mccp:
        transport.dataReceived(DO + MCCP2)
    for _ in range(5):
        transport.protocol.sendText(SCREEN)
    tcp.clear()
    return transport


def perConnection(n, mccp):
    """Bytes tracemalloc sees allocated per connection (and kept)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [connect(mccp) for _ in range(n)]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert all((t.compressor is not None) == mccp for t in kept)
    return (after - before) / n


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--wbits", type=int, default=None)
    parser.add_argument("--memlevel", type=int, default=None)
    args = parser.parse_args()
    if args.wbits is not None:
        clientinfo.MCCP_WBITS = args.wbits
    if args.memlevel is not None:
        clientinfo.MCCP_MEMLEVEL = args.memlevel
    plain = perConnection(args.n, False)
    mccp = perConnection(args.n, True)
    print(f"{args.n} connections, zlib wbits {clientinfo.MCCP_WBITS} "
          f"memLevel {clientinfo.MCCP_MEMLEVEL}:")
    print(f"  without MCCP2: {plain / 1000:.1f} KB per connection")
    print(f"  with MCCP2:    {mccp / 1000:.1f} KB per connection")


if __name__ == "__main__":
    main()
