"""Where a command may write, and how: never over its own inputs, never half a file.

* :func:`check_outputs` runs *before* any work: an output that is the session (or one of its own files: its
  ``-wal``, ``-shm``, ``-journal`` and ``.lock``, or a link to any of them), the data, the test file, or another
  output of the same command is refused in one line; so is a folder, a path whose folder cannot be made or
  written, and ``-`` where standard output is not an option.
* :func:`atomic_write` writes a temporary file beside the target, flushes and fsyncs it, then renames it
  over the target (and fsyncs the folder): a crash, kill -9 or a full disk leaves the earlier file whole. A
  link to a file is followed (the link stays, its file is replaced); a device, a pipe or a socket
  (``/dev/null``, ``/dev/stdout``) is written to as it is, never renamed over.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from altui.data.errors import DataError

STDOUT = "-"


SESSION_COMPANIONS = (("-wal", "write-ahead log"), ("-shm", "shared memory file"), ("-journal", "journal"),
                      (".lock", "lock file"))


def is_stdout(path: Path | str | None) -> bool:
    return path is not None and str(path) == STDOUT


def is_stream(path: Path | str | None) -> bool:
    """True for an existing path that is not a regular file or a folder: a device, a pipe, a socket (followed
    through links: ``/dev/stdout``). Such an output is written to, never replaced."""
    if path is None or is_stdout(path):
        return False
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def with_companions(inputs: list[tuple[str, Path | str | None]]) -> list[tuple[str, Path | str | None]]:
    """``inputs`` and, for every session among them, the files SQLite and altui keep beside it: writing over
    its write-ahead log loses the answers in it, and over its lock file lets a second writer in."""
    out = list(inputs)
    for name, path in inputs:
        if path is not None and name.startswith("session") and "'s " not in name:
            out += [(f"{name}'s {what}", f"{path}{suffix}") for suffix, what in SESSION_COMPANIONS]
    return out


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve(strict=False) == b.resolve(strict=False)


def _writable_folder(path: Path) -> str | None:
    """Why ``path``'s folder cannot hold a new file (None when it can). The folder is made if missing (the
    output will need it) and probed with a temporary file, so /proc, a read-only mount or a full quota fail
    here, before any work, not after it."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return f"its folder {folder} cannot be written ({exc.strerror})"
    return None


def check_outputs(outputs: list[tuple[str, Path | None]], inputs: list[tuple[str, Path | str | None]],
                  stdout_ok: tuple[str, ...] = ()) -> None:
    """Refuse (one :class:`DataError`) any output that would destroy an input or another output, or that cannot
    be written. ``outputs``/``inputs`` are (what it is, path) pairs; None entries are ignored; an output named
    in ``stdout_ok`` may be ``-`` (standard output)."""
    seen: list[tuple[str, Path]] = []
    inputs = with_companions(inputs)
    for name, path in outputs:
        if path is None:
            continue
        if is_stdout(path):
            if name in stdout_ok:
                continue
            raise DataError(f"{name} - : this output cannot go to standard output; give a file path")
        path = Path(path)
        for input_name, input_path in inputs:
            if input_path is not None and _same(path, Path(input_path)):
                raise DataError(f"{name} {path} is the {input_name}: writing it would destroy it; "
                                "pick another path")
        for other_name, other in seen:
            if _same(path, other):
                raise DataError(f"{name} and {other_name} are the same file {path}: give each its own path")
        if path.is_dir():
            raise DataError(f"{name} {path} is a folder: give a file path inside it")
        if path.exists() and not os.access(path, os.W_OK):
            raise DataError(f"{name} {path} is not writable; pick a writable path")
        if is_stream(path):  # a device or a pipe: written to as it is, its folder is not ours to probe
            seen.append((name, path))
            continue
        why = _writable_folder(_followed(path))
        if why:
            raise DataError(f"cannot write {name} {path}: {why}; pick a writable path")
        seen.append((name, path))


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: some file systems cannot sync a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _followed(path: Path) -> Path:
    """The file a link points to (the target of the rename: the link itself stays a link)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


@contextlib.contextmanager
def _stream(path: Path, mode: str) -> Iterator[IO]:
    kwargs = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
    try:
        fh = open(path, mode, **kwargs)
    except OSError as exc:
        raise DataError(f"cannot write {path} ({exc.strerror}); pick a writable path") from None
    with fh:
        yield fh


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator[IO]:
    """A file object whose content replaces ``path`` only when the block ends without an error (a device or a
    pipe is written to directly: it cannot be replaced, and must not be)."""
    path = Path(path)
    if is_stream(path):
        with _stream(path, mode) as fh:
            yield fh
        return
    path = _followed(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise DataError(f"cannot write {path} ({exc.strerror}); pick a writable path") from None
    try:
        kwargs = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):  # keep the target's permissions when it exists
            os.chmod(temp, path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        os.replace(temp, path)
        fsync_folder(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise DataError(f"cannot write {path} ({exc.strerror}); the earlier file, if any, is unchanged") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def atomic_write(path: Path, text: str) -> None:
    with atomic_file(path) as fh:
        fh.write(text)


def atomic_dump(path: Path, dump: Callable[[IO], None]) -> None:
    """``dump(file)`` into a binary temp file, then renamed over ``path`` (joblib models)."""
    with atomic_file(path, "wb") as fh:
        dump(fh)
