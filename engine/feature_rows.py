"""Rows of features a learner reads: sparse n-grams, and optionally a dense vector per row (a sentence embedding).

The learners that use vectors (the linear SVMs) read both parts; every other piece of the engine reads the
n-grams as it always has. The two parts are indexed together, so the rows of a candidate block, of the
labeled items or of the test set carry their own vectors wherever they go. Where the vectors came from (a
static embedding model, a user's own model) is the data layer's business: here they are just numbers, one
row per text, unit length or zero (a text without any token).

Vectors are kept as float16 (half the memory of float32: 512 MB for a million 256-d texts) and turned into
float32 only for the rows a fit or a score reads. They are used as given: the data layer's embedders return them
at unit length (:func:`unit_vectors` makes others so).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

VECTOR_DTYPE = np.float16


class NgramsAndVectors:
    """Sparse n-gram rows (``ngrams``, CSR) with one dense vector per row (``vectors``, ``(n_rows, dim)``).

    It answers the parts of the CSR interface the engine uses on whole matrices (``shape``, ``indptr``,
    ``indices``, row indexing), always about the n-grams, so code that only knows n-grams works unchanged.
    """

    __slots__ = ("ngrams", "vectors")

    def __init__(self, ngrams, vectors: np.ndarray):
        ngrams = ngrams if sp.isspmatrix_csr(ngrams) else sp.csr_matrix(ngrams)
        vectors = np.asarray(vectors)
        if vectors.ndim != 2 or vectors.shape[0] != ngrams.shape[0]:
            raise ValueError(f"{vectors.shape[0] if vectors.ndim else 0} vectors for {ngrams.shape[0]} rows")
        self.ngrams = ngrams
        self.vectors = vectors

    @property
    def shape(self) -> tuple[int, int]:
        return self.ngrams.shape

    @property
    def indptr(self) -> np.ndarray:
        return self.ngrams.indptr

    @property
    def indices(self) -> np.ndarray:
        return self.ngrams.indices

    @property
    def nnz(self) -> int:
        return self.ngrams.nnz

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def __getitem__(self, rows) -> "NgramsAndVectors":
        if isinstance(rows, tuple):
            raise TypeError("NgramsAndVectors is indexed by rows only")
        if isinstance(rows, (int, np.integer)):
            rows = slice(int(rows), int(rows) + 1 or None)
        return NgramsAndVectors(self.ngrams[rows], self.vectors[rows])

    def __repr__(self) -> str:
        return f"NgramsAndVectors({self.shape[0]} rows, {self.shape[1]} n-gram columns, {self.dim}-d vectors)"


def as_rows(X):
    """``X`` as CSR rows, keeping its vectors (a :class:`NgramsAndVectors` is returned as it is)."""
    if isinstance(X, NgramsAndVectors):
        return X
    return X if sp.isspmatrix_csr(X) else sp.csr_matrix(X)


def ngrams_of(X) -> sp.csr_matrix:
    """The n-gram part of ``X`` (``X`` itself when it has no vectors)."""
    return X.ngrams if isinstance(X, NgramsAndVectors) else sp.csr_matrix(X)


def vectors_of(X) -> np.ndarray | None:
    """The vectors of ``X``'s rows, or None when it has none."""
    return X.vectors if isinstance(X, NgramsAndVectors) else None


def stack_rows(blocks):
    """The rows of ``blocks`` one after the other; vectors stacked with them when every block has them."""
    blocks = [as_rows(b) for b in blocks]
    ngrams = sp.vstack([ngrams_of(b) for b in blocks], format="csr")
    vectors = [vectors_of(b) for b in blocks]
    if all(v is not None for v in vectors):
        return NgramsAndVectors(ngrams, np.vstack(vectors))
    if any(v is not None for v in vectors):
        raise ValueError("stacked blocks must all have vectors, or none")
    return ngrams


def with_vectors(X, vectors: np.ndarray | None):
    """``X``'s n-grams with ``vectors`` (None: the n-grams alone)."""
    ngrams = ngrams_of(X)
    return ngrams if vectors is None else NgramsAndVectors(ngrams, vectors)


def unit_vectors(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32 (a zero row stays zero)."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)
