"""Which labels are likely wrong: out-of-fold self-confidence (cleanlab's label quality score).

Every labeled item is scored by a model that never saw it: the labels are split in ``k`` stratified folds,
a fresh learner is fit on the other folds, and the item's score is the probability that model gives its
*given* label. A low score means the rest of the labels disagree with this one. (Northcutt et al.,
"Confident Learning", 2021; cleanlab's ``get_label_quality_scores(method="self_confidence")``.)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.model_selection import StratifiedKFold

from altui.engine.learners.base import Learner

N_FOLDS = 5
REPEATS = 5
"""5 x 5-fold, averaged: steadier ranks. YouTube, 10 sessions of 100 labels with 10 flipped: 7.3 of the 10 in
the top 20 on average, against 6.5 with one 5-fold and 1.5 in a random order (bench/bench_review.py)."""


def out_of_fold_proba(X, y: np.ndarray, new_learner: Callable[[], Learner], n_classes: int,
                      n_folds: int | None = None, random_state: int = 0, repeats: int | None = None) -> np.ndarray:
    """(n, n_classes) probabilities of each labeled row from a learner fit without it; NaN rows for items
    that cannot be scored (a class with one label: no fold can both train on it and hold it out)."""
    n_folds = N_FOLDS if n_folds is None else n_folds
    repeats = REPEATS if repeats is None else repeats
    y = np.asarray(y, dtype=np.int64)
    proba = np.full((y.shape[0], n_classes), np.nan)
    counts = np.bincount(y, minlength=n_classes)
    scorable = counts[y] >= 2
    rows = np.flatnonzero(scorable)
    if rows.shape[0] == 0 or np.count_nonzero(counts >= 2) < 2:
        return proba
    folds = min(n_folds, int(counts[counts >= 2].min()))
    total = np.zeros((rows.shape[0], n_classes))
    for repeat in range(repeats):
        splitter = StratifiedKFold(n_splits=max(folds, 2), shuffle=True, random_state=random_state + repeat)
        for train, held_out in splitter.split(rows, y[rows]):
            learner = new_learner().fit(X[rows[train]], y[rows[train]])
            total[held_out] += learner.predict_proba(X[rows[held_out]])
    proba[rows] = total / repeats
    return proba


def label_quality(proba: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Self-confidence: the out-of-fold probability of the given label (NaN where not scorable)."""
    return proba[np.arange(len(y)), np.asarray(y, dtype=np.int64)]


def rank_by_quality(scores: np.ndarray) -> np.ndarray:
    """Positions from the most likely wrong label up: lowest score first, unscorable last; ties by position."""
    key = np.where(np.isnan(scores), np.inf, scores)
    return np.lexsort((np.arange(scores.shape[0]), key))
