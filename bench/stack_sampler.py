"""
A sampling profiler for the benchmark's server: where its time really goes.

cProfile charges a cost to every Python call, so a path of many small
calls (the delivery of one line to a hundred players) looks far dearer
under it than it is.  This instead looks at the stack after every
millisecond of the process's CPU time (a SIGPROF timer) and counts, for
each function, the samples it was running in (self) and the samples it
was on the stack (inclusive).  It costs the server a few per cent,
spread evenly.

    python bench/stack_sampler.py OUT.json -m imaginary.cli serve ...
    python bench/stack_sampler.py --report OUT.json [--top N]

load_bench.py runs its server this way with ``--sample OUT.json``.
"""

import atexit
import collections
import json
import os
import runpy
import signal
import sys

INTERVAL = 0.001


def _where(code):
    filename = code.co_filename
    for marker in ("/site-packages/", "/imaginary/", "/lib/python3"):
        index = filename.find(marker)
        if index >= 0:
            filename = filename[index + 1:]
            break
    return f"{filename}:{code.co_firstlineno}({code.co_name})"


class Sampler:
    """
    Counts the functions on the stack every INTERVAL seconds of the
    process's CPU time (ITIMER_PROF): a sample lands where the CPU is
    being spent, in Python or in a system call, and never in idle waits.
    """

    def __init__(self):
        self.selfCounts = collections.Counter()
        self.inclusive = collections.Counter()
        self.samples = 0

    def start(self):
        """Start the timer; the handler runs in the main thread."""
        signal.signal(signal.SIGPROF, self.sample)
        signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)

    def sample(self, signum, frame):
        """SIGPROF: count the interrupted stack."""
        if frame is None:
            return
        self.samples += 1
        self.selfCounts[_where(frame.f_code)] += 1
        seen = set()
        while frame is not None:
            where = _where(frame.f_code)
            if where not in seen:
                seen.add(where)
                self.inclusive[where] += 1
            frame = frame.f_back

    def write(self, path):
        """Stop and write the counts as JSON."""
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        with open(path, "w") as f:
            json.dump({"samples": self.samples,
                       "self": self.selfCounts.most_common(),
                       "inclusive": self.inclusive.most_common()}, f)


def report(path, top=40):
    """Print the largest self and inclusive shares of a sample file."""
    with open(path) as f:
        data = json.load(f)
    total = max(1, data["samples"])
    for kind in ("self", "inclusive"):
        print(f"-- {kind} (% of {total} samples)")
        for where, count in data[kind][:top]:
            print(f"{100 * count / total:6.1f}  {where}")


def main(argv):
    if argv[0] == "--report":
        top = int(argv[argv.index("--top") + 1]) if "--top" in argv else 40
        report(argv[1], top)
        return
    out, flag, module, rest = argv[0], argv[1], argv[2], argv[3:]
    if flag != "-m":
        raise SystemExit("usage: stack_sampler.py OUT -m MODULE [ARGS]")
    sampler = Sampler()
    sampler.start()
    atexit.register(sampler.write, out)
    sys.argv = [module] + rest
    # Run as a script, Python put bench/ first on the path, not the project.
    sys.path.insert(0, os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
