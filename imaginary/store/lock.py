"""
One process per store: an advisory lock on a file in the store's folder.

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

from .errors import StoreInUse

LOCK_FILE = "db.lock"


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
