"""Search the pool: a case-insensitive substring, or a regular expression, over every text.

A regex runs with the ``regex`` module, which releases the GIL while it matches (the app stays live) and
takes a time budget: a pattern that backtracks catastrophically (``(a|aa)+$``) ends in one line after
:data:`SLICE_SECONDS` on one text or :data:`SEARCH_SECONDS` on the pool, and ``cancelled()`` (esc, a new
search, quit) is honoured within :data:`SLICE_SECONDS`, never after the whole pool.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from altui.data.errors import DataError

MAX_PATTERN = 500
SEARCH_SECONDS = 5.0  # the whole search
SLICE_SECONDS = 0.5  # one text, at most (a sane pattern takes microseconds); also the cancel latency
CHECK_EVERY = 2000  # substring search: texts between two looks at cancelled()


class SearchCancelled(Exception):
    """The person moved on (esc, a new search, quit): no result, no error."""


@dataclass(frozen=True)
class SearchResult:
    query: str
    regex: bool
    matches: list[int]  # rows of the pool, in file order


def compile_pattern(query: str):
    import regex

    try:
        return regex.compile(query, regex.IGNORECASE | regex.V0)
    except regex.error as exc:
        raise DataError(f"not a valid regular expression ({exc}); fix it, or turn regex off with ctrl+r") from None


def search_texts(texts: list[str], query: str, regex: bool = False,
                 cancelled: Callable[[], bool] = lambda: False, budget: float = SEARCH_SECONDS) -> SearchResult:
    """Rows whose text holds ``query`` (case-insensitive), or matches it as a regex (case-insensitive). A bad
    pattern, or one slower than ``budget`` seconds over the pool, is one DataError naming it; ``cancelled()``
    returning True ends the search with :class:`SearchCancelled`."""
    if not query:
        raise DataError("type something to search for")
    if len(query) > MAX_PATTERN:
        raise DataError(f"the search is {len(query)} characters long; keep it under {MAX_PATTERN}")
    if regex:
        pattern = compile_pattern(query)
        deadline = time.monotonic() + budget
        matches = []
        for row, text in enumerate(texts):
            if cancelled():
                raise SearchCancelled()
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise TimeoutError
                if pattern.search(text, timeout=min(left, SLICE_SECONDS), concurrent=True):
                    matches.append(row)
            except TimeoutError:
                where = f"{SLICE_SECONDS:g} s on one text" if left > SLICE_SECONDS else f"{budget:g} s on the texts"
                raise DataError(f"the regex took over {where} (nested repetition such as (a|aa)+ backtracks "
                                "without end): simplify it") from None
        return SearchResult(query, True, matches)
    needle = query.casefold()
    matches = []
    for start in range(0, len(texts), CHECK_EVERY):
        if cancelled():
            raise SearchCancelled()
        matches += [row for row, text in enumerate(texts[start:start + CHECK_EVERY], start) if needle in text.casefold()]
    return SearchResult(query, False, matches)
