"""A transaction that returned survives kill -9 of the process."""

import os
import signal
import subprocess
import sys
import textwrap

from imaginary.store import Item, Store, integer, text


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


class Note(Item):
    typeName = "dur_note"
    body = text()


def test_the_wal_stays_small_and_closing_empties_it(tmp_path):
    """
    Thousands of small commits and one big one: the WAL file never holds
    much more than WAL_LIMIT_BYTES (1 MiB) plus the transaction being
    written, and comes back under it after a big one, so a store needs
    little disk beyond db.sqlite (SQLite's default left 4 MB for good).
    Closing writes it back and removes it.
    """
    from imaginary.store.store import WAL_LIMIT_BYTES
    path = tmp_path / "s"
    store = Store(str(path))
    wal = path / "db.sqlite-wal"
    largest = 0
    for n in range(3000):
        store.transact(lambda: [Note(store=store, body=f"{n} " + "x" * 200)
                                for _ in range(10)])
        largest = max(largest, wal.stat().st_size)
    assert largest <= WAL_LIMIT_BYTES + 64 * 1024, largest
    store.transact(lambda: [Note(store=store, body="y" * 3000)
                            for _ in range(1000)])        # about 4 MB
    for n in range(400):
        store.transact(Note, store=store, body="after")
    assert wal.stat().st_size <= WAL_LIMIT_BYTES + 64 * 1024
    count = store.query(Note).count()
    store.close()
    assert not wal.exists() or wal.stat().st_size == 0
    store = Store(str(path))
    assert store.query(Note).count() == count
    store.close()
