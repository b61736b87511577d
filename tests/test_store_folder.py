"""Tests for imaginary.store.folder: one process per store, decided before
SQLite is opened, so a race on a fresh store always has one winner."""

import subprocess
import sys
import textwrap

import pytest

from imaginary.store import Store
from imaginary.store.errors import StoreInUse
from imaginary.store.folder import LOCK_FILE


def test_a_second_opening_is_refused_until_the_first_closes(tmp_path):
    path = str(tmp_path / "s")
    first = Store(path)
    with pytest.raises(StoreInUse, match="is open in another process"):
        Store(path)
    first.close()
    again = Store(path)
    again.close()
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        LOCK_FILE, "db.sqlite"]


def test_a_folder_holding_only_the_lock_file_is_a_fresh_store(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / LOCK_FILE).write_bytes(b"")
    Store(str(folder)).close()
    assert (folder / "db.sqlite").exists()


RACER = textwrap.dedent("""
    import sys, time
    from imaginary.store import Store
    from imaginary.store.errors import StoreInUse
    start = float(sys.argv[2])
    while time.time() < start:
        pass
    try:
        store = Store(sys.argv[1])
    except StoreInUse:
        print("refused")
    else:
        print("opened")
        time.sleep(1.0)
        store.close()
""")


def test_two_processes_racing_for_a_fresh_store_have_one_winner(tmp_path):
    import time
    for round in range(5):
        path = str(tmp_path / f"fresh{round}")
        start = repr(time.time() + 0.5)
        racers = [subprocess.Popen([sys.executable, "-c", RACER, path,
                                    start], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
                  for _ in range(2)]
        outcomes = sorted(r.communicate(timeout=60)[0].strip()
                          for r in racers)
        assert outcomes == ["opened", "refused"], (round, outcomes)
