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


def check_stored(path, stored, rows, last_batch, n_items: int, n_labels: int) -> None:
    """Every saved answer names an item of the data and one of the session's labels, and the saved batch
    (``last_batch``: (round, rows), or None) only items of the data (a file edited by hand or by another program
    could say otherwise): else one line naming the event, and the rescue."""
    for position, (saved, row) in enumerate(zip(stored, rows)):
        label = saved.answer.label
        bad_item = row is not None and not (isinstance(row, int) and 0 <= row < n_items)
        bad_label = label is not None and not (isinstance(label, int) and 0 <= label < n_labels)
        if bad_item or bad_label:
            what = f"item {row!r} (the data has {n_items})" if bad_item else \
                f"label {label!r} (the session has {n_labels})"
            raise DataError(f"session {path}: answer {position + 1} (id {str(saved.item_id)[:60]!r}) names {what}; "
                            f"the file was changed outside altui: `altui export {path}` still reads the "
                            "other answers, or start a new --session")
    if last_batch is not None and any(not (isinstance(i, int) and 0 <= i < n_items) for i in last_batch[1]):
        raise DataError(f"session {path}: the saved batch of round {last_batch[0] + 1} names items the data does "
                        f"not have; the file was changed outside altui: `altui export {path}` still reads the "
                        "answers, or start a new --session")


def through_copies(rows: list[int | None], copy_of) -> list[int | None]:
    """An answer saved for an identical copy (an older session asked copies) stands for its group's first row,
    unless that row has an answer of its own; then it is dropped (the group has one answer)."""
    own = {row for row in rows if row is not None and copy_of[row] < 0}
    mapped, seen = [], set()
    for row in rows:
        if row is not None and copy_of[row] >= 0:
            first = int(copy_of[row])
            row = None if first in own or first in seen else first
            if row is not None:
                seen.add(row)
        mapped.append(row)
    return mapped
