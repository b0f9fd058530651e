"""Seed terms: a person's prior knowledge for the cold start ("spam says subscribe, check out, my channel").

Given as ``--seed-terms LABEL=term,term`` (repeatable, one per label) or as a file of such lines (``#``
starts a comment). A text matches a label when it contains one of the label's terms, case-insensitively,
as a plain substring. The matches go to :class:`engine.cold_start.SeedTerms`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from altui.data.errors import DataError
from altui.data.files.table import LabelSet


def parse_seed_terms(values: Sequence[str]) -> dict[str, list[str]]:
    """Label name -> terms, from ``LABEL=term,term`` values or files of such lines (in the order given)."""
    out: dict[str, list[str]] = {}
    for value in values:
        if "=" not in value:
            path = Path(value)
            if not path.is_file():
                raise DataError(f"--seed-terms {value!r}: give LABEL=term,term (e.g. spam=\"subscribe,my channel\") "
                                "or a file of such lines")
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise DataError(f"cannot read seed terms from {path} ({exc}); pass a UTF-8 text file") from None
            entries = [(f"{path}:{n}", line) for n, line in enumerate(lines, 1)
                       if line.strip() and not line.lstrip().startswith("#")]
        else:
            entries = [("--seed-terms", value)]
        for where, entry in entries:
            label, sep, terms = entry.partition("=")
            words = [t.strip() for t in terms.split(",") if t.strip()]
            if not sep or not label.strip() or not words:
                raise DataError(f"{where}: {entry.strip()!r} is not LABEL=term,term; e.g. spam=subscribe,my channel")
            out.setdefault(label.strip(), []).extend(w for w in words if w not in out.get(label.strip(), []))
    return out


def check_seed_labels(terms: dict[str, list[str]], labels: LabelSet) -> None:
    unknown = [name for name in terms if name not in labels.names]
    if unknown:
        raise DataError(f"--seed-terms names {', '.join(repr(u) for u in unknown)}, not a label of this data; "
                        f"the labels are {', '.join(labels.names)}")


def match_seed_terms(texts: Sequence[str], terms: dict[str, list[str]], labels: LabelSet) -> dict[int, np.ndarray]:
    """Class -> pool rows (ascending) whose text contains one of the class's terms (case-insensitive)."""
    check_seed_labels(terms, labels)
    lowered = pd.Series(texts, dtype=object).str.lower()
    out: dict[int, np.ndarray] = {}
    for name, words in terms.items():
        hit = np.zeros(len(texts), dtype=bool)
        for word in words:
            hit |= lowered.str.contains(word.lower(), regex=False).fillna(False).to_numpy(dtype=bool)
        out[labels.names.index(name)] = np.flatnonzero(hit)
    return out
