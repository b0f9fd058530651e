"""What a corpus needs for a model that reads meaning: its sentence vectors and its labels' prototypes.

One place decides, for ``simulate``, grids and sessions alike: the learners that read vectors
(:func:`engine.learners.reads_vectors`) get the texts' vectors from the embedder ``--embedder`` names
(``wordllama`` by default, ``none``, or a folder) and one prototype per label (its name and description) for a
zero-shot start. Without the embedding package the model learns from n-grams alone, the prototypes are the label
names' n-grams, and :attr:`Meaning.notice` says so once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from altui.data.embeddings.static_model import WORDLLAMA, EmbedderMissing, StaticEmbedder, load_embedder
from altui.data.files.corpus import Corpus, embedded, label_prototypes
from altui.engine.learners import reads_vectors

DEFAULT_EMBEDDER = WORDLLAMA


@dataclass(frozen=True)
class Meaning:
    corpus: Corpus  # with vectors when the model reads them and an embedder could be loaded
    prototypes: object | None  # one row per label (engine.feature_rows), or None: no zero-shot start
    embedder: StaticEmbedder | None
    notice: str | None = None  # one line for the person when meaning was asked for and is not there


def with_meaning(corpus: Corpus, model: str, embedder_name: str | None = DEFAULT_EMBEDDER, *,
                 label_prior: bool = True, descriptions: dict[str, str] | None = None,
                 on_progress: Callable[[str, int, int], None] | None = None) -> Meaning:
    """``corpus`` ready for ``model``: vectors (and, single-label, class prototypes) when it reads them (``model``
    as resolved for the corpus's labels), the corpus unchanged otherwise."""
    if not reads_vectors(model, len(corpus.labels), corpus.multi_label):
        return Meaning(corpus, None, None)
    notice = None
    try:
        embedder = load_embedder(embedder_name)
    except EmbedderMissing as missing:
        embedder, notice = None, f"note: {missing}"
    corpus = embedded(corpus, embedder, on_progress)
    # class prototypes are a single-label start (one class per text); label sets start from their answers
    prototypes = label_prototypes(corpus, embedder, descriptions) if label_prior and not corpus.multi_label else None
    return Meaning(corpus, prototypes, embedder, notice)
