"""Query strategies: which unlabeled items to ask about next.

A strategy is a small object with one method, ``query(scores, X, pool, n, rng) -> indices``. It reads the
pool and never changes it; only :meth:`engine.pool.Pool.unlabeled` items are candidates, so an item that
was labeled or skipped is never asked again. Until the model has seen two classes it cannot rank
anything, and every strategy falls back to a seeded random draw (cold start).

The uncertainty measures are modAL's (``classifier_uncertainty``, ``classifier_margin``,
``classifier_entropy``) and the top-k selection is modAL's ``multi_argmax``; the tests compare the picks
with modAL on the same model and pool.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from sklearn.preprocessing import normalize

from altui.engine.cold_start import ColdStart, RandomColdStart
from altui.engine.errors import ConfigError, PoolExhaustedError
from altui.engine.learners.base import Scores, row_max, row_sum
from altui.engine.names import DEFAULT_MAX_CANDIDATES, DEFAULT_STRATEGY, STRATEGY_NAMES  # noqa: F401
from altui.engine.pool import UNLABELED, Pool
from altui.engine.typiclust import LABELS_PER_CLASS, typical_picks




@dataclass
class CandidateBlock:
    """The candidates of one query on a large pool, drawn ahead of it, with their scores kept up to date.

    ``rows`` (ascending) are drawn at random from *all* items with features, whatever their state, so the
    draw is the same whether it is made right after the previous query (in the background, while the
    person answers) or at the query itself; items answered meanwhile are dropped when it is used.
    """

    rows: np.ndarray
    scores: Scores  # of X[rows], from Learner.attach_live

    @property
    def learner(self):
        return self.scores.learner

    def predict_proba(self, pool_rows: np.ndarray) -> np.ndarray:
        return self.scores.predict_proba(np.searchsorted(self.rows, pool_rows))


def draw_block_rows(pool: Pool, limit: int, rng: np.random.RandomState) -> np.ndarray:
    """``limit`` rows drawn at random from the pool's items with features (ascending)."""
    return subsample(pool.featured_rows, limit, rng)


class QueryStrategy(ABC):
    """Picks the next items to ask about.

    Rules every strategy follows, so the same data, settings and seed give the same batch anywhere:

    * candidates are the unlabeled items; items whose text has no feature come only after every item with
      features is answered (a model cannot rank them: they all score the class prior);
    * on a pool with more than ``max_candidates`` unlabeled items with features, the candidates are a
      seeded random draw of ``max_candidates`` items with features (a :class:`CandidateBlock`, drawn anew
      for every query), less those already answered: the cost of a query is bounded on any pool size;
    * until the model has seen two classes, the cold start picks (:mod:`engine.cold_start`);
    * ties in utility go to the lowest row.
    """

    name: str = ""

    def query(self, scores: Scores, X, pool: Pool, n: int, rng: np.random.RandomState,
              max_candidates: int | None = DEFAULT_MAX_CANDIDATES,
              prepared: CandidateBlock | None = None, cold_start: ColdStart | None = None) -> np.ndarray:
        """Up to ``n`` pool indices to ask about, most useful first; ``cold_start`` picks until the model
        can rank (default: a random draw)."""
        cold = cold_start if cold_start is not None else RandomColdStart()
        if n <= 0:
            raise ConfigError(f"batch size must be at least 1, got {n}")
        if prepared is not None and max_candidates is not None and pool.n_featured_unlabeled > max_candidates:
            candidates = prepared.rows[pool.state[prepared.rows] == UNLABELED]
            if candidates.shape[0] >= n:
                if not scores.learner.is_ready:
                    return cold.pick(candidates, X, pool, n, rng)
                return self._select(prepared, X, pool, candidates, n, rng)
        picked = []
        for tier in pool.query_tiers():
            wanted = n - sum(p.shape[0] for p in picked)
            if wanted == 0:
                break
            if tier.shape[0] == 0:
                continue
            candidates = subsample(tier, max_candidates, rng)
            wanted = min(wanted, candidates.shape[0])
            if not scores.learner.is_ready:
                picked.append(cold.pick(candidates, X, pool, wanted, rng))
            else:
                picked.append(self._select(scores, X, pool, candidates, wanted, rng))
        if not picked:
            raise PoolExhaustedError("every item of the pool is labeled or skipped: nothing is left to ask")
        return np.concatenate(picked)

    @abstractmethod
    def _select(self, scores, X, pool, candidates, n, rng) -> np.ndarray:
        """``n`` of ``candidates`` (ascending pool rows), most useful first."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def subsample(candidates: np.ndarray, limit: int | None, rng: np.random.RandomState) -> np.ndarray:
    """``candidates`` if there are at most ``limit``, else ``limit`` of them drawn at random (ascending).

    Costs O(limit), not O(len(candidates)): a million-item pool is never shuffled.
    """
    total = candidates.shape[0]
    if limit is None or total <= limit:
        return candidates
    chosen = _sorted_unique(rng.randint(0, total, size=limit + limit // 4 + 16))
    while chosen.shape[0] < limit:
        chosen = _sorted_unique(np.concatenate((chosen, rng.randint(0, total, size=limit))))
    chosen = np.sort(rng.choice(chosen, size=limit, replace=False))
    return candidates[chosen]


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for integers, by a sort (numpy's hash-based unique is 5x slower here)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if values.shape[0] else values


def top_k(utility: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest utilities, highest first; equal utilities: lowest position first.

    The set is modAL's ``multi_argmax``; unlike an ``argpartition``, which of several tied items is
    taken does not depend on the numpy version or platform.
    """
    n = utility.shape[0]
    if k < n:
        kth = np.partition(utility, n - k)[n - k]  # the k-th highest value
        above = np.flatnonzero(utility > kth)
        tied = np.flatnonzero(utility == kth)[: k - above.shape[0]]
        chosen = np.sort(np.concatenate((above, tied)))
    else:
        chosen = np.arange(n)
    return chosen[np.argsort(-utility[chosen], kind="stable")]


def least_confident(proba: np.ndarray) -> np.ndarray:
    return 1.0 - row_max(proba)


def margin(proba: np.ndarray) -> np.ndarray:
    """Difference between the two most likely classes (small = unsure)."""
    if proba.shape[1] == 1:
        return np.zeros(proba.shape[0])
    two = np.partition(-proba, 1, axis=1)[:, :2]
    return -two[:, 0] + two[:, 1]


def entropy(proba: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(proba > 0, proba * np.log(proba), 0.0)
    return -row_sum(terms)


UTILITY_DECIMALS = 12


class _UtilityStrategy(QueryStrategy):
    def utility(self, proba: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _select(self, scores, X, pool, candidates, n, rng) -> np.ndarray:
        # rounded: items tied in exact arithmetic (same n-grams, summed in another order) differ by float
        # noise, which must not decide between them; the tie rule does (lowest row first)
        utility = np.round(self.utility(scores.predict_proba(candidates)), UTILITY_DECIMALS)
        return candidates[top_k(utility, n)]


class UncertaintySampling(_UtilityStrategy):
    """Least confident first: highest ``1 - max_c p(c|x)``, as in the reference tutorial."""

    name = "uncertainty"

    def utility(self, proba):
        return least_confident(proba)


class MarginSampling(_UtilityStrategy):
    """Smallest gap between the two most likely classes first ("breaking ties"): the default. On two classes
    it ranks as least-confident does; on many it does not waste questions on texts whose top class is clear
    but whose probability is spread over the rest."""

    name = "margin"

    def utility(self, proba):
        return -margin(proba)


class EntropySampling(_UtilityStrategy):
    """Highest entropy of the predicted class distribution first."""

    name = "entropy"

    def utility(self, proba):
        return entropy(proba)


class TypiClustFirst:
    """Mixed in before a strategy: on more than two classes, TypiClust (:mod:`engine.typiclust`: the typical
    text of each least-covered cluster) until the labels reach ``LABELS_PER_CLASS`` per class, then the
    strategy. With a few labels per class a model's uncertainty misleads; typical texts of uncovered regions
    teach it the classes first. On two classes the strategy alone (measured: TypiClust was level there)."""

    def low_budget(self, scores, pool) -> bool:
        n_classes = scores.learner.n_classes
        return n_classes > 2 and pool.n_labeled < LABELS_PER_CLASS * n_classes

    def _select(self, scores, X, pool, candidates, n, rng) -> np.ndarray:
        if not self.low_budget(scores, pool):
            return super()._select(scores, X, pool, candidates, n, rng)
        picked = typical_picks(candidates, X, pool, n, rng)
        if picked.shape[0] < n:  # fewer clusters with candidates than wanted: the rest by the strategy
            rest = candidates[~np.isin(candidates, picked)]
            picked = np.concatenate((picked, super()._select(scores, X, pool, rest, n - picked.shape[0], rng)))
        return picked


class TypiClustThenMargin(TypiClustFirst, MarginSampling):
    """TypiClust, then breaking ties."""

    name = "typiclust"


class RandomSampling(QueryStrategy):
    """Uniform random draw from the unlabeled items: the baseline every strategy should beat."""

    name = "random"

    def _select(self, scores, X, pool, candidates, n, rng) -> np.ndarray:
        return rng.choice(candidates, size=n, replace=False)


class RankedBatchSampling(QueryStrategy):
    """Uncertainty balanced with diversity, picked one item at a time (Cardoso et al., 2017).

    score(x) = alpha * (1 - max cosine similarity of x to the labeled and already picked items)
             + (1 - alpha) * uncertainty(x),  with alpha = |unlabeled| / |pool|,
    so early batches spread over the data and later ones focus on the boundary. Cosine similarity is
    taken over the L2-normalised feature vectors (modAL's ``uncertainty_batch_sampling`` uses euclidean
    distance on raw features, which for bag-of-n-grams mostly measures text length).
    """

    name = "ranked-batch"

    def uncertainty(self, proba: np.ndarray) -> np.ndarray:
        return least_confident(proba)

    def _select(self, scores, X, pool, candidates, n, rng) -> np.ndarray:
        uncertainty = self.uncertainty(scores.predict_proba(candidates))
        unit = normalize(X[candidates])
        labeled = pool.labeled()
        if labeled.shape[0]:
            similarity = (unit @ normalize(X[labeled]).T).max(axis=1).toarray().ravel()
        else:
            similarity = np.zeros(candidates.shape[0])
        alpha = candidates.shape[0] / len(pool)
        available = np.ones(candidates.shape[0], dtype=bool)
        picked = []
        for _ in range(n):
            score = alpha * (1.0 - similarity) + (1.0 - alpha) * uncertainty
            score[~available] = -np.inf
            best = int(np.argmax(score))
            picked.append(best)
            available[best] = False
            similarity = np.maximum(similarity, (unit @ unit[best].T).toarray().ravel())
        return candidates[np.asarray(picked)]


STRATEGIES: dict[str, type[QueryStrategy]] = {
    cls.name: cls
    for cls in (UncertaintySampling, MarginSampling, EntropySampling, RandomSampling, RankedBatchSampling,
                TypiClustThenMargin)
}
assert tuple(STRATEGIES) == STRATEGY_NAMES, "engine/names.py lists the strategies the CLI offers"


def get_strategy(name: str | QueryStrategy, multi_label: bool = False) -> QueryStrategy:
    """The strategy called ``name``; with ``multi_label``, its label-set version
    (:mod:`engine.multi_label_strategies`: the same names, measured on label sets)."""
    if isinstance(name, QueryStrategy):
        return name
    table = STRATEGIES
    if multi_label:
        from altui.engine.multi_label_strategies import LABEL_SET_STRATEGIES as table
    try:
        return table[name]()
    except KeyError:
        known = ", ".join(table)
        raise ConfigError(f"unknown strategy {name!r}: choose one of {known}") from None
