"""Test-set metrics from a confusion matrix.

Computed with plain numpy/Python: scikit-learn's scorers spend ~1 ms validating their input, more than a
whole active-learning iteration of altui. The tests compare both with scikit-learn.
"""

from __future__ import annotations

import numpy as np

from altui.engine.label_masks import bits


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """``C[i, j]`` = number of items of class i predicted as j."""
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def accuracy(matrix: np.ndarray) -> float:
    rows = matrix.tolist()
    total = sum(map(sum, rows))
    return sum(rows[i][i] for i in range(len(rows))) / total if total else float("nan")


def f1_per_class(matrix: np.ndarray) -> list[float]:
    """F1 of each class (NaN for a class neither in the truth nor in the predictions)."""
    rows = matrix.tolist()
    k = len(rows)
    scores = []
    for c in range(k):
        support = sum(rows[c]) + sum(rows[r][c] for r in range(k))  # true + predicted
        scores.append(2.0 * rows[c][c] / support if support else float("nan"))
    return scores


def macro_f1(matrix: np.ndarray) -> float:
    """Macro-averaged F1 over the classes present in the truth or the predictions.

    Same as ``sklearn.metrics.f1_score(y_true, y_pred, average="macro", zero_division=0)``.
    """
    return macro_of(f1_per_class(matrix))


def macro_of(per_class: list[float]) -> float:
    """The mean of :func:`f1_per_class`'s scores, leaving out the NaNs (classes neither true nor predicted)."""
    scores = [f for f in per_class if f == f]
    return sum(scores) / len(scores) if scores else float("nan")


def label_set_scores(y_true: np.ndarray, y_pred: np.ndarray, n_labels: int) -> tuple[float, float, float, list[float]]:
    """Multi-label quality of predicted label sets (bit masks): (subset accuracy, macro F1, micro F1, F1 per
    label). Macro F1 averages the labels present in the truth or the predictions (as :func:`macro_f1` does; a
    label never seen either way is NaN in the per-label list). Same as scikit-learn's ``accuracy_score`` and
    ``f1_score(average="micro")`` on the indicator matrices; the tests compare."""
    y_true, y_pred = np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)
    if y_true.shape[0] == 0:
        return float("nan"), float("nan"), float("nan"), [float("nan")] * n_labels
    truth, predicted = bits(y_true, n_labels), bits(y_pred, n_labels)
    tp = (truth & predicted).sum(axis=0)
    wrong = (truth ^ predicted).sum(axis=0)  # false positives + false negatives
    denominator = 2 * tp + wrong
    per_label = [2.0 * t / d if d else float("nan") for t, d in zip(tp.tolist(), denominator.tolist())]
    present = [f for f in per_label if f == f]
    macro = sum(present) / len(present) if present else float("nan")
    total = int(denominator.sum())
    micro = 2.0 * int(tp.sum()) / total if total else float("nan")
    return float(np.mean(y_true == y_pred)), macro, micro, per_label
