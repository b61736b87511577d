"""
A store's folder: the database file in it, and one process per store (an
advisory lock on a file beside it).

SQLite's own exclusive locking mode can't decide a race on a store that
doesn't exist yet: two processes opening it at the same instant both read
the empty schema (each then holds a shared lock, kept in that mode), both
want to write the first tables, and each waits for the other's shared lock
until both give up, leaving nothing running.  So the store takes
C{flock(LOCK_EX | LOCK_NB)} on C{<store>/db.lock} before it opens SQLite
at all: whoever takes it first opens the store, the other is refused at
once with StoreInUse.  The kernel lets go of it when the process ends,
however it ends, so a crash never leaves a store locked.
"""

import fcntl
import os
import sqlite3

from .errors import NotAStore, StoreInUse

LOCK_FILE = "db.lock"
_SQLITE_HEADER = b"SQLite format 3\x00"


class StoreLock:
    """The exclusive lock on one store folder, held until L{release}."""

    def __init__(self, folder):
        self.path = os.path.join(folder, LOCK_FILE)
        self._file = None

    def acquire(self):
        """Take the lock, or raise StoreInUse if another process holds it."""
        handle = open(self.path, "a+b")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise StoreInUse(f"{os.path.dirname(self.path)} is open in "
                             f"another process")
        except BaseException:
            handle.close()
            raise
        self._file = handle

    def release(self):
        """Let go of the lock (the file stays: it is the store's)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    @property
    def held(self):
        """Whether this object holds the lock now."""
        return self._file is not None


def openFolder(path):
    """
    Open the store at folder C{path} (made if missing): its lock taken
    first, then its db.sqlite.  Returns (connection, StoreLock).  Raises
    NotAStore for a path that is not (and can't become) a store, and
    StoreInUse when another process has it.
    """
    if os.path.exists(path) and not os.path.isdir(path):
        raise NotAStore(f"{path} is a file; a store is a directory (it "
                        f"holds db.sqlite)")
    dbfile = os.path.join(path, "db.sqlite")
    if os.path.isdir(path) and not os.path.exists(dbfile):
        if set(os.listdir(path)) - {LOCK_FILE}:
            raise NotAStore(f"{path} is a non-empty directory without "
                            f"db.sqlite; not an Imaginary store")
    if os.path.exists(dbfile):
        with open(dbfile, "rb") as f:
            header = f.read(16)
        if header and header != _SQLITE_HEADER:
            raise NotAStore(f"{dbfile} is not an SQLite database; refusing "
                            f"to touch it")
    os.makedirs(path, exist_ok=True)
    lock = StoreLock(path)
    lock.acquire()
    try:
        conn = sqlite3.connect(dbfile, isolation_level=None, timeout=0.2,
                               check_same_thread=False)
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    except sqlite3.Error as e:
        lock.release()
        raise NotAStore(f"cannot open {dbfile}: {e}")
    return conn, lock
