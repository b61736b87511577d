"""A transaction that returned survives kill -9 of the process."""

import os
import signal
import subprocess
import sys
import textwrap

from imaginary.store import Item, Store, integer


class Counter(Item):
    typeName = "dur_counter"
    value = integer()


def test_acknowledged_transactions_survive_sigkill(tmp_path):
    path = str(tmp_path / "s")
    writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        from imaginary.store import Item, Store, integer
        class Counter(Item):
            typeName = "dur_counter"
            value = integer()
        store = Store({path!r})
        n = 0
        while True:
            n += 1
            store.transact(lambda: Counter(store=store, value=n))
            print(n, flush=True)
        """)], stdout=subprocess.PIPE, text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    acknowledged = []
    for _ in range(200):
        acknowledged.append(int(writer.stdout.readline()))
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    # Anything printed after our last read was acknowledged too.
    acknowledged.extend(int(line) for line in writer.stdout.read().split())
    store = Store(path)
    present = {c.value for c in store.query(Counter)}
    assert set(acknowledged) <= present
    assert len(present) >= 200
