"""Query strategies for label sets (multi-label): the same names as the single-label ones, on per-label
probabilities ``P`` of shape ``(candidates, labels)`` (:class:`engine.learners.multi_label.MultiLabelScores`).

* ``uncertainty`` (the multi-label default): the texts whose most uncertain label is closest to 0.5,
  ``max_j (1 - |2 P_j - 1|)`` (binary relevance's max-uncertainty), the batch *spread over the labels*: each
  text belongs to its most uncertain label, and the batch takes the best text of each label in turn (the label
  with the best text first). Without the spread a batch piles onto the one label whose boundary is crowded.
* ``margin``: the smallest separation margin (Li & Guo, 2013) — the gap, in log-odds, between the weakest label
  predicted in the set and the strongest one left out (a text with no label predicted: the strongest one's
  distance to the boundary), the multi-label "breaking ties" — spread over the labels the same way.
* ``entropy``: the highest mean binary entropy over the labels.
* ``random`` and ``ranked-batch`` (diversity plus max-uncertainty) as for one label.

Measured by ``bench/bench_multi_label.py`` (5 runs, batch 10): on the Debian debtags set (10 labels) spread
max-uncertainty reaches macro F1 0.519 at 300 labels against random's 0.452 and 0.683 at 800 against 0.646; the
same without the spread was at random's level (0.445 at 300). On the YouTube video + spam set (6 labels, mostly
a noisy "which video" question) every strategy ties with random.

Every strategy keeps the single-label rules (:class:`engine.strategies.QueryStrategy`): candidates, cold start,
ties to the lowest row.
"""

from __future__ import annotations

import numpy as np

from altui.engine.strategies import (
    UTILITY_DECIMALS,
    QueryStrategy,
    RandomSampling,
    RankedBatchSampling,
    TypiClustFirst,
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


def spread_over_labels(utility: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """``n`` positions, most useful first within each label (``owner``: the label each position belongs to),
    taken from the labels in turn, the label whose next position is the most useful first."""
    queues: dict[int, list[int]] = {}
    for position in top_k(utility, utility.shape[0]).tolist():
        queues.setdefault(int(owner[position]), []).append(position)
    picked: list[int] = []
    while len(picked) < n:
        for label in sorted((j for j in queues if queues[j]), key=lambda j: (-utility[queues[j][0]], j)):
            if len(picked) < n:
                picked.append(queues[label].pop(0))
    return np.asarray(picked, dtype=np.int64)


class _LabelSetUtility(QueryStrategy):
    spread = False  # take the batch from the labels in turn (spread_over_labels)

    def utility(self, proba: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _select(self, scores, X, pool, candidates, n, rng) -> np.ndarray:
        proba = scores.predict_proba(candidates)
        utility = np.round(self.utility(proba), UTILITY_DECIMALS)
        if not self.spread:
            return candidates[top_k(utility, n)]
        owner = np.argmax(label_uncertainty(proba), axis=1)  # the label each text is most unsure of
        return candidates[spread_over_labels(utility, owner, n)]


class LabelSetUncertainty(_LabelSetUtility):
    name = "uncertainty"
    spread = True

    def utility(self, proba):
        return max_uncertainty(proba)


class LabelSetMargin(_LabelSetUtility):
    name = "margin"
    spread = True

    def utility(self, proba):
        return -separation_margin(proba)


class LabelSetEntropy(_LabelSetUtility):
    name = "entropy"

    def utility(self, proba):
        return mean_entropy(proba)


class LabelSetRankedBatch(RankedBatchSampling):
    def uncertainty(self, proba: np.ndarray) -> np.ndarray:
        return max_uncertainty(proba)


class LabelSetTypiClust(TypiClustFirst, LabelSetUncertainty):
    """TypiClust until 10 answers per label, then spread max-uncertainty."""

    name = "typiclust"


LABEL_SET_STRATEGIES: dict[str, type[QueryStrategy]] = {
    cls.name: cls for cls in (LabelSetUncertainty, LabelSetMargin, LabelSetEntropy, RandomSampling,
                              LabelSetRankedBatch, LabelSetTypiClust)
}

