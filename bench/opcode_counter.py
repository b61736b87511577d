"""
Python opcodes and calls on real sockets: what the load benchmark's
server runs per say, counted, not timed.

command_path.py counts a say in process, on StringTransports: that
leaves out everything a real socket costs in Python (the reactor's
dispatch, Twisted's write path, the outbox's flush), which is most of
the floor server's work.  This runs a server (Imaginary's or the
floor's) with sys.settrace counting every opcode and call of the main
thread, but only between SIGUSR1 (start) and SIGUSR2 (stop, and write
the counts so far as JSON).  load_bench.py sends them around each
measured window when run with ``--count PREFIX``, then prints the
counts per say for both servers.  Tracing makes a server some twenty
times slower, so its CPU figures in that run mean nothing; the counts
move only with how many says a reactor turn happens to batch.

    python bench/opcode_counter.py OUT.json -m MODULE [ARGS]
    python bench/opcode_counter.py OUT.json SCRIPT.py [ARGS]
"""

import collections
import json
import os
import runpy
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stack_sampler import _where  # noqa: E402


class Counter:
    """Opcodes and calls per code object while switched on."""

    def __init__(self, path):
        self.path = path
        self.opcodes = collections.Counter()
        self.calls = collections.Counter()

    def trace(self, frame, event, arg):
        """The sys.settrace function: counts, and asks for opcode events."""
        frame.f_trace_opcodes = True
        if event == "opcode":
            self.opcodes[frame.f_code] += 1
        elif event == "call":
            self.calls[frame.f_code] += 1
        return self.trace

    def start(self, signum, frame):
        """SIGUSR1: trace from now on, the frames already running too."""
        sys.settrace(self.trace)
        while frame is not None:
            frame.f_trace = self.trace
            frame.f_trace_opcodes = True
            frame = frame.f_back

    def stop(self, signum, frame):
        """SIGUSR2: stop tracing and write the counts so far."""
        sys.settrace(None)
        while frame is not None:
            frame.f_trace = None
            frame = frame.f_back
        with open(self.path, "w") as f:
            json.dump({"opcodes": _named(self.opcodes),
                       "calls": _named(self.calls)}, f)


def _named(counts):
    named = collections.Counter()
    for code, n in counts.items():
        named[_where(code)] += n
    return dict(named)


def perSay(path, says, top=0):
    """(opcodes, calls, [(opcodes, where)...]) per say from a count file."""
    with open(path) as f:
        data = json.load(f)
    says = max(1, says)
    ranked = sorted(data["opcodes"].items(), key=lambda kv: -kv[1])[:top]
    return (sum(data["opcodes"].values()) / says,
            sum(data["calls"].values()) / says,
            [(n / says, where) for where, n in ranked])


def main(argv):
    out, target, rest = argv[0], argv[1], argv[2:]
    counter = Counter(out)
    signal.signal(signal.SIGUSR1, counter.start)
    signal.signal(signal.SIGUSR2, counter.stop)
    # The project first on the path (Python put bench/ there).
    sys.path.insert(0, os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    if target == "-m":
        sys.argv = rest
        runpy.run_module(rest[0], run_name="__main__", alter_sys=True)
    else:
        sys.argv = [target] + rest
        runpy.run_path(target, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
