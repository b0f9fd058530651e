"""Rows with more or fewer fields than the header: found and said in one line with the fix, never read shifted."""

from __future__ import annotations

import csv
import io

from altui.data.files.formats import SEPARATOR_NAMES


def ragged_rows(raw: bytes, path: str, encoding: str, separator: str, quoting: str, header: bool,
                strict: bool = True) -> str | None:
    """The first row with another number of fields than the header (or row 1), as one line with the fix; None
    when every row has them all (``strict``: a generic line then, since the parser found a problem)."""
    text = raw.decode(encoding, errors="replace")
    if quoting == "csv" and text.count('"') % 2:
        return (f"{path}: malformed CSV (a quote that is never closed); check quoting (--quoting csv|none) "
                "and --sep")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator,
                        quoting=csv.QUOTE_NONE if quoting == "none" else csv.QUOTE_MINIMAL)
    expected = None
    for row in reader:
        if not row:
            continue
        if expected is None:
            expected = len(row)
            continue
        if len(row) != expected:
            return ragged_message(path, reader.line_num, len(row), expected, header, separator, quoting)
    return f"{path}: the rows do not all have the same number of fields; check --sep and --quoting" if strict else None


def ragged_message(path, line, saw, expected, header, separator, quoting) -> str:
    name = SEPARATOR_NAMES.get(separator, repr(separator))
    fix = ("quote the fields that contain the separator (\"hello, world\")" if saw > expected else
           "give every row all the fields (an empty label is an empty field)")
    return (f"{path}: line {line} has {saw} fields but {'the header has' if header else 'line 1 has'} {expected}; "
            f"{fix}, or check --sep (read with {name}) and --quoting (read as {quoting})")
