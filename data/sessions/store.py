"""The session store: one SQLite file per labeling session.

Every answer (label, skip) and every undo is appended as an event and committed the moment it is
given — one transaction each, WAL journal — so a crash or a ``kill -9`` loses nothing that was
answered. It also keeps the batch queried for each round, the metrics after each round, the
fingerprint of the data set (a session refuses another data set), and the Rubrix outbox.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from altui.data.errors import DataError
from altui.data.sessions.sqlite_io import connect_readonly, reading as _reading, transaction
from altui.data.sessions.store_tables import SideTables
from altui.data.sessions.store_schema import (
    MULTI_LABEL_SCHEMA,
    READABLE_VERSIONS,
    SCHEMA_VERSION,
    create_tables,
    migrate,
)
from altui.engine.answers import Answer, RoundMetrics
from altui.data.sessions.session_info import SessionInfo, now  # noqa: F401 (re-exported)



@dataclass(frozen=True)
class StoredAnswer:
    answer: Answer
    item_id: str
    at: str
    source: str
    text: str | None = None  # None only in sessions written by schema 1
    label_name: str | None = None


class SessionStore(SideTables):
    """Open with :meth:`create_or_resume` (labeling) or :meth:`open_existing` (export, status, rubrix)."""

    def __init__(self, path: str | Path, connection: sqlite3.Connection, info: SessionInfo, readonly: bool = False):
        self.path = Path(path)
        self._db = connection
        self.info = info
        self.readonly = readonly
        columns = {row[1] for row in connection.execute("PRAGMA table_info(events)")}
        self._texts_kept = "text" in columns  # schema 2; a schema-1 file read without migrating has none
        metric_columns = {row[1] for row in connection.execute("PRAGMA table_info(metrics)")}
        self._kappa_kept = "kappa" in metric_columns
        self._class_f1_kept = "class_f1" in metric_columns

    # -- opening
    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a committed answer survives a crash
            db.execute("PRAGMA busy_timeout=5000")
            return db
        except sqlite3.DatabaseError as exc:
            raise DataError(f"{path} is not an altui session file ({exc}); pick another --session path") from None
        except OSError as exc:
            raise DataError(f"cannot create the session file {path} ({exc.strerror}); pick a writable --session path") from None

    @classmethod
    def create_or_resume(cls, path: str | Path, info: SessionInfo, same_data: bool = True) -> "SessionStore":
        """Resume the session at ``path`` if it exists, else create it. With ``same_data`` a session of other
        data is refused here; without it, the caller maps the answers to the data (by id and text)."""
        path = Path(path)
        if path.exists():
            store = cls.open_existing(path)
            if same_data and store.info.fingerprint != info.fingerprint:
                store.close()
                raise DataError(
                    f"session {path} belongs to another data set ({store.info.data_path}); "
                    "pass that data file, or a new --session path to start over"
                )
            return store
        db = cls._connect(path)
        with transaction(db):
            create_tables(db)
            # a multi-label session is schema 5: an altui that reads label sets as classes refuses it
            version = MULTI_LABEL_SCHEMA if info.multi_label else SCHEMA_VERSION
            db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(version),))
            db.execute("INSERT INTO meta VALUES ('info', ?)", (json.dumps(asdict(info)),))
        return cls(path, db, info)

    @classmethod
    def open_existing(cls, path: str | Path, readonly: bool = False) -> "SessionStore":
        """Open a session file. It is first read without any write access and checked (an altui session of a
        schema this version reads): a file that is not one is reported and left byte-identical. ``readonly``
        (status, export) keeps that read-only connection; a writer then reopens it for writing."""
        path = Path(path)
        if path.is_dir():
            raise DataError(f"{path} is a folder, not a session file; give the session file's path (e.g. "
                            f"{path / 'labels.db'})")
        if path.exists() and not path.is_file():
            raise DataError(f"{path} is not a regular file (a device or a pipe), so not a session file; give the "
                            "session file's path")
        if not path.is_file():
            raise DataError(f"{path}: no such session file; start one with `altui label --session {path}`")
        reader = connect_readonly(path)
        try:
            info = _read_info(reader, path)
        except BaseException:
            reader.close()
            raise
        if readonly:
            return cls(path, reader, info, readonly=True)
        version = int(dict(reader.execute("SELECT key, value FROM meta").fetchall())["schema_version"])
        reader.close()
        db = cls._connect(path)
        with transaction(db):
            create_tables(db)  # tables added by later minor versions
            if version < SCHEMA_VERSION:
                migrate(db, version, info.label_names)
        return cls(path, db, info)

    def close(self) -> None:
        """Close the file; a writer first moves its write-ahead log into it, so a copy made after altui quits is
        whole (answers in a -wal left behind are missed by a copy of the file alone)."""
        if not self.readonly:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()

    def update_info(self, **changes) -> None:
        """Change some of the session's settings (the data file's path and fingerprint after it changed)."""
        self.info = replace(self.info, **changes)
        with transaction(self._db):
            self._db.execute("UPDATE meta SET value = ? WHERE key = 'info'", (json.dumps(asdict(self.info)),))

    # -- answers
    def record_answer(self, answer: Answer, item_id: str, source: str = "terminal", text: str | None = None,
                      meta: dict[str, str] | None = None) -> None:
        """Append one label or skip, with the item's text, the label's name and its --meta-cols values; committed
        before this returns."""
        kind = "skip" if answer.label is None else "label"
        label_name = self.info.answer_name(answer.label)
        with transaction(self._db):
            self._db.execute(
                "INSERT INTO events (kind, item, item_id, label, round, source, at, text, label_name) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (kind, int(answer.index), item_id, None if answer.label is None else int(answer.label), int(answer.round),
                 source, now(), text, label_name),
            )
            if meta:
                self._db.execute("INSERT OR REPLACE INTO item_meta (item_id, meta) VALUES (?, ?)",
                                 (item_id, json.dumps(meta, ensure_ascii=False)))

    def record_undo(self, answer: Answer, item_id: str) -> None:
        with transaction(self._db):
            self._db.execute(
                "INSERT INTO events (kind, item, item_id, label, round, at) VALUES ('undo', ?, ?, NULL, ?, ?)",
                (answer.index, item_id, answer.round, now()),
            )

    @_reading
    def answers(self) -> list[StoredAnswer]:
        """The answers in force, in the order given: every label/skip not taken back by an undo, as last
        changed (a change keeps the answer's place and round)."""
        return self._in_force()[0]

    @_reading
    def edits(self) -> list[tuple[str, StoredAnswer | None]]:
        """What undo takes back, oldest first: (item id, the answer a change replaced; None for a new answer)."""
        return self._in_force()[1]

    @_reading
    def undone(self) -> list[StoredAnswer]:
        """The answers an undo took back (not changes: new answers undone), oldest first: a pull from a server
        does not put back an answer of its own that the person undid."""
        return self._in_force()[2]

    def _in_force(self) -> tuple[list[StoredAnswer], list[tuple[str, StoredAnswer | None]], list[StoredAnswer]]:
        """Replay the events. A label/skip of an item that has an answer in force changes that answer; an
        undo takes back the item's latest label, skip or change (by id: rows move when data changes)."""
        stack: list[StoredAnswer] = []
        edits: list[tuple[str, StoredAnswer | None]] = []
        undone: list[StoredAnswer] = []
        answered: set[str] = set()
        kept = "text, label_name" if self._texts_kept else "NULL, NULL"

        def position(item_id: str) -> int:
            return next(i for i in range(len(stack) - 1, -1, -1) if stack[i].item_id == item_id)

        for kind, item, item_id, label, round_, source, at, text, label_name in self._db.execute(
            f"SELECT kind, item, item_id, label, round, source, at, {kept} FROM events ORDER BY seq"
        ):
            if kind == "undo":
                edit = next((i for i in range(len(edits) - 1, -1, -1) if edits[i][0] == item_id), None)
                if edit is None:
                    continue
                _, replaced = edits.pop(edit)
                if replaced is None:
                    undone.append(stack.pop(position(item_id)))
                    answered.discard(item_id)
                else:
                    stack[position(item_id)] = replaced
                continue
            if label is not None and label_name is None:
                label_name = self.info.answer_name(label) if isinstance(label, int) else None
            if label is not None and not isinstance(label, int):
                raise ValueError(f"event {item_id!r} has the class {label!r}")
            if item_id in answered:
                at_ = position(item_id)
                replaced = stack[at_]
                stack[at_] = StoredAnswer(Answer(replaced.answer.index, label, replaced.answer.round), item_id, at,
                                          source, text, label_name)
                edits.append((item_id, replaced))
            else:
                stack.append(StoredAnswer(Answer(item, label, round_), item_id, at, source, text, label_name))
                edits.append((item_id, None))
                answered.add(item_id)
        return stack, edits, undone

    # -- flags: items marked for later
    def toggle_flag(self, item_id: str, item: int, text: str | None) -> bool:
        """Flag the item, or unflag it if it was flagged; returns whether it is flagged now."""
        with transaction(self._db):
            if self._db.execute("DELETE FROM flags WHERE item_id = ?", (item_id,)).rowcount:
                return False
            self._db.execute("INSERT INTO flags (item_id, item, text, at) VALUES (?, ?, ?, ?)",
                             (item_id, item, text, now()))
            return True

    @_reading
    def flags(self) -> list[tuple[str, int, str | None]]:
        """Flagged items (id, row, text), in the order flagged. Sessions of schema < 4 have none."""
        if not self.has_table("flags"):
            return []
        return list(self._db.execute("SELECT item_id, item, text FROM flags ORDER BY at, item_id"))

    @_reading
    def reopened_items(self) -> list[int]:
        """Items whose latest event is an undo that left them unanswered (asked again next; an undone change
        leaves its item answered), most recently undone first."""
        answered = {s.item_id for s in self.answers()}
        return [item for item, item_id in self._db.execute(
            "SELECT item, item_id FROM events AS e WHERE kind = 'undo' "
            "AND seq = (SELECT MAX(seq) FROM events WHERE item_id = e.item_id) ORDER BY seq DESC"
        ) if item_id not in answered]

    @_reading
    def n_events(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM events").fetchone()[0]

    # -- rounds
    def record_batch(self, round_: int, items: Iterable[int], strategy: str) -> None:
        with transaction(self._db):
            self._db.execute(
                "INSERT OR REPLACE INTO batches VALUES (?, ?, ?, ?)",
                (round_, json.dumps([int(i) for i in items]), strategy, now()),
            )

    def record_round(self, metrics: RoundMetrics, next_batch: Iterable[int] | None, strategy: str) -> None:
        """Metrics of the round just taught and the batch queried for the next one, in one transaction."""
        with transaction(self._db):
            self._db.execute(
                "INSERT OR REPLACE INTO metrics (round, n_labels, accuracy, f1, label_counts, teach_seconds, at, "
                "kappa, class_f1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (metrics.round, metrics.n_labels, _nan_to_none(metrics.accuracy), _nan_to_none(metrics.f1),
                 json.dumps(list(metrics.label_counts)), metrics.teach_seconds, now(), _nan_to_none(metrics.kappa),
                 json.dumps([_nan_to_none(f) for f in metrics.class_f1]) if metrics.class_f1 else None),
            )
            if next_batch is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO batches VALUES (?, ?, ?, ?)",
                    (metrics.round + 1, json.dumps([int(i) for i in next_batch]), strategy, now()),
                )

    @_reading
    def last_batch(self) -> tuple[int, list[int]] | None:
        row = self._db.execute("SELECT round, items FROM batches ORDER BY round DESC LIMIT 1").fetchone()
        return None if row is None else (row[0], json.loads(row[1]))

    @_reading
    def metrics(self) -> list[RoundMetrics]:
        kappa = "kappa" if self._kappa_kept else "NULL"
        class_f1 = "class_f1" if self._class_f1_kept else "NULL"
        return [
            RoundMetrics(r, n, _none_to_nan(a), _none_to_nan(f), tuple(json.loads(c)), s, _none_to_nan(k),
                         tuple(_none_to_nan(v) for v in json.loads(cf)) if cf else ())
            for r, n, a, f, c, s, k, cf in self._db.execute(
                f"SELECT round, n_labels, accuracy, f1, label_counts, teach_seconds, {kappa}, {class_f1} FROM metrics "
                "ORDER BY round"
            )
        ]

    # -- Rubrix outbox: records that could not be sent yet
    def outbox_put(self, dataset: str, records: list[dict]) -> None:
        with transaction(self._db):
            self._db.executemany(
                "INSERT INTO outbox (dataset, item_id, record, at) VALUES (?, ?, ?, ?)",
                [(dataset, str(r["id"]), json.dumps(r), now()) for r in records],
            )

    @_reading
    def outbox(self, dataset: str | None = None) -> list[tuple[int, str, dict]]:
        query = "SELECT seq, dataset, record FROM outbox"
        args: tuple = ()
        if dataset is not None:
            query += " WHERE dataset = ?"
            args = (dataset,)
        return [(seq, ds, json.loads(rec)) for seq, ds, rec in self._db.execute(query + " ORDER BY seq", args)]

    @_reading
    def outbox_count(self, dataset: str) -> int:
        """How many records wait for ``dataset`` (a count: the status line asks on every keypress)."""
        return int(self._db.execute("SELECT COUNT(*) FROM outbox WHERE dataset = ?", (dataset,)).fetchone()[0])

    def outbox_remove(self, seqs: Iterable[int]) -> None:
        with transaction(self._db):
            self._db.executemany("DELETE FROM outbox WHERE seq = ?", [(s,) for s in seqs])


def _read_info(db: sqlite3.Connection, path: Path) -> "SessionInfo":
    """The session's settings, after checking the file is an altui session of a schema this altui reads."""
    try:
        rows = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except (sqlite3.DatabaseError, ValueError):
        try:
            empty = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        except sqlite3.DatabaseError:
            empty = False
        wal = Path(f"{path}-wal")
        # (a reader may have made an empty -wal; a 0-byte file is no copy of a session: that has a header)
        if empty and path.stat().st_size > 0 and (not wal.exists() or wal.stat().st_size == 0):
            raise DataError(f"{path} is not an altui session file: an SQLite file with nothing in it yet; if it is a "
                            "copy of a session made while altui had it open, the answers are still in the original's "
                            "-wal file: copy the session again after altui quits (it then writes everything into the "
                            "file)") from None
        raise DataError(f"{path} is not an altui session file; pass the file `altui label` wrote") from None
    try:
        version = int(rows.get("schema_version", "0"))
    except ValueError:
        version = -1
    if version not in READABLE_VERSIONS or "info" not in rows:
        raise DataError(
            f"{path} has session schema {version}, this altui reads {SCHEMA_VERSION}; use a matching altui version"
        )
    try:
        info = json.loads(rows["info"])
        known = {f.name for f in fields(SessionInfo)}
        return SessionInfo(**{k: v for k, v in info.items() if k in known})
    except (ValueError, TypeError):
        raise DataError(f"{path}: the session's settings are damaged (meta.info is not valid); "
                        "export what can be read with `altui export`, or start a new --session") from None


def _nan_to_none(x: float) -> float | None:
    return None if x != x else x


def _none_to_nan(x: float | None) -> float:
    return float("nan") if x is None else x
