"""What `altui label` was asked to open."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelConfig:
    data: str | None = None  # None: the YouTube Spam Collection
    test: str | None = None
    text_col: str | None = None
    label_col: str | None = None
    sep: str | None = None
    header: bool = True
    labels: tuple[str, ...] | None = None
    strategy: str = "uncertainty"
    model: str = "nb"
    batch: int = 10
    seed: int = 0
    session: str | None = None
    rubrix_dataset: str | None = None  # log each batch there; `r` pulls annotations back
    rubrix_url: str | None = None
    rubrix_workspace: str | None = None
