"""
IRC load benchmark: N IRC clients talking in &here (one room), against
Imaginary's IRC front end and against a bare Twisted IRC-style broadcast
floor (bench/irc_floor_server.py), in the same run.

    .venv/bin/python bench/irc_bench.py                 # about a minute
    .venv/bin/python bench/irc_bench.py --clients 50 --seconds 20
    .venv/bin/python bench/irc_bench.py --smoke         # a few seconds

Imaginary runs as a subprocess (``serve --irc``) on a store made
beforehand (accounts and characters in one room: bench/load_bench.py's
``prepareStore``).  Each client registers with CAP REQ echo-message and
the server password ACCOUNT:PASSWORD, is played in &here, then, closed
loop: ``PRIVMSG &here :<unique token>``, waits for its own line to come
back (echo-message), and sends the next at once; everyone else's lines
are counted as heard (the room's fan-out).  The floor gets the same
clients and the same loop.  For each server: messages/s, p50/p99 round
trip, and the server's CPU time per message (utime + stime of its
process from /proc, before and after), over --rounds rounds (the
servers' order swapped each round, a fresh server each time), then the
median ratio of Imaginary's CPU per message to the floor's.  The machine
may be shared: CPU per message is steadier than messages/s, and the load
average is printed with the figures.
"""

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)

from load_bench import (  # noqa: E402
    ENV, PASSWORD, PYTHON, ROOT, _pct, cpuSeconds, freePort, nameFor,
    prepareStore)


def startServer(kind, store, port):
    """The server as a subprocess, once its port answers."""
    if kind == "floor":
        args = [PYTHON, os.path.join(BENCH, "irc_floor_server.py"),
                str(port)]
    else:
        args = [PYTHON, "-m", "imaginary.cli", "serve", "--store", store,
                "--telnet", f"tcp:{freePort()}:interface=127.0.0.1",
                "--irc", f"tcp:{port}:interface=127.0.0.1:backlog=2048"]
    # Every client logs in from 127.0.0.1: the cap on logins in flight
    # per address is for the real world, not for this.
    env = dict(ENV, IMAGINARY_MAX_UNAUTHENTICATED_PER_ADDRESS="100000")
    process = subprocess.Popen(args, env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    import socket
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return process
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"{kind} server did not start")


class Client:
    """One IRC client: registers, then says tokens and times their echo."""

    def __init__(self, index):
        self.index = index
        self.nick = nameFor(index)
        self.times = []
        self.heard = 0

    async def connect(self, port):
        self.reader, self.writer = await asyncio.open_connection(
            "127.0.0.1", port)
        account = self.nick.lower()
        self.writer.write(
            f"CAP LS 302\r\nCAP REQ :echo-message\r\nCAP END\r\n"
            f"PASS {account}:{PASSWORD}\r\nNICK {self.nick}\r\n"
            f"USER {account} 0 * :b\r\n".encode())
        # Imaginary: in &here once its names came; the floor: at 001.
        while True:
            line = await self.reader.readline()
            if not line:
                raise RuntimeError(f"{self.nick}: connection closed")
            if b" 366 " in line or b" 001 " in line and b":floor" in line:
                return

    async def talk(self, until):
        mine = f"{self.nick}!".encode()
        n = 0
        while time.monotonic() < until:
            n += 1
            token = f"t{self.index}x{n}"
            started = time.perf_counter()
            self.writer.write(f"PRIVMSG &here :{token}\r\n".encode())
            wanted = token.encode()
            while True:
                line = await self.reader.readline()
                if not line:
                    raise RuntimeError(f"{self.nick}: connection closed")
                if b"PRIVMSG &here" not in line:
                    continue
                if line.startswith(b":" + mine) and line.rstrip().endswith(
                        wanted):
                    self.times.append(time.perf_counter() - started)
                    break
                self.heard += 1

    def close(self):
        self.writer.close()


async def drive(port, clients, seconds):
    players = [Client(i) for i in range(clients)]
    for i in range(0, clients, 20):
        await asyncio.gather(*(p.connect(port) for p in players[i:i + 20]))
    await asyncio.sleep(0.5)        # arrivals settle
    return players


async def loop(players, seconds):
    until = time.monotonic() + seconds
    await asyncio.gather(*(p.talk(until) for p in players))
    # What is still arriving is read off so nobody blocks on a full pipe.
    await asyncio.sleep(0.2)


def runOne(kind, clients, seconds):
    """One server, one run: its figures."""
    tmp = tempfile.mkdtemp(prefix="ircbench-")
    store = os.path.join(tmp, "store")
    try:
        if kind == "imaginary":
            prepareStore(store, clients, 1)
        port = freePort()
        process = startServer(kind, store, port)
        try:
            event = asyncio.new_event_loop()
            players = event.run_until_complete(drive(port, clients, seconds))
            cpu = cpuSeconds(process.pid)
            started = time.monotonic()
            event.run_until_complete(loop(players, seconds))
            elapsed = time.monotonic() - started
            cpu = cpuSeconds(process.pid) - cpu
            for p in players:
                p.close()
            event.close()
        finally:
            process.terminate()
            process.wait(15)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    times = sorted(t for p in players for t in p.times)
    messages = len(times)
    return {"kind": kind, "messages": messages,
            "rate": messages / elapsed if elapsed else 0,
            "p50": _pct(times, 50) * 1000, "p99": _pct(times, 99) * 1000,
            "cpu": cpu / messages * 1e6 if messages else float("nan"),
            "heard": sum(p.heard for p in players)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smoke", action="store_true",
                        help="3 clients, 2 s, 1 round")
    args = parser.parse_args()
    if args.smoke:
        args.clients, args.seconds, args.rounds = 3, 2.0, 1
    print(f"{args.clients} IRC clients in one room, closed-loop PRIVMSG "
          f"&here, {args.seconds:g} s x {args.rounds} rounds; load average "
          f"{os.getloadavg()[0]:.2f}")
    results = {"imaginary": [], "floor": []}
    ratios = []
    for r in range(args.rounds):
        order = ["imaginary", "floor"] if r % 2 == 0 else ["floor",
                                                            "imaginary"]
        got = {}
        for kind in order:
            got[kind] = result = runOne(kind, args.clients, args.seconds)
            results[kind].append(result)
            print(f"  round {r + 1} {kind:9s} {result['rate']:8.0f} msg/s "
                  f"p50 {result['p50']:6.2f} ms p99 {result['p99']:7.2f} ms "
                  f"CPU {result['cpu']:7.1f} us/msg "
                  f"(heard {result['heard']})", flush=True)
        ratios.append(got["imaginary"]["cpu"] / got["floor"]["cpu"])
    for kind, runs in results.items():
        print(f"{kind:9s} median CPU per message "
              f"{statistics.median(r['cpu'] for r in runs):7.1f} us, "
              f"median rate {statistics.median(r['rate'] for r in runs):.0f}"
              f" msg/s")
    print(f"Imaginary / floor CPU per message: median "
          f"{statistics.median(ratios):.2f}x (rounds: "
          f"{', '.join(f'{x:.2f}' for x in ratios)}); load average now "
          f"{os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
