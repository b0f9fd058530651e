"""Agreement between annotators: Cohen's kappa for two, Fleiss' kappa for more, overall and per label.

Pure functions of label matrices: ``labels`` is (items, annotators) of class indices, every item answered by
every annotator (the caller keeps the items all of them labeled).
"""

from __future__ import annotations

import numpy as np

from altui.engine.stopping import cohens_kappa


def fleiss_kappa(labels: np.ndarray, n_classes: int) -> float:
    """Fleiss' kappa of ``labels`` (items, raters), every item rated by every rater. 1: full agreement, 0: chance.
    NaN with fewer than two raters or no item; 1.0 when every rating is the same class (nothing to disagree on)."""
    labels = np.asarray(labels, dtype=np.int64)
    n_items, n_raters = labels.shape
    if n_items == 0 or n_raters < 2:
        return float("nan")
    counts = np.zeros((n_items, n_classes))
    np.add.at(counts, (np.repeat(np.arange(n_items), n_raters), labels.ravel()), 1)
    p_item = (np.sum(counts * counts, axis=1) - n_raters) / (n_raters * (n_raters - 1))
    p_class = counts.sum(axis=0) / (n_items * n_raters)
    observed, expected = float(p_item.mean()), float(np.sum(p_class * p_class))
    if expected >= 1.0:
        return 1.0 if observed >= 1.0 else 0.0
    return (observed - expected) / (1.0 - expected)


def kappa(labels: np.ndarray, n_classes: int) -> float:
    """Cohen's kappa for two annotators, Fleiss' kappa for more."""
    labels = np.asarray(labels, dtype=np.int64)
    if labels.shape[1] == 2:
        return cohens_kappa(labels[:, 0], labels[:, 1], n_classes)
    return fleiss_kappa(labels, n_classes)


def per_label_kappa(labels: np.ndarray, n_classes: int) -> list[float]:
    """For each class, the kappa of "this class or not" (how much the annotators agree on that label)."""
    labels = np.asarray(labels, dtype=np.int64)
    return [kappa((labels == c).astype(np.int64), 2) for c in range(n_classes)]


def disagreements(labels: np.ndarray) -> np.ndarray:
    """Rows (items) where the annotators do not all give the same label."""
    labels = np.asarray(labels)
    return np.flatnonzero((labels != labels[:, :1]).any(axis=1))


def label_set_kappa(masks: np.ndarray, n_labels: int) -> tuple[float, list[float]]:
    """Label sets (``masks``: (items, annotators) bit masks): the kappa of every text x label yes/no decision
    together, and per label the kappa of "this label in the set or not"."""
    masks = np.asarray(masks, dtype=np.int64)
    decisions = [((masks >> j) & 1) for j in range(n_labels)]  # each (items, annotators) of 0/1
    overall = kappa(np.concatenate(decisions, axis=0), 2) if decisions else float("nan")
    return overall, [kappa(d, 2) for d in decisions]
