"""A session's settings (what it was started with; stored once, checked on every resume), light to import."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from altui.engine.label_masks import names_of
from altui.engine.names import DEFAULT_MAX_CANDIDATES


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class SessionInfo:
    """What a session was started with; stored once, checked on every resume."""

    data_path: str
    fingerprint: str
    label_values: list[str]
    label_names: list[str]
    strategy: str = "uncertainty"
    model: str = "nb"
    batch_size: int = 10
    seed: int = 0
    test_path: str | None = None
    text_col: str | None = None
    label_col: str | None = None
    sep: str | None = None
    header: bool = True
    format: str | None = None
    quoting: str | None = None
    encoding: str | None = None
    max_candidates: int | None = DEFAULT_MAX_CANDIDATES
    cold_start: str = "random"  # sessions started before the option had the random cold start
    seed_terms: dict[str, list[str]] | None = None  # label name -> terms (the first batches)
    id_col: str | None = None  # --id-col
    meta_cols: list[str] | None = None  # --meta-cols: shown beside the text, exported
    read_encoding: str | None = None  # the encoding the data was read with (given, from a BOM, or detected)
    annotator: str | None = None  # who labels in this session (--annotator, default the OS user)
    multi_label: bool = False  # answers are label sets (bit masks over the labels); fixed at creation
    label_sep: str | None = None  # --label-sep: joins a multi-label cell's labels in the data (default ;)
    embedder: str | None = None  # --embedder (wordllama, none, a folder); None: a session from before vectors
    label_prior: bool = False  # the label names' prototypes as a zero-shot start (sessions before it: none)
    label_descriptions: dict[str, str] | None = None  # label name -> one line (--label-descriptions), shown and
    # read by the label-name prior
    created_at: str = field(default_factory=lambda: now())

    def answer_name(self, label: int | None) -> str | None:
        """What an answer says, as stored and exported: the label's name, or (multi-label) a JSON list of the
        names in the set (``[]``: the empty set); None for a skip."""
        if label is None:
            return None
        if self.multi_label:
            return json.dumps(names_of(label, self.label_names), ensure_ascii=False)
        return self.label_names[label]
