"""What the loop records, light to import (the session store reads these without the learners): an answer and a
round's metrics."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """What was said about one item. ``label`` is a class index, or None for a skip."""

    index: int
    label: int | None
    round: int

    @property
    def skipped(self) -> bool:
        return self.label is None


@dataclass(frozen=True)
class RoundMetrics:
    """Test-set quality after teaching round ``round`` (NaN when there is no test set)."""

    round: int
    n_labels: int
    accuracy: float
    f1: float
    label_counts: tuple[int, ...]
    teach_seconds: float
    kappa: float = float("nan")  # agreement with the previous round's predictions on the stop set
    class_f1: tuple[float, ...] = ()  # test F1 per class (NaN: no test item and no prediction of it)
    micro_f1: float = float("nan")  # multi-label: F1 over every (text, label) decision (accuracy is subset accuracy)
