"""The pool: every training item, and what the person (or the label column) said about it."""

from __future__ import annotations

import numpy as np

from engine.errors import EmptyPoolError

UNLABELED = 0
LABELED = 1
SKIPPED = 2

MISSING = -1
"""Marker in :attr:`Pool.y` for an item with no label (unlabeled or skipped)."""


class Pool:
    """State of every item of the training data.

    One ``y`` array over the whole pool (class index, or :data:`MISSING`) and one ``state`` array
    (:data:`UNLABELED`, :data:`LABELED`, :data:`SKIPPED`). A labeled or skipped item is never offered
    for querying again: :meth:`unlabeled` is the only source of query candidates.
    """

    def __init__(self, n_items: int, has_features: np.ndarray | None = None):
        if n_items <= 0:
            raise EmptyPoolError("the training data has no rows: give a file with at least one text")
        self.state = np.full(n_items, UNLABELED, dtype=np.int8)
        self.y = np.full(n_items, MISSING, dtype=np.int64)
        #: False for items whose text carries no feature (``:D``, ``❤❤❤``): a model cannot tell them apart.
        self.has_features = np.ones(n_items, dtype=bool) if has_features is None else np.asarray(has_features, bool)

    def __len__(self) -> int:
        return self.state.shape[0]

    def label(self, index: int, y: int) -> None:
        self.state[index] = LABELED
        self.y[index] = y

    def skip(self, index: int) -> None:
        self.state[index] = SKIPPED
        self.y[index] = MISSING

    def reset(self, index: int) -> None:
        """Forget what was said about ``index`` (undo): it becomes queryable again."""
        self.state[index] = UNLABELED
        self.y[index] = MISSING

    def unlabeled(self) -> np.ndarray:
        return np.flatnonzero(self.state == UNLABELED)

    def query_tiers(self) -> tuple[np.ndarray, np.ndarray]:
        """Unlabeled items with features, then unlabeled items without any (asked only after the first)."""
        unlabeled = self.unlabeled()
        featured = self.has_features[unlabeled]
        return unlabeled[featured], unlabeled[~featured]

    def labeled(self) -> np.ndarray:
        return np.flatnonzero(self.state == LABELED)

    def skipped(self) -> np.ndarray:
        return np.flatnonzero(self.state == SKIPPED)

    @property
    def n_unlabeled(self) -> int:
        return int(np.count_nonzero(self.state == UNLABELED))

    @property
    def n_labeled(self) -> int:
        return int(np.count_nonzero(self.state == LABELED))

    def label_counts(self, n_classes: int) -> np.ndarray:
        """Number of labeled items per class index."""
        labeled_y = self.y[self.state == LABELED]
        return np.bincount(labeled_y, minlength=n_classes)
