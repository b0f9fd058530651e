"""A linear SVM on L2-normalised binary word and char n-grams: the learner for many classes.

Measured on the 22-class Debian package sections and the 5-class YouTube video task (``bench/bench_many_classes.py``),
it learns from few labels per class far better than NB-LR, whose one-vs-rest models each see a handful of
positives. It uses NB-LR's features (word 1-2-grams and char 4-grams, binary), so both share a feature cache.

Probabilities are a softmax of the SVM's one-vs-rest decision values divided by a temperature ``T``, fitted
(not guessed) by minimising the log loss of *out-of-fold* decision values: 3-fold, refitted only when the
number of labels has grown by half since the last fit, so its cost is amortised over rounds. Out-of-fold
margins are what the model would say on texts it has not seen, which is what the model panel and the stop
set show. Before 30 labels, ``T`` is 1.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from altui.engine.learners.base import Learner, Scores, single_threaded
from altui.engine.learners.nb_logistic import binary

CALIBRATE_FROM = 30  # labels; fewer: no temperature is fitted (T = 1)
CALIBRATE_GROWTH = 1.5  # refit the temperature when the labels have grown by this factor
TEMPERATURES = np.exp(np.linspace(np.log(0.02), np.log(5.0), 60))


def unit_rows(X) -> sp.csr_matrix:
    """Binary rows scaled to unit L2 norm (a row with no features stays zero)."""
    Xb = binary(X)
    lengths = np.diff(Xb.indptr)
    scale = np.where(lengths > 0, 1.0 / np.sqrt(np.maximum(lengths, 1)), 0.0)
    return sp.csr_matrix((np.repeat(scale, lengths), Xb.indices, Xb.indptr), shape=Xb.shape)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def lowest_loss_temperature(log_loss) -> float:
    """The temperature of :data:`TEMPERATURES` with the lowest ``log_loss(T)``."""
    return float(TEMPERATURES[int(np.argmin([log_loss(t) for t in TEMPERATURES]))])


def best_temperature(z: np.ndarray, y_local: np.ndarray) -> float:
    """The temperature (from :data:`TEMPERATURES`) whose softmax(z / T) has the lowest log loss on ``y``."""
    rows = np.arange(z.shape[0])
    return lowest_loss_temperature(lambda t: -np.mean(np.log(np.maximum(softmax(z / t)[rows, y_local], 1e-12))))


class UnitRowScores(Scores):
    """Scores of rows kept L2-normalised and binary (the SVMs' features): the learner maps them."""

    def __init__(self, learner, X):
        super().__init__(learner, X)
        self.X = unit_rows(self.X)

    def predict_proba(self, rows=None) -> np.ndarray:
        X = self.X if rows is None else self.X[rows]
        return self.learner._proba_of_unit(X)


class LinearSVMLearner(Learner):
    """One-vs-rest linear SVM (liblinear), refit on all labels at every teach.

    Parameters
    ----------
    n_classes : classes are ``0..n_classes-1``.
    C : inverse regularization strength (1.0 measured best of 0.5, 1 and 2 on many classes).
    random_state : seeds the folds of the temperature fit.
    """

    def __init__(self, n_classes: int = 2, C: float = 1.0, random_state: int = 0):
        self.n_classes = n_classes
        self.C = C
        self.random_state = random_state

    @property
    def n_classes_seen_(self) -> int:
        return len(getattr(self, "seen_classes_", ()))

    def fit(self, X, y) -> "LinearSVMLearner":
        y = np.asarray(y, dtype=np.int64)
        self.seen_classes_ = np.unique(y)
        self._weights = np.zeros((X.shape[1], 0))
        self.intercept_ = np.zeros(0)
        if self.seen_classes_.shape[0] < 2:
            return self
        Xu = unit_rows(X)
        # only the columns the labeled rows use (a million-comment pool has millions of columns)
        used = np.unique(Xu.indices)
        local = np.searchsorted(used, Xu.indices).astype(np.int32)
        Xc = sp.csr_matrix((Xu.data, local, Xu.indptr), shape=(Xu.shape[0], used.shape[0]))
        y_local = np.searchsorted(self.seen_classes_, y)
        with single_threaded():
            coef, intercept = self._fit_local(Xc, y_local)
            temperature = self._temperature(Xc, y_local)
        weights = np.zeros((X.shape[1], coef.shape[0]))
        weights[used] = coef.T
        self._weights = weights  # swapped in whole: scores read either the old model or the new one
        self.intercept_ = intercept
        self.temperature_ = temperature
        return self

    def _fit_local(self, Xc, y_local) -> tuple[np.ndarray, np.ndarray]:
        """(k, columns) weights and (k,) intercepts with one row per seen class (two for two classes)."""
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.svm import LinearSVC

        with warnings.catch_warnings():  # few labels: "more classes than half the samples", slow convergence
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = LinearSVC(C=self.C, max_iter=2000, random_state=0).fit(Xc, y_local)
        if model.coef_.shape[0] == 1:  # two classes: one decision value d, class 1 if d > 0
            half_coef, half_intercept = model.coef_[0] / 2.0, model.intercept_[0] / 2.0
            return np.vstack([-half_coef, half_coef]), np.array([-half_intercept, half_intercept])
        return model.coef_, model.intercept_.copy()

    def _temperature(self, Xc, y_local) -> float:
        n = Xc.shape[0]
        last = getattr(self, "_calibrated_at", 0)
        if n < CALIBRATE_FROM:
            self._calibrated_at = 0
            return 1.0
        if last and n < last * CALIBRATE_GROWTH and last <= n:
            return self.temperature_
        rng = np.random.RandomState(self.random_state)
        folds = rng.permutation(n) % 3
        k = self.seen_classes_.shape[0]
        z = np.zeros((n, k))
        usable = np.zeros(n, dtype=bool)
        for fold in range(3):
            train, held = folds != fold, folds == fold
            present = np.unique(y_local[train])  # a rare class may have every label in this fold
            if present.shape[0] < 2:
                continue
            coef, intercept = self._fit_local(Xc[train], np.searchsorted(present, y_local[train]))
            block = np.full((int(held.sum()), k), -1e9)  # a class the fold's model never saw: never predicted
            block[:, present] = np.asarray(Xc[held] @ coef.T) + intercept
            z[held] = block
            usable[held] = np.isin(y_local[held], present)  # a held-out label of an unseen class says nothing
        if usable.sum() < 10:
            return getattr(self, "temperature_", 1.0)
        self._calibrated_at = n
        return best_temperature(z[usable], y_local[usable])

    def attach(self, X) -> Scores:
        return UnitRowScores(self, X)

    def decision_function(self, X) -> np.ndarray:
        """One-vs-rest decision values of the rows of ``X`` for the seen classes, in their order."""
        return np.asarray(unit_rows(X) @ self._weights) + self.intercept_

    def _proba_of_unit(self, Xu: sp.csr_matrix) -> np.ndarray:
        if self.n_classes_seen_ == 0:
            raise NotFittedError("the model has no labels yet")
        proba = np.zeros((Xu.shape[0], self.n_classes))
        if self.n_classes_seen_ == 1:
            proba[:, self.seen_classes_[0]] = 1.0
            return proba
        z = np.asarray(Xu @ self._weights) + self.intercept_
        proba[:, self.seen_classes_] = softmax(z / self.temperature_)
        return proba

    def predict_proba(self, X) -> np.ndarray:
        return self._proba_of_unit(unit_rows(X))

    @property
    def coef_(self) -> np.ndarray:
        """Weights on the unit-normalised binary features: (n seen classes, n_features)."""
        return self._weights.T

    def explain(self, x, predicted: int, k: int = 5) -> list[tuple[int, float]]:
        """Features of ``x`` whose weight pushes towards ``predicted`` (binary: each counts once)."""
        if not self.is_ready or predicted not in self.seen_classes_:
            return []
        x = binary(x)
        row = self.coef_[int(np.searchsorted(self.seen_classes_, predicted))]
        weight = row[x.indices]
        order = np.argsort(-weight, kind="stable")[:k]
        return [(int(x.indices[i]), float(weight[i])) for i in order if weight[i] > 0]
