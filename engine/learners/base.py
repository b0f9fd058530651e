"""Learners: a classifier over a fixed list of classes, with scores kept for the matrices it serves.

Three implementations share one interface (:class:`Learner`, :class:`Scores`):

* :class:`engine.nb_logistic.NBLogisticLearner` — NB-LR, the default: refit on the labeled rows every teach.
* :class:`engine.naive_bayes.MultinomialNBLearner` — the tutorial's model, exact incremental teach and forget.
* :class:`SklearnLearner` (here) — any scikit-learn classifier with ``predict_proba``, refit on every teach.

Classes are integers ``0..n_classes-1``; names are the data layer's business.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.naive_bayes import MultinomialNB
from sklearn.utils.validation import check_is_fitted


@functools.cache
def _threadpools():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextmanager
def single_threaded():
    """BLAS and OpenMP limited to one thread while a model is fitted.

    A refit on a few hundred labels is tiny; with the default thread pools scikit-learn's lbfgs took 1.4 s
    per fit on 2 cores against 47 ms on one (threads fighting over small work), and the TUI's teach
    runs beside the app's own threads.
    """
    with _threadpools().limit(limits=1):
        yield


def row_max(a: np.ndarray) -> np.ndarray:
    """``a.max(axis=1)`` for a few columns: numpy reduces a short last axis ~15x slower than this."""
    out = a[:, 0].copy()
    for c in range(1, a.shape[1]):
        np.maximum(out, a[:, c], out=out)
    return out


def row_sum(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=1)`` for a few columns (see :func:`row_max`)."""
    out = a[:, 0].copy()
    for c in range(1, a.shape[1]):
        out += a[:, c]
    return out


def row_argmax(a: np.ndarray) -> np.ndarray:
    """``a.argmax(axis=1)`` (ties: the first column); on two columns one comparison, 4x faster."""
    if a.shape[1] == 2:
        return (a[:, 1] > a[:, 0]).astype(np.intp)
    return np.argmax(a, axis=1)


def _softmax(jll: np.ndarray) -> np.ndarray:
    """Row-wise softmax, in place (``jll`` is a fresh array owned by the caller)."""
    jll -= row_max(jll)[:, None]
    np.exp(jll, out=jll)
    jll /= row_sum(jll)[:, None]
    return jll


class Scores(ABC):
    """Class probabilities of the rows of one matrix, always consistent with the learner's current fit."""

    def __init__(self, learner: "Learner", X: sp.spmatrix):
        self.learner = learner
        self.X = sp.csr_matrix(X)

    @abstractmethod
    def predict_proba(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Probabilities of shape ``(len(rows), n_classes)``; all rows when ``rows`` is None."""

    def predict(self, rows: np.ndarray | None = None) -> np.ndarray:
        return row_argmax(self.predict_proba(rows))


class RowRange(Scores):
    """Rows ``start..stop`` of another :class:`Scores`: two matrices kept live as one block (the pool and the
    test set of a small pool), so a teach updates one block, not two."""

    def __init__(self, whole: Scores, start: int, stop: int):
        self.whole, self.start, self.stop = whole, start, stop
        self.learner = whole.learner

    def _rows(self, rows):
        if rows is None:
            return slice(self.start, self.stop)
        return rows if self.start == 0 else np.asarray(rows) + self.start

    def predict_proba(self, rows=None) -> np.ndarray:
        return self.whole.predict_proba(self._rows(rows))

    def predict(self, rows=None) -> np.ndarray:
        return self.whole.predict(self._rows(rows))


class Learner(BaseEstimator, ABC):
    """A classifier over ``n_classes`` classes that can be fit, taught more labels, and asked for scores."""

    #: True when :meth:`update` is exact and cheap, so the loop may teach a batch instead of refitting.
    incremental: bool = False

    @abstractmethod
    def fit(self, X, y) -> "Learner":
        """Fit from scratch on ``X`` (sparse) and class indices ``y``."""

    def update(self, X, y, weight: float = 1.0, rows=None) -> "Learner":
        """Teach (``weight=1``) or forget (``weight=-1``) the rows ``X`` (or ``X[rows]``) with classes ``y``."""
        raise NotImplementedError(f"{type(self).__name__} cannot update incrementally; refit it")

    @abstractmethod
    def attach(self, X) -> Scores:
        """Scores of the rows of ``X``, kept consistent with every later fit/update."""

    def attach_live(self, X) -> Scores:
        """Like :meth:`attach`, for rows asked about again and again: an incremental learner keeps their
        scores up to date as it is taught, so asking costs no pass over ``X``. :meth:`detach` them after."""
        return self.attach(X)

    def detach(self, scores: Scores) -> None:
        """Stop keeping ``scores`` (from :meth:`attach_live`) up to date."""

    @property
    @abstractmethod
    def n_classes_seen_(self) -> int:
        """Number of distinct classes among the labels taught so far."""

    @property
    def is_ready(self) -> bool:
        """True when the model can rank items (it has seen at least two classes)."""
        return self.n_classes_seen_ >= 2

    @property
    def can_predict(self) -> bool:
        """True when the model gives probabilities: once it has a label (a zero-shot model: from the start)."""
        return self.n_classes_seen_ > 0

    def explain(self, x, predicted: int, k: int = 5) -> list[tuple[int, float]]:
        """Feature indices of ``x`` (one row) that pushed the prediction towards ``predicted``, strongest first."""
        return []


class _RefitScores(Scores):
    learner: "SklearnLearner"

    def predict_proba(self, rows=None) -> np.ndarray:
        X = self.X if rows is None else self.X[rows]
        return self.learner.predict_proba(X)


class SklearnLearner(Learner):
    """Any scikit-learn classifier with ``predict_proba``, refit on all labels at every teach."""

    def __init__(self, estimator=None, n_classes: int = 2):
        self.estimator = estimator
        self.n_classes = n_classes

    @property
    def n_classes_seen_(self) -> int:
        return len(getattr(self, "seen_classes_", ()))

    def fit(self, X, y) -> "SklearnLearner":
        y = np.asarray(y, dtype=np.int64)
        self.seen_classes_ = np.unique(y)
        if self.seen_classes_.shape[0] >= 2:
            self.estimator_ = clone(self.estimator if self.estimator is not None else MultinomialNB())
            with single_threaded():
                self.estimator_.fit(X, y)
        else:
            self.estimator_ = None  # one class: every prediction is that class
        return self

    def attach(self, X) -> Scores:
        return _RefitScores(self, X)

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "seen_classes_")
        if self.seen_classes_.shape[0] == 0:
            raise NotFittedError("the model has no labels yet")
        proba = np.zeros((X.shape[0], self.n_classes))
        if self.estimator_ is None:
            proba[:, self.seen_classes_[0]] = 1.0
        else:
            proba[:, self.estimator_.classes_] = self.estimator_.predict_proba(X)
        return proba

    def explain(self, x, predicted: int, k: int = 5) -> list[tuple[int, float]]:
        coef = getattr(self.estimator_, "coef_", None) if self.is_ready else None
        if coef is None:
            return []
        x = sp.csr_matrix(x)
        classes = list(self.estimator_.classes_)
        if coef.shape[0] == 1:  # binary linear model: one row for the positive class
            sign = 1.0 if predicted == classes[1] else -1.0
            row = sign * coef[0]
        elif predicted in classes:
            row = coef[classes.index(predicted)]
        else:
            return []
        weight = x.data * np.asarray(row)[x.indices]
        order = np.argsort(-weight, kind="stable")[:k]
        return [(int(x.indices[i]), float(weight[i])) for i in order if weight[i] > 0]
