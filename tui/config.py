"""What `altui label` was asked to open."""

from __future__ import annotations

from dataclasses import dataclass

from altui.engine.learners import DEFAULT_MODEL
from altui.engine.names import DEFAULT_COLD_START, DEFAULT_MAX_CANDIDATES


@dataclass(frozen=True)
class LabelConfig:
    data: str | None = None  # None: the YouTube Spam Collection
    test: str | None = None
    text_col: str | None = None
    label_col: str | None = None
    sep: str | None = None
    header: bool = True
    format: str | None = None  # csv | tsv | jsonl | parquet; None: from the extension
    quoting: str | None = None  # csv | none; None: none for tab-separated files, csv otherwise
    encoding: str | None = None
    id_col: str | None = None  # --id-col: the column of unique ids
    meta_cols: tuple[str, ...] | None = None  # --meta-cols: shown beside the text and exported
    annotator: str | None = None  # --annotator (default: the OS user)
    multi_label: bool = False  # --multi-label: answers are label sets (fixed when the session is created)
    label_sep: str | None = None  # --label-sep: joins the labels of a multi-label cell (default ;)
    labels: tuple[str, ...] | None = None
    strategy: str | None = None  # None: typiclust (margin on two labels), or uncertainty for multi-label (engine.names)
    model: str = DEFAULT_MODEL
    batch: int = 10
    seed: int = 0
    max_candidates: int | None = DEFAULT_MAX_CANDIDATES
    cold_start: str = DEFAULT_COLD_START
    embedder: str = "wordllama"  # --embedder: sentence vectors for the many-class model (none: n-grams only)
    label_prior: bool = True  # --label-prior: the label names as a zero-shot start
    label_descriptions: dict[str, str] | None = None  # --label-descriptions: label name -> one line
    seed_terms: dict[str, list[str]] | None = None  # label name -> terms, for the first batches
    session: str | None = None
    rubrix_dataset: str | None = None  # log each batch there; `r` pulls annotations back
    rubrix_url: str | None = None
    rubrix_workspace: str | None = None
    argilla_dataset: str | None = None  # log each batch to this Argilla 2.x dataset; `r` pulls responses
    argilla_url: str | None = None
    argilla_workspace: str | None = None
