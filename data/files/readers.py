"""Read a data file (CSV, TSV, JSONL, Parquet) into columns of strings, with pandas.

The format comes from the file's extension, or ``--format``. Every value comes back as a string:
missing values (empty fields, JSON ``null``, NaN) as ``""``, integral floats as integers (a label column
read as ``1.0`` is ``"1"``), nested objects flattened into dotted columns (``meta.id``). Every problem is
one :class:`DataError` that names it and the fix.

* CSV: separator given (``--sep``) or sniffed; RFC 4180 quoting. No field-size limit.
* TSV (``.tsv``/``.tab``, or a sniffed tab): quotes are ordinary characters (IANA TSV); ``--quoting csv``
  reads them as CSV quotes instead.
* JSONL: one JSON object per line.
* Parquet: read with pyarrow.

Encodings: a UTF-8 or UTF-16 byte-order mark wins; else UTF-8, else cp1252, else latin-1;
``--encoding`` forces one.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from altui.data.errors import DataError
from altui.data.files.encodings import mixed_utf8_lines, utf16_without_bom
from altui.data.files.formats import EXTENSIONS, FORMATS, QUOTING, SEPARATOR_NAMES  # noqa: F401
from altui.data.files.ragged import ragged_rows

SEPARATORS = {",": ",", "comma": ",", "tab": "\t", "\\t": "\t", "\t": "\t", ";": ";", "semicolon": ";", "|": "|",
              "pipe": "|"}
# UTF-32's marks first: FF FE 00 00 starts with UTF-16's FF FE
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_FALLBACK_ENCODINGS = ("utf-8", "cp1252", "latin-1")


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file; None means "work it out from the file"."""

    format: str | None = None
    sep: str | None = None
    quoting: str | None = None
    header: bool = True
    encoding: str | None = None


@dataclass(frozen=True)
class Table:
    """A file's columns, every value a string (``""`` when missing)."""

    columns: dict[str, list[str]]
    format: str
    encoding: str

    @property
    def n_rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0


def detect_format(path: str, given: str | None) -> str:
    if given is not None:
        if given.lower() not in FORMATS:
            raise DataError(f"unknown format {given!r}: use --format {' | '.join(FORMATS)}")
        return given.lower()
    return EXTENSIONS.get(Path(path).suffix.lower(), "csv")


def parse_separator(sep: str | None) -> str | None:
    if sep is None:
        return None
    try:
        return SEPARATORS[sep]
    except KeyError:
        raise DataError(f"unknown separator {sep!r}: use --sep , or --sep tab or --sep ';' or --sep '|'") from None


def read_bytes(path: str) -> bytes:
    p = Path(path)
    if not p.exists():
        raise DataError(f"{path}: no such file; check the path (or run `altui prepare` for the YouTube data)")
    if p.is_dir():
        raise DataError(f"{path} is a folder; give the path of a CSV, TSV, JSONL or Parquet file")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file ({exc.strerror}); check its permissions") from None
    if not raw.strip():
        raise DataError(f"{path} is empty; give a file with a text column")
    return raw


def check_encoding(raw: bytes, path: str, given: str) -> str:
    """``given`` if it is an encoding that reads ``raw``, else one clear error naming it."""
    try:
        raw.decode(given)
    except LookupError:
        raise DataError(f"unknown encoding {given!r}: use e.g. --encoding utf-8 or --encoding cp1252") from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: cannot decode byte {exc.start} as {given}; try another --encoding (utf-8, utf-16, cp1252)"
        ) from None
    except UnicodeError as exc:  # e.g. "UTF-16 stream does not start with BOM"
        raise DataError(f"{path} is not {given} ({exc}); try another --encoding (utf-8, utf-16-le, cp1252)") from None
    return given


def _guesses(raw: bytes, path: str = ""):
    """UTF-8 first; only if the parser finds the bytes are not UTF-8, the detected legacy encoding (cp1251,
    Shift-JIS…), then cp1252 and latin-1 (which decodes anything). Lazy: a UTF-8 file is decoded once, by its
    parser, and never given to the detector. A mostly-UTF-8 file with a few lines in another encoding is refused,
    naming them, rather than read whole as a code page."""
    yield "utf-8"
    mixed = mixed_utf8_lines(raw)
    if mixed:
        shown = ", ".join(map(str, mixed[:5])) + (f" and {len(mixed) - 5} more" if len(mixed) > 5 else "")
        raise DataError(f"{path} is UTF-8 but for line{'s' if len(mixed) > 1 else ''} {shown}, in another encoding "
                        "(e.g. cp1252): save those lines as UTF-8, or pass --encoding cp1252 to read the whole file "
                        "as one")
    from altui.data.files.encodings import detect_encoding

    yield from dict.fromkeys(e for e in (detect_encoding(raw), *_FALLBACK_ENCODINGS[1:]) if e)


def read_table(path: str, options: ReadOptions = ReadOptions()) -> Table:
    """Read ``path`` into string columns (see the module's docstring)."""
    fmt = detect_format(path, options.format)
    if options.quoting is not None and options.quoting not in QUOTING:
        raise DataError(f"unknown quoting {options.quoting!r}: use --quoting csv or --quoting none")
    raw = read_bytes(path)
    if fmt == "parquet":
        return _read_parquet(raw, path)
    if options.encoding:
        encodings = [check_encoding(raw, path, options.encoding)]
    else:
        bom = next((encoding for mark, encoding in _BOMS if raw.startswith(mark)), None)
        utf16 = None if bom else utf16_without_bom(raw)
        encodings = [bom] if bom else [utf16] if utf16 else _guesses(raw, path)
    # the parser decodes (and so validates) the bytes itself: the first encoding it reads without error wins
    tried = []
    for encoding in encodings:
        tried.append(encoding)
        try:
            if fmt == "jsonl":
                return _read_jsonl(raw, path, encoding)
            return _read_delimited(raw, path, fmt, encoding, options)
        except UnicodeError:  # UnicodeDecodeError, or a UTF-16 stream without its BOM
            continue
    raise DataError(f"{path}: cannot decode the file as {', '.join(tried)}; pass --encoding")


# -- CSV / TSV
def _sniff_separator(raw: bytes, encoding: str) -> str:
    sample = raw[:65536].decode(encoding, errors="ignore")
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


_FIELDS_ERROR = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_ARROW_RAGGED = re.compile(r"Expected \d+ columns, got \d+")


def _read_delimited(raw: bytes, path: str, fmt: str, encoding: str, options: ReadOptions) -> Table:
    separator = parse_separator(options.sep) or ("\t" if fmt == "tsv" else _sniff_separator(raw, encoding))
    quoting = options.quoting or ("none" if separator == "\t" else "csv")
    if not encoding.startswith(("utf-16", "utf-32")):
        raw = raw.replace(b"\x00", b"")  # NUL bytes end a field in the C parser (in UTF-16/32 they are text)
    columns = _read_with_arrow(raw, separator, quoting, options.header, path) if encoding == "utf-8" else None
    if columns is not None:
        return _table(path, columns, separator, encoding)
    try:
        with warnings.catch_warnings():
            # index_col=False: a row wider than the header is an error below, never a shifted row read with the
            # first column as an index ("id=hello, text= world")
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.BytesIO(raw), sep=separator, header=0 if options.header else None, dtype=object, na_filter=False,
                keep_default_na=False, quoting=csv.QUOTE_NONE if quoting == "none" else csv.QUOTE_MINIMAL,
                encoding=encoding, engine="c", skip_blank_lines=True, index_col=False,
            )
    except pd.errors.ParserWarning:
        raise DataError(ragged_rows(raw, path, encoding, separator, quoting, options.header)) from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} has no rows; give a file with a text column") from None
    except pd.errors.ParserError as exc:
        message = str(exc)
        if match := _FIELDS_ERROR.search(message):
            expected, line, saw = match.groups()
            raise DataError(
                f"{path}: row {line} has {saw} fields but {'the header has' if options.header else 'row 1 has'} "
                f"{expected}; check --sep (read with {SEPARATOR_NAMES.get(separator, repr(separator))}) and "
                f"--quoting (read as {quoting})"
            ) from None
        detail = message.split("C error: ")[-1].strip().rstrip(".")
        raise DataError(f"{path}: malformed CSV ({detail}); check quoting (--quoting csv|none) and --sep") from None
    if frame.shape[1] == 0:
        raise DataError(f"{path} has no columns; give a file with a text column")
    names = [str(c).strip() for c in frame.columns] if options.header else [str(i) for i in range(frame.shape[1])]
    if options.header and frame.shape[0] == 0:
        raise DataError(f"{path} has a header but no rows; add texts below the header")
    # every value is a str (na_filter=False), or NaN / "" where a short row has no field: that row is refused
    last = frame.iloc[:, -1]
    if frame.isna().to_numpy().any() or (last == "").any():
        problem = ragged_rows(raw, path, encoding, separator, quoting, options.header, strict=False)
        if problem:
            raise DataError(problem)
        frame = frame.fillna("")
    columns = {name: frame.iloc[:, i].tolist() for i, name in enumerate(names)}
    return _table(path, columns, separator, encoding)


def _read_with_arrow(raw: bytes, separator: str, quoting: str, header: bool,
                     path: str = "") -> dict[str, list[str]] | None:
    """The fast path for well-formed UTF-8 files: pyarrow's multi-threaded CSV reader, every column a string.

    None when it cannot read the file as it is (ragged rows, a row larger than a block, invalid UTF-8...):
    the pandas C parser then reads it, and names any problem precisely.
    """
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    try:
        names = None
        if header:
            with arrow_csv.open_csv(  # reads the first block only: the header's names
                io.BytesIO(raw), read_options=arrow_csv.ReadOptions(block_size=1 << 20),
                parse_options=_arrow_parse_options(separator, quoting),
            ) as first:
                names = first.schema.names
        table = arrow_csv.read_csv(
            io.BytesIO(raw),
            read_options=arrow_csv.ReadOptions(block_size=16 << 20, autogenerate_column_names=not header),
            parse_options=_arrow_parse_options(separator, quoting),
            convert_options=arrow_csv.ConvertOptions(
                column_types={name: pa.string() for name in names} if names else None,
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError, OSError) as exc:
        if _ARROW_RAGGED.search(str(exc)):  # a row wider or narrower than the header: said, never read shifted
            raise DataError(ragged_rows(raw, path, "utf-8", separator, quoting, header)) from None
        return None
    if table.num_rows == 0 or table.num_columns == 0:
        return None  # the pandas path says what is missing
    if not header:
        return {str(i): table.column(i).cast(pa.string()).to_pylist() for i in range(table.num_columns)}
    if len(set(table.column_names)) != table.num_columns:
        return None  # repeated header names: pandas' reader makes them unique
    return {name.strip(): table.column(name).to_pylist() for name in table.column_names}


def _arrow_parse_options(separator: str, quoting: str):
    from pyarrow import csv as arrow_csv

    quote = False if quoting == "none" else '"'
    return arrow_csv.ParseOptions(delimiter=separator, quote_char=quote, newlines_in_values=quote is not False)


def _table(path: str, columns: dict[str, list[str]], separator: str, encoding: str) -> Table:
    """The columns of a delimited file, without the rows whose every field is empty."""
    n_rows = len(next(iter(columns.values())))
    blank = np.ones(n_rows, dtype=bool)
    for values in columns.values():
        blank &= np.asarray(values, dtype=object) == ""
    if blank.all():
        raise DataError(f"{path} has no rows with text; add texts below the header")
    if blank.any():
        keep = np.flatnonzero(~blank).tolist()
        columns = {name: [values[i] for i in keep] for name, values in columns.items()}
    return Table(columns, "tsv" if separator == "\t" else "csv", encoding.replace("-sig", ""))


# -- JSONL
def _check_objects(text: str, path: str) -> None:
    """Every non-blank line starts a JSON object (``5``, ``[1, 2]`` or ``"x"`` are refused naming the line)."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        if stripped and not stripped.startswith("{"):
            kind = {"[": "an array", '"': "a string"}.get(stripped[0], "a number or a constant")
            raise DataError(f"{path}: line {number} is {kind}, not a JSON object; JSONL needs one object per line "
                            "(or pass --format csv)")


def _read_jsonl(raw: bytes, path: str, encoding: str) -> Table:
    _check_objects(raw.decode(encoding), path)  # a UnicodeDecodeError: the caller tries the next encoding
    try:
        frame = pd.read_json(io.BytesIO(raw), lines=True, dtype=False, encoding=encoding)  # dtype=False: no conversion
    except UnicodeDecodeError:
        raise  # the caller tries the next encoding
    except RecursionError:
        raise DataError(f"{path}: a line is nested too deeply to read (thousands of brackets); flatten it") from None
    except ValueError:
        raise DataError(_first_bad_json_line(raw, path, encoding)) from None
    if frame.shape[0] == 0:
        raise DataError(f"{path} has no JSON objects; give one object per line")
    frame = _flatten(frame)
    duplicated = frame.columns[frame.columns.duplicated()]
    if len(duplicated):
        raise DataError(f"{path}: the key {str(duplicated[0])!r} is there twice (a dotted key and a nested object "
                        "give the same name); rename one of them")
    columns = {str(name): _strings(frame[name]) for name in frame.columns}
    return Table(columns, "jsonl", encoding.replace("-sig", ""))


def _first_bad_json_line(raw: bytes, path: str, encoding: str) -> str:
    for number, line in enumerate(raw.decode(encoding, errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except RecursionError:
            return f"{path}: line {number} is nested too deeply to read (thousands of brackets); flatten it"
        except ValueError as exc:
            return f"{path}: line {number} is not valid JSON ({exc.msg}); JSONL needs one JSON object per line"
        if not isinstance(value, dict):
            return f"{path}: line {number} is a JSON {type(value).__name__}, not an object; give one object per line"
    return f"{path}: cannot read it as JSONL; give one JSON object per line (or pass --format csv)"


def _flatten(frame: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
    """Columns holding objects become one column per key: ``meta`` -> ``meta.id``, ``meta.author``..."""
    parts = []
    for name in frame.columns:
        column = frame[name]
        present = column[column.notna()] if column.dtype == object else column.iloc[:0]
        if len(present) and all(isinstance(v, dict) for v in present):
            expanded = pd.DataFrame([v if isinstance(v, dict) else {} for v in column], index=frame.index)
            parts.append(_flatten(expanded, f"{prefix}{name}."))
        else:
            parts.append(column.rename(f"{prefix}{name}").to_frame())
    return pd.concat(parts, axis=1) if parts else frame


# -- Parquet
def _read_parquet(raw: bytes, path: str) -> Table:
    try:
        frame = pd.read_parquet(io.BytesIO(raw))
    except Exception as exc:  # pyarrow raises its own types (ArrowInvalid, OSError...)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"{path}: not a readable Parquet file ({first}); check the file or pass --format") from None
    if frame.shape[0] == 0:
        raise DataError(f"{path} has no rows; give a file with a text column")
    frame = _flatten(frame.reset_index(drop=True))
    columns = {str(name): _strings(frame[name]) for name in frame.columns}
    return Table(columns, "parquet", "binary")


# -- values
def _strings(column: pd.Series) -> list[str]:
    """Every value as a string; missing values as ``""``; integral floats without ``.0``."""
    if pd.api.types.is_float_dtype(column.dtype):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        finite = values[np.isfinite(values)]
        if finite.size == 0 or np.all(finite == np.round(finite)):
            return ["" if math.isnan(v) else str(int(v)) if math.isfinite(v) else str(v) for v in values.tolist()]
        return ["" if math.isnan(v) else repr(v) for v in values.tolist()]
    if pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
        return column.fillna("").tolist()  # pandas' string dtype: str or missing, converted in one pass
    if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_integer_dtype(column.dtype):
        return ["" if pd.isna(v) else str(v) for v in column.astype(object).tolist()]
    return [_string(v) for v in column.astype(object).tolist()]


def _string(value) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, np.ndarray):
        return json.dumps(value.tolist(), ensure_ascii=False)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)
