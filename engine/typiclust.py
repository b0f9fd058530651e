"""TypiClust (Hacohen, Dekel & Weinshall, "Active learning on a budget", ICML 2022): the low-budget picks.

With a few labels per class a model's uncertainty says little, and uncertainty sampling loses to random: it
asks about outliers and about the boundary of classes it has barely seen. TypiClust asks instead about the
*typical* texts of the parts of the pool no label covers yet:

1. cluster the labeled items and the candidates (at most :data:`CLUSTERED_CANDIDATES` of them) into
   ``k = labeled + batch`` clusters (k-means, at most :data:`MAX_CLUSTERS`), on the cold start's features:
   L2-normalised rows, sign-projected to :data:`engine.cold_start.PROJECTED_DIMENSIONS` dimensions;
2. take the clusters holding the fewest labeled items, the largest first;
3. from each, the candidate of highest *typicality*: the inverse of its mean distance to its
   :data:`NEIGHBOURS` nearest neighbours in its cluster (dense regions, not outliers).

On more than two classes :class:`engine.strategies.TypiClustThenMargin` (``typiclust``, the default) uses it
until the labels reach :data:`LABELS_PER_CLASS` per class, then breaks ties. Measured in
``bench/bench_many_classes.py``.
"""

from __future__ import annotations

import warnings

import numpy as np

from altui.engine.cold_start import projected_points
from altui.engine.pool import Pool

MAX_CLUSTERS = 500  # the paper's cap; the phase ends far below it for up to 30 classes
NEIGHBOURS = 20  # the paper's k for typicality
CLUSTERED_CANDIDATES = 2_000
"""At most this many candidates (a seeded random draw: it keeps the density ratios typicality reads) are
clustered with the labeled items. On the 5,836 debian-sections descriptions a query at 210 labels then takes
39 ms instead of 196 ms, and the accuracy at 300 labels moved by about its spread over 10 runs (0.640 ± 0.014
against 0.656 ± 0.011, ``bench/bench_many_classes.py``). Fewer dimensions (64) and at most 10 k-means
iterations on 3,000 were as fast but lost 0.018 on debtags-works, where no subsample is drawn."""
LABELS_PER_CLASS = 10
"""On more than two classes TypiClust asks until the labels reach this many per class on average (160 for 16
classes, 220 for 22). Uncertainty-based picks pay once a class has about ten examples; on two classes the
cold start's one batch is enough (measured: TypiClust's first 20 labels were level with margin on YouTube)."""


def typicality(points: np.ndarray) -> np.ndarray:
    """``1 / mean distance to the NEIGHBOURS nearest other points`` of each row (0 for a lone point)."""
    n = points.shape[0]
    if n < 2:
        return np.zeros(n)
    squared = (points**2).sum(axis=1)
    distance = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2.0 * points @ points.T, 0.0))
    k = min(NEIGHBOURS, n - 1)
    nearest = np.partition(distance, k, axis=1)[:, 1 : k + 1]  # column 0 is the point itself (distance 0)
    return 1.0 / (nearest.mean(axis=1) + 1e-12)


def typical_picks(candidates: np.ndarray, X, pool: Pool, n: int, rng: np.random.RandomState) -> np.ndarray:
    """Up to ``n`` of ``candidates`` (ascending pool rows): the most typical item of each of the ``n`` least
    covered clusters, in that order. Fewer when there are fewer clusters than ``n`` (few candidates)."""
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    from altui.engine.learners.base import single_threaded

    labeled = pool.labeled()
    if candidates.shape[0] > CLUSTERED_CANDIDATES:  # a uniform draw keeps the density ratios typicality reads
        candidates = np.sort(rng.choice(candidates, size=CLUSTERED_CANDIDATES, replace=False))
    rows = np.concatenate((labeled, candidates))
    n_clusters = min(labeled.shape[0] + n, MAX_CLUSTERS, rows.shape[0])
    seed = int(rng.randint(0, 2**31 - 1))
    points = projected_points(X, rows, seed)
    with single_threaded():
        with warnings.catch_warnings():  # fewer distinct texts than clusters: fine, and never on the screen
            warnings.simplefilter("ignore", ConvergenceWarning)
            cluster = KMeans(n_clusters=n_clusters, n_init=1, init="random", random_state=seed).fit(points).labels_
    covered = np.bincount(cluster[: labeled.shape[0]], minlength=n_clusters)
    size = np.bincount(cluster, minlength=n_clusters)
    picked: list[int] = []
    for c in np.lexsort((np.arange(n_clusters), -size, covered)):  # fewest labels, then largest, then lowest
        members = np.flatnonzero(cluster == c)
        is_candidate = members >= labeled.shape[0]  # rows holds the labeled items first, then the candidates
        open_members = members[is_candidate]
        if open_members.shape[0] == 0:
            continue
        score = typicality(points[members])[is_candidate]
        best = np.lexsort((rows[open_members], -score))[0]  # most typical, then lowest row
        picked.append(int(rows[open_members[best]]))
        if len(picked) == n:
            break
    return np.asarray(picked, dtype=np.int64)
