"""A corpus: the training pool and test set, their classes and features, ready for the engine."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import train_test_split

from altui.data.errors import DataError
from altui.data.files.table import (
    Dataset,
    LabelSet,
    encode_labels,
    is_youtube_layout,
    label_set,
    load_table,
    require_two_classes,
)
from altui.data.files.label_sets import (
    DEFAULT_LABEL_SEP,
    check_label_count,
    dataset_label_sets,
    encode_label_sets,
    flat_values,
)
from altui.data.files.youtube import ensure_youtube
from altui.data.files.feature_cache import cached_features
from altui.engine.feature_rows import with_vectors
from altui.engine.features import NB_FEATURES, FeatureConfig, FeatureSpace

HOLDOUT_FRACTION = 0.2


@dataclass(frozen=True)
class Corpus:
    train: Dataset
    test: Dataset | None
    labels: LabelSet
    y_train: np.ndarray  # class index per training row, -1 where unknown (hidden from the annotator)
    y_test: np.ndarray | None
    features: FeatureSpace
    X: sp.csr_matrix
    X_test: sp.csr_matrix | None
    held_out: bool  # the test set is a stratified part of the data file
    rankable: np.ndarray | None = None  # training rows with a word (queried first); None: rows with features
    copy_of: np.ndarray | None = None  # per training row: the earlier row it is identical to (-1: none)
    multi_label: bool = False  # y_train/y_test hold label-set bit masks (engine.learners.multi_label), not classes
    vectors: np.ndarray | None = None  # a sentence vector per training row (float16), when the model reads them
    vectors_test: np.ndarray | None = None
    embedder: str | None = None  # the identity of the model that made the vectors

    @property
    def rows(self):
        """The training rows as the learner reads them: n-grams, with their vectors when there are any."""
        return with_vectors(self.X, self.vectors)

    @property
    def test_rows(self):
        return None if self.X_test is None else with_vectors(self.X_test, self.vectors_test)

    @property
    def n_distinct(self) -> int:
        """Training texts less their identical copies: what can be asked."""
        return self.X.shape[0] - (0 if self.copy_of is None else int((self.copy_of >= 0).sum()))


def normalized(text: str) -> str:
    """What makes two texts identical: the same words in the same order, whatever the spacing and the case
    ("Check out my channel" and "check  out my CHANNEL\n")."""
    return " ".join(text.split()).casefold()


def duplicate_rows(texts) -> np.ndarray:
    """Per row, the first row whose text is identical after :func:`normalized` (-1 for that first row)."""
    first: dict[str, int] = {}
    copy_of = np.full(len(texts), -1, dtype=np.int64)
    for row, text in enumerate(texts):
        key = normalized(text)
        if key in first:
            copy_of[row] = first[key]
        else:
            first[key] = row
    return copy_of


def holdout(dataset: Dataset, y: np.ndarray, seed: int, multi_label: bool = False) -> tuple[Dataset, Dataset]:
    """Split off a stratified 20 % of the labeled rows as the test set (plain random if a class is tiny, and for
    label sets)."""
    rows = np.arange(len(dataset))
    labeled = rows[y >= 0]
    if labeled.shape[0] < 5:
        raise DataError(f"{dataset.path}: too few labeled rows to hold out a test set; pass --test PATH")
    n_test = int(np.ceil(HOLDOUT_FRACTION * labeled.shape[0]))
    stratify = None  # label sets (multi_label): a plain seeded split
    if not multi_label:
        counts = np.bincount(y[labeled])
        n_classes = int((counts > 0).sum())
        # stratified when every class can be on both sides; else a plain seeded split (many small classes)
        if counts[counts > 0].min() >= 2 and min(n_test, labeled.shape[0] - n_test) >= n_classes:
            stratify = y[labeled]
    _, test_rows = train_test_split(labeled, test_size=HOLDOUT_FRACTION, random_state=seed, stratify=stratify)
    test_rows = np.sort(test_rows)
    train_rows = np.setdiff1d(rows, test_rows)
    return _subset(dataset, train_rows), _subset(dataset, test_rows)


def _subset(dataset: Dataset, rows: np.ndarray) -> Dataset:
    pick = rows.tolist()
    return replace(
        dataset,
        texts=[dataset.texts[i] for i in pick],
        ids=[dataset.ids[i] for i in pick],
        labels=None if dataset.labels is None else [dataset.labels[i] for i in pick],
        metadata={k: [v[i] for i in pick] for k, v in dataset.metadata.items()},
    )


def load_corpus(
    data_path: str | None = None,
    test_path: str | None = None,
    *,
    text_col: str | None = None,
    label_col: str | None = None,
    sep: str | None = None,
    header: bool = True,
    label_names: list[str] | None = None,
    seed: int = 0,
    require_labels: bool = False,
    format: str | None = None,
    quoting: str | None = None,
    encoding: str | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    features: FeatureConfig = NB_FEATURES,
    id_col: str | None = None,
    meta_cols: list[str] | None = None,
    multi_label: bool = False,
    label_sep: str | None = None,
) -> Corpus:
    """Load the training data (default: the YouTube Spam Collection) and a test set.

    With ``require_labels`` (simulate) every training row needs a label and there must be two classes.
    Without a test file, a stratified 20 % of the labeled training rows is held out. ``on_progress``
    is called with (stage, done, total) while the data is read and vectorized. ``features`` are the
    model's (:func:`engine.features.features_for`). With ``multi_label`` a label cell holds a set of labels
    (:mod:`data.files.label_sets`, joined by ``label_sep`` unless a JSON list) and ``y`` are bit masks.
    """
    read = dict(sep=sep, header=header, format=format, quoting=quoting, encoding=encoding)
    youtube = data_path is None
    if youtube:
        split = ensure_youtube()
        data_path, test_path = str(split.train), test_path or str(split.test)
    if on_progress is not None:
        on_progress("reading", 0, 1)
    train = load_table(data_path, text_col, label_col, require_labels=require_labels, id_col=id_col,
                       meta_cols=meta_cols, **read)
    if require_labels:
        require_two_classes(train, multi_label, label_sep)
    test = load_table(test_path, text_col, label_col, require_labels=True, **read) if test_path else None
    encode = functools.partial(encode_label_sets, sep=label_sep or DEFAULT_LABEL_SEP) if multi_label else encode_labels
    # The classes come from the training labels; only a training file without labels takes them from
    # the test file. Test labels outside those classes are an error (encode_labels below).
    has_train_labels = train.labels is not None and any(train.labels)
    values = train.labels if has_train_labels else (test.labels if test is not None else [])
    if multi_label and values:
        values = flat_values(dataset_label_sets(train if has_train_labels else test, label_sep or DEFAULT_LABEL_SEP))
    labels = label_set(values or [], label_names, youtube_names=(youtube or is_youtube_layout(train)) and not multi_label)
    if len(labels) < 2:
        raise DataError(
            f"{train.path}: found {len(labels)} label value(s); pass the classes with --labels ham,spam "
            "or a --label-col with at least two values"
        )
    if multi_label:
        check_label_count(labels, train.path)
    y_train = encode(train, labels) if train.labels is not None else np.full(len(train), -1)
    held_out = False
    if test is None and train.labels is not None and (y_train >= 0).any():
        train, test = holdout(train, y_train, seed, multi_label)
        y_train = encode(train, labels)
        held_out = True
    y_test = encode(test, labels, what="test") if test is not None else None
    if y_test is not None and (y_test < 0).any():
        row = int(np.flatnonzero(y_test < 0)[0]) + 1
        raise DataError(f"{test.path}: test row {row} has no label; every test row needs one")
    space, X, X_test, rankable = cached_features(
        train.texts, test.texts if test is not None else None, features, on_progress=on_progress,
        fingerprints=(train.fingerprint, test.fingerprint if test is not None else None),
    )
    return Corpus(train, test, labels, y_train, y_test, space, X, X_test, held_out, rankable,
                  duplicate_rows(train.texts), multi_label)


def with_features(corpus: Corpus, features: FeatureConfig,
                  on_progress: Callable[[str, int, int], None] | None = None) -> Corpus:
    """The same corpus with other features (a resumed session whose model learns from other features)."""
    if corpus.features.config == features:
        return corpus
    test = corpus.test
    space, X, X_test, rankable = cached_features(
        corpus.train.texts, test.texts if test is not None else None, features, on_progress=on_progress,
        fingerprints=(corpus.train.fingerprint, test.fingerprint if test is not None else None),
    )
    return replace(corpus, features=space, X=X, X_test=X_test, rankable=rankable)


def label_text(name: str, description: str | None = None) -> str:
    """What a label's prototype reads: its name as words ("gnu-r" -> "gnu r", "software:source" -> "software
    source"), then its one-line description."""
    words = " ".join(name.replace("-", " ").replace("_", " ").replace(":", " ").replace("/", " ").split())
    return f"{words}: {description}" if description else words


def embedded(corpus: Corpus, embedder, on_progress: Callable[[str, int, int], None] | None = None) -> Corpus:
    """The corpus with a sentence vector per text from ``embedder`` (a :class:`data.embeddings.StaticEmbedder`;
    None: as it is), computed once and cached (:mod:`data.embeddings.vector_cache`)."""
    if embedder is None or corpus.embedder == embedder.identity:
        return corpus
    from altui.data.embeddings.vector_cache import cached_vectors

    test = corpus.test
    vectors, vectors_test = cached_vectors(
        corpus.train.texts, test.texts if test is not None else None, embedder, on_progress=on_progress,
        fingerprints=(corpus.train.fingerprint, test.fingerprint if test is not None else None),
    )
    return replace(corpus, vectors=vectors, vectors_test=vectors_test, embedder=embedder.identity)


def label_prototypes(corpus: Corpus, embedder, descriptions: dict[str, str] | None = None):
    """One row of features per label (its name and description, hashed like a text, with its sentence vector
    when the corpus has vectors): the class prototypes of a zero-shot start (``engine.learners.linear_svm``)."""
    descriptions = descriptions or {}
    texts = [label_text(name, descriptions.get(name)) for name in corpus.labels.names]
    ngrams = corpus.features.transform(texts)
    if corpus.vectors is None or embedder is None:
        return ngrams
    from altui.engine.feature_rows import VECTOR_DTYPE

    return with_vectors(ngrams, embedder.embed(texts).astype(VECTOR_DTYPE))
