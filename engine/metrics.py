"""Test-set metrics, computed with numpy only (scikit-learn's scorers cost ~1 ms of validation each)."""

from __future__ import annotations

import numpy as np


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """``C[i, j]`` = number of items of class i predicted as j."""
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def accuracy(matrix: np.ndarray) -> float:
    total = matrix.sum()
    return float(np.trace(matrix) / total) if total else float("nan")


def macro_f1(matrix: np.ndarray) -> float:
    """Macro-averaged F1 over the classes present in the truth or the predictions.

    Same as ``sklearn.metrics.f1_score(y_true, y_pred, average="macro", zero_division=0)``.
    """
    if not matrix.sum():
        return float("nan")
    hits = np.diag(matrix)
    support = matrix.sum(axis=1) + matrix.sum(axis=0)
    present = support > 0
    return float(np.mean(2.0 * hits[present] / support[present]))
