"""
Machine instructions per ``say``, counted by valgrind: the one figure
for the command path that this shared machine's neighbours cannot move.

    .venv/bin/python bench/say_instructions.py [--listeners 9] [--says 3000]
    .venv/bin/python bench/say_instructions.py --smoke   # CI: no valgrind

command_path.py's opcode counts leave out the C work (dicts, strings, the
allocator, a regex), and its microseconds, like load_bench.py's, move by
10-20% from one run to the next on a shared VM.  This runs the same
in-process room (command_path.py's: the real telnet front end, session,
parser, verb and delivery on StringTransports) under valgrind's callgrind
tool twice, once saying nothing and once saying SAYS lines after the same
warm-up, and prints the difference per say: the instructions one say
costs, Python and C together, the same on every run of the same code.
The floor server's protocol is counted the same way, for the ratio.

It takes a few minutes (valgrind runs Python some fifty times slower)
and needs valgrind (Debian: ``apt-get install valgrind``).  CI runs
only ``--smoke``: both rooms set up and a few lines said, without
valgrind, so the script cannot rot.  Instructions are not time: they leave out cache misses,
which load_bench.py's sockets feel, so a change is weighed here first
and confirmed there.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

WARM = 200      # says before counting starts: every cache filled


def saying(target, listeners, says):
    """Set the room up, warm it, say C{says} lines."""
    import command_path
    room = (command_path.imaginaryRoom if target == "imaginary"
            else command_path.floorRoom)
    speaker, connections = room(listeners)
    say = command_path.sayer(speaker, connections)
    for _ in range(WARM + says):
        say()
    return connections


def child(target, listeners, says):
    """Under valgrind: the room, then exit at once."""
    saying(target, listeners, says)
    sys.stdout.flush()
    os._exit(0)     # (the store's thread pool would hold the exit)


def smoke():
    """Both rooms and a few lines, without valgrind; then exit."""
    for target in ("imaginary", "floor"):
        saying(target, 2, 5)
    print("say_instructions smoke: both rooms said their lines")
    sys.stdout.flush()
    os._exit(0)


def counted(target, listeners, says, scratch):
    """Instructions of a whole run of the child, as callgrind counts them."""
    out = os.path.join(scratch, f"{target}-{says}.callgrind")
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
         sys.executable, os.path.abspath(__file__), "--child", target,
         "--listeners", str(listeners), "--says", str(says)],
        capture_output=True, text=True, cwd=ROOT)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind run failed:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def perSay(target, listeners, says, scratch):
    """Instructions per say: a run with C{says} lines less one with none."""
    return (counted(target, listeners, says, scratch) -
            counted(target, listeners, 0, scratch)) / says


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listeners", type=int, default=9)
    parser.add_argument("--says", type=int, default=3000)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--child", choices=["imaginary", "floor"],
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke:
        smoke()
    if args.child:
        child(args.child, args.listeners, args.says)
        return
    if shutil.which("valgrind") is None:
        sys.exit("say_instructions.py needs valgrind "
                 "(Debian: apt-get install valgrind)")
    scratch = tempfile.mkdtemp(prefix="say-instructions-")
    ours = perSay("imaginary", args.listeners, args.says, scratch)
    floor = perSay("floor", args.listeners, args.says, scratch)
    print(f"one say to {args.listeners} listeners, in process, "
          f"counted by callgrind ({args.says} says)")
    print(f"{'target':>10} {'instructions':>13} {'ratio':>7}")
    print(f"{'imaginary':>10} {ours:13,.0f} {ours / floor:7.2f}")
    print(f"{'floor':>10} {floor:13,.0f} {1:7.2f}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
