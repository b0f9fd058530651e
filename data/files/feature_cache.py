"""The on-disk cache of feature matrices, so a second open (or a resume) of the same data is near-instant.

An entry is keyed by the texts themselves (training and test, in order) and the feature settings, so a
changed text, a reordered file or another setting is another key; the same texts read from a CSV, a
JSONL or a Parquet file share one entry. Entries live in ``$ALTUI_CACHE_DIR/features`` (default: the
user cache dir), are written to a temporary file and renamed into place (a crash never leaves half an
entry under a key), checked on load, and rebuilt when broken: a cache problem is never fatal. The
least recently used entries beyond :data:`MAX_ENTRIES` are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import platformdirs
import scipy.sparse as sp

from altui.engine.features import BINARY_DTYPE, FeatureConfig, FeatureSpace, vectorize, word_rows

CACHE_ENV = "ALTUI_CACHE_DIR"
MAX_ENTRIES = 6
ENTRY_VERSION = 3  # 2: binary features stored without data, "R" = rows with a word; 3: "key" = the identity


def cache_root() -> Path:
    return Path(os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("altui")) / "features"


def texts_digest(texts: Sequence[str]) -> str:
    digest = hashlib.sha256()
    step = 50_000
    for start in range(0, len(texts), step):
        chunk = "\x1e".join(texts[start : start + step]) + "\x1d"
        digest.update(chunk.encode("utf-8", "surrogatepass"))
    digest.update(str(len(texts)).encode())
    return digest.hexdigest()


def cache_key(train_texts: Sequence[str], test_texts: Sequence[str] | None, config: FeatureConfig,
              fingerprints: tuple[str, str | None] | None = None) -> str:
    """The entry's name. ``fingerprints`` (of the train and test data sets, which cover their texts) spare
    hashing the texts again."""
    if fingerprints is None:
        fingerprints = (texts_digest(train_texts), None if test_texts is None else texts_digest(test_texts))
    parts = {"entry": ENTRY_VERSION, "config": config.as_dict(), "train": fingerprints[0], "test": fingerprints[1]}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def cached_features(
    train_texts: Sequence[str], test_texts: Sequence[str] | None, config: FeatureConfig = FeatureConfig(), *,
    root: Path | None = None, on_progress: Callable[[str, int, int], None] | None = None,
    fingerprints: tuple[str, str | None] | None = None,
) -> "Features":
    """The features of the texts: from the cache when an intact entry exists, else computed and stored."""
    root = cache_root() if root is None else root
    key = cache_key(train_texts, test_texts, config, fingerprints)
    path = root / f"{key}.npz"
    loaded = _load(path, key, config, len(train_texts), None if test_texts is None else len(test_texts))
    if loaded is not None:
        touch(path)
        return loaded
    progress = None if on_progress is None else (lambda done, total: on_progress("vectorizing", done, total))
    space, X, X_test = vectorize(train_texts, test_texts, config, on_progress=progress)
    rankable = word_rows(train_texts, config)
    _store(path, key, space, X, X_test, rankable)
    prune(root)
    return Features(space, X, X_test, rankable)


class Features(NamedTuple):
    """The training and test matrices of one feature setting, and which training texts have a word."""

    space: FeatureSpace
    X: sp.csr_matrix
    X_test: sp.csr_matrix | None
    rankable: np.ndarray | None  # engine.features.word_rows; None: every text with a feature


def _load(path: Path, key: str, config: FeatureConfig, n_train: int, n_test: int | None):
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as entry:
            # the entry says whose it is (a digest of the texts and settings): another data set's entry placed
            # under this name, even with the same row count, is not used
            if str(entry["key"]) != key:
                return None
            if json.loads(str(entry["config"])) != json.loads(json.dumps(config.as_dict())):
                return None
            buckets = entry["buckets"]
            X = _matrix(entry, "X", n_train, buckets.shape[0], config.binary)
            X_test = _matrix(entry, "T", n_test, buckets.shape[0], config.binary) if n_test is not None else None
            rankable = None
            if config.char_ngram_range is not None:
                rankable = np.asarray(entry["R"], dtype=bool)
                if rankable.shape != (n_train,):
                    raise ValueError("inconsistent cache entry")
        return Features(FeatureSpace(config, buckets), X, X_test, rankable)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        return None  # broken entry: rebuilt and overwritten by the caller


def _matrix(entry, prefix: str, n_rows: int, n_columns: int, binary: bool) -> sp.csr_matrix:
    """A stored matrix; binary features are stored without their values (all ones), half the bytes."""
    indptr, indices = entry[f"{prefix}_indptr"], entry[f"{prefix}_indices"]
    data = np.ones(indices.shape[0], dtype=BINARY_DTYPE) if binary else entry[f"{prefix}_data"]
    if indptr.shape[0] != n_rows + 1 or indptr[-1] != indices.shape[0] or indices.shape[0] != data.shape[0]:
        raise ValueError("inconsistent cache entry")
    if indices.shape[0] and (indices.min() < 0 or indices.max() >= n_columns):
        raise ValueError("column out of range")
    return sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_columns))


def _store(path: Path, key: str, space: FeatureSpace, X: sp.csr_matrix, X_test: sp.csr_matrix | None,
           rankable: np.ndarray | None) -> None:
    arrays = {"key": np.array(key), "config": np.array(json.dumps(space.config.as_dict())), "buckets": space.buckets}
    if rankable is not None:
        arrays["R"] = rankable
    for prefix, M in (("X", X), ("T", X_test)):
        if M is not None:
            arrays.update({f"{prefix}_indptr": M.indptr, f"{prefix}_indices": M.indices})
            if not space.config.binary:
                arrays[f"{prefix}_data"] = M.data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        pass  # a read-only or full cache dir: features are computed again next time, nothing else changes


def touch(path: Path) -> None:
    """Mark a cache entry as just used."""
    try:
        os.utime(path)
    except OSError:
        pass


def prune(root: Path, pattern: str = "*.npz", keep: int = MAX_ENTRIES) -> None:
    """Remove the least recently used entries beyond ``keep``."""
    try:
        entries = sorted(root.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in entries[keep:]:
            stale.unlink()
    except OSError:
        pass
