"""Multi-label columns: a cell holds a *set* of labels.

A cell is a JSON list (``["audio", "video"]``: JSONL and Parquet lists arrive as JSON text) or values joined by a
separator (``audio;video``, ``;`` unless ``--label-sep`` says otherwise). ``[]`` (or a cell holding only
separators) is the empty set: a labeled row with no label, unlike an empty cell, which is an unlabeled row. The
engine sees a set as a bit mask over the labels (:mod:`engine.learners.multi_label`).
"""

from __future__ import annotations

import json

import numpy as np

from altui.data.errors import DataError
from altui.data.files.table import MISSING_LABELS, Dataset, LabelSet, one_cell
from altui.engine.label_masks import mask_of
from altui.engine.names import MAX_LABELS

DEFAULT_LABEL_SEP = ";"


def cell_labels(cell: str, sep: str = DEFAULT_LABEL_SEP, where: str = "") -> list[str] | None:
    """The labels of one cell (ordered, without repeats); None for an unlabeled row."""
    cell = cell.strip()
    if cell in MISSING_LABELS:
        return None
    if cell.startswith(("[", "{")):
        try:
            values = json.loads(cell)
        except ValueError:
            values = None
        if not isinstance(values, list) or any(isinstance(v, (list, dict)) for v in values):
            raise DataError(f"{where}label cell {one_cell(cell)!r} is not a JSON list of label names; write it as "
                            f'["a", "b"] (or a;b)')
        parts = ["" if v is None else str(v).strip() for v in values]
    else:
        parts = [p.strip() for p in cell.split(sep)]
    return list(dict.fromkeys(p for p in parts if p))


def dataset_label_sets(dataset: Dataset, sep: str = DEFAULT_LABEL_SEP) -> list[list[str] | None]:
    """Every row's labels (None: unlabeled)."""
    if dataset.labels is None:
        raise DataError(f"{dataset.path}: no label column; pass --label-col NAME or INDEX")
    return [cell_labels(v, sep, f"{dataset.path} row {row + 1}: ") for row, v in enumerate(dataset.labels)]


def flat_values(sets: list[list[str] | None]) -> list[str]:
    """Every label value used by the sets (with repeats), for :func:`data.files.table.label_set`."""
    return [v for labels in sets if labels for v in labels]


def check_label_count(labels: LabelSet, path: str) -> None:
    if len(labels) > MAX_LABELS:
        raise DataError(f"{path}: {len(labels)} different labels; a multi-label session holds at most {MAX_LABELS}: "
                        "merge rare labels, or use another --label-col")


def encode_label_sets(dataset: Dataset, labels: LabelSet, sep: str = DEFAULT_LABEL_SEP,
                      what: str = "training") -> np.ndarray:
    """The bit mask of every row's label set; -1 for unlabeled rows."""
    lookup = {v: i for i, v in enumerate(labels.values)}
    out = np.full(len(dataset), -1, dtype=np.int64)
    for row, values in enumerate(dataset_label_sets(dataset, sep)):
        if values is None:
            continue
        for value in values:
            if value not in lookup:
                raise DataError(f"{dataset.path}: {what} label {one_cell(value)!r} (row {row + 1}) is not one of "
                                f"{', '.join(labels.values)}; fix the file or the label column")
        out[row] = mask_of(lookup[value] for value in values)
    return out

