"""A session's model as a plain scikit-learn ``Pipeline``: raw text in, label names out, ``predict_proba``.

The file loads with scikit-learn and joblib alone (no altui import), so every step is a scikit-learn class:

- ``nb`` and ``logreg`` learn from the tutorial's word 1-5-gram counts, which altui hashes exactly as
  scikit-learn's :class:`HashingVectorizer` does; the app's fitted weights are moved from altui's columns to
  their hashed buckets (buckets no training text uses get weights that change no prediction), so the
  pipeline predicts exactly what the app's model predicts.
- ``svm`` is refit the same way (scikit-learn's hashing, binary, L2-normalised) and keeps the app's fitted
  temperature: its weights divided by ``T`` in a multinomial :class:`LogisticRegression` give exactly
  ``softmax(z / T)``, the probabilities the app shows.
- a multi-label ``svm`` (one SVM per label) is refit the same way into a :class:`OneVsRestClassifier` of
  :class:`LogisticRegression` whose weights are the SVMs' divided by ``T``: ``predict`` gives the label-indicator
  matrix (columns: ``.classes_``, the label names) and ``predict_proba`` each label's probability, as the app.
- ``nblr`` hashes its char 4-grams its own (faster) way, so it is refit on scikit-learn's word and
  ``char_wb`` hashing with the same NB-LR code, labels, C and smoothing; the NB ratios are folded into a
  :class:`LogisticRegression`'s weights, ``(X ∘ r) w = X (r ∘ w)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import Binarizer, Normalizer

from altui.engine.features import FeatureConfig, FeatureSpace, features_for, make_hasher
from altui.engine.learners.base import Learner, SklearnLearner
from altui.engine.learners.naive_bayes import MultinomialNBLearner
from altui.engine.learners.linear_svm import LinearSVMLearner
from altui.engine.learners.nb_logistic import NBLogisticLearner


def word_hasher(config: FeatureConfig) -> HashingVectorizer:
    hasher = make_hasher(config)
    return hasher.set_params(dtype=np.float64)


def char_hasher(config: FeatureConfig) -> HashingVectorizer:
    return HashingVectorizer(analyzer="char_wb", ngram_range=tuple(config.char_ngram_range),
                             n_features=config.n_buckets, lowercase=config.lowercase, alternate_sign=False,
                             norm=None, binary=config.binary, dtype=np.float64)


def _names(classes, label_names: Sequence[str]) -> np.ndarray:
    return np.array([label_names[int(c)] for c in classes], dtype=object)


def export_pipeline(model: str, learner: Learner, space: FeatureSpace, label_names: Sequence[str],
                    texts: Sequence[str] = (), y: np.ndarray | None = None) -> Pipeline:
    """The fitted pipeline of a session's model. ``learner`` is the app's fitted learner on ``space``'s
    columns; ``texts``/``y`` (the labeled texts and their classes) are needed to refit ``nblr``."""
    config = features_for(model)
    if not learner.is_ready:
        raise ValueError("the model needs labels of two classes before it can be exported")
    if getattr(learner, "multi_label", False):
        return _label_set_pipeline(learner, config, label_names, texts, y)
    if model == "nblr":
        return _nblr_pipeline(learner, config, space, label_names, texts, y)
    if model == "svm":
        return _svm_pipeline(learner, config, space, label_names, texts, y)
    if model == "nb":
        return Pipeline([("features", word_hasher(config)), ("classifier", _nb_in_buckets(learner, space, label_names))])
    if model == "logreg":
        return Pipeline([("features", word_hasher(config)), ("classifier", _lr_in_buckets(learner, space, label_names))])
    raise ValueError(f"unknown model {model!r}")


def _nb_in_buckets(learner: MultinomialNBLearner, space: FeatureSpace, label_names) -> MultinomialNB:
    seen = np.flatnonzero(learner.class_count_ > 0)
    n = space.config.n_buckets
    classifier = MultinomialNB(alpha=learner.alpha)
    log_prob = np.zeros((seen.shape[0], n))  # buckets no training text has: equal for every class
    log_prob[:, space.buckets] = learner.feature_log_prob_[seen]
    classifier.feature_log_prob_ = log_prob
    classifier.class_log_prior_ = learner.class_log_prior_[seen]
    classifier.class_count_ = learner.class_count_[seen]
    classifier.classes_ = _names(seen, label_names)
    classifier.n_features_in_ = n
    return classifier


def _lr_in_buckets(learner: SklearnLearner, space: FeatureSpace, label_names) -> LogisticRegression:
    fitted = learner.estimator_
    classifier = LogisticRegression(**fitted.get_params())
    coef = np.zeros((fitted.coef_.shape[0], space.config.n_buckets))
    coef[:, space.buckets] = fitted.coef_
    classifier.coef_ = coef
    classifier.intercept_ = fitted.intercept_.copy()
    classifier.classes_ = _names(fitted.classes_, label_names)
    classifier.n_features_in_ = space.config.n_buckets
    classifier.n_iter_ = np.asarray(fitted.n_iter_)
    return classifier


def _sklearn_hashed(model: str, config: FeatureConfig, texts, y) -> tuple[FeatureUnion, object]:
    """scikit-learn's word and ``char_wb`` hashing of the labeled texts, for a model refit on them."""
    if y is None or len(texts) != len(y):
        raise ValueError(f"{model} is refit on the labeled texts: pass texts and y")
    features = FeatureUnion([("words", word_hasher(config)), ("chars", char_hasher(config))])
    return features, features.transform(list(texts))


def _nblr_pipeline(learner: NBLogisticLearner, config: FeatureConfig, space: FeatureSpace, label_names,
                   texts, y) -> Pipeline:
    features, X = _sklearn_hashed("nblr", config, texts, y)
    refit = NBLogisticLearner(n_classes=learner.n_classes, C=learner.C, alpha=learner.alpha,
                              smoothed_features=space.n_features).fit(X, np.asarray(y))
    classifier = LogisticRegression(C=refit.C, solver="liblinear", dual=True, max_iter=1000, random_state=0)
    classifier.coef_ = np.ascontiguousarray(refit.coef_)
    classifier.intercept_ = refit.intercept_.copy()
    classes = refit.seen_classes_ if refit.n_classes_seen_ == 2 else refit.positive_classes_
    classifier.classes_ = _names(classes, label_names)
    classifier.n_features_in_ = X.shape[1]
    classifier.n_iter_ = np.zeros(1, dtype=np.int32)
    return Pipeline([("features", features), ("classifier", classifier)])


def _svm_pipeline(learner: LinearSVMLearner, config: FeatureConfig, space: FeatureSpace, label_names,
                  texts, y) -> Pipeline:
    features, X = _sklearn_hashed("svm", config, texts, y)
    refit = LinearSVMLearner(n_classes=learner.n_classes, C=learner.C, random_state=learner.random_state)
    refit.fit(X, np.asarray(y))
    refit.temperature_ = learner.temperature_  # the app's calibration, fitted on its own out-of-fold margins
    classifier = LogisticRegression(C=learner.C)
    coef = np.ascontiguousarray(refit.coef_) / refit.temperature_
    intercept = refit.intercept_ / refit.temperature_
    if coef.shape[0] == 2:  # scikit-learn's binary form: p(class 1) = sigmoid(x w + b) = softmax of the two rows
        coef, intercept = coef[1:] - coef[:1], intercept[1:] - intercept[:1]
    classifier.coef_ = coef
    classifier.intercept_ = np.asarray(intercept, dtype=np.float64)
    classifier.classes_ = _names(refit.seen_classes_, label_names)
    classifier.n_features_in_ = X.shape[1]
    classifier.n_iter_ = np.zeros(1, dtype=np.int32)
    steps = [("features", features), ("binary", Binarizer(threshold=0.0)), ("unit", Normalizer(norm="l2")),
             ("classifier", classifier)]
    return Pipeline(steps)


def _label_set_pipeline(learner, config: FeatureConfig, label_names, texts, y) -> Pipeline:
    from sklearn.multiclass import OneVsRestClassifier

    from altui.engine.label_masks import bits
    from altui.engine.learners.multi_label import MultiLabelSVMLearner

    features, X = _sklearn_hashed("svm", config, texts, y)
    refit = MultiLabelSVMLearner(n_classes=learner.n_classes, C=learner.C, random_state=learner.random_state)
    refit.fit(X, np.asarray(y))
    temperature = learner.temperature_  # the app's calibration, fitted on its own out-of-fold margins
    Y = bits(np.asarray(y), learner.n_classes).astype(np.int64)
    Xu = Normalizer(norm="l2").transform(Binarizer(threshold=0.0).transform(X))
    classifier = OneVsRestClassifier(LogisticRegression(C=learner.C))
    # fitted once for its bookkeeping (classes, binarizer); every label's weights are then the app's model's
    anchors = np.vstack([np.zeros((1, Y.shape[1]), np.int64), np.ones((1, Y.shape[1]), np.int64)])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classifier.fit(Xu[:2] if Xu.shape[0] >= 2 else Xu[[0, 0]], anchors)
    estimators = []
    for j in range(learner.n_classes):
        estimator = LogisticRegression(C=learner.C)
        estimator.classes_ = np.array([0, 1])
        estimator.coef_ = np.ascontiguousarray(refit._weights[:, j] / temperature)[None, :]
        estimator.intercept_ = np.array([refit.intercept_[j] / temperature + refit.constant_[j]])
        estimator.n_features_in_ = X.shape[1]
        estimator.n_iter_ = np.zeros(1, dtype=np.int32)
        estimators.append(estimator)
    classifier.estimators_ = estimators
    classifier.label_binarizer_.classes_ = classifier.classes_ = np.array(list(label_names), dtype=object)
    steps = [("features", features), ("binary", Binarizer(threshold=0.0)), ("unit", Normalizer(norm="l2")),
             ("classifier", classifier)]
    return Pipeline(steps)
