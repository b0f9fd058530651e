"""Text features: the reference tutorial's bag of word n-grams."""

from __future__ import annotations

from collections.abc import Sequence

import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from engine.errors import ConfigError

NGRAM_RANGE = (1, 5)


def make_vectorizer(ngram_range: tuple[int, int] = NGRAM_RANGE) -> CountVectorizer:
    return CountVectorizer(ngram_range=ngram_range)


def vectorize(
    train_texts: Sequence[str], test_texts: Sequence[str] | None = None, ngram_range=NGRAM_RANGE
) -> tuple[CountVectorizer, sp.csr_matrix, sp.csr_matrix | None]:
    """Fit the vocabulary on the training texts (no labels involved) and transform both sets."""
    vectorizer = make_vectorizer(ngram_range)
    try:
        X = vectorizer.fit_transform(train_texts).tocsr()
    except ValueError:  # "empty vocabulary"
        raise ConfigError(
            "the text column has no words to learn from: check --text-col names the column with the texts"
        ) from None
    X_test = vectorizer.transform(test_texts).tocsr() if test_texts is not None else None
    return vectorizer, X, X_test
