"""The pool: every training item, and what the person (or the label column) said about it."""

from __future__ import annotations

import functools

import numpy as np

from altui.engine.errors import EmptyPoolError
from altui.engine.label_masks import labels_of

UNLABELED = 0
LABELED = 1
SKIPPED = 2
COPY = 3
"""An identical copy of an earlier item (see ``copy_of``): never asked, never taught; its group's answer is its own."""

MISSING = -1
"""Marker in :attr:`Pool.y` for an item with no label (unlabeled or skipped)."""


class Pool:
    """State of every item of the training data.

    One ``y`` array over the whole pool (class index, or :data:`MISSING`) and one ``state`` array
    (:data:`UNLABELED`, :data:`LABELED`, :data:`SKIPPED`). A labeled or skipped item is never offered
    for querying again: :meth:`unlabeled` is the only source of query candidates.
    """

    def __init__(self, n_items: int, has_features: np.ndarray | None = None, copy_of: np.ndarray | None = None,
                 multi_label: bool = False):
        if n_items <= 0:
            raise EmptyPoolError("the training data has no rows: give a file with at least one text")
        self.state = np.full(n_items, UNLABELED, dtype=np.int8)
        self.y = np.full(n_items, MISSING, dtype=np.int64)
        #: False for items whose text carries no feature (``:D``, ``❤❤❤``): a model cannot tell them apart.
        self.has_features = np.ones(n_items, dtype=bool) if has_features is None else np.asarray(has_features, bool)
        #: the row each item is an identical copy of (-1: none); copies are asked once, through that row
        self.copy_of = np.full(n_items, -1, dtype=np.int64) if copy_of is None else np.asarray(copy_of, np.int64)
        copies = self.copy_of >= 0
        self.state[copies] = COPY
        self.has_features = self.has_features & ~copies  # a copy is never a candidate, nor drawn into a block
        self.n_copies = int(np.count_nonzero(copies))
        # counts kept as items change state, so nothing per answer or per round scans the whole pool
        self.n_unlabeled = n_items - self.n_copies
        self.n_skipped = 0
        self.n_featured = int(np.count_nonzero(self.has_features))
        self.n_featured_unlabeled = self.n_featured
        self._class_counts: list[int] = []
        #: ``y`` holds label-set bit masks (engine.learners.multi_label): counts are per label, not per value
        self.multi_label = multi_label

    def __len__(self) -> int:
        return self.state.shape[0]

    def _leave(self, index: int) -> None:
        """Take ``index`` out of the counts of its current state."""
        state = self.state[index]
        if state == COPY:
            raise ValueError(f"item {index} is a copy of item {self.copy_of[index]}: answer that one")
        if state == UNLABELED:
            self.n_unlabeled -= 1
            self.n_featured_unlabeled -= int(self.has_features[index])
        elif state == SKIPPED:
            self.n_skipped -= 1
        else:
            for c in self._counted(int(self.y[index])):
                self._class_counts[c] -= 1

    def _counted(self, y: int) -> tuple[int, ...]:
        """The classes an answer counts for: its class, or every label of its set."""
        return labels_of(y) if self.multi_label else (y,)

    def label(self, index: int, y: int) -> None:
        self._leave(index)
        self.state[index] = LABELED
        self.y[index] = y
        for c in self._counted(int(y)):
            if c >= len(self._class_counts):
                self._class_counts.extend([0] * (c + 1 - len(self._class_counts)))
            self._class_counts[c] += 1

    def skip(self, index: int) -> None:
        self._leave(index)
        self.state[index] = SKIPPED
        self.y[index] = MISSING
        self.n_skipped += 1

    def reset(self, index: int) -> None:
        """Forget what was said about ``index`` (undo): it becomes queryable again."""
        self._leave(index)
        self.state[index] = UNLABELED
        self.y[index] = MISSING
        self.n_unlabeled += 1
        self.n_featured_unlabeled += int(self.has_features[index])

    def unlabeled(self) -> np.ndarray:
        return np.flatnonzero(self.state == UNLABELED)

    @functools.cached_property
    def featured_rows(self) -> np.ndarray:
        """Every item with features, whatever its state (ascending)."""
        return np.flatnonzero(self.has_features)

    def query_tiers(self) -> tuple[np.ndarray, np.ndarray]:
        """Unlabeled items with features, then unlabeled items without any (asked only after the first)."""
        unlabeled = self.unlabeled()
        featured = self.has_features[unlabeled]
        return unlabeled[featured], unlabeled[~featured]

    @functools.cached_property
    def _copies_by_first(self) -> tuple[np.ndarray, np.ndarray]:
        """(first row, copy row) of every copy, sorted by first row: a group is one binary search away."""
        copies = np.flatnonzero(self.copy_of >= 0)
        firsts = self.copy_of[copies]
        order = np.argsort(firsts, kind="stable")
        return firsts[order], copies[order]

    def group(self, index: int) -> np.ndarray:
        """``index``'s row and its identical copies (rows whose ``copy_of`` is it), ascending. O(log n): the
        annotate screen asks at every keypress."""
        if not self.n_copies:
            return np.array([index], dtype=np.int64)
        firsts, copies = self._copies_by_first
        start, stop = np.searchsorted(firsts, index, "left"), np.searchsorted(firsts, index, "right")
        return np.concatenate(([index], copies[start:stop])).astype(np.int64)

    def labeled(self) -> np.ndarray:
        return np.flatnonzero(self.state == LABELED)

    def skipped(self) -> np.ndarray:
        return np.flatnonzero(self.state == SKIPPED)

    @property
    def n_labeled(self) -> int:
        return len(self) - self.n_unlabeled - self.n_skipped - self.n_copies

    def label_counts(self, n_classes: int) -> np.ndarray:
        """Number of labeled items per class index (multi-label: answers holding each label)."""
        counts = np.zeros(max(n_classes, len(self._class_counts)), dtype=np.int64)
        counts[: len(self._class_counts)] = self._class_counts
        return counts
