"""`altui simulate --grid`: a TOML file naming data sets, strategies, models, batch sizes and repeats, and the
one long-format CSV its runs go to, which a resumed grid reads to skip the runs already done.

    repeats = 20            # seeded runs per cell and strategy
    iterations = 30
    seed = 0
    strategies = ["uncertainty", "random"]
    models = ["nblr", "nb"]
    batches = [10]

    [[datasets]]
    name = "youtube"
    data = "train.csv"      # relative to the grid file
    test = "test.csv"       # optional; else 20 % held out
    # text_col, label_col, sep, format, quoting, encoding, header = false

Every finished run is appended to the CSV at once (one write, flushed and synced), so Ctrl-C loses at most the
runs in flight. On the next start, complete runs are kept and skipped; a run cut short is dropped and run again.
"""

from __future__ import annotations

import csv
import io
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from altui.data.errors import DataError
from altui.data.files.formats import FORMATS, QUOTING
from altui.engine.learners import DEFAULT_MODEL
from altui.engine.names import DEFAULT_STRATEGY

GRID_COLUMNS = ["dataset", "strategy", "model", "batch", "repeat", "iteration", "n_labels", "accuracy", "f1",
                "seconds"]
READ_OPTIONS = {"text_col": str, "label_col": str, "sep": str, "format": str, "quoting": str, "encoding": str,
                "header": bool}


@dataclass(frozen=True)
class GridDataset:
    name: str
    data: str
    test: str | None = None
    read: dict = field(default_factory=dict)  # load_corpus's column/format options


@dataclass(frozen=True)
class Grid:
    datasets: list[GridDataset]
    strategies: list[str]
    models: list[str]
    batches: list[int]
    repeats: int = 10
    iterations: int = 30
    seed: int = 0

    def cells(self):
        """(dataset, model, batch) in file order: one corpus per (dataset, model), one simulate per cell."""
        for dataset in self.datasets:
            for model in self.models:
                for batch in self.batches:
                    yield dataset, model, batch


def _fail(path: Path, what: str) -> DataError:
    return DataError(f"grid {path}: {what}")


def load_grid(path: Path, known_strategies, known_models) -> Grid:
    """Read and check a grid file; every problem is one DataError naming the file and the key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"grid {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, f"cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"not valid TOML ({exc})") from None
    known = {"datasets", "strategies", "models", "batches", "repeats", "iterations", "seed"}
    if set(raw) - known:
        raise _fail(path, f"unknown keys {', '.join(sorted(set(raw) - known))}; it takes {', '.join(sorted(known))}")

    def str_list(key: str, default: list[str], allowed) -> list[str]:
        value = raw.get(key, default)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise _fail(path, f"{key} must be a list of names, e.g. {key} = {default!r}")
        bad = [v for v in value if v not in allowed]
        if bad:
            raise _fail(path, f"{key}: unknown {', '.join(map(repr, bad))}; use {', '.join(allowed)}")
        return list(dict.fromkeys(value))

    def positive(key: str, default: int) -> int:
        value = raw.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise _fail(path, f"{key} must be a whole number of at least 1, got {value!r}")
        return value

    batches = raw.get("batches", [10])
    if not isinstance(batches, list) or not batches or not all(isinstance(b, int) and b >= 1 for b in batches):
        raise _fail(path, "batches must be a list of whole numbers of at least 1, e.g. batches = [10, 20]")
    seed = raw.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise _fail(path, f"seed must be a whole number, got {seed!r}")
    datasets = raw.get("datasets")
    if not isinstance(datasets, list) or not datasets:
        raise _fail(path, "name at least one data set: [[datasets]] with name = \"...\" and data = \"file.csv\"")
    parsed, names = [], set()
    for i, entry in enumerate(datasets, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not isinstance(entry.get("data"), str):
            raise _fail(path, f"data set {i} needs name = \"...\" and data = \"file\"")
        name = entry["name"]
        if name in names:
            raise _fail(path, f"two data sets are named {name!r}; names must differ")
        names.add(name)
        extra = set(entry) - {"name", "data", "test"} - set(READ_OPTIONS)
        if extra:
            raise _fail(path, f"data set {name!r}: unknown keys {', '.join(sorted(extra))}")
        read = {}
        for key, kind in READ_OPTIONS.items():
            if key in entry:
                if not isinstance(entry[key], kind):
                    raise _fail(path, f"data set {name!r}: {key} must be a {kind.__name__}")
                read[key] = entry[key]
        if read.get("format") is not None and read["format"] not in FORMATS:
            raise _fail(path, f"data set {name!r}: format must be one of {', '.join(FORMATS)}")
        if read.get("quoting") is not None and read["quoting"] not in QUOTING:
            raise _fail(path, f"data set {name!r}: quoting must be one of {', '.join(QUOTING)}")
        base = path.parent
        test = entry.get("test")
        parsed.append(GridDataset(name, str(base / entry["data"]), None if test is None else str(base / test), read))
    return Grid(parsed, str_list("strategies", [DEFAULT_STRATEGY, "random"], known_strategies),
                str_list("models", [DEFAULT_MODEL], known_models), list(dict.fromkeys(batches)),
                positive("repeats", 10), positive("iterations", 30), seed)


RunKey = tuple[str, str, str, int, int]  # dataset, strategy, model, batch, repeat


def prepare_output(out: Path) -> dict[RunKey, int]:
    """The runs already in ``out`` and how many rows each has. A file that is not a grid output is refused; lines
    cut by Ctrl-C or a crash are removed (atomically) so new rows can be appended."""
    if not out.exists():
        return {}
    rows, text = _read(out)
    if not rows:
        return {}
    if rows[0] != GRID_COLUMNS:
        raise DataError(f"{out} exists and is not a grid output (its header is not {','.join(GRID_COLUMNS)}); "
                        "pick another --out, or move the file away")
    good = [r for r in rows[1:] if _valid(r)]  # a row cut short or edited by hand: dropped, its run done again
    if len(good) != len(rows) - 1 or not text.endswith("\n"):
        _rewrite(out, good)
    counts: dict[RunKey, int] = {}
    for row in good:
        key = _key(row)
        counts[key] = counts.get(key, 0) + 1
    return counts


def drop_runs(out: Path, keys: set[RunKey]) -> None:
    """Rewrite ``out`` without the rows of ``keys`` (runs cut short, run again), atomically."""
    rows, _ = _read(out)
    _rewrite(out, [r for r in rows[1:] if _key(r) not in keys])


INT_COLUMNS = ("batch", "repeat", "iteration", "n_labels")
FLOAT_COLUMNS = ("accuracy", "f1", "seconds")


def read_results(out: Path) -> list[dict]:
    """The grid's rows with their numbers checked: a row edited by hand (``abc`` where a number belongs, a
    missing cell) is one line naming the row, not a traceback at every resume."""
    rows, _ = _read(out)
    results = []
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(GRID_COLUMNS):
            raise DataError(f"{out} row {number} has {len(row)} cells, not {len(GRID_COLUMNS)}; delete that row "
                            "(its run is done again) or pick another --out")
        record = dict(zip(GRID_COLUMNS, row))
        for column in INT_COLUMNS + FLOAT_COLUMNS:
            try:
                (int if column in INT_COLUMNS else float)(record[column])
            except ValueError:
                raise DataError(f"{out} row {number}: {record[column][:40]!r} in column {column} is not a number; "
                                "delete that row (its run is done again) or pick another --out") from None
        results.append(record)
    return results


def _read(out: Path) -> tuple[list[list[str]], str]:
    try:
        text = out.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {out} ({exc}); pick another --out") from None
    return list(csv.reader(io.StringIO(text))), text


def _rewrite(out: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(GRID_COLUMNS)
    writer.writerows(rows)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    os.replace(tmp, out)


def _valid(row: list[str]) -> bool:
    if len(row) != len(GRID_COLUMNS) or _key(row) is None:
        return False
    try:
        for column, cell in zip(GRID_COLUMNS, row):
            if column in INT_COLUMNS:
                int(cell)
            elif column in FLOAT_COLUMNS:
                float(cell)
    except ValueError:
        return False
    return True


def _key(row) -> RunKey | None:
    try:
        return (row[0], row[1], row[2], int(row[3]), int(row[4]))
    except (ValueError, IndexError):
        return None


class GridWriter:
    """Appends each finished run's rows in one write, flushed and synced."""

    def __init__(self, out: Path):
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            new = not out.exists() or out.stat().st_size == 0
            self.file = open(out, "a", encoding="utf-8", newline="")
        except OSError as exc:
            raise DataError(f"cannot write {out} ({exc.strerror}); pick a writable --out") from None
        if new:
            self._write([GRID_COLUMNS])

    def add(self, dataset: str, model: str, batch: int, result) -> None:
        n = len(result.n_labels)
        ticks = result.iteration_seconds if result.iteration_seconds is not None else [result.seconds / n] * n
        # iterations count from 1, as the app's rounds and simulate --out
        self._write([[dataset, result.strategy, model, batch, result.repeat, i + 1, int(result.n_labels[i]),
                      f"{result.accuracy[i]:.6f}", f"{result.f1[i]:.6f}", f"{ticks[i]:.6f}"] for i in range(n)])

    def _write(self, rows) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        self.file.write(buffer.getvalue())
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        self.file.close()
