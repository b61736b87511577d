"""
Simulation benchmark: commands per second, in process, on a big world.

    .venv/bin/python bench/sim_bench.py [--rooms 1000] [--things 10000]
        [--commands 5000] [--quick] [--json out.json]

Builds a world of ROOMS rooms in a grid (exits between neighbours) and
THINGS things spread over them, puts one player in it, then runs a scripted
mix (look, go, take, drop, say, put, wear) through the real parser and
verbs, with events delivered to a collecting session.  Prints commands/s,
the mean number of SQL statements per command (counted with sqlite3's trace
callback), and the time of 'look' in a room holding 50 things.  Targets
(issue 3): 5,000 mixed commands/s; look with 50 things under 1 ms.

For a same-run baseline it also times the floor of the same work: one
`SELECT` of a room's contents per command through raw sqlite3, so the
ratio shows how much the simulation costs over touching the data at all.
"""

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from imaginary.interfaces import IActor  # noqa: E402
from imaginary.simulation.containment import Container, Exit  # noqa: E402
from imaginary.simulation.garments import Garment  # noqa: E402
from imaginary.simulation.thing import Thing  # noqa: E402
from imaginary.simulation.world import ImaginaryWorld, createRoom  # noqa
from imaginary.store import Store  # noqa: E402
from imaginary.verbs.base import Context, VerbRegistry, execute  # noqa


class Sink:
    """A session that only counts what it is sent."""

    def __init__(self):
        self.count = 0

    def send(self, span, event):
        self.count += 1


def buildWorld(store, rooms, things, rng):
    world = ImaginaryWorld.get(store)
    side = max(1, int(rooms ** 0.5))

    def build():
        grid = [createRoom(store, f"Room {i}") for i in range(rooms)]
        for i, room in enumerate(grid):
            if (i + 1) % side and i + 1 < rooms:
                Exit.link(room, grid[i + 1], "east")
            if i + side < rooms:
                Exit.link(room, grid[i + side], "south")
        for n in range(things):
            room = grid[rng.randrange(rooms)]
            kind = n % 10
            if kind == 0:
                t = Thing(store=store, name=f"box {n}")
                Container.createFor(t, capacity=20)
            elif kind == 1:
                t = Thing(store=store, name=f"shirt {n}")
                Garment.createFor(t, garmentSlots=["chest"], bulk=2)
            else:
                t = Thing(store=store, name=f"pebble {n}")
            t.location = room
        world.origin = grid[0]
        return grid
    return world, store.transact(build)


def mixFor(rng, n):
    script = []
    for i in range(n):
        k = i % 10
        if k in (0, 1):
            script.append("look")
        elif k == 2:
            script.append(rng.choice(["east", "west", "north", "south"]))
        elif k == 3:
            script.append("take pebble")
        elif k == 4:
            script.append("drop pebble")
        elif k == 5:
            script.append("say hello there")
        elif k == 6:
            script.append("take box")
        elif k == 7:
            script.append("put pebble in box")
        elif k == 8:
            script.append("take shirt")
        else:
            script.append("wear shirt")
    return script


def run(args):
    rng = random.Random(7)
    store = Store()
    t0 = time.perf_counter()
    world, grid = buildWorld(store, args.rooms, args.things, rng)
    buildTime = time.perf_counter() - t0
    sink = Sink()
    player = world.createCharacter("Bencher", 2)
    IActor(player).setEphemeralIntelligence(sink)
    context = Context(actor=player, world=world,
                      registry=VerbRegistry.fromPlugins(), session=sink)
    statements = [0]
    store._conn.set_trace_callback(lambda s: statements.__setitem__(
        0, statements[0] + 1))
    script = mixFor(rng, args.commands)
    t0 = time.perf_counter()
    for line in script:
        execute(context, line)
    mixTime = time.perf_counter() - t0
    store._conn.set_trace_callback(None)

    # look in a room of 50 things
    def fill():
        room = createRoom(store, "Crowded Room")
        for i in range(50):
            Thing(store=store, name=f"trinket {i}", location=room)
        player.moveTo(room, force=True)
    store.transact(fill)
    looks = []
    for _ in range(args.looks):
        t = time.perf_counter()
        execute(context, "look")
        looks.append(time.perf_counter() - t)

    # floor: the same number of raw content queries
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (oid INTEGER PRIMARY KEY, name TEXT, "
                 "location INTEGER)")
    conn.execute("CREATE INDEX t_loc ON t(location)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?)",
                     [(i, f"pebble {i}", rng.randrange(args.rooms))
                      for i in range(args.things)])
    t0 = time.perf_counter()
    for i in range(args.commands):
        conn.execute("SELECT oid, name FROM t WHERE location = ?",
                     (i % args.rooms,)).fetchall()
    floorTime = time.perf_counter() - t0

    result = {
        "rooms": args.rooms, "things": args.things,
        "build_seconds": round(buildTime, 2),
        "commands": args.commands,
        "commands_per_second": round(args.commands / mixTime, 1),
        "sql_statements_per_command": round(statements[0] / args.commands,
                                            1),
        "look_50_things_ms_median": round(
            statistics.median(looks) * 1000, 3),
        "floor_queries_per_second": round(args.commands / floorTime, 1),
    }
    result["ratio_to_floor"] = round(
        result["commands_per_second"] / result["floor_queries_per_second"],
        4)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--things", type=int, default=10000)
    parser.add_argument("--commands", type=int, default=5000)
    parser.add_argument("--looks", type=int, default=200)
    parser.add_argument("--quick", action="store_true",
                        help="a tiny run for CI (seconds)")
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.quick:
        args.rooms, args.things, args.commands, args.looks = 25, 200, 200, 20
    result = run(args)
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    print(f"target: 5000 commands/s -> "
          f"{'MET' if result['commands_per_second'] >= 5000 else 'MISSED'};"
          f" look with 50 things < 1 ms -> "
          f"{'MET' if result['look_50_things_ms_median'] < 1 else 'MISSED'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
