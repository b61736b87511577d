"""
Load benchmark: N telnet clients saying things, against Imaginary and
against a bare Twisted floor server, in the same run.

    .venv/bin/python bench/load_bench.py --scenario all [--json out.json]
    .venv/bin/python bench/load_bench.py --clients 10 --think 0 --duration 10
    .venv/bin/python bench/load_bench.py --smoke          # a few seconds, CI

Each client logs in to its own character (accounts are made beforehand in
the store, bcrypt cost 4, characters spread over ROOMS rooms), then loops:
``say <unique token>``, time until its own "You say, '<token>'" comes back,
think, repeat; it also counts the other clients' tokens it hears (room
fan-out).  The same generator then runs against bench/floor_server.py,
which only echoes and broadcasts, so every figure is also printed as a
ratio to what Python and Twisted manage on this machine at that moment.

Scenarios (issue 6 targets on a 2-core machine):
  1. 10 clients, one room, no think time: throughput >= 30% of the floor's.
     Imaginary and the floor take turns in six windows each (--slices), so
     a neighbour slowing this shared machine for a while slows both.
  2. 100 clients, one room, ~1 say/s each: all offered load served, p99 <=
     60 ms.  Taking turns in three windows each.
  3. 1,000 clients over 50 rooms, one say every 5 s: p99 <= 100 ms; server
     memory per connected client (target < 150 KB).
  4. Process start to the telnet port answering, default world: < 1.5 s.
"""

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from imaginary.testing import finalPrompt, loginSteps  # noqa: E402

PYTHON = sys.executable
PASSWORD = "benchpass"
# Every bench client comes from 127.0.0.1: the per-address limits that
# guard a real server against one host are raised, or the hundred clients
# logging in at once would be refused as one attacker.
ENV = dict(os.environ, IMAGINARY_BCRYPT_ROUNDS="4",
           IMAGINARY_MAX_LINES_PER_SECOND="100000",
           IMAGINARY_MAX_UNAUTHENTICATED_PER_ADDRESS="100000")

SCENARIOS = {
    # Imaginary and the floor take turns (see drive): a slow spell of
    # this shared machine, which lasts seconds, then slows both.
    "1": dict(clients=10, rooms=1, think=0.0, duration=10.0, slices=6),
    "2": dict(clients=100, rooms=1, think=1.0, duration=15.0, slices=3),
    "3": dict(clients=1000, rooms=50, think=5.0, duration=30.0),
}


def nameFor(i):
    letters = ""
    n = i
    for _ in range(4):
        letters = chr(ord("a") + n % 26) + letters
        n //= 26
    return "Bench" + letters


PROFILE = None      # --profile FILE: run the server under cProfile
SAMPLE = None       # --sample FILE: under bench/stack_sampler.py
PROBE = None        # --probe FILE: under bench/tail_probe.py
COUNT = None        # --count PREFIX: both under bench/opcode_counter.py


def freePort():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def prepareStore(path, clients, rooms):
    """A store with ROOMS rooms and CLIENTS accounts+characters."""
    os.environ["IMAGINARY_BCRYPT_ROUNDS"] = "4"
    from imaginary.accounts import (
        AccountCharacter, createAccount, hashPassword)
    from imaginary.language.grammar import FEMALE
    from imaginary.simulation.world import ImaginaryWorld, createRoom
    from imaginary.store import Store
    store = Store(path)
    digest = hashPassword(PASSWORD, rounds=4)

    def build():
        places = [createRoom(store, f"Bench Room {i}") for i in range(rooms)]
        world = ImaginaryWorld(store=store, origin=places[0],
                               recovery=places[0])
        for i in range(clients):
            name = nameFor(i)
            account = createAccount(store, name, digest)
            body = world.createCharacter(name, FEMALE)
            body.moveTo(places[i % rooms], force=True)
            AccountCharacter(store=store, account=account, character=body)
    store.transact(build)
    store.close()


def startServer(kind, store, port):
    if kind == "floor":
        args = [PYTHON, os.path.join(ROOT, "bench", "floor_server.py"),
                str(port)]
    else:
        args = [PYTHON, "-m", "imaginary.cli", "serve", "--store", store,
                "--telnet", f"tcp:{port}:interface=127.0.0.1:backlog=2048"]
        if PROFILE:
            # cProfile writes its file when the server exits on SIGTERM.
            args[1:1] = ["-m", "cProfile", "-o", PROFILE]
        elif SAMPLE:
            args[1:1] = [os.path.join(ROOT, "bench", "stack_sampler.py"),
                         SAMPLE]
        elif PROBE:
            args[1:1] = [os.path.join(ROOT, "bench", "tail_probe.py"),
                         PROBE]
    if COUNT:
        args[1:1] = [os.path.join(ROOT, "bench", "opcode_counter.py"),
                     f"{COUNT}.{kind}.json"]
    started = time.perf_counter()
    process = subprocess.Popen(args, env=ENV, cwd=ROOT,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = started + 30
    while time.perf_counter() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, time.perf_counter() - started
        except OSError:
            time.sleep(0.01)
    process.kill()
    raise RuntimeError(f"{kind} server did not start")


def cpuTimes(pid):
    """The process's user and system CPU seconds so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def cpuSeconds(pid):
    """The process's user + system CPU time so far (/proc/PID/stat)."""
    return sum(cpuTimes(pid))


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Client:
    """One simulated player."""

    def __init__(self, index, rooms, kind):
        self.index = index
        self.name = nameFor(index)
        self.room = index % rooms
        self.kind = kind
        self.buffer = b""
        self.rtts = []
        self.heard = 0
        self.sent = 0

    async def expect(self, marker, timeout=30):
        deadline = time.perf_counter() + timeout
        while marker not in self.buffer:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"{self.name} waited for {marker!r}")
            data = await asyncio.wait_for(self.reader.read(65536), remaining)
            if not data:
                raise ConnectionError(f"{self.name}: connection closed")
            self.buffer += data
        head, _, self.buffer = self.buffer.partition(marker)
        self.heard += head.count(b" says, 'tok-")

    async def login(self, port):
        self.reader, self.writer = await asyncio.open_connection(
            "127.0.0.1", port)
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The floor server's third answer is "<name> <room>".
        answer = self.name if self.kind == "imaginary" else \
            f"{self.name} {self.room}"
        steps = loginSteps(self.name, PASSWORD, answer)
        for prompt, line in steps:
            await self.expect(prompt.encode())
            self.writer.write(line.encode() + b"\r\n")
        await self.expect(finalPrompt(steps).encode())

    async def run(self, until, think, rng):
        seq = 0
        if think:
            # Start at a random point of the think interval: players don't
            # all speak at the same instant, and a burst of every client
            # at once measures the burst, not the steady load.
            await asyncio.sleep(think * rng.random())
        while time.perf_counter() < until:
            seq += 1
            token = f"tok-{self.index}-{seq}".encode()
            start = time.perf_counter()
            self.writer.write(b"say " + token + b"\r\n")
            self.sent += 1
            await self.expect(b"You say, '" + token + b"'")
            self.rtts.append(time.perf_counter() - start)
            if think:
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))

    async def drain(self):
        try:
            while True:
                data = await asyncio.wait_for(self.reader.read(65536), 0.2)
                if not data:
                    break
                self.buffer += data
        except (asyncio.TimeoutError, ConnectionError):
            pass
        self.heard += self.buffer.count(b" says, 'tok-")
        self.writer.close()


async def countWritten(path, pid):
    """
    SIGUSR2 to a server under opcode_counter.py, then wait until it has
    written its counts: a SIGUSR1 sent before it handled this one would be
    handled first (signals are taken in number order), and the next
    window would go uncounted.
    """
    def stamp():
        try:
            return os.stat(path).st_mtime_ns
        except FileNotFoundError:
            return None
    before = stamp()
    os.kill(pid, signal.SIGUSR2)
    deadline = time.perf_counter() + 30
    while stamp() == before and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)


class Target:
    """
    One server under load: its clients, and the CPU time, says and
    seconds of the windows it was measured in.
    """

    def __init__(self, kind, port, pid, clients, rooms):
        self.kind, self.port, self.pid = kind, port, pid
        self.clients, self.rooms = clients, rooms
        self.population = [Client(i, rooms, kind) for i in range(clients)]
        self.user = self.system = self.elapsed = 0.0
        # Each target its own generator, seeded alike: both servers'
        # clients draw their think times from the same sequence.
        self.rng = random.Random(7)

    async def login(self):
        """Every client logged in (fifty at a time); memory noted."""
        self.before = rss(self.pid)
        population = self.population
        for start in range(0, len(population), 50):
            await asyncio.gather(*[c.login(self.port) for c in
                                   population[start:start + 50]])
        self.after = rss(self.pid)

    async def talk(self, seconds, think):
        """
        One measured window: every client talks for C{seconds}, the
        server's CPU time read from /proc before and after.  Each client
        waits for its last say's answer, so nothing is left in flight.
        """
        if COUNT:
            os.kill(self.pid, signal.SIGUSR1)       # count from here
        user0, system0 = cpuTimes(self.pid)
        t0 = time.perf_counter()
        until = t0 + seconds
        await asyncio.gather(*[c.run(until, think, self.rng)
                               for c in self.population])
        self.elapsed += time.perf_counter() - t0
        user1, system1 = cpuTimes(self.pid)
        if COUNT:
            await countWritten(f"{COUNT}.{self.kind}.json", self.pid)
        self.user += user1 - user0
        self.system += system1 - system0

    async def finish(self):
        """Memory after talking (what is kept), then every client drained."""
        self.talked = rss(self.pid)
        await asyncio.gather(*[c.drain() for c in self.population])

    def result(self, think):
        """The figures, as load_bench prints them."""
        population, elapsed = self.population, self.elapsed
        clients = self.clients
        rtts = sorted(r for c in population for r in c.rtts)
        said = sum(len(c.rtts) for c in population)
        sent = max(1, sum(c.sent for c in population))
        # Offered: the says the clients sent (each waits for its answer
        # before thinking again, so a slow server is offered less: compare
        # with the nominal clients/think too).
        offered = sum(c.sent for c in population) / elapsed
        return {
            "target": self.kind, "clients": clients, "rooms": self.rooms,
            "think_s": think, "duration_s": round(elapsed, 2),
            "says_sent": sent,
            "says_per_s": round(said / elapsed, 1),
            "offered_per_s": round(offered, 1),
            "nominal_per_s": round(clients / think, 1) if think else None,
            "heard_per_s": round(sum(c.heard for c in population) /
                                 elapsed, 1),
            "rtt_p50_ms": round(_pct(rtts, 50) * 1000, 2),
            "rtt_p99_ms": round(_pct(rtts, 99) * 1000, 2),
            "memory_per_client_kb": round(
                (self.after - self.before) / clients / 1024, 1),
            "kept_per_client_kb": round(
                (self.talked - self.after) / clients / 1024, 1),
            # The server's CPU per say is steadier on a shared machine
            # than wall-clock throughput.
            "server_us_per_say": round(
                (self.user + self.system) / sent * 1e6, 1),
            # Python and Twisted's share (user) against the kernel's
            # (system: the sockets), the first cut of where the time goes.
            "server_user_us_per_say": round(self.user / sent * 1e6, 1),
            "server_system_us_per_say": round(self.system / sent * 1e6, 1),
        }


async def drive(targets, think, duration, slices):
    """
    Log every target's clients in, then let the targets talk in turn:
    C{slices} windows each, C{duration} seconds in all, the order
    alternating (A B, B A, ...).  One slice is one whole run of each
    after the other; with several, a neighbour slowing this shared
    machine for a few seconds slows both, not only whichever ran then.
    """
    for target in targets:
        await target.login()
    for i in range(slices):
        for target in (targets if i % 2 == 0 else targets[::-1]):
            await target.talk(duration / slices, think)
    for target in targets:
        await target.finish()
    return [target.result(think) for target in targets]


def _pct(values, p):
    if not values:
        return float("nan")
    index = min(len(values) - 1, int(len(values) * p / 100))
    return values[index]


def run(kinds, clients, rooms, think, duration, slices=1):
    """Start each kind of server, drive them (see drive), stop them."""
    tmp = tempfile.mkdtemp(prefix="loadbench-")
    store = os.path.join(tmp, "store")
    if "imaginary" in kinds:
        prepareStore(store, clients, rooms)
    processes, targets = [], []
    try:
        for kind in kinds:
            port = freePort()
            process, _ = startServer(kind, store, port)
            processes.append(process)
            targets.append(Target(kind, port, process.pid, clients, rooms))
        return asyncio.run(drive(targets, think, duration, slices))
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)


def runOne(kind, clients, rooms, think, duration):
    """One server alone: its figures."""
    return run([kind], clients, rooms, think, duration)[0]


def startupTime(repeat=3):
    """Seconds from process start to the port answering (default world)."""
    times = []
    for _ in range(repeat):
        tmp = tempfile.mkdtemp(prefix="loadbench-start-")
        port = freePort()
        process, seconds = startServer("imaginary",
                                       os.path.join(tmp, "store"), port)
        process.terminate()
        process.wait(10)
        times.append(seconds)
    return statistics.median(times)


def compare(settings):
    """
    Imaginary and the floor under the same load: taking turns in
    C{slices} windows when the plan has them (see drive), else one
    whole run each, Imaginary first.
    """
    settings = dict(settings)
    slices = settings.pop("slices", 1)
    if slices > 1:
        ours, floor = run(["imaginary", "floor"], slices=slices, **settings)
    else:
        ours = runOne("imaginary", **settings)
        floor = runOne("floor", **settings)
    ours["throughput_ratio_to_floor"] = round(
        ours["says_per_s"] / floor["says_per_s"], 3) if floor[
        "says_per_s"] else None
    ours["p99_ratio_to_floor"] = round(
        ours["rtt_p99_ms"] / floor["rtt_p99_ms"], 2) if floor[
        "rtt_p99_ms"] else None
    return ours, floor


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--scenario", choices=["1", "2", "3", "4", "all"])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--rooms", type=int, default=1)
    parser.add_argument("--think", type=float, default=0.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--slices", type=int, default=1,
                        help="Imaginary and the floor take turns in this "
                        "many windows each; 1: one whole run each")
    parser.add_argument("--smoke", action="store_true",
                        help="a few seconds, for CI (no targets judged)")
    parser.add_argument("--json")
    parser.add_argument("--profile", metavar="FILE",
                        help="run the Imaginary server under cProfile, "
                        "writing FILE (figures then include its overhead)")
    parser.add_argument("--sample", metavar="FILE",
                        help="sample the Imaginary server's stack every "
                        "millisecond (bench/stack_sampler.py), writing FILE")
    parser.add_argument("--count", metavar="PREFIX",
                        help="count both servers' Python opcodes and calls "
                        "per say in the measured windows "
                        "(bench/opcode_counter.py, PREFIX.KIND.json); "
                        "their CPU figures then mean nothing")
    parser.add_argument("--probe", metavar="FILE",
                        help="record the Imaginary server's packet "
                        "handling, flushes, collections and reactor lag "
                        "(bench/tail_probe.py), writing FILE and printing "
                        "its breakdown")
    args = parser.parse_args()
    global PROFILE, SAMPLE, PROBE, COUNT
    PROFILE, SAMPLE, PROBE = args.profile, args.sample, args.probe
    COUNT = args.count
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    results = []
    if args.smoke:
        plans = [dict(clients=5, rooms=2, think=0.0, duration=1.5,
                      slices=2)]
    elif args.scenario == "all":
        plans = [SCENARIOS[k] for k in ("1", "2", "3")]
    elif args.scenario in SCENARIOS:
        plans = [SCENARIOS[args.scenario]]
    elif args.scenario == "4":
        plans = []
    else:
        plans = [dict(clients=args.clients, rooms=args.rooms,
                      think=args.think, duration=args.duration,
                      slices=args.slices)]
    for plan in plans:
        ours, floor = compare(plan)
        results.extend([ours, floor])
    keys = ["target", "clients", "rooms", "think_s", "says_per_s",
            "offered_per_s", "nominal_per_s", "heard_per_s", "rtt_p50_ms",
            "rtt_p99_ms",
            "memory_per_client_kb", "kept_per_client_kb",
            "server_us_per_say", "server_user_us_per_say",
            "server_system_us_per_say", "throughput_ratio_to_floor",
            "p99_ratio_to_floor"]
    if results:
        print("  ".join(f"{k:>12}" for k in keys))
        for r in results:
            print("  ".join(f"{str(r.get(k, '')):>12}" for k in keys))
    if args.scenario in ("4", "all") or args.smoke:
        start = startupTime(1 if args.smoke else 3)
        print(f"start to telnet port answering (default world): "
              f"{start:.2f} s (target < 1.5 s)")
        results.append({"startup_seconds": round(start, 3)})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    if PROBE:
        import tail_probe
        tail_probe.report(PROBE)
    if COUNT:
        reportCounts(results)


def reportCounts(results):
    """Opcodes and calls per say, each server and the ratio (--count)."""
    import opcode_counter
    rows = {}
    for r in results:
        if "target" in r:
            rows[r["target"]] = opcode_counter.perSay(
                f"{COUNT}.{r['target']}.json", r["says_sent"], top=15)
    print("\nPython per say on sockets (bench/opcode_counter.py):")
    floor = rows.get("floor")
    for kind, (opcodes, calls, top) in rows.items():
        ratio = (f"  ({opcodes / floor[0]:.2f}x, {calls / floor[1]:.2f}x "
                 f"the floor's)" if floor and kind != "floor" else "")
        print(f"  {kind}: {opcodes:,.0f} opcodes, {calls:.1f} calls{ratio}")
    for kind, (_, _, top) in rows.items():
        print(f"\n{kind}: opcodes per say, by function")
        for n, where in top:
            print(f"  {n:8.1f}  {where}")


if __name__ == "__main__":
    main()
