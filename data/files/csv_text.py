"""CSV text as pandas writes it, without pandas: what exports and simulate's files are made of (light to import)."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Sequence


def csv_text(header: Sequence[str], rows) -> str:
    """A CSV as pandas' ``to_csv(index=False)`` writes it: minimal quoting, "\\n" line ends.

    A field holding a bare carriage return is quoted too (the csv module quotes only the characters of its
    line terminator), so every text reads back identical with pandas and the csv module.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)  # "\r" and "\n" both quoted
    for row in itertools.chain([header], rows):
        writer.writerow(row)
        out.seek(out.tell() - 2)  # the row's own "\r\n" becomes "\n"
        out.write("\n")
        out.truncate()
    return out.getvalue()
