"""Which rows of (possibly edited or moved) data a session's answers belong to."""

from __future__ import annotations

from pathlib import Path

from altui.data.files.corpus import Corpus
from altui.data.errors import DataError
from altui.data.sessions.store import SessionStore


def check_same_items(path: Path, corpus: Corpus) -> None:
    """Refuse a session whose data is not this data: other data, or a copy that shares none of its answers."""
    saved = SessionStore.open_existing(path, readonly=True)
    try:
        if saved.info.fingerprint == corpus.train.fingerprint:
            return
        stored = saved.answers()
        if not any(row is not None for row in match_rows(stored, corpus.train.ids, corpus.train.texts)):
            raise DataError(
                f"session {path} belongs to another data set ({saved.info.data_path}): none of its {len(stored)} "
                f"answered items is in {corpus.train.path}; pass that data file, or a new --session path"
            )
    finally:
        saved.close()


def match_rows(stored, ids: list[str], texts: list[str]) -> list[int | None]:
    """The row of each stored answer in (possibly edited) data: the same id with the same text, else the only
    row with that text; None when the item is gone or its text changed (the answer then stays in the session,
    out of the model)."""
    row_of = {item_id: row for row, item_id in enumerate(ids)}
    by_text: dict[str, int | None] = {}
    for row, text in enumerate(texts):
        by_text[text] = None if text in by_text else row  # None: the text is not unique
    rows, used = [], set()
    for s in stored:
        row = row_of.get(s.item_id)
        if row is not None and s.text is not None and texts[row] != s.text:
            row = None
        if row is None and s.text is not None:
            row = by_text.get(s.text)
        if row in used:
            row = None
        rows.append(row)
        if row is not None:
            used.add(row)
    return rows
