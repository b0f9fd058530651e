"""Text features: word (and character) n-grams, hashed so memory does not grow with the vocabulary.

Two settings are used (:func:`features_for`): the tutorial's word 1-5-gram counts for naive Bayes
(``--model nb``), and binary word 1-2-grams plus character 4-grams inside words for the NB-LR default
(character n-grams catch "subscr1be", "check out my channel!!!" and URLs that words miss).

The tutorial counts word n-grams with ``CountVectorizer(ngram_range=(1, 5))``, whose vocabulary is a
Python dict of every n-gram seen: 19M entries (7.7 GB) for a million comments. altui counts the same
n-grams (same tokenizer, same lowercasing) into ``2**22`` hashed buckets (``HashingVectorizer``,
no alternate sign, no normalisation: counts) and then keeps only the buckets the training texts use, in
bucket order. On the tutorial's 1,564 comments that is the vocabulary up to a few hash collisions, so
naive Bayes smooths over the same number of features as the tutorial; on any data it is at most
``2**22`` columns, and the model's memory is bounded by that.

Hashing is stateless, so texts are vectorized in chunks, in parallel over the machine's cores.
Explanations still name real n-grams: :meth:`FeatureSpace.ngrams_of` hashes the n-grams of one text
and maps them to their columns.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from altui.engine.char_ngrams import char_ngrams_by_bucket, hash_char_ngrams
from altui.engine.errors import ConfigError

NGRAM_RANGE = (1, 5)
N_BUCKETS = 2**22
CHUNK_SIZE = 20_000
PARALLEL_FROM = 50_000  # fewer texts: one process (starting workers costs more than it saves)


@dataclass(frozen=True)
class FeatureConfig:
    """What turns a text into features; part of the feature cache's key."""

    ngram_range: tuple[int, int] = NGRAM_RANGE
    n_buckets: int = N_BUCKETS
    lowercase: bool = True
    token_pattern: str = r"(?u)\b\w\w+\b"
    version: int = 1  # bump when the meaning of the features changes
    char_ngram_range: tuple[int, int] | None = None  # char_wb n-grams (engine.char_ngrams), none by default
    binary: bool = False  # 1 per n-gram present instead of counts

    def as_dict(self) -> dict:
        out = asdict(self)
        if self.char_ngram_range is None and not self.binary:  # the keys of caches written before these fields
            del out["char_ngram_range"], out["binary"]
        return out


NB_FEATURES = FeatureConfig()
NBLR_FEATURES = FeatureConfig(ngram_range=(1, 2), char_ngram_range=(4, 4), binary=True)
"""Chosen by measurement (bench/bench_learners.py, docs/benchmarks.md): char 4-grams alone learn as fast as 2-4-grams
(YouTube, 20 runs: 0.960 vs 0.961 at 200 labels; equal macro F1 on a 13 %-spam cut) with 79 stored
entries per comment instead of 198, so a million comments open and fit in memory as the scale goals ask."""
BINARY_DTYPE = np.uint8  # binary features are stored as one byte of 1 per entry


def features_for(model: str) -> FeatureConfig:
    """The features a model learns from: NB-LR and the SVM (and so `auto`) theirs, nb and logreg the tutorial's."""
    return NBLR_FEATURES if model in ("auto", "nblr", "svm") else NB_FEATURES


def word_rows(texts: Sequence[str], config: FeatureConfig) -> np.ndarray | None:
    """Which texts have a word n-gram, when that differs from "has any feature" (char n-grams: ":D" or
    "❤❤❤" have those but no word). Queries put texts without words last: a model cannot rank them well,
    and a batch of them teaches nothing. None when every feature is a word n-gram."""
    if config.char_ngram_range is None:
        return None
    import re

    search = re.compile(config.token_pattern).search
    return np.fromiter((search(t) is not None for t in texts), dtype=bool, count=len(texts))


def make_hasher(config: FeatureConfig) -> HashingVectorizer:
    """The word n-gram hasher of ``config``."""
    return HashingVectorizer(
        ngram_range=tuple(config.ngram_range), n_features=config.n_buckets, lowercase=config.lowercase,
        token_pattern=config.token_pattern, alternate_sign=False, norm=None, dtype=np.float32,
        binary=config.binary,
    )


def transform_chunk(config: FeatureConfig, texts: Sequence[str]) -> sp.csr_matrix:
    """Hashed features of a few texts (one chunk): word n-grams, plus char n-grams when configured."""
    X = make_hasher(config).transform(texts).tocsr()
    if config.char_ngram_range is not None:
        X = X + hash_char_ngrams(texts, tuple(config.char_ngram_range), config.n_buckets, config.lowercase)
    if config.binary:
        X.sum_duplicates()
        X = sp.csr_matrix((np.ones(X.nnz, dtype=BINARY_DTYPE), X.indices, X.indptr), shape=X.shape)
    return X


def hash_texts(
    texts: Sequence[str], config: FeatureConfig = FeatureConfig(), *, n_jobs: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> sp.csr_matrix:
    """Hashed n-gram counts of ``texts`` (rows in order), in chunks; ``n_jobs`` None = all cores."""
    total = len(texts)
    chunks = [texts[i : i + CHUNK_SIZE] for i in range(0, total, CHUNK_SIZE)] or [texts]
    jobs = (os.cpu_count() or 1) if n_jobs is None else n_jobs
    parts = []
    done = 0
    if total < PARALLEL_FROM or jobs == 1:
        results = (transform_chunk(config, chunk) for chunk in chunks)
    else:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=jobs, return_as="generator")(delayed(transform_chunk)(config, c) for c in chunks)
    for part in results:
        parts.append(part.tocsr())
        done += part.shape[0]
        if on_progress is not None:
            on_progress(done, total)
    return _stack(parts, config.n_buckets)


def _stack(parts: list[sp.csr_matrix], n_columns: int) -> sp.csr_matrix:
    """``vstack(parts)``, emptying ``parts`` as it goes: peak memory is one matrix and one chunk, not two."""
    n_rows = sum(p.shape[0] for p in parts)
    nnz = sum(p.nnz for p in parts)
    index_dtype = np.int32 if nnz < 2**31 else np.int64
    indptr = np.empty(n_rows + 1, dtype=index_dtype)
    indices = np.empty(nnz, dtype=np.int32)
    data = np.empty(nnz, dtype=parts[0].dtype if parts else np.float32)
    indptr[0] = row = pos = 0
    parts.reverse()
    while parts:
        if len(parts) % 8 == 0:
            release_freed_memory()  # the parts copied so far, freed but kept by the allocator
        part = parts.pop()
        part.sum_duplicates()
        end = pos + part.nnz
        indices[pos:end] = part.indices
        data[pos:end] = part.data
        indptr[row + 1 : row + 1 + part.shape[0]] = part.indptr[1:] + pos
        pos, row = end, row + part.shape[0]
        del part
    release_freed_memory()
    return sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_columns))


@functools.cache
def _malloc_trim():
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None  # not glibc: nothing to do


def release_freed_memory() -> None:
    """Give memory freed by Python back to the system (glibc keeps freed blocks under 32 MB in its heap:
    the 50 parts of a million-comment matrix, copied into one and freed, stayed resident: +1.5 GB)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@dataclass(frozen=True)
class FeatureSpace:
    """The columns of a feature matrix: ``buckets[j]`` is the hashed bucket of column ``j``."""

    config: FeatureConfig
    buckets: np.ndarray

    @property
    def n_features(self) -> int:
        return int(self.buckets.shape[0])

    @functools.cached_property
    def _analyzer(self) -> Callable[[str], list[str]]:
        return make_hasher(self.config).build_analyzer()

    def ngrams_of(self, text: str, chars: bool = False) -> dict[int, str]:
        """Column -> n-gram for the word n-grams of ``text`` that have a column (shortest on a collision);
        with ``chars``, its char n-grams too (a word n-gram wins a shared column)."""
        out: dict[int, str] = {}
        for ngram in self._analyzer(text):
            column = self.column_of(ngram)
            if column is not None and (column not in out or len(ngram) < len(out[column])):
                out[column] = ngram
        if chars and self.config.char_ngram_range is not None:
            by_bucket = char_ngrams_by_bucket(text, tuple(self.config.char_ngram_range), self.config.n_buckets,
                                              self.config.lowercase)
            for bucket, ngram in sorted(by_bucket.items()):
                column = self._column_of_bucket(bucket)
                if column is not None:
                    out.setdefault(column, ngram)
        return out

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Features of new texts (label names, a search query) in these columns; n-grams that no training text
        has are dropped."""
        hashed = transform_chunk(self.config, list(texts)).tocoo()
        j = np.searchsorted(self.buckets, hashed.col)
        j = np.minimum(j, max(self.buckets.shape[0] - 1, 0))
        known = (self.buckets.shape[0] > 0) & (self.buckets[j] == hashed.col) if self.buckets.shape[0] else \
            np.zeros(hashed.col.shape[0], dtype=bool)
        return sp.csr_matrix((hashed.data[known], (hashed.row[known], j[known])),
                             shape=(len(texts), self.n_features), dtype=hashed.data.dtype)

    def column_of(self, ngram: str) -> int | None:
        """The column of a word n-gram, or None when no training text has it."""
        return self._column_of_bucket(bucket_of(ngram, self.config.n_buckets))

    def _column_of_bucket(self, bucket: int) -> int | None:
        j = int(np.searchsorted(self.buckets, bucket))
        return j if j < self.buckets.shape[0] and self.buckets[j] == bucket else None


def bucket_of(ngram: str, n_buckets: int) -> int:
    """The bucket ``HashingVectorizer`` puts ``ngram`` in (signed murmurhash3, seed 0, absolute value)."""
    h = murmurhash3_32(ngram, seed=0, positive=False)
    if h == -(2**31):
        return (2**31 - 1 - (n_buckets - 1)) % n_buckets
    return abs(h) % n_buckets


def compact(X: sp.csr_matrix, *others: sp.csr_matrix | None) -> tuple[np.ndarray, list[sp.csr_matrix | None]]:
    """Keep only the buckets ``X`` uses: the bucket of each kept column, and every matrix re-indexed.

    Entries of ``others`` (the test set) in buckets the training texts never use are dropped, as a
    vocabulary fitted on the training texts would ignore unseen n-grams. ``X`` is re-indexed in place
    (it can be a million rows: no copy of it is made).
    """
    used = np.zeros(X.shape[1], dtype=bool)
    step = 8_000_000
    for start in range(0, X.nnz, step):  # in steps: bincount would copy all indices to int64 at once
        used[X.indices[start : start + step]] = True
    buckets = np.flatnonzero(used)
    new_index = (np.cumsum(used, dtype=np.int64) - 1).astype(np.int32)
    for start in range(0, X.nnz, step):  # every entry of X is in a used bucket: no entry is dropped
        X.indices[start : start + step] = new_index[X.indices[start : start + step]]
    out = [sp.csr_matrix((X.data, X.indices, X.indptr), shape=(X.shape[0], buckets.shape[0]))]
    for M in others:
        if M is None:
            out.append(None)
            continue
        keep = used[M.indices]
        indices = new_index[M.indices[keep]]
        indptr = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))[M.indptr]
        out.append(sp.csr_matrix((M.data[keep], indices, indptr), shape=(M.shape[0], buckets.shape[0])))
    return buckets, out


def vectorize(
    train_texts: Sequence[str], test_texts: Sequence[str] | None = None, config: FeatureConfig = FeatureConfig(),
    *, n_jobs: int | None = None, on_progress: Callable[[int, int], None] | None = None,
) -> tuple[FeatureSpace, sp.csr_matrix, sp.csr_matrix | None]:
    """Hashed n-gram counts of the training texts (and the test texts), compacted to the training buckets."""
    n_train = len(train_texts)
    n_all = n_train + (len(test_texts) if test_texts is not None else 0)
    progress = None if on_progress is None else (lambda done, _total: on_progress(done, n_all))
    X = hash_texts(train_texts, config, n_jobs=n_jobs, on_progress=progress)
    X_test = None
    if test_texts is not None:
        tail = None if on_progress is None else (lambda done, _total: on_progress(n_train + done, n_all))
        X_test = hash_texts(test_texts, config, n_jobs=n_jobs, on_progress=tail)
    if X.nnz == 0:
        raise ConfigError(
            "the text column has no words to learn from: check --text-col names the column with the texts"
        )
    buckets, (X, X_test) = compact(X, X_test)
    return FeatureSpace(config, buckets), X, X_test
