"""The cold start: what to ask while the model cannot rank anything yet (it has not seen two classes).

* ``random`` — a seeded random draw of the candidates (the tutorial's start, in effect).
* ``kmeans`` — one item per cluster of the candidates: the batch covers the kinds of texts in the pool
  instead of its most common kind, so a rare class is likelier to be in it.
* seed terms (:class:`SeedTerms`) — items matching each label's terms first (a person's prior knowledge:
  "spam says subscribe, check out, my channel"), round-robin over the labels, then the fallback.

Every pick is a function of the candidates, the features and the seeded generator: the same session and
seed give the same first batch in the app and in ``simulate``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import scipy.sparse as sp

from altui.engine.errors import ConfigError
from altui.engine.feature_rows import unit_vectors, vectors_of
from altui.engine.names import COLD_START_NAMES, DEFAULT_COLD_START  # noqa: F401
from altui.engine.pool import UNLABELED, Pool

PROJECTED_DIMENSIONS = 128


class ColdStart(ABC):
    name: str = ""

    @abstractmethod
    def pick(self, candidates: np.ndarray, X, pool: Pool, n: int, rng: np.random.RandomState) -> np.ndarray:
        """``n`` of ``candidates`` (ascending pool rows, all unlabeled)."""


class RandomColdStart(ColdStart):
    name = "random"

    def pick(self, candidates, X, pool, n, rng):
        return rng.choice(candidates, size=n, replace=False)


class KMeansColdStart(ColdStart):
    """One item per k-means cluster (k = n) of the candidates: the item nearest its cluster's centre, ties
    to the lowest row. Features are L2-normalized (cosine geometry) and projected to
    :data:`PROJECTED_DIMENSIONS` by a seeded sparse sign projection (each feature adds +-1 to one
    dimension: one pass over the stored entries, where a truncated SVD took 0.7 s on 1,564 comments).
    At most ``clustered_per_pick`` (default :data:`CLUSTERED_PER_PICK`) candidates per pick are clustered
    (a seeded uniform draw)."""

    name = "kmeans"

    def __init__(self, clustered_per_pick: int | None = None):
        self.clustered_per_pick = CLUSTERED_PER_PICK if clustered_per_pick is None else clustered_per_pick

    def pick(self, candidates, X, pool, n, rng):
        if candidates.shape[0] <= n:
            return candidates.copy()
        seed = int(rng.randint(0, 2**31 - 1))
        if candidates.shape[0] > self.clustered_per_pick * n:
            candidates = np.sort(rng.choice(candidates, size=self.clustered_per_pick * n, replace=False))
        points = projected_points(X, candidates, seed)
        labels, centres = kmeans(points, n, np.random.RandomState(seed))
        distance = ((points - centres[labels]) ** 2).sum(axis=1)
        picked = []
        for cluster in range(n):
            members = np.flatnonzero(labels == cluster)
            if members.shape[0]:
                best = members[np.lexsort((members, distance[members]))[0]]  # nearest, then lowest row
                picked.append(int(candidates[best]))
        picked = sorted(set(picked))
        if len(picked) < n:  # empty clusters (duplicate texts): fill at random from the rest
            rest = np.setdiff1d(candidates, picked)
            picked += rng.choice(rest, size=n - len(picked), replace=False).tolist()
        return np.asarray(picked, dtype=np.int64)


CLUSTERED_PER_PICK = 30
"""The k-means cold start clusters at most this many candidates per item it picks (300 for a batch of 10).
The first batch covers as many classes as clustering every candidate (four corpora, 200 seeds) and costs 2-3
ms instead of 10-80. The price, measured on YouTube over 400 seeds: the model after the first batch scores
0.799 where clustering all 1,564 comments gave 0.827 (0.850 and 0.867 after 20 answers; 0.918 and 0.921
after 50). Clustering every candidate made ``simulate --model nb`` 8x the tutorial's loop instead of 11x
(``bench/bench_simulate.py``, ``bench/bench_cold_start.py``)."""


def kmeans(points: np.ndarray, k: int, rng: np.random.RandomState, max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means from a greedy k-means++ start (Arthur & Vassilvitskii, 2007; ``2 + log k`` trials per
    centre, as scikit-learn seeds it), until no point changes cluster: (cluster of each point, centres).
    A cluster left empty keeps its centre. Numpy only: on the few hundred points of a cold start
    scikit-learn's ``KMeans`` spent more time checking its input and its thread pools than clustering."""
    n = points.shape[0]
    squared = np.einsum("ij,ij->i", points, points)
    centres = np.empty((k, points.shape[1]))
    first = rng.randint(n)
    centres[0] = points[first]
    closest = np.maximum(squared - 2.0 * (points @ points[first]) + squared[first], 0.0)
    trials = 2 + int(np.log(k))
    for c in range(1, k):
        # trials drawn in proportion to the squared distance to the nearest centre; keep the one that lowers
        # the total most
        drawn = np.searchsorted(np.cumsum(closest), rng.uniform(size=trials) * closest.sum())
        drawn = np.minimum(drawn, n - 1)
        distance = np.maximum(squared[:, None] - 2.0 * (points @ points[drawn].T) + squared[drawn], 0.0)
        np.minimum(distance, closest[:, None], out=distance)
        best = int(np.argmin(distance.sum(axis=0)))
        centres[c] = points[drawn[best]]
        closest = distance[:, best]
    labels = np.full(n, -1)
    for _ in range(max_iter):
        nearest = np.argmin((centres**2).sum(axis=1) - 2.0 * (points @ centres.T), axis=1)
        if np.array_equal(nearest, labels):
            break
        labels = nearest
        members = (labels == np.arange(k)[:, None]).astype(np.float64)
        counts = members.sum(axis=1)
        filled = counts > 0
        centres[filled] = (members @ points)[filled] / counts[filled, None]
    return labels, centres


def projected_points(X, rows: np.ndarray, seed: int) -> np.ndarray:
    """The points the cold start and TypiClust cluster: the rows' sentence vectors at unit length when ``X`` has
    them (texts close in meaning are close), else ``X[rows]`` L2-normalized (cosine geometry) and, when wider,
    sign-projected to :data:`PROJECTED_DIMENSIONS` dense columns."""
    from sklearn.preprocessing import normalize

    vectors = vectors_of(X)
    if vectors is not None:
        return unit_vectors(vectors[rows])
    unit = normalize(sp.csr_matrix(X[rows], dtype=np.float64))
    return sign_projection(unit, PROJECTED_DIMENSIONS, seed) if unit.shape[1] > PROJECTED_DIMENSIONS \
        else unit.toarray()


def sign_projection(rows: sp.csr_matrix, dimensions: int, seed: int) -> np.ndarray:
    """``rows`` (n, n_features) projected to (n, dimensions): feature ``j`` adds ``+-value`` to dimension
    ``h(j)``, with ``h`` and the sign from a seeded hash of ``j``. No (n_features, dimensions) matrix is made
    (a million-comment pool has millions of features): each feature is hashed once, or each stored entry
    when there are fewer of those, and the entries are summed into their dimensions in one pass."""
    per_feature = rows.nnz > rows.shape[1]
    hashed = np.arange(rows.shape[1]) if per_feature else rows.indices
    with np.errstate(over="ignore"):
        h = hashed.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(seed)
        h ^= h >> np.uint64(29)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(32)
    column = (h % np.uint64(dimensions)).astype(np.int32)
    sign = np.where((h >> np.uint64(40)) & np.uint64(1), 1.0, -1.0)
    if per_feature:
        column, sign = column[rows.indices], sign[rows.indices]
    # a row's entries that land on one dimension are added up by toarray()
    return sp.csr_matrix((sign * rows.data, column, rows.indptr), shape=(rows.shape[0], dimensions)).toarray()


class SeedTerms(ColdStart):
    """Items matching each label's seed terms first, then ``fallback``.

    ``matches`` maps a class to the pool rows whose text matches one of its terms (the data layer finds
    them: the engine never sees texts). A batch takes unanswered matches round-robin over the classes (a
    seeded order within each class), at most ``ceil(n / n_classes)`` per class, so every class with
    matches is in it and the rest of the batch (from ``fallback``) can hold the classes without terms:
    terms for spam alone must not fill a batch with spam, or the model never sees a second class.
    """

    name = "seed-terms"

    def __init__(self, matches: dict[int, np.ndarray], n_classes: int, fallback: ColdStart | None = None):
        self.matches = {int(c): np.asarray(rows, dtype=np.int64) for c, rows in sorted(matches.items())}
        self.n_classes = n_classes
        self.fallback = fallback or RandomColdStart()

    def pick(self, candidates, X, pool, n, rng):
        per_class = -(-n // max(self.n_classes, 1))
        queues = []
        for rows in self.matches.values():
            open_rows = rows[pool.state[rows] == UNLABELED]
            queues.append(rng.permutation(open_rows).tolist()[: per_class * self.n_classes])
        picked: list[int] = []
        taken: set[int] = set()
        quota = [per_class] * len(queues)
        while len(picked) < n and any(q and left for q, left in zip(queues, quota)):
            for k, queue in enumerate(queues):
                while queue and queue[0] in taken:
                    queue.pop(0)
                if queue and quota[k] and len(picked) < n:
                    row = queue.pop(0)
                    picked.append(row)
                    taken.add(row)
                    quota[k] -= 1
        if len(picked) < n:
            rest = candidates[~np.isin(candidates, picked)]
            if rest.shape[0]:
                picked += self.fallback.pick(rest, X, pool, min(n - len(picked), rest.shape[0]), rng).tolist()
        return np.asarray(picked, dtype=np.int64)


COLD_STARTS = {"random": RandomColdStart, "kmeans": KMeansColdStart}
assert tuple(COLD_STARTS) == COLD_START_NAMES, "engine/names.py lists the cold starts the CLI offers"


def get_cold_start(name: str | ColdStart) -> ColdStart:
    if isinstance(name, ColdStart):
        return name
    try:
        return COLD_STARTS[name]()
    except KeyError:
        raise ConfigError(f"unknown cold start {name!r}: choose one of {', '.join(COLD_STARTS)}") from None
