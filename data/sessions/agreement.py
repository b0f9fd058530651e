"""Several annotators' sessions of the same data, brought together by item id: who said what, and how much
they agree (``altui agreement``). Read-only: every session is opened without write access."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from altui.data.errors import DataError
from altui.engine.agreement import disagreements, kappa, per_label_kappa


@dataclass(frozen=True)
class Agreement:
    annotators: list[str]
    labels: list[str]  # the label names, in the first session's order
    item_ids: list[str]  # the items every annotator labeled
    texts: list[str]
    matrix: np.ndarray  # (items, annotators) class indices
    overall: float  # Cohen's kappa for two annotators, Fleiss' kappa for more
    per_label: list[float]
    only_some: int  # items labeled by some annotators but not all (left out)

    @property
    def measure(self) -> str:
        return "Cohen's kappa" if len(self.annotators) == 2 else "Fleiss' kappa"

    @property
    def disagreeing(self) -> np.ndarray:
        return disagreements(self.matrix)


def agreement(paths: list[Path]) -> Agreement:
    """Agreement of the sessions at ``paths`` (two or more) over the items all of them labeled (skips left out)."""
    from altui.data.sessions.store import SessionStore

    if len(paths) < 2:
        raise DataError("agreement needs two sessions or more: altui agreement alice.db bob.db")
    answers, names, label_sets, texts = [], [], [], {}
    for path in paths:
        store = SessionStore.open_existing(path, readonly=True)
        try:
            given = {s.item_id: s.label_name for s in store.answers() if s.answer.label is not None}
            texts.update({s.item_id: s.text or "" for s in store.answers()})
            names.append(store.info.annotator or Path(path).stem)
            label_sets.append(list(store.info.label_names))
        finally:
            store.close()
        answers.append(given)
    labels = label_sets[0]
    for path, other in zip(paths[1:], label_sets[1:]):
        if sorted(other) != sorted(labels):
            raise DataError(f"{path} uses the labels {', '.join(other)}, not {', '.join(labels)}: sessions of one "
                            "labeling task are compared")
    if len(set(names)) < len(names):  # two sessions of one annotator (or unnamed): tell them apart by file
        names = [f"{name} ({Path(path).name})" for name, path in zip(names, paths)]
    common = sorted(set.intersection(*(set(a) for a in answers)))
    every = set.union(*(set(a) for a in answers))
    if not common:
        raise DataError("no item is labeled in every session: label the same data (the sessions match items by id)")
    index = {name: i for i, name in enumerate(labels)}
    matrix = np.array([[index[a[item]] for a in answers] for item in common], dtype=np.int64)
    return Agreement(names, labels, common, [texts.get(i, "") for i in common], matrix,
                     kappa(matrix, len(labels)), per_label_kappa(matrix, len(labels)), len(every) - len(common))
