"""Query strategies for label sets (multi-label): the same names as the single-label ones, on per-label
probabilities ``P`` of shape ``(candidates, labels)`` (:class:`engine.learners.multi_label.MultiLabelScores`).

* ``uncertainty``: the text whose most uncertain label is closest to 0.5: ``max_j (1 - |2 P_j - 1|)``
  (binary relevance's max-uncertainty).
* ``margin``: the smallest separation margin (Li & Guo, 2013): the gap, in log-odds, between the weakest label
  predicted in the set and the strongest one left out (a text with no label predicted: the strongest one's
  distance to the boundary) — the multi-label "breaking ties".
* ``entropy``: the highest mean binary entropy over the labels.
* ``random`` and ``ranked-batch`` (diversity plus max-uncertainty) as for one label.

Every strategy keeps the single-label rules (:class:`engine.strategies.QueryStrategy`): candidates, cold start,
ties to the lowest row. ``bench/bench_multi_label.py`` measures them against random.
"""

from __future__ import annotations

import numpy as np

from altui.engine.strategies import (
    UTILITY_DECIMALS,
    QueryStrategy,
    RandomSampling,
    RankedBatchSampling,
    top_k,
)


def label_uncertainty(proba: np.ndarray) -> np.ndarray:
    """``(n, labels)``: 1 on the boundary (P = 0.5), 0 for a sure yes or no."""
    return 1.0 - np.abs(2.0 * proba - 1.0)


def max_uncertainty(proba: np.ndarray) -> np.ndarray:
    return label_uncertainty(proba).max(axis=1) if proba.shape[1] else np.zeros(proba.shape[0])


def separation_margin(proba: np.ndarray) -> np.ndarray:
    """Log-odds gap between the weakest label in the predicted set and the strongest label out of it."""
    p = np.clip(proba, 1e-12, 1 - 1e-12)
    z = np.log(p) - np.log1p(-p)
    inside = z > 0
    weakest_in = np.where(inside, z, np.inf).min(axis=1)
    strongest_out = np.where(inside, -np.inf, z).max(axis=1)
    return np.where(np.isinf(weakest_in), -strongest_out,
                    np.where(np.isinf(strongest_out), weakest_in, weakest_in - strongest_out))


def mean_entropy(proba: np.ndarray) -> np.ndarray:
    p = np.clip(proba, 1e-12, 1 - 1e-12)
    return -(p * np.log(p) + (1 - p) * np.log1p(-p)).mean(axis=1)


class _LabelSetUtility(QueryStrategy):
    def utility(self, proba: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _select(self, scores, X, pool, candidates, n, rng) -> np.ndarray:
        utility = np.round(self.utility(scores.predict_proba(candidates)), UTILITY_DECIMALS)
        return candidates[top_k(utility, n)]


class LabelSetUncertainty(_LabelSetUtility):
    name = "uncertainty"

    def utility(self, proba):
        return max_uncertainty(proba)


class LabelSetMargin(_LabelSetUtility):
    name = "margin"

    def utility(self, proba):
        return -separation_margin(proba)


class LabelSetEntropy(_LabelSetUtility):
    name = "entropy"

    def utility(self, proba):
        return mean_entropy(proba)


class LabelSetRankedBatch(RankedBatchSampling):
    def uncertainty(self, proba: np.ndarray) -> np.ndarray:
        return max_uncertainty(proba)


LABEL_SET_STRATEGIES: dict[str, type[QueryStrategy]] = {
    cls.name: cls for cls in (LabelSetUncertainty, LabelSetMargin, LabelSetEntropy, RandomSampling,
                              LabelSetRankedBatch)
}


class _SpreadMargin(_LabelSetUtility):
    """experiment: separation margin, the batch spread over the labels responsible for the uncertainty"""
    name = "spread"

    def _select(self, scores, X, pool, candidates, n, rng):
        proba = scores.predict_proba(candidates)
        utility = np.round(-separation_margin(proba), UTILITY_DECIMALS)
        owner = np.argmax(label_uncertainty(proba), axis=1)
        order = top_k(utility, candidates.shape[0])
        queues = {}
        for position in order.tolist():
            queues.setdefault(int(owner[position]), []).append(position)
        picked = []
        while len(picked) < n:
            for label in sorted(queues, key=lambda j: -utility[queues[j][0]] if queues[j] else np.inf):
                if queues[label] and len(picked) < n:
                    picked.append(queues[label].pop(0))
        return candidates[np.asarray(picked)]


class _MarginEpsilon(_LabelSetUtility):
    """experiment: separation margin for 80 % of the batch, random for the rest"""
    name = "margin-eps"

    def _select(self, scores, X, pool, candidates, n, rng):
        utility = np.round(-separation_margin(scores.predict_proba(candidates)), UTILITY_DECIMALS)
        n_random = n // 5
        order = top_k(utility, candidates.shape[0])
        best = order[: n - n_random]
        rest = np.setdiff1d(np.arange(candidates.shape[0]), best)
        extra = rng.choice(rest, size=min(n_random, rest.shape[0]), replace=False)
        return candidates[np.concatenate((best, extra)).astype(np.int64)]


LABEL_SET_STRATEGIES.update({"spread": _SpreadMargin, "margin-eps": _MarginEpsilon})
