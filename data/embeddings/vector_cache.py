"""The on-disk cache of sentence vectors, beside the feature cache: one embedding per text, computed once.

An entry holds the training texts' vectors, then the test texts', as float16 (``engine.feature_rows``), keyed by
the texts (the data sets' fingerprints) and the embedder's identity. It lives in ``$ALTUI_CACHE_DIR/vectors``, is
written to a temporary file and renamed into place, is read memory-mapped (a million texts' 512 MB are paged in
as rows are asked for, not read at open), and is rebuilt when broken: a cache problem is never fatal. The least
recently used entries beyond :data:`MAX_ENTRIES` are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from altui.data.embeddings.static_model import StaticEmbedder
from altui.data.files.feature_cache import cache_root as features_root, prune, texts_digest, touch
from altui.engine.feature_rows import VECTOR_DTYPE

MAX_ENTRIES = 6
ENTRY_VERSION = 1


def cache_root() -> Path:
    return features_root().parent / "vectors"


def cached_vectors(
    train_texts: Sequence[str], test_texts: Sequence[str] | None, embedder: StaticEmbedder, *,
    fingerprints: tuple[str, str | None] | None = None, root: Path | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The vectors of the training and test texts (float16): from the cache when an intact entry exists."""
    root = cache_root() if root is None else root
    if fingerprints is None:
        fingerprints = (texts_digest(train_texts), None if test_texts is None else texts_digest(test_texts))
    n_train, n_test = len(train_texts), 0 if test_texts is None else len(test_texts)
    parts = {"entry": ENTRY_VERSION, "embedder": embedder.identity, "train": fingerprints[0], "test": fingerprints[1]}
    key = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]
    path = root / f"{key}.npy"
    vectors = _load(path, n_train + n_test, embedder.dim)
    if vectors is None:
        texts = list(train_texts) + ([] if test_texts is None else list(test_texts))
        progress = None if on_progress is None else (lambda done, total: on_progress("embedding", done, total))
        vectors = embedder.embed(texts, on_progress=progress).astype(VECTOR_DTYPE)
        _store(path, vectors)
        prune(root, "*.npy", MAX_ENTRIES)
    else:
        touch(path)
    return vectors[:n_train], (vectors[n_train:] if test_texts is not None else None)


def _load(path: Path, n_rows: int, dim: int) -> np.ndarray | None:
    if not path.is_file():
        return None
    try:
        vectors = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if vectors.shape != (n_rows, dim) or vectors.dtype != VECTOR_DTYPE:
        return None
    return vectors


def _store(path: Path, vectors: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npy")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, vectors, allow_pickle=False)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        pass  # a read-only or full cache dir: the vectors are computed again next time
