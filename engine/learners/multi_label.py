"""Multi-label learning: one linear SVM per label (binary relevance), probabilities by a fitted temperature.

A multi-label answer is a *set* of labels, encoded as a bit mask: label ``j`` is in the set when bit ``j`` of the
integer is 1 (``0`` is the empty set, a valid answer; a skip is not an answer). :mod:`engine.label_masks`
converts. With masks, a multi-label answer is one integer, like a class index, so the pool, the
loop's undo and the session file keep one code path; only learners, strategies and metrics read the bits.

Each label's model is a linear SVM (liblinear) on the same L2-normalised binary n-grams as
:class:`engine.learners.linear_svm.LinearSVMLearner`, with balanced class weights (most labels are rare: without
them a label with few positives is never predicted). A label whose answers are all one way predicts that way with
the Laplace-smoothed rate of its answers. Probabilities are ``sigmoid(d / T)`` with one temperature ``T`` over
all labels, fitted by minimising the log loss of out-of-fold decision values (3-fold, refitted when the labels
have grown by half), as the single-label SVM does. A label is predicted when its probability is above 0.5.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from altui.engine.learners.base import Learner, Scores, single_threaded
from altui.engine.feature_rows import ngrams_of, vectors_of
from altui.engine.learners.linear_svm import (
    CALIBRATE_FROM,
    CALIBRATE_GROWTH,
    VECTOR_WEIGHT,
    UnitRowScores,
    local_columns,
    lowest_loss_temperature,
    scaled_vectors,
    unit_rows,
    with_dense,
)
from altui.engine.label_masks import bits, masks_from_bits
from altui.engine.learners.nb_logistic import binary



def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # no overflow for large |z|


def best_temperature(z: np.ndarray, y: np.ndarray) -> float:
    """The temperature whose sigmoid(z / T) has the lowest log loss on the 0/1 matrix ``y``."""
    def log_loss(t: float) -> float:
        p = np.clip(sigmoid(z / t), 1e-12, 1 - 1e-12)
        return -np.mean(np.where(y, np.log(p), np.log(1 - p)))

    return lowest_loss_temperature(log_loss)


class MultiLabelScores(UnitRowScores):
    """Per-label probabilities ``(rows, n_labels)`` (each in [0, 1], not summing to 1); ``predict`` gives masks."""

    def predict(self, rows=None) -> np.ndarray:
        return masks_from_bits(self.predict_proba(rows) > 0.5)


class MultiLabelSVMLearner(Learner):
    """Binary relevance: one balanced linear SVM per label, refit on all answers at every teach.

    Parameters
    ----------
    n_classes : number of labels (``0..n_classes-1``); answers are bit masks over them.
    C : inverse regularization strength of every label's SVM.
    random_state : seeds the folds of the temperature fit.
    vector_weight : the unit sentence vectors' scale beside the unit n-grams, when the rows have vectors
        (:class:`engine.feature_rows.NgramsAndVectors`).
    """

    multi_label = True

    def __init__(self, n_classes: int = 2, C: float = 1.0, random_state: int = 0,
                 vector_weight: float = VECTOR_WEIGHT):
        self.n_classes = n_classes
        self.C = C
        self.random_state = random_state
        self.vector_weight = vector_weight

    @property
    def n_classes_seen_(self) -> int:
        """Labels present in at least one answer (0 before any answer)."""
        return int(np.count_nonzero(getattr(self, "positives_", ())))

    @property
    def is_ready(self) -> bool:
        """Some label has been answered both ways: its model can rank texts."""
        constant = getattr(self, "_constant", None)
        return constant is not None and not bool(constant.all())

    def fit(self, X, y) -> "MultiLabelSVMLearner":
        y = np.asarray(y, dtype=np.int64)
        Y = bits(y, self.n_classes)
        n_answers, positives = Y.shape[0], Y.sum(axis=0)
        # a label answered one way only: the log-odds of its smoothed rate, a constant decision value
        constant = ~((positives > 0) & (positives < n_answers))
        rate = (positives + 1.0) / (n_answers + 2.0)
        constants = np.where(constant, np.log(rate / (1.0 - rate)), 0.0)
        weights = np.zeros((X.shape[1], self.n_classes))
        vectors = vectors_of(X)
        vector_weights = None if vectors is None else np.zeros((vectors.shape[1], self.n_classes))
        intercept = np.zeros(self.n_classes)
        temperature = getattr(self, "temperature_", 1.0)
        learnable = np.flatnonzero(~constant)
        if learnable.shape[0]:
            used, Xc = local_columns(unit_rows(ngrams_of(X)))  # only the columns the answered rows use
            Xc = with_dense(Xc, scaled_vectors(X, self.vector_weight))
            with single_threaded():
                coef, fitted_intercept = self._fit_local(Xc, Y[:, learnable])
                temperature = self._temperature(Xc, Y[:, learnable])
            weights[np.ix_(used, learnable)] = coef[:, : used.shape[0]].T
            if vector_weights is not None:
                vector_weights[:, learnable] = coef[:, used.shape[0]:].T
            intercept[learnable] = fitted_intercept
        # swapped in whole: the model panel (another thread) reads the old model or the new one, never a mix
        self._model = (weights, intercept, temperature, constants, vector_weights)
        self.n_answers_, self.positives_, self._constant = n_answers, positives, constant
        return self

    @property
    def _weights(self) -> np.ndarray:
        return self._model[0]

    @property
    def intercept_(self) -> np.ndarray:
        return self._model[1]

    @property
    def temperature_(self) -> float:
        return self._model[2]

    @property
    def constant_(self) -> np.ndarray:
        return self._model[3]

    def _fit_local(self, Xc, Y) -> tuple[np.ndarray, np.ndarray]:
        """(labels, columns) weights and (labels,) intercepts, one balanced binary SVM per column of ``Y``."""
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.svm import LinearSVC

        coef = np.zeros((Y.shape[1], Xc.shape[1]))
        intercept = np.zeros(Y.shape[1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            for j in range(Y.shape[1]):
                target = Y[:, j]
                if target.all() or not target.any():  # a fold without both: lean the rate's way
                    intercept[j] = 1.0 if target.all() else -1.0
                    continue
                model = LinearSVC(C=self.C, class_weight="balanced", max_iter=2000, random_state=0)
                model.fit(Xc, target.astype(np.int64))
                coef[j], intercept[j] = model.coef_[0], model.intercept_[0]
        return coef, intercept

    def _temperature(self, Xc, Y) -> float:
        n = Xc.shape[0]
        last = getattr(self, "_calibrated_at", 0)
        if n < CALIBRATE_FROM:
            self._calibrated_at = 0
            return 1.0
        if last and last <= n < last * CALIBRATE_GROWTH:
            return getattr(self, "_model", (None, None, 1.0))[2]
        folds = np.random.RandomState(self.random_state).permutation(n) % 3
        z = np.zeros(Y.shape)
        for fold in range(3):
            train, held = folds != fold, folds == fold
            coef, intercept = self._fit_local(Xc[train], Y[train])
            z[held] = np.asarray(Xc[held] @ coef.T) + intercept
        self._calibrated_at = n
        return best_temperature(z, Y)

    def attach(self, X) -> Scores:
        return MultiLabelScores(self, X)

    def _decision_of_unit(self, Xu: sp.csr_matrix, V: np.ndarray | None = None) -> np.ndarray:
        if not getattr(self, "n_answers_", 0):
            raise NotFittedError("the model has no answers yet")
        weights, intercept, temperature, constants, vector_weights = self._model
        z = np.asarray(Xu @ weights) + intercept
        if vector_weights is not None:
            if V is None:
                raise ValueError("this model learned from vectors: score rows that have them")
            z += self.vector_weight * (np.asarray(V, dtype=np.float32) @ vector_weights)
        return z / temperature + constants

    def _proba_of_unit(self, Xu: sp.csr_matrix, V: np.ndarray | None = None) -> np.ndarray:
        """Per-label probabilities of unit rows (and their vectors, when the model learned from vectors)."""
        return sigmoid(self._decision_of_unit(Xu, V))

    def predict_proba(self, X) -> np.ndarray:
        """Per-label probabilities ``(n, n_labels)``."""
        return self._proba_of_unit(unit_rows(ngrams_of(X)), vectors_of(X))

    def predict(self, X) -> np.ndarray:
        """Bit masks of the predicted label sets."""
        return masks_from_bits(self.predict_proba(X) > 0.5)

    def explain(self, x, predicted: int, k: int = 5) -> list[tuple[int, float]]:
        """Features of ``x`` whose weight pushes label ``predicted`` into the set."""
        if not self.is_ready or self._constant[predicted]:
            return []
        x = binary(ngrams_of(x))
        weight = self._weights[x.indices, predicted]
        order = np.argsort(-weight, kind="stable")[:k]
        return [(int(x.indices[i]), float(weight[i])) for i in order if weight[i] > 0]
