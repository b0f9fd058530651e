"""The session file's schema: its tables, its version, and the migrations from earlier versions."""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 4
"""2: every answer keeps its item's text and its label's name, so a session file alone is enough for export
and status (1: row and class index only). 3: each round's kappa on the stop set. 4: a label/skip event of an answered item changes its answer (history,
search), and flagged items (an older altui would read a change as a second answer, so it refuses 4). Earlier versions are
migrated when opened for writing, and read as they are otherwise."""
MULTI_LABEL_SCHEMA = 5
"""A multi-label session (``--multi-label``): schema 4 whose answers' ``label`` is a bit mask over the labels and
``label_name`` a JSON list of names. Its own number, so an altui that would read the masks as classes refuses it."""
READABLE_VERSIONS = (1, 2, 3, 4, MULTI_LABEL_SCHEMA)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('label', 'skip', 'undo')),
    item INTEGER NOT NULL,          -- row of the training data
    item_id TEXT NOT NULL,
    label INTEGER,                  -- class index, NULL for skip/undo
    round INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT 'terminal',
    at TEXT NOT NULL,
    text TEXT,                      -- the item's text when it was answered (schema 2)
    label_name TEXT                 -- the label's name, NULL for skip/undo (schema 2)
);
CREATE TABLE IF NOT EXISTS batches (
    round INTEGER PRIMARY KEY, items TEXT NOT NULL, strategy TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS metrics (
    round INTEGER PRIMARY KEY, n_labels INTEGER NOT NULL, accuracy REAL, f1 REAL,
    label_counts TEXT NOT NULL, teach_seconds REAL NOT NULL, at TEXT NOT NULL,
    kappa REAL,                     -- agreement with the previous round's predictions on the stop set (schema 3)
    class_f1 TEXT                   -- JSON list: test F1 per class, null where undefined (added in 0.1, no bump)
);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, dataset TEXT NOT NULL, item_id TEXT NOT NULL,
    record TEXT NOT NULL, at TEXT NOT NULL, UNIQUE (dataset, item_id) ON CONFLICT REPLACE
);
CREATE TABLE IF NOT EXISTS team_answers (
    item_id TEXT NOT NULL, annotator TEXT NOT NULL, label_name TEXT NOT NULL,  -- altui merge: every answer
    text TEXT, PRIMARY KEY (item_id, annotator)
);
CREATE TABLE IF NOT EXISTS item_meta (
    item_id TEXT PRIMARY KEY, meta TEXT NOT NULL    -- JSON: the --meta-cols values of an answered item or a copy
);
CREATE TABLE IF NOT EXISTS copies (
    copy_id TEXT PRIMARY KEY, item_id TEXT NOT NULL, text TEXT  -- identical texts: asked once, through item_id
);
CREATE TABLE IF NOT EXISTS flags (
    item_id TEXT PRIMARY KEY, item INTEGER NOT NULL, text TEXT, at TEXT NOT NULL   -- marked for later (schema 4)
);
"""


def migrate(db: sqlite3.Connection, version: int, label_names: list[str]) -> None:
    """Bring a session of an earlier schema to :data:`SCHEMA_VERSION` (inside the caller's transaction)."""
    if version < 2:
        columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
        for column in ("text", "label_name"):
            if column not in columns:
                db.execute(f"ALTER TABLE events ADD COLUMN {column} TEXT")
        for index, name in enumerate(label_names):  # texts are unknown to schema 1: they stay NULL
            db.execute("UPDATE events SET label_name = ? WHERE label = ? AND label_name IS NULL", (name, index))
    if version < 3:
        if "kappa" not in {row[1] for row in db.execute("PRAGMA table_info(metrics)")}:
            db.execute("ALTER TABLE metrics ADD COLUMN kappa REAL")  # rounds before it: unknown (NULL)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))


def create_tables(db: sqlite3.Connection) -> None:
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    # columns added without a schema bump (an older altui reads the file and ignores them)
    columns = {row[1] for row in db.execute("PRAGMA table_info(metrics)")}
    if "class_f1" not in columns:
        db.execute("ALTER TABLE metrics ADD COLUMN class_f1 TEXT")
