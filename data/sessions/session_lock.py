"""One writer per session: an advisory lock beside the session file (``SESSION.lock``).

`altui label` and `altui rubrix push|pull` hold it while they run; a second writer is refused in one line
naming the holder (pid, host, since). The lock is an ``flock`` on the lock file: the operating system
drops it when its process ends, however it ends (kill -9 included), so a stale lock is simply taken over.
Read-only commands (`status`, `export`) do not take it and work beside a writer (SQLite's WAL).
"""

from __future__ import annotations

import json
import os
import socket
from datetime import datetime, timezone
from pathlib import Path

from altui.data.errors import DataError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one writer is then the user's care
    fcntl = None


class SessionLock:
    def __init__(self, session_path: str | Path):
        self.path = Path(f"{session_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> "SessionLock":
        if fcntl is None or self._fd is not None:
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise DataError(f"cannot create the lock file {self.path} ({exc.strerror}); "
                            "pick a writable --session path") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            raise DataError(
                f"session {self.path.with_suffix('')} is open in another altui ({holder}); "
                "close that one first, or pass another --session"
            ) from None
        try:  # who holds it, for the next one refused; best effort: the flock is the lock (a full disk keeps it)
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                     "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}).encode())
        except OSError:
            pass
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        except OSError:
            pass
        os.close(self._fd)  # closing the descriptor drops the flock
        self._fd = None


def _read_holder(fd: int) -> str:
    try:
        holder = json.loads(os.pread(fd, 4096, 0).decode("utf-8", errors="replace") or "{}")
        return f"pid {int(holder['pid'])} on {str(holder['host'])!r} since {str(holder['since'])!r}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"
