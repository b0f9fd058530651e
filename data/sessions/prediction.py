"""What the model says about one text, as the app shows it (the model panel, enter's suggestion)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from altui.engine.label_masks import mask_of


@dataclass(frozen=True)
class Prediction:
    """The model's view of one text: every class's probability, and the word n-grams of the text that push
    towards each class (strongest first, with their weight), only n-grams some label taught it, no stop words."""

    labels: tuple[str, ...]
    probabilities: tuple[float, ...]
    pushes: tuple[tuple[tuple[str, float], ...], ...]
    from_label_names: bool = False  # a zero-shot guess: no answer of two classes yet, the label names speak

    @property
    def best(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def label_set(self) -> int:
        """Multi-label: the predicted set, as a bit mask (every label whose probability is above 0.5)."""
        return mask_of(j for j, p in enumerate(self.probabilities) if p > 0.5)

    @property
    def label(self) -> str:
        return self.labels[self.best]

    @property
    def confidence(self) -> float:
        return self.probabilities[self.best]
