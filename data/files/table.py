"""Load a table of texts (and maybe labels) into a typed :class:`Dataset`.

CSV, TSV, JSONL or Parquet (read by :mod:`data.readers`), header or not, columns by name, dotted key
(``meta.id``) or 0-based index, labels as found (ints or strings) with stable names. Every problem is a
:class:`DataError` that says how to fix it.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import itertools
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np

from altui.data.errors import DataError
from altui.data.files.csv_text import csv_text  # noqa: F401 (re-exported)
from altui.data.files.readers import ReadOptions, read_table

TEXT_COLUMNS = ("CONTENT", "text", "Text", "TEXT", "content", "comment", "sentence")
LABEL_COLUMNS = ("CLASS", "label", "Label", "LABEL", "labels", "class")
ID_COLUMNS = ("COMMENT_ID", "id", "ID", "Id", "meta.id", "_id")
AUTHOR_COLUMNS = ("AUTHOR", "author", "meta.author")
DATE_COLUMNS = ("DATE", "date", "meta.date")
# The YouTube Spam Collection's classes: 0 = ham, 1 = spam.
YOUTUBE_LABEL_NAMES = {"0": "ham", "1": "spam"}


@dataclass(frozen=True)
class LabelSet:
    """The classes: raw values as found in the data (``values``), and what a person sees (``names``)."""

    values: tuple[str, ...]
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.values)

    def index(self, raw: str) -> int:
        return self.values.index(raw)

    def index_of_name(self, name: str) -> int:
        return self.names.index(name)


@dataclass(frozen=True)
class Dataset:
    """One table of texts. ``labels`` holds the raw label of each row ('' for none), or is None."""

    path: str
    texts: list[str]
    ids: list[str]
    labels: list[str] | None
    columns: list[str]
    text_column: str
    label_column: str | None
    metadata: dict[str, list[str]] = field(default_factory=dict)
    encoding: str = "utf-8"
    format: str = "csv"
    meta_columns: tuple[str, ...] = ()  # --meta-cols: shown beside the text and exported

    def __len__(self) -> int:
        return len(self.texts)

    @functools.cached_property
    def fingerprint(self) -> str:
        """sha256 of the ids and texts: two files with the same items have the same fingerprint."""
        digest = hashlib.sha256()
        step = 20_000  # the same bytes as item by item (id US text RS ...), hashed in chunks
        for start in range(0, len(self.ids), step):
            ids, texts = self.ids[start : start + step], self.texts[start : start + step]
            chunk = "".join(map("".join, zip(ids, repeat("\x1f"), texts, repeat("\x1e"))))
            digest.update(chunk.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def meta(self, row: int, names: Sequence[str]) -> str | None:
        for name in names:
            if name in self.metadata and self.metadata[name][row]:
                return self.metadata[name][row]
        return None

    def author(self, row: int) -> str | None:
        return self.meta(row, AUTHOR_COLUMNS)

    def date(self, row: int) -> str | None:
        return self.meta(row, DATE_COLUMNS)


def one_cell(value: str, width: int = 30) -> str:
    flat = " ".join(str(value).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def resolve_column(spec: str | int | None, columns: list[str], candidates: Sequence[str], what: str, path: str,
                   required: bool) -> int | None:
    """Index of a column given by name, by 0-based index, or found among ``candidates``."""
    if spec is None or spec == "":
        for name in candidates:
            if name in columns:
                return columns.index(name)
        if required:
            shown = ", ".join(one_cell(c) for c in columns[:6]) + (", …" if len(columns) > 6 else "")
            raise DataError(
                f"{path}: no {what} column found among {shown}; pass --{what}-col NAME or INDEX, and --no-header "
                "if the first row is data rather than column names"
            )
        return None
    if isinstance(spec, int) or str(spec).isdigit():
        index = int(spec)
        if index >= len(columns):
            raise DataError(
                f"{path}: --{what}-col {index} is out of range, the file has {len(columns)} columns (0..{len(columns) - 1})"
            )
        return index
    if spec in columns:
        return columns.index(spec)
    raise DataError(f"{path}: unknown column {spec!r} for --{what}-col; the columns are: {', '.join(columns)}")


MISSING_LABELS = frozenset({"", "nan", "NaN", "NAN", "None", "null", "NULL", "<NA>", "NA", "N/A"})
"""Label values that mean "no label": the row is unlabeled (empty fields, JSON null, NaN, None)."""


def load_table(
    path: str | os.PathLike,
    text_col: str | int | None = None,
    label_col: str | int | None = None,
    sep: str | None = None,
    header: bool = True,
    require_labels: bool = False,
    *,
    format: str | None = None,
    quoting: str | None = None,
    encoding: str | None = None,
    id_col: str | int | None = None,
    meta_cols: Sequence[str] | None = None,
) -> Dataset:
    """Read a table of texts. ``label_col`` is looked for by default and needed only if ``require_labels``.
    ``id_col`` names the column of unique ids (else an ``id``-like column, else row numbers); ``meta_cols``
    the columns shown beside the text and exported."""
    path = str(path)
    table = read_table(path, ReadOptions(format=format, sep=sep, quoting=quoting, header=header, encoding=encoding))
    header = header or table.format in ("jsonl", "parquet")
    columns = list(table.columns)
    default_text = TEXT_COLUMNS if header else ()
    text_index = resolve_column(text_col, columns, default_text, "text", path, required=True)
    if text_col is None and not header:
        text_index = 0
    label_index = resolve_column(
        label_col, columns, LABEL_COLUMNS if header else (), "label", path, required=require_labels
    )
    if label_index is not None and label_index == text_index:
        raise DataError(f"{path}: the text and label columns are the same ({columns[text_index]}); pick two columns")
    if id_col is not None:
        id_index = resolve_column(id_col, columns, (), "id", path, required=True)
    else:
        id_index = resolve_column(None, columns, ID_COLUMNS, "id", path, required=False) if header else None
    meta_names = tuple(columns[resolve_column(m, columns, (), "meta", path, required=True)] for m in meta_cols or ())
    text_name = columns[text_index]
    label_name = None if label_index is None else columns[label_index]
    for name in meta_names:  # the text and the label are exported as themselves; as --meta-cols they would be empty
        if name in (text_name, label_name):
            what = "text" if name == text_name else "label"
            raise DataError(f"--meta-cols {name}: that is the {what} column, exported as {what!r} already; name other "
                            "columns (e.g. --meta-cols author,date)")
    texts = table.columns[text_name]
    labels = None
    if label_name is not None:
        labels = [v.strip() for v in table.columns[label_name]]
        labels = ["" if v in MISSING_LABELS else v for v in labels]
        if header and table.format in ("csv", "tsv") and label_name.strip() in set(labels) \
                and label_name.strip() not in LABEL_COLUMNS:
            # the "header" is a row of data: its label cell is one of the labels ("ham" above "spam", "ham")
            raise DataError(f"{path}: the first row looks like data, not column names (its {label_name.strip()!r} is "
                            "also a label in the rows); pass --no-header, with --text-col and --label-col as indexes")
    n_rows = table.n_rows
    if id_col is not None:
        ids = checked_ids(table.columns[columns[id_index]], columns[id_index], path)
    else:
        ids = unique_ids(table.columns[columns[id_index]]) if id_index is not None else \
            [f"row-{i}" for i in range(n_rows)]
    metadata = {name: values for name, values in table.columns.items() if name not in (text_name, label_name)}
    return Dataset(
        path=path, texts=texts, ids=ids, labels=labels, columns=columns, text_column=text_name,
        label_column=label_name, metadata=metadata, encoding=table.encoding, format=table.format,
        meta_columns=meta_names,
    )


def checked_ids(raw: list[str], name: str, path: str) -> list[str]:
    """``--id-col``'s values as they are: every one present and unique, else one line naming the rows."""
    first: dict[str, int] = {}
    for row, value in enumerate(raw):
        value = value.strip()
        if not value:
            raise DataError(f"{path}: --id-col {name} is empty on row {row + 1}; every row needs its id (or leave "
                            "--id-col out: the rows are then numbered)")
        if value in first:
            raise DataError(f"{path}: --id-col {name} has {value[:60]!r} on rows {first[value] + 1} and {row + 1}; "
                            "ids must be unique (pick another column, or leave --id-col out)")
        first[value] = row
    return [value.strip() for value in raw]


YOUTUBE_COLUMNS = {"COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS"}


def is_youtube_layout(dataset: Dataset) -> bool:
    """The columns of the YouTube Spam Collection, whose classes 0/1 mean ham/spam."""
    return YOUTUBE_COLUMNS <= set(dataset.columns) and dataset.label_column == "CLASS"


_UNCLEAN_ID = re.compile(r"(?m)^[^\S\n]|[^\S\n]$|^$")


def unique_ids(raw: list[str]) -> list[str]:
    """The id column, with empty ids replaced by the row number and repeats made unique (``id#2``)."""
    if len(set(raw)) == len(raw):  # the common case, checked in C: unique, none empty or padded
        joined = "\n".join(raw)
        if joined.count("\n") == len(raw) - 1 and not _UNCLEAN_ID.search(joined):
            return list(raw)
    seen: dict[str, int] = {}
    ids = []
    for row, value in enumerate(raw):
        value = value.strip() or f"row-{row}"
        seen[value] = seen.get(value, 0) + 1
        ids.append(value if seen[value] == 1 else f"{value}#{seen[value]}")
    return ids


def _sort_key(value: str):
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def label_sort_key(value: str):
    """How label values are ordered: numbers as numbers, the rest as strings."""
    return _sort_key(value)


def label_set(values: Sequence[str], names: Sequence[str] | None = None, *, youtube_names: bool = False) -> LabelSet:
    """Classes from raw label values: numeric values sorted as numbers, others as strings.

    ``names`` overrides what a person sees (one per class, in that order). For the YouTube data the
    classes 0/1 are shown as ham/spam.
    """
    found = sorted({v for v in values if v != ""}, key=_sort_key)
    if names is not None:
        names = [n.strip() for n in names]
        if len(set(names)) != len(names) or any(not n for n in names):
            raise DataError(f"--labels {','.join(names)}: give distinct, non-empty names, e.g. --labels ham,spam")
        if found and len(names) != len(found):
            raise DataError(
                f"--labels gives {len(names)} names but the label column has {len(found)} values "
                f"({', '.join(found)}); give one name per value, in this order"
            )
        if not found:
            found = list(names)
        return LabelSet(tuple(found), tuple(names))
    if youtube_names and set(found) <= set(YOUTUBE_LABEL_NAMES):
        return LabelSet(tuple(found), tuple(YOUTUBE_LABEL_NAMES[v] for v in found))
    return LabelSet(tuple(found), tuple(found))


def encode_labels(dataset: Dataset, labels: LabelSet, what: str = "training") -> np.ndarray:
    """Class index of every row; -1 for rows without a label."""
    if dataset.labels is None:
        raise DataError(f"{dataset.path}: no label column; pass --label-col NAME or INDEX")
    lookup = {v: i for i, v in enumerate(labels.values)}
    out = np.full(len(dataset), -1, dtype=np.int64)
    for row, value in enumerate(dataset.labels):
        if value == "":
            continue
        if value not in lookup:
            raise DataError(
                f"{dataset.path}: {what} label {value!r} (row {row + 1}) is not one of {', '.join(labels.values)}; "
                "fix the file or the label column"
            )
        out[row] = lookup[value]
    return out


def require_two_classes(dataset: Dataset, multi_label: bool = False, label_sep: str | None = None) -> None:
    """For simulations: every row labeled, and at least two classes (or two labels among the label sets)."""
    assert dataset.labels is not None
    missing = [i for i, v in enumerate(dataset.labels) if v == ""]
    if missing:
        raise DataError(
            f"{dataset.path}: {len(missing)} rows have no label (first: row {missing[0] + 1}); "
            "simulate needs a label on every row"
        )
    values = set(dataset.labels)
    if multi_label:
        from altui.data.files.label_sets import DEFAULT_LABEL_SEP, dataset_label_sets, flat_values

        values = set(flat_values(dataset_label_sets(dataset, label_sep or DEFAULT_LABEL_SEP)))
        if len(values) < 2:
            found = f"only {one_cell(next(iter(values)))!r}" if values else "no label at all (every set is empty)"
            raise DataError(f"{dataset.path}: the label sets of {dataset.label_column!r} hold {found}; a multi-label "
                            "task needs at least two labels")
    if len(values) < 2:
        raise DataError(
            f"{dataset.path}: the label column {dataset.label_column!r} has only one class ({next(iter(values))!r}); "
            "active learning needs at least two"
        )
