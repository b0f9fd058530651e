"""Character n-grams inside word boundaries, hashed with numpy over a whole chunk of texts at once.

The n-grams are those of scikit-learn's ``analyzer="char_wb"``: runs of whitespace count as one space,
every word is padded with a space on each side, and an n-gram never spans two words. (One difference:
a padded word shorter than every n is skipped, where scikit-learn counts it once as it is.) scikit-learn
builds them with a Python loop per word (~100 µs per comment for n = 2..4); here a chunk of texts is one
array of code points and every n-gram of every text is hashed by a few vectorized passes (a few µs per
comment), so the stronger model's features cost less than the tutorial's word 1-5-grams.

The hash is a 64-bit polynomial over the code points, mixed (splitmix64's finalizer) with the length
and a tag of its own, so char n-grams spread over the buckets independently of word n-grams.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

_PRIME = np.uint64(0x100000001B3)
_TAG = 0xC4A2_9E37_79B9_7F4A
_MAX_SPACE = 0x3000  # the highest code point that str.isspace() accepts
_IS_SPACE = np.array([chr(c).isspace() for c in range(_MAX_SPACE + 1)] + [False])


def _code_points(texts: Sequence[str], lowercase: bool) -> tuple[np.ndarray, np.ndarray]:
    """The texts joined by one space (and one before the first), as code points, and each code point's row."""
    texts = [t.lower() for t in texts] if lowercase else list(texts)
    joined = " " + " ".join(texts) + " "
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    rows = np.empty(codes.shape[0], dtype=np.int32)
    rows[0] = 0
    rows[1:] = np.repeat(np.arange(len(texts), dtype=np.int32), lengths)
    return codes, rows


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer, in place."""
    with np.errstate(over="ignore"):
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h


def char_ngram_windows(
    texts: Sequence[str], ngram_range: tuple[int, int], n_buckets: int, lowercase: bool = True,
    positions: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray]:
    """Every char_wb n-gram of every text: (row, bucket) per n-gram; with ``positions`` also (start, n) and
    the collapsed code points (``codes[start:start+n]`` is the n-gram's text), else None."""
    codes, rows = _code_points(texts, lowercase)
    space = _IS_SPACE[np.minimum(codes, _MAX_SPACE + 1)]
    keep = np.ones(codes.shape[0], dtype=bool)
    keep[1:] = ~(space[1:] & space[:-1])  # a run of whitespace is one space
    codes, rows, space = codes[keep], rows[keep], space[keep]
    codes = np.where(space, np.uint32(32), codes).astype(np.uint64)
    spaces_before = np.concatenate(([0], np.cumsum(space, dtype=np.int64)))  # spaces in codes[:i]
    out_rows, out_buckets, out_starts, out_ns = [], [], [], []
    lo, hi = ngram_range
    h = codes.copy()
    for n in range(1, hi + 1):
        if n > 1:
            with np.errstate(over="ignore"):
                h = h[:-1] * _PRIME + codes[n - 1 :]
        if n < lo:
            continue
        starts = np.arange(h.shape[0], dtype=np.int64)
        # inside one padded word: no space strictly inside the window, and not a lone space
        inner = spaces_before[starts + max(n - 1, 1)] - spaces_before[np.minimum(starts + 1, starts + n - 1)]
        valid = (inner == 0) if n > 1 else ~space[: h.shape[0]]
        if n == 2:
            valid &= ~(space[:-1] & space[1:])
        starts = starts[valid]
        mixed = _mix(h[valid] ^ np.uint64((_TAG + n * 0x9E3779B97F4A7C15) % 2**64))
        first_letter = starts + space[starts]
        out_rows.append(rows[first_letter])
        if n_buckets & (n_buckets - 1) == 0:
            mixed &= np.uint64(n_buckets - 1)
        else:
            mixed %= np.uint64(n_buckets)
        out_buckets.append(mixed.astype(np.int64))
        if positions:
            out_starts.append(starts)
            out_ns.append(np.full(starts.shape[0], n, dtype=np.int64))
    cat = (lambda parts: np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64))
    if not positions:
        return cat(out_rows), cat(out_buckets), None, None, codes
    return cat(out_rows), cat(out_buckets), cat(out_starts), cat(out_ns), codes


def hash_char_ngrams(
    texts: Sequence[str], ngram_range: tuple[int, int], n_buckets: int, lowercase: bool = True,
) -> sp.csr_matrix:
    """Binary (n_texts, n_buckets) matrix: 1 where a text has a char n-gram in the bucket."""
    rows, buckets, _, _, _ = char_ngram_windows(texts, ngram_range, n_buckets, lowercase)
    M = sp.coo_matrix(
        (np.ones(rows.shape[0], dtype=np.float32), (rows, buckets.astype(np.int32))), shape=(len(texts), n_buckets)
    ).tocsr()  # sums duplicates
    M.data[:] = 1.0
    return M


def char_ngrams_by_bucket(text: str, ngram_range: tuple[int, int], n_buckets: int,
                          lowercase: bool = True) -> dict[int, str]:
    """Bucket -> char n-gram of one text (for explanations)."""
    _, buckets, starts, ns, codes = char_ngram_windows([text], ngram_range, n_buckets, lowercase, positions=True)
    out: dict[int, str] = {}
    for bucket, start, n in zip(buckets.tolist(), starts.tolist(), ns.tolist()):
        out.setdefault(bucket, "".join(map(chr, codes[start : start + n].tolist())))
    return out
