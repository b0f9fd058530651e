"""Search the pool: a case-insensitive substring, or a regular expression, over every text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from altui.data.errors import DataError

MAX_PATTERN = 500


@dataclass(frozen=True)
class SearchResult:
    query: str
    regex: bool
    matches: list[int]  # rows of the pool, in file order


def search_texts(texts: list[str], query: str, regex: bool = False) -> SearchResult:
    """Rows whose text holds ``query`` (case-insensitive), or matches it as a regex (``re.search``, case-
    insensitive). A bad pattern is one DataError naming it."""
    if not query:
        raise DataError("type something to search for")
    if len(query) > MAX_PATTERN:
        raise DataError(f"the search is {len(query)} characters long; keep it under {MAX_PATTERN}")
    if regex:
        try:
            pattern = re.compile(query, re.IGNORECASE)
        except re.error as exc:
            raise DataError(f"not a valid regular expression ({exc}); fix it, or turn regex off with ctrl+r") from None
        found = pattern.search
        return SearchResult(query, True, [row for row, text in enumerate(texts) if found(text)])
    needle = query.casefold()
    return SearchResult(query, False, [row for row, text in enumerate(texts) if needle in text.casefold()])
