"""Search by meaning: the texts nearest a query's sentence vector, or nearest one text's ("more like this").

The app's search screen and ``altui search --meaning`` both call :func:`data.files.search.search_meaning` through
:class:`MeaningSearch`, which holds the pool's vectors: the session's own when its model reads them, else
computed once with the default embedder and cached like them (a two-class session's model does not read vectors,
but its person may still search by meaning).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from altui.data.embeddings.meaning import DEFAULT_EMBEDDER
from altui.data.embeddings.static_model import EmbedderMissing, StaticEmbedder, load_embedder
from altui.data.embeddings.vector_cache import cached_vectors
from altui.data.errors import DataError
from altui.data.files.corpus import Corpus
from altui.data.files.search import SearchResult, search_meaning


class MeaningSearch:
    """The pool's vectors and the model that made them, to embed queries the same way."""

    def __init__(self, vectors: np.ndarray, embedder: StaticEmbedder):
        self.vectors = vectors
        self.embedder = embedder

    @classmethod
    def for_texts(cls, texts: Sequence[str], fingerprint: str | None = None, embedder_name: str | None = None,
                  on_progress: Callable[[str, int, int], None] | None = None) -> "MeaningSearch":
        embedder = _embedder(embedder_name)
        vectors, _ = cached_vectors(texts, None, embedder, on_progress=on_progress,
                                    fingerprints=None if fingerprint is None else (fingerprint, None))
        return cls(vectors, embedder)

    @classmethod
    def for_corpus(cls, corpus: Corpus, embedder_name: str | None = None,
                   on_progress: Callable[[str, int, int], None] | None = None) -> "MeaningSearch":
        """The corpus's own vectors when it has them (same model), else its texts embedded once."""
        embedder = _embedder(embedder_name)
        if corpus.vectors is not None and corpus.embedder == embedder.identity:
            return cls(corpus.vectors, embedder)
        return cls.for_texts(corpus.train.texts, corpus.train.fingerprint, embedder_name, on_progress)

    @classmethod
    def for_session(cls, session, on_progress: Callable[[str, int, int], None] | None = None) -> "MeaningSearch":
        """A session's search by meaning: its model's vectors when it reads them, else its texts embedded once."""
        corpus = session.corpus
        if corpus.vectors is not None and session.embedder is not None:
            return cls(corpus.vectors, session.embedder)
        return cls.for_texts(corpus.train.texts, corpus.train.fingerprint, None, on_progress)

    def query(self, text: str, limit: int, among: np.ndarray | None = None,
              cancelled: Callable[[], bool] = lambda: False) -> SearchResult:
        """The ``limit`` texts nearest ``text`` in meaning, best first."""
        if not text.strip():
            raise DataError("type something to search for")
        return search_meaning(self.vectors, self.embedder.embed([text])[0], text, limit, among, cancelled)

    def like(self, row: int, limit: int, among: np.ndarray | None = None, label: str = "") -> SearchResult:
        """The ``limit`` texts (of ``among``) nearest the text of ``row``, best first, ``row`` itself left out."""
        if among is not None:
            among = np.asarray(among, dtype=np.int64)
            among = among[among != row]
        result = search_meaning(self.vectors, np.asarray(self.vectors[row], dtype=np.float32), label, limit + 1,
                                among)
        keep = [i for i, r in enumerate(result.matches) if r != row][:limit]
        return SearchResult(result.query, False, [result.matches[i] for i in keep],
                            [result.scores[i] for i in keep], meaning=True)


def _embedder(name: str | None) -> StaticEmbedder:
    """The model that embeds queries: the one named, else the default (a DataError when it is absent)."""
    try:
        embedder = load_embedder(name if name not in (None, "none") else DEFAULT_EMBEDDER)
    except EmbedderMissing:
        raise DataError("search by meaning needs the embedding model (pip install wordllama); a search without "
                        "--meaning works without it") from None
    assert embedder is not None
    return embedder
