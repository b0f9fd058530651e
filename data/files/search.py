"""Search the pool: a case-insensitive substring, or a regular expression, over every text; or by meaning, the
texts whose sentence vectors are nearest a query's (or a text's) vector, best first.

A regex runs with the ``regex`` module, which releases the GIL while it matches (the app stays live) and
takes a time budget: a pattern that backtracks catastrophically (``(a|aa)+$``) ends in one line after
:data:`SLICE_SECONDS` on one text or :data:`SEARCH_SECONDS` on the pool, and ``cancelled()`` (esc, a new
search, quit) is honoured within :data:`SLICE_SECONDS`, never after the whole pool.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from altui.data.errors import DataError

MAX_PATTERN = 500
SEARCH_SECONDS = 5.0  # the whole search
SLICE_SECONDS = 0.5  # one text, at most (a sane pattern takes microseconds); also the cancel latency
CHECK_EVERY = 2000  # substring search: texts between two looks at cancelled()


class SearchCancelled(Exception):
    """The person moved on (esc, a new search, quit): no result, no error."""


MEANING_CHUNK = 100_000  # vectors scored at a time (a million float16 rows are read as they are needed)


@dataclass(frozen=True)
class SearchResult:
    query: str
    regex: bool
    matches: list[int]  # rows of the pool: in file order, or best first by meaning
    scores: list[float] | None = None  # by meaning: each match's cosine similarity to the query
    meaning: bool = False


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


def search_meaning(vectors: np.ndarray, query_vector: np.ndarray, query: str, limit: int,
                   among: np.ndarray | None = None, cancelled: Callable[[], bool] = lambda: False) -> SearchResult:
    """The ``limit`` rows (of ``among``, default all) whose vectors are nearest ``query_vector`` (cosine: the
    vectors are unit length), best first; ties go to the lower row. A text without a token (a zero vector) is
    never a match."""
    query_vector = np.asarray(query_vector, dtype=np.float32).ravel()
    norm = float(np.linalg.norm(query_vector))
    if norm == 0:
        raise DataError(f"{query[:40]!r} has no word the embedding model knows; search for other words, or "
                        "search its text (without the meaning switch)")
    query_vector = query_vector / norm
    rows = np.arange(vectors.shape[0]) if among is None else np.asarray(among, dtype=np.int64)
    best_rows, best_scores = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    for start in range(0, rows.shape[0], MEANING_CHUNK):
        if cancelled():
            raise SearchCancelled()
        chunk = rows[start:start + MEANING_CHUNK]
        block = np.asarray(vectors[chunk], dtype=np.float32)
        scores = block @ query_vector
        keep = np.flatnonzero(np.abs(block).sum(axis=1) > 0)  # a text without a token is no match
        candidates = np.concatenate([best_rows, chunk[keep]])
        values = np.concatenate([best_scores, scores[keep]])
        order = np.lexsort((candidates, -values))[:limit]
        best_rows, best_scores = candidates[order], values[order]
    return SearchResult(query, False, best_rows.tolist(), [round(float(s), 6) for s in best_scores], meaning=True)
