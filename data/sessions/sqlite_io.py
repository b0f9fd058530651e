"""SQLite as the session store uses it: a read-only connection that never writes, and one transaction per write."""

from __future__ import annotations

import functools
import sqlite3
import time
from pathlib import Path

from altui.data.errors import DataError


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A connection that cannot write, even on read-only storage (``immutable`` when no -shm can be made)."""
    for query in ("mode=ro", "immutable=1"):
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True, check_same_thread=False)
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.DatabaseError as exc:
            error = exc
            if "not a database" in str(exc) or "malformed" in str(exc):
                break
    raise DataError(f"{path} is not an altui session file ({error}); pass the file `altui label` wrote") from None


class transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error), retried briefly if another process holds the lock."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        for attempt in range(50):
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return self.db
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise DataError(f"the session file is busy or unwritable ({exc}); close other altui windows") from None
                time.sleep(0.1)

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.db.execute("COMMIT")
                return False
            self.db.execute("ROLLBACK")
        except sqlite3.Error as error:
            exc = error
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        if isinstance(exc, sqlite3.Error):
            raise DataError(f"the session file could not be written ({exc}); nothing was saved: free disk space "
                            "or check the file's permissions, then try again") from None
        return False


def reading(method):
    """A read of the session whose damage (bad pages, bad rows) is one clear error, not a traceback."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.DatabaseError, ValueError, TypeError, KeyError) as exc:
            raise DataError(f"session {self.path} is damaged ({type(exc).__name__}: {exc}); "
                            "restore it from a backup or start a new --session") from None

    return wrapper
