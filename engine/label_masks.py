"""Label sets as bit masks: label ``j`` is in the set when bit ``j`` of the integer is 1 (``0``: the empty set).

Pure numpy and light (the data layer and the app read sets too); the one place a set is made from label indices
or names, or read back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from altui.engine.names import MAX_LABELS


def mask_of(labels: Iterable[int]) -> int:
    """The bit mask of a set of label indices."""
    mask = 0
    for j in labels:
        if not 0 <= int(j) < MAX_LABELS:
            raise ValueError(f"label index {j} is out of range for a label set")
        mask |= 1 << int(j)
    return mask


def labels_of(mask: int) -> tuple[int, ...]:
    """The label indices in a bit mask, ascending."""
    return tuple(j for j in range(int(mask).bit_length()) if (int(mask) >> j) & 1)


def bits(masks: np.ndarray, n_labels: int) -> np.ndarray:
    """``(len(masks), n_labels)`` booleans: ``out[i, j]`` = label j is in set i."""
    masks = np.asarray(masks, dtype=np.int64)
    return ((masks[:, None] >> np.arange(n_labels, dtype=np.int64)) & 1).astype(bool)


def masks_from_bits(matrix: np.ndarray) -> np.ndarray:
    """The bit mask of each row of a boolean ``(n, n_labels)`` matrix."""
    matrix = np.asarray(matrix, dtype=np.int64)
    return (matrix << np.arange(matrix.shape[1], dtype=np.int64)).sum(axis=1) if matrix.shape[1] else \
        np.zeros(matrix.shape[0], dtype=np.int64)


def names_of(mask: int, names: Sequence[str]) -> list[str]:
    """The names of the labels in a mask, in label order."""
    return [names[j] for j in labels_of(mask)]
