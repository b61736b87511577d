"""
Websocket load benchmark: N web clients saying things in one room, against
Imaginary's web front end and against a bare Twisted websocket floor
server, in the same run.

    .venv/bin/python bench/web_bench.py                    # about 2 minutes
    .venv/bin/python bench/web_bench.py --clients 20 --rounds 1 --idle 500
    .venv/bin/python bench/web_bench.py --smoke            # a few seconds, CI

Imaginary runs as a subprocess (``serve --web``), with a store made
beforehand (accounts and characters, bcrypt cost 4: bench/load_bench.py's
``prepareStore``).  Each client logs in as a browser does
(docs/web-protocol.md): ``GET /session`` for a cookie and CSRF token,
``POST /login`` with its Origin, then ``/ws`` with the Cookie and Origin
headers and ``{"type": "play"}``.  Then, closed loop: ``say <unique
token>`` as a ``line`` message, time until its own output carrying the
token comes back, repeat at once; the others' outputs it receives are
counted as heard (room fan-out).

The same clients then drive bench/web_floor_server.py, a bare websocket
broadcast server on the same Twisted API (``twisted.web.websocket``) and
the same wire format, with no login.  For each server it prints says/s,
p50/p99 round trip, and the server's CPU time per say (utime + stime of
the server's process from /proc, before and after), over --rounds rounds
(3 of 10 s by default, the servers' order swapped each round, each run a
fresh server), then the medians of CPU per say and of each round's
ratio of Imaginary to the floor; then the memory of
IDLE idle connections (VmRSS before and after, divided by IDLE): for
Imaginary split into the HTTP login, the open websocket and the character
in play.  Target (issue 11): Imaginary's CPU per say within 2x of the
floor's.  The machine may be shared: CPU per say is steadier than says/s,
and the load average is printed with the figures.

The load generator is this process: asyncio, with a websocket client
made to cost as little as it can (it looks for its markers in the raw
byte stream and parses no frames), so that the servers, not the
generator, set the pace.  Each server is its own process, so its /proc
figures are its own.
"""

import argparse
import asyncio
import base64
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)

from load_bench import (  # noqa: E402
    ENV, PASSWORD, PYTHON, ROOT, _pct, cpuSeconds, freePort, nameFor,
    prepareStore, rss)

BATCH = 50          # logins and connections opened at once
IDLE_ROOMS = 50     # the idle characters' rooms (arrivals are O(room^2))
_COOKIE = re.compile(rb"imaginary_session=([^;\s]+)")


async def http(port, method, path, headers=(), form=None):
    """
    One HTTP/1.0 request to 127.0.0.1:PORT; (status, the session cookie
    it set or None, its JSON body).  HTTP/1.0 so the answer is neither
    chunked nor kept alive.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"{method} {path} HTTP/1.0", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in headers]
    body = b""
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
        lines += ["Content-Type: application/x-www-form-urlencoded",
                  f"Content-Length: {len(body)}"]
    writer.write("\r\n".join(lines).encode() + b"\r\n\r\n" + body)
    answer = await reader.read()
    writer.close()
    head, _, content = answer.partition(b"\r\n\r\n")
    cookie = _COOKIE.search(head)
    return (int(head.split()[1]), cookie and cookie.group(1).decode(),
            json.loads(content or b"null"))


SAYS = b"says, '"
PING = b"\x89\x09imaginary"       # the game's ping frame (payload "imaginary")
PROMPT = b'"type":"prompt"'
TAIL = len(PROMPT) - 1


def clientFrame(opcode, payload):
    """
    A client's websocket frame (final, masked).  The mask key is zero, so
    the payload goes as it is: the server unmasks all the same, and the
    generator spends nothing on masking.
    """
    size = len(payload)
    if size < 126:
        head = bytes((0x80 | opcode, 0x80 | size))
    elif size < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + size.to_bytes(8, "big")
    return head + b"\0\0\0\0" + payload


class WireSocket(asyncio.Protocol):
    """
    The client end of one websocket, as cheap as it can be made so the
    load generator is not what is measured: the handshake by hand, then
    no frame parsing at all.  Server frames are unmasked, so the JSON
    text of every message is in the byte stream as it is: the client
    waits for a marker (its own token, a prompt) to appear there and
    counts the others' lines (SAYS) as they pass.  The game's pings are
    recognised the same way and answered.
    """

    def __init__(self, request):
        self.request = request
        self.transport = None
        self.upgraded = None        # a Future: the 101 answer arrived
        self.head = b""
        self.tail = b""             # the last bytes, for split markers
        self.want = None
        self.found = None
        self.heard = 0

    def connection_made(self, transport):
        """Send the upgrade request."""
        self.transport = transport
        self.upgraded = asyncio.get_running_loop().create_future()
        transport.write(self.request)

    def data_received(self, data):
        """Watch the stream for the marker, lines heard and pings."""
        if not self.upgraded.done():
            self.head += data
            if b"\r\n\r\n" not in self.head:
                return
            head, _, data = self.head.partition(b"\r\n\r\n")
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                self.upgraded.set_exception(RuntimeError(
                    f"websocket refused: {head[:200]!r}"))
                return
            self.upgraded.set_result(None)
        chunk = self.tail + data
        self.heard += chunk.count(SAYS) - self.tail.count(SAYS)
        if self.want is not None and self.want in chunk:
            self.want = None
            self.found.set_result(None)
        if PING in chunk and PING not in self.tail:
            self.transport.write(clientFrame(0xA, b"imaginary"))
        # Long enough for a marker cut in two, too short to hold the
        # prompt marker whole (the last prompt must not count again).
        self.tail = chunk[-TAIL:]

    def connection_lost(self, exc):
        """Whoever waits learns the server went away."""
        if not self.upgraded.done():
            self.upgraded.set_exception(ConnectionError("closed"))
        if self.found is not None and not self.found.done():
            self.found.set_exception(ConnectionError("closed"))

    async def send(self, message, marker, timeout=30):
        """Send a JSON message; wait until C{marker} arrives."""
        self.want = marker
        self.found = asyncio.get_running_loop().create_future()
        self.transport.write(clientFrame(0x1, json.dumps(message).encode()))
        await asyncio.wait_for(self.found, timeout)

    def close(self):
        """A close frame (1000), then the TCP connection."""
        self.transport.write(clientFrame(0x8, b"\x03\xe8"))
        self.transport.close()


class WebClient:
    """One simulated player with a browser's manners."""

    def __init__(self, index, kind, port):
        self.index = index
        self.name = nameFor(index)
        self.kind = kind
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"
        self.cookie = None
        self.ws = None
        self.rtts = []

    async def login(self):
        """GET /session, then POST /login (Imaginary only)."""
        if self.kind != "imaginary":
            return
        status, cookie, body = await http(self.port, "GET", "/session")
        status, self.cookie, body = await http(
            self.port, "POST", "/login",
            [("Origin", self.origin),
             ("Cookie", f"imaginary_session={cookie}"),
             ("X-CSRF-Token", body["csrf"])],
            {"account": self.name, "password": PASSWORD})
        if status != 200 or not self.cookie:
            raise RuntimeError(f"{self.name}: login answered {status} "
                               f"{body!r}")

    async def open(self):
        """Open /ws with the Cookie and Origin headers a page sends."""
        key = base64.b64encode(os.urandom(16)).decode()
        lines = ["GET /ws HTTP/1.1", f"Host: 127.0.0.1:{self.port}",
                 "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13",
                 f"Origin: {self.origin}"]
        if self.cookie:
            lines.append(f"Cookie: imaginary_session={self.cookie}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode()
        _, self.ws = await asyncio.get_running_loop().create_connection(
            lambda: WireSocket(request), "127.0.0.1", self.port)
        self.ws.transport.get_extra_info("socket").setsockopt(
            socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.wait_for(self.ws.upgraded, 60)

    async def play(self):
        """Play the account's character; wait for the first prompt."""
        await self.ws.send({"type": "play", "character": self.name,
                            "since": None}, PROMPT)

    async def run(self, until):
        """Closed loop: say, wait for our own line, again, till C{until}."""
        seq = 0
        while time.perf_counter() < until:
            seq += 1
            # "t3n12z" is in no other client's text, nor in a later one's.
            token = f"t{self.index}n{seq}z"
            start = time.perf_counter()
            await self.ws.send({"type": "line", "text": "say " + token},
                               token.encode())
            self.rtts.append(time.perf_counter() - start)

    async def close(self):
        """Close the websocket."""
        if self.ws is not None:
            self.ws.close()


async def inBatches(clients, step):
    """Await C{step}(client) for every client, BATCH at a time."""
    for start in range(0, len(clients), BATCH):
        await asyncio.gather(*[step(c) for c in
                               clients[start:start + BATCH]])


async def talk(kind, port, pid, clients, duration):
    """The closed-loop say run against one server: its figures."""
    population = [WebClient(i, kind, port) for i in range(clients)]
    for step in (WebClient.login, WebClient.open, WebClient.play):
        await inBatches(population, step)
    await asyncio.sleep(0.2)        # the arrivals' messages go by
    heard0 = sum(c.ws.heard for c in population)
    cpu0 = cpuSeconds(pid)
    t0 = time.perf_counter()
    await asyncio.gather(*[c.run(t0 + duration) for c in population])
    elapsed = time.perf_counter() - t0
    cpu = cpuSeconds(pid) - cpu0
    said = sum(len(c.rtts) for c in population)
    rtts = sorted(r for c in population for r in c.rtts)
    await inBatches(population, WebClient.close)
    return {
        "target": kind, "clients": clients,
        "duration_s": round(elapsed, 2),
        "says_per_s": round(said / elapsed, 1),
        "heard_per_s": round((sum(c.ws.heard for c in population) - heard0)
                             / elapsed, 1),
        "rtt_p50_ms": round(_pct(rtts, 50) * 1000, 2),
        "rtt_p99_ms": round(_pct(rtts, 99) * 1000, 2),
        "server_us_per_say": round(cpu / max(1, said) * 1e6, 1),
    }


async def idle(kind, port, pid, count):
    """RSS per idle connection, after each step of COUNT connecting."""
    population = [WebClient(i, kind, port) for i in range(count)]
    figures = {"target": kind, "connections": count}
    before = rss(pid)
    for label, step in (("login", WebClient.login), ("socket", WebClient.open),
                        ("playing", WebClient.play)):
        await inBatches(population, step)
        await asyncio.sleep(0.5)    # what is still on its way is read
        now = rss(pid)
        figures[f"{label}_kb"] = round((now - before) / count / 1024, 1)
        before = now
    figures["total_kb"] = round(sum(figures[f"{label}_kb"] for label in (
        "login", "socket", "playing")), 1)
    await inBatches(population, WebClient.close)
    return figures


def startServer(kind, store, port, profile=None):
    """
    Start one server in its own process (Imaginary under cProfile writing
    C{profile} if given); wait until PORT answers.
    """
    if kind == "floor":
        args = [PYTHON, os.path.join(BENCH, "web_floor_server.py"),
                str(port)]
    else:
        args = [PYTHON, "-m", "imaginary.cli", "serve", "--store", store,
                "--telnet", f"tcp:{freePort()}:interface=127.0.0.1",
                "--web", f"tcp:{port}:interface=127.0.0.1:backlog=2048"]
        if profile:
            args[1:1] = ["-m", "cProfile", "-o", profile]
    process = subprocess.Popen(args, env=ENV, cwd=ROOT,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    for _ in range(3000):
        if process.poll() is not None:
            break
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.01)
    process.kill()
    raise RuntimeError(f"the {kind} web server did not start")


def measure(kind, phase, count, duration=0.0, profile=None):
    """
    Start a fresh server of C{kind} (with a fresh store), run C{phase}
    (talk or idle) with COUNT clients, stop it; the phase's figures.
    """
    tmp = tempfile.mkdtemp(prefix="webbench-")
    store = os.path.join(tmp, "store")
    if kind == "imaginary":
        prepareStore(store, count, 1 if phase is talk else
                     min(IDLE_ROOMS, count))
    port = freePort()
    process = startServer(kind, store, port, profile)
    try:
        if phase is talk:
            return asyncio.run(talk(kind, port, process.pid, count,
                                    duration))
        return asyncio.run(idle(kind, port, process.pid, count))
    finally:
        process.terminate()
        process.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)


def table(rows, keys):
    """Print C{rows} (dicts) as right-aligned columns C{keys}."""
    print("  ".join(f"{k:>11}" for k in keys))
    for row in rows:
        print("  ".join(f"{str(row.get(k, '')):>11}" for k in keys))


def talkRounds(clients, duration, rounds, profile=None):
    """
    ROUNDS rounds of both servers, the order swapped each round (the
    machine's load drifts); every run's figures, each of Imaginary's with
    its ratios to the floor run of the same round.
    """
    runs = []
    for n in range(rounds):
        order = ("imaginary", "floor") if n % 2 == 0 else ("floor",
                                                            "imaginary")
        got = {}
        for kind in order:
            got[kind] = measure(kind, talk, clients, duration, profile)
            got[kind]["round"] = n + 1
            got[kind]["load"] = round(os.getloadavg()[0], 2)
        ours, floor = got["imaginary"], got["floor"]
        ours["cpu_ratio"] = round(ours["server_us_per_say"] /
                                  floor["server_us_per_say"], 2)
        ours["says_ratio"] = round(ours["says_per_s"] / floor["says_per_s"],
                                   2)
        runs += [ours, floor]
    return runs


def main():
    """Run both servers, print the figures (and --json them)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--clients", type=int, default=10,
                        help="clients talking in one room (default 10)")
    parser.add_argument("--duration", type=float, default=10.0,
                        help="seconds of talk per run (default 10)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of both servers (default 3)")
    parser.add_argument("--idle", type=int, default=1000,
                        help="idle connections for memory (default 1000)")
    parser.add_argument("--smoke", action="store_true",
                        help="a few seconds, for CI (no target judged)")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--profile", metavar="FILE",
                        help="run Imaginary under cProfile, writing FILE "
                        "(its figures then include the profiler)")
    args = parser.parse_args()
    if args.smoke:
        args.clients, args.duration, args.rounds, args.idle = 3, 1.0, 1, 20
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 2 * args.idle + 100:
        sys.exit(f"web_bench: {args.idle} idle connections need more than "
                 f"{hard} file descriptors (ulimit -n)")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    runs = talkRounds(args.clients, args.duration, args.rounds,
                      args.profile)
    table(runs, ["round", "target", "clients", "says_per_s", "heard_per_s",
                 "rtt_p50_ms", "rtt_p99_ms", "server_us_per_say",
                 "cpu_ratio", "says_ratio", "load"])
    ours = [r for r in runs if r["target"] == "imaginary"]
    floors = [r for r in runs if r["target"] == "floor"]
    summary = {
        "us_per_say_imaginary": statistics.median(
            r["server_us_per_say"] for r in ours),
        "us_per_say_floor": statistics.median(
            r["server_us_per_say"] for r in floors),
        "cpu_ratio_median": statistics.median(r["cpu_ratio"] for r in ours),
        "says_ratio_median": statistics.median(r["says_ratio"]
                                               for r in ours),
    }
    print("median server CPU per say: Imaginary {us_per_say_imaginary} us, "
          "floor {us_per_say_floor} us; median ratio (same round) "
          "{cpu_ratio_median}x CPU per say, {says_ratio_median}x "
          "says/s".format(**summary), flush=True)
    idleRuns = [measure(kind, idle, args.idle)
                for kind in ("imaginary", "floor")]
    if idleRuns[1]["total_kb"] > 0:
        idleRuns[0]["ratio"] = round(idleRuns[0]["total_kb"] /
                                     idleRuns[1]["total_kb"], 2)
    print("server RSS per idle connection, KB (login: GET /session + "
          "POST /login; socket: /ws open; playing: after play):")
    table(idleRuns, ["target", "connections", "login_kb", "socket_kb",
                     "playing_kb", "total_kb", "ratio"])
    print(f"load average {os.getloadavg()[0]:.2f}")
    if not args.smoke:
        ratio = summary["cpu_ratio_median"]
        print(f"target (issue 11): server CPU per say within 2x of the "
              f"floor's: {ratio}x, {'met' if ratio <= 2 else 'not met'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"talk": runs, "summary": summary, "idle": idleRuns},
                      f, indent=2)


if __name__ == "__main__":
    main()
