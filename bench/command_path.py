"""
The command path in process: what one ``say`` costs Imaginary, from the
telnet packet to the bytes for every listener, against the floor server's
protocol doing the same, both without sockets.

    .venv/bin/python bench/command_path.py [--listeners 9] [--top 30]
    .venv/bin/python bench/command_path.py --smoke          # CI: seconds

One player says ``say <token>`` to LISTENERS others in one room, each on
Twisted's StringTransport: Imaginary's real telnet front end, session,
parser, verb and event delivery (logged in as a player would, over the
store a load_bench run uses), and bench/floor_server.py's protocol, which
only echoes and broadcasts.  Two figures per say:

  - Python opcodes and Python calls, counted with sys.settrace over a few
    hundred says.  They do not depend on the machine or its neighbours,
    so a change to the command path shows up in them exactly, where the
    load benchmark's CPU times move by 10-20% from one run to the next on
    a shared VM.  They do not weigh C work (a regex, a dict, a socket
    send), so they guide; load_bench.py decides.
  - microseconds of CPU per say (timeit, the best of 15 runs of 2,000).

Each is printed with its ratio to the floor's.  --top N lists the
functions that run the most opcodes per say in Imaginary's path.
"""

import argparse
import os
import sys
import tempfile
import time
import timeit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

# As load_bench's server runs: no flood limits for one fast talker.
os.environ.update(IMAGINARY_BCRYPT_ROUNDS="4",
                  IMAGINARY_MAX_LINES_PER_SECOND="100000000",
                  IMAGINARY_MAX_INPUT_BYTES_PER_SECOND="1000000000")

from twisted.internet import reactor  # noqa: E402
from twisted.internet.testing import StringTransport  # noqa: E402

import load_bench  # noqa: E402
from stack_sampler import _where  # noqa: E402
from imaginary.testing import loginSteps  # noqa: E402


class Connection(StringTransport):
    """StringTransport with the output buffers a TCP transport keeps."""

    _tempDataLen = 0
    dataBuffer = b""


def _spin(condition, limit=30.0):
    """Run the reactor (bcrypt answers from its thread pool) until true."""
    pool = reactor.getThreadPool()
    if not pool.started:
        pool.start()
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the login did not finish")
        reactor.iterate(0.001)


def imaginaryRoom(listeners):
    """(the speaker's protocol, every Connection) logged in to one room."""
    from imaginary.frontends.telnet_frontend import TelnetFactory
    from imaginary.server import ImaginaryServer
    path = os.path.join(tempfile.mkdtemp(prefix="command-path-"), "store")
    load_bench.prepareStore(path, listeners + 1, 1)
    server = ImaginaryServer(path, reactor=reactor)
    server.open()
    factory = TelnetFactory(server)
    protocols, connections = [], []
    for i in range(listeners + 1):
        protocol = factory.buildProtocol(None)
        connection = Connection()
        protocol.makeConnection(connection)
        name = load_bench.nameFor(i)
        for prompt, line in loginSteps(name, load_bench.PASSWORD, name):
            _spin(lambda: prompt.encode() in connection.value())
            connection.clear()
            protocol.dataReceived(line.encode() + b"\r\n")
        _spin(lambda: b"> " in connection.value())
        protocols.append(protocol)
        connections.append(connection)
    return protocols[0], connections


def floorRoom(listeners):
    """The same for the floor server's protocol (its login: any answers)."""
    from floor_server import FloorFactory
    factory = FloorFactory()
    protocols, connections = [], []
    for i in range(listeners + 1):
        protocol = factory.buildProtocol(None)
        connection = Connection()
        connection.setTcpNoDelay = lambda enabled: None
        protocol.makeConnection(connection)
        protocol.dataReceived(b"x\r\nx\r\n" + load_bench.nameFor(i).encode()
                              + b" 0\r\n")
        protocols.append(protocol)
        connections.append(connection)
    return protocols[0], connections


def sayer(speaker, connections):
    """A function saying one line, the output taken away as a client would."""
    def say():
        speaker.dataReceived(b"say tok-12345\r\n")
        for connection in connections:
            connection.clear()
    return say


def count(say, says, per=None):
    """(opcodes, calls) per say; per, a dict, gets opcodes by function."""
    totals = [0, 0]

    def tracer(frame, event, arg):
        frame.f_trace_opcodes = True
        if event == "opcode":
            totals[0] += 1
            if per is not None:
                code = frame.f_code
                per[code] = per.get(code, 0) + 1
        elif event == "call":
            totals[1] += 1
        return tracer
    sys.settrace(tracer)
    try:
        for _ in range(says):
            say()
    finally:
        sys.settrace(None)
    return totals[0] / says, totals[1] / says


def timed(say, number, repeat):
    """Microseconds of CPU per say: the best of C{repeat} runs."""
    timer = timeit.Timer(say, timer=time.process_time)
    return min(timer.repeat(number=number, repeat=repeat)) / number * 1e6


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listeners", type=int, default=9)
    parser.add_argument("--says", type=int, default=300,
                        help="says traced for the opcode counts")
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    number, repeat = (2000, 15) if not args.smoke else (50, 2)
    says = args.says if not args.smoke else 20
    rows = []
    per = {}
    for target, room in (("imaginary", imaginaryRoom),
                         ("floor", floorRoom)):
        speaker, connections = room(args.listeners)
        say = sayer(speaker, connections)
        for _ in range(200 if not args.smoke else 5):
            say()                   # warm every cache first
        opcodes, calls = count(say, says,
                               per if target == "imaginary" else None)
        rows.append((target, opcodes, calls, timed(say, number, repeat)))
    floor = rows[1]
    print(f"one say to {args.listeners} listeners, in process "
          f"(StringTransport)")
    print(f"{'target':>10} {'opcodes':>9} {'calls':>7} {'us_cpu':>8} "
          f"{'opcodes_ratio':>14} {'calls_ratio':>12} {'us_ratio':>9}")
    for target, opcodes, calls, micro in rows:
        print(f"{target:>10} {opcodes:9.0f} {calls:7.1f} {micro:8.1f} "
              f"{opcodes / floor[1]:14.2f} {calls / floor[2]:12.2f} "
              f"{micro / floor[3]:9.2f}")
    if args.top:
        print(f"\nImaginary: opcodes per say, by function (top {args.top})")
        for code, n in sorted(per.items(), key=lambda kv: -kv[1])[:args.top]:
            print(f"{n / says:9.1f}  {_where(code)}")


if __name__ == "__main__":
    main()
    # The store's server keeps the reactor's thread pool: leave at once.
    sys.stdout.flush()
    os._exit(0)
