"""When to stop: "stabilizing predictions" (Bloodgood & Vijay-Shanker, 2009), which needs no labeled test set.

A stop set of unlabeled items is drawn once. After every round the model predicts it; Cohen's kappa between
consecutive rounds' predictions says how much the model still changes. When the mean kappa over the last
``window`` rounds reaches ``threshold``, more labels are unlikely to change the model much.
Pure functions of predictions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

STOP_SET_SIZE = 1000
WINDOW = 3
THRESHOLD = 0.99


def cohens_kappa(a: np.ndarray, b: np.ndarray, n_classes: int, b_counts: np.ndarray | None = None) -> float:
    """Agreement of two labelings beyond chance: 1 identical, 0 chance. Two identical constant labelings
    agree perfectly (1.0), where the formula's 0/0 would be undefined. ``b_counts``: ``b``'s class counts,
    when the caller has them."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    n = a.shape[0]
    if n == 0:
        return float("nan")
    if b_counts is None:
        b_counts = np.bincount(b, minlength=n_classes)
    observed = float(np.count_nonzero(a == b)) / n
    expected = float(np.dot(np.bincount(a, minlength=n_classes), b_counts)) / (n * n)
    if expected >= 1.0:
        return 1.0 if observed >= 1.0 else 0.0
    return (observed - expected) / (1.0 - expected)


def stability_kappa(previous: np.ndarray | None, current: np.ndarray, n_classes: int) -> float:
    """Kappa between two rounds' stop-set predictions, or NaN (no evidence of stability) when there is no
    earlier round or the current model predicts fewer than two classes there: a model that still calls every
    text "ham" agrees with itself perfectly, which says nothing about whether it has learned (issue 19: on a
    13 %-spam set such a run "stopped" at 40 labels with macro F1 0.49)."""
    current = np.asarray(current, dtype=np.int64)
    if previous is None or current.shape[0] == 0:
        return float("nan")
    counts = np.bincount(current, minlength=n_classes)
    if np.count_nonzero(counts) < 2:  # one class predicted
        return float("nan")
    return cohens_kappa(previous, current, n_classes, b_counts=counts)


def stop_round(kappas: Sequence[float], window: int = WINDOW, threshold: float = THRESHOLD) -> int | None:
    """The first round (index into ``kappas``) where the mean of the last ``window`` kappas reaches
    ``threshold``; None if it never does. Rounds without a kappa (NaN) reset the window."""
    run: list[float] = []
    for i, kappa in enumerate(kappas):
        if kappa != kappa:  # NaN: no comparison possible yet
            run = []
            continue
        run = (run + [kappa])[-window:]
        if len(run) == window and math.fsum(run) / window >= threshold:
            return i
    return None


def draw_stop_set(n_items: int, random_state: int | None, size: int = STOP_SET_SIZE) -> np.ndarray:
    """Up to ``size`` pool rows (ascending), drawn with a generator of their own: the stop set never changes
    which items are queried."""
    seed = None if random_state is None else np.random.SeedSequence([int(random_state), 0x5709]).generate_state(1)[0]
    rng = np.random.RandomState(seed)
    if n_items <= size:
        return np.arange(n_items)
    return np.sort(rng.choice(n_items, size=size, replace=False))
