"""Load a CSV/TSV of texts (and maybe labels) into a typed :class:`Dataset`.

Any delimiter (given or sniffed), header or not, columns by name or 0-based index, labels as found
(ints or strings) with stable names. Every problem is a :class:`DataError` that says how to fix it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from data.errors import DataError

TEXT_COLUMNS = ("CONTENT", "text", "Text", "TEXT", "content", "comment", "sentence")
LABEL_COLUMNS = ("CLASS", "label", "Label", "LABEL", "labels", "class")
ID_COLUMNS = ("COMMENT_ID", "id", "ID", "Id")
AUTHOR_COLUMNS = ("AUTHOR", "author")
DATE_COLUMNS = ("DATE", "date")
SEPARATORS = {",": ",", "comma": ",", "tab": "\t", "\\t": "\t", "\t": "\t", ";": ";", "semicolon": ";", "|": "|"}
_SEPARATOR_NAMES = {",": "','", "\t": "tab", ";": "';'", "|": "'|'"}
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

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def fingerprint(self) -> str:
        """sha256 of the ids and texts: two files with the same items have the same fingerprint."""
        digest = hashlib.sha256()
        for item_id, text in zip(self.ids, self.texts):
            digest.update(item_id.encode("utf-8", "surrogatepass"))
            digest.update(b"\x1f")
            digest.update(text.encode("utf-8", "surrogatepass"))
            digest.update(b"\x1e")
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


def csv_text(header: Sequence[str], rows) -> str:
    """A CSV as pandas' ``to_csv(index=False)`` writes it: minimal quoting, "\\n" line ends."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def decode(raw: bytes, path: str) -> tuple[str, str]:
    """Text of a file and the encoding that read it: UTF-8 (with or without BOM), else cp1252, else latin-1."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding), encoding.replace("-sig", "")
        except UnicodeDecodeError:
            continue
    raise DataError(f"{path}: cannot decode the file as text; save it as UTF-8")  # latin-1 never fails


def parse_separator(sep: str | None) -> str | None:
    if sep is None:
        return None
    try:
        return SEPARATORS[sep]
    except KeyError:
        raise DataError(f"unknown separator {sep!r}: use --sep , or --sep tab or --sep ';'") from None


def sniff_separator(text: str, path: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        if path.lower().endswith((".tsv", ".tab")):
            return "\t"
        return ","


def read_rows(path: str | os.PathLike, sep: str | None = None) -> tuple[list[list[str]], str, str]:
    """Non-blank rows of a delimited file, the encoding that read it and the delimiter used."""
    path = str(path)
    p = Path(path)
    if not p.exists():
        raise DataError(f"{path}: no such file; check the path (or run `altui prepare` for the YouTube data)")
    if p.is_dir():
        raise DataError(f"{path} is a folder; give the path of a CSV or TSV file")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file ({exc.strerror}); check its permissions") from None
    if not raw.strip():
        raise DataError(f"{path} is empty; give a CSV/TSV with a text column")
    text, encoding = decode(raw, path)
    text = text.replace("\x00", "")
    delimiter = parse_separator(sep) or sniff_separator(text, path)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise DataError(f"{path}: malformed CSV ({exc}); check quoting and --sep") from None
    rows = [r for r in rows if r and any(cell.strip() for cell in r)]
    return rows, encoding, delimiter


def resolve_column(spec: str | int | None, columns: list[str], candidates: Sequence[str], what: str, path: str,
                   required: bool) -> int | None:
    """Index of a column given by name, by 0-based index, or found among ``candidates``."""
    if spec is None or spec == "":
        for name in candidates:
            if name in columns:
                return columns.index(name)
        if required:
            raise DataError(
                f"{path}: no {what} column found among {', '.join(columns)}; pass --{what}-col NAME or INDEX"
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


def load_table(
    path: str | os.PathLike,
    text_col: str | int | None = None,
    label_col: str | int | None = None,
    sep: str | None = None,
    header: bool = True,
    require_labels: bool = False,
) -> Dataset:
    """Read a table of texts. ``label_col`` is looked for by default and needed only if ``require_labels``."""
    path = str(path)
    rows, encoding, delimiter = read_rows(path, sep)
    if header:
        columns, body = [c.strip() for c in rows[0]], rows[1:]
        if not body:
            raise DataError(f"{path} has a header but no rows; add texts below the header")
    else:
        columns, body = [str(i) for i in range(len(rows[0]))], rows
    width = len(columns)
    for number, row in enumerate(body, start=2 if header else 1):
        if len(row) != width:
            raise DataError(
                f"{path}: row {number} has {len(row)} fields but {'the header has' if header else 'row 1 has'} "
                f"{width}; check --sep (read with {_SEPARATOR_NAMES.get(delimiter, repr(delimiter))}) and quoting"
            )
    default_text = TEXT_COLUMNS if header else ()
    text_index = resolve_column(text_col, columns, default_text, "text", path, required=True)
    if text_col is None and not header:
        text_index = 0
    label_index = resolve_column(
        label_col, columns, LABEL_COLUMNS if header else (), "label", path, required=require_labels
    )
    if label_index is not None and label_index == text_index:
        raise DataError(f"{path}: the text and label columns are the same ({columns[text_index]}); pick two columns")
    id_index = resolve_column(None, columns, ID_COLUMNS, "id", path, required=False) if header else None
    texts = [row[text_index] for row in body]
    labels = [row[label_index].strip() for row in body] if label_index is not None else None
    ids = unique_ids([row[id_index] for row in body]) if id_index is not None else [f"row-{i}" for i in range(len(body))]
    metadata = {
        name: [row[i] for row in body]
        for i, name in enumerate(columns)
        if i not in (text_index, label_index)
    }
    return Dataset(
        path=path, texts=texts, ids=ids, labels=labels, columns=columns, text_column=columns[text_index],
        label_column=None if label_index is None else columns[label_index], metadata=metadata, encoding=encoding,
    )


YOUTUBE_COLUMNS = {"COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS"}


def is_youtube_layout(dataset: Dataset) -> bool:
    """The columns of the YouTube Spam Collection, whose classes 0/1 mean ham/spam."""
    return YOUTUBE_COLUMNS <= set(dataset.columns) and dataset.label_column == "CLASS"


def unique_ids(raw: list[str]) -> list[str]:
    """The id column, with empty ids replaced by the row number and repeats made unique (``id#2``)."""
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


def require_two_classes(dataset: Dataset) -> None:
    """For simulations: every row labeled, and at least two classes."""
    assert dataset.labels is not None
    missing = [i for i, v in enumerate(dataset.labels) if v == ""]
    if missing:
        raise DataError(
            f"{dataset.path}: {len(missing)} rows have no label (first: row {missing[0] + 1}); "
            "simulate needs a label on every row"
        )
    values = set(dataset.labels)
    if len(values) < 2:
        raise DataError(
            f"{dataset.path}: the label column {dataset.label_column!r} has only one class ({next(iter(values))!r}); "
            "active learning needs at least two"
        )
