"""A linear SVM on L2-normalised binary word and char n-grams: the learner for many classes.

Measured on the 22-class Debian package sections and the 5-class YouTube video task (``bench/bench_many_classes.py``),
it learns from few labels per class far better than NB-LR, whose one-vs-rest models each see a handful of
positives. It uses NB-LR's features (word 1-2-grams and char 4-grams, binary), so both share a feature cache.

With sentence vectors (:class:`engine.feature_rows.NgramsAndVectors`) the SVM learns from the unit n-grams and
the unit vectors side by side, the vectors scaled by ``vector_weight``: on topical classes a text's meaning is in
words a label's other texts do not share, and the vectors carry it. With ``class_prototypes`` (one row of
features per class: its name and description, embedded and hashed like a text) every class starts with one
example, weighted ``1 / (1 + n_c / prototype_fade)`` for a class with ``n_c`` answers: the model suggests a label
before the first answer, and the names' say fades as answers come.

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

from altui.engine.feature_rows import ngrams_of, stack_rows, vectors_of
from altui.engine.learners.base import Learner, Scores, single_threaded
from altui.engine.learners.nb_logistic import binary

CALIBRATE_FROM = 30  # labels; fewer: no temperature is fitted (T = 1)
CALIBRATE_GROWTH = 1.5  # refit the temperature when the labels have grown by this factor
TEMPERATURES = np.exp(np.linspace(np.log(0.02), np.log(5.0), 60))
VECTOR_WEIGHT = 1.0  # the unit vectors' scale beside the unit n-grams (bench/bench_many_classes.py)
PROTOTYPE_FADE = 5.0  # a class's prototype weighs 1 / (1 + answers of the class / this)


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


def scaled_vectors(X, weight: float) -> np.ndarray | None:
    """``X``'s vectors (unit length, as the embedders make them) times ``weight``, or None when it has none."""
    vectors = vectors_of(X)
    return None if vectors is None else weight * np.asarray(vectors, dtype=np.float64)


def local_columns(Xu: sp.csr_matrix) -> tuple[np.ndarray, sp.csr_matrix]:
    """The columns ``Xu``'s rows use, and ``Xu`` on those columns only (a million-text pool has millions)."""
    used = np.unique(Xu.indices)
    local = np.searchsorted(used, Xu.indices).astype(np.int32)
    return used, sp.csr_matrix((Xu.data, local, Xu.indptr), shape=(Xu.shape[0], used.shape[0]))


def with_dense(Xc: sp.csr_matrix, V: np.ndarray | None) -> sp.csr_matrix:
    """The local n-gram columns followed by the scaled vectors' columns (liblinear reads one sparse matrix)."""
    return Xc if V is None else sp.hstack([Xc, sp.csr_matrix(V)], format="csr")


FLOAT32_VECTORS_UP_TO = 50_000  # rows whose vectors a Scores keeps as float32; a larger matrix converts per query


class UnitRowScores(Scores):
    """Scores of rows kept L2-normalised and binary (the SVMs' features): the learner maps them. The vectors of a
    block of rows (candidates, the test set) are converted to float32 once; a larger matrix (a million-text pool)
    keeps them as they came (float16) and converts only the rows asked about."""

    def __init__(self, learner, X):
        self.learner = learner
        self.X = unit_rows(ngrams_of(X))
        self.vectors = vectors_of(X)
        if self.vectors is not None and self.vectors.shape[0] <= FLOAT32_VECTORS_UP_TO:
            self.vectors = np.asarray(self.vectors, dtype=np.float32)

    def predict_proba(self, rows=None) -> np.ndarray:
        X = self.X if rows is None else self.X[rows]
        V = None if self.vectors is None else self.vectors if rows is None else self.vectors[rows]
        return self.learner._proba_of_unit(X, V)


class LinearSVMLearner(Learner):
    """One-vs-rest linear SVM (liblinear), refit on all labels at every teach.

    Parameters
    ----------
    n_classes : classes are ``0..n_classes-1``.
    C : inverse regularization strength (1.0 measured best of 0.5, 1 and 2 on many classes).
    random_state : seeds the folds of the temperature fit.
    """

    def __init__(self, n_classes: int = 2, C: float = 1.0, random_state: int = 0,
                 vector_weight: float = VECTOR_WEIGHT, class_prototypes=None,
                 prototype_fade: float = PROTOTYPE_FADE):
        self.n_classes = n_classes
        self.C = C
        self.random_state = random_state
        self.vector_weight = vector_weight
        self.class_prototypes = class_prototypes
        self.prototype_fade = prototype_fade

    @property
    def n_classes_seen_(self) -> int:
        return len(getattr(self, "seen_classes_", ()))

    @property
    def can_predict(self) -> bool:
        """True once the model has a label, or from the start with class prototypes (a zero-shot model)."""
        return self.fitted_classes_.shape[0] > 0 if hasattr(self, "fitted_classes_") else False

    def prototype_weights(self, y: np.ndarray) -> np.ndarray:
        """Each class prototype's sample weight: 1 before the class has an answer, fading as it gets more."""
        answers = np.bincount(y, minlength=self.n_classes)[: self.n_classes]
        return 1.0 / (1.0 + answers / self.prototype_fade)

    def fit(self, X, y) -> "LinearSVMLearner":
        y = np.asarray(y, dtype=np.int64)
        seen = np.unique(y)
        weight = np.ones(y.shape[0])
        if self.class_prototypes is not None:
            X = stack_rows([X, self.class_prototypes])
            y = np.concatenate([y, np.arange(self.n_classes)])
            weight = np.concatenate([weight, self.prototype_weights(y[: weight.shape[0]])])
        fitted = np.unique(y)
        n_columns = X.shape[1]
        if fitted.shape[0] < 2:  # no model to fit: every state of the new one set together
            self._weights, self._vector_weights, self.intercept_ = np.zeros((n_columns, 0)), None, np.zeros(0)
            self.fitted_classes_, self.seen_classes_ = fitted, seen
            return self
        used, Xc = local_columns(unit_rows(ngrams_of(X)))
        Xc = with_dense(Xc, scaled_vectors(X, self.vector_weight))
        y_local = np.searchsorted(fitted, y)
        with single_threaded():
            coef, intercept = self._fit_local(Xc, y_local, weight)
            temperature = self._temperature(Xc, y_local, weight, fitted.shape[0])
        weights = np.zeros((n_columns, coef.shape[0]))
        weights[used] = coef[:, : used.shape[0]].T
        vector_weights = coef[:, used.shape[0]:].T.copy() if vectors_of(X) is not None else None
        # swapped in together at the end (the model panel scores in another thread): never half a fit
        self._weights, self._vector_weights, self.intercept_, self.temperature_ = \
            weights, vector_weights, intercept, temperature
        self.fitted_classes_, self.seen_classes_ = fitted, seen
        return self

    def _fit_local(self, Xc, y_local, weight=None) -> tuple[np.ndarray, np.ndarray]:
        """(k, columns) weights and (k,) intercepts with one row per seen class (two for two classes)."""
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.svm import LinearSVC

        with warnings.catch_warnings():  # few labels: "more classes than half the samples", slow convergence
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = LinearSVC(C=self.C, max_iter=2000, random_state=0).fit(Xc, y_local, sample_weight=weight)
        if model.coef_.shape[0] == 1:  # two classes: one decision value d, class 1 if d > 0
            half_coef, half_intercept = model.coef_[0] / 2.0, model.intercept_[0] / 2.0
            return np.vstack([-half_coef, half_coef]), np.array([-half_intercept, half_intercept])
        return model.coef_, model.intercept_.copy()

    def _temperature(self, Xc, y_local, weight, k: int) -> float:
        """The softmax temperature, from out-of-fold decisions on the answers (prototypes, the rows after the
        answers, are in every training fold and never held out)."""
        n = self.n_answers_ = Xc.shape[0] - (self.n_classes if self.class_prototypes is not None else 0)
        extra = np.arange(n, Xc.shape[0])
        last = getattr(self, "_calibrated_at", 0)
        if n < CALIBRATE_FROM:
            self._calibrated_at = 0
            return 1.0
        if last and n < last * CALIBRATE_GROWTH and last <= n:
            return self.temperature_
        rng = np.random.RandomState(self.random_state)
        folds = rng.permutation(n) % 3
        z = np.zeros((n, k))
        usable = np.zeros(n, dtype=bool)
        for fold in range(3):
            train = np.concatenate([np.flatnonzero(folds != fold), extra])
            held = folds == fold
            present = np.unique(y_local[train])  # a rare class may have every label in this fold
            if present.shape[0] < 2:
                continue
            coef, intercept = self._fit_local(Xc[train], np.searchsorted(present, y_local[train]), weight[train])
            block = np.full((int(held.sum()), k), -1e9)  # a class the fold's model never saw: never predicted
            block[:, present] = np.asarray(Xc[np.flatnonzero(held)] @ coef.T) + intercept
            z[held] = block
            usable[held] = np.isin(y_local[:n][held], present)  # a held-out label of an unseen class says nothing
        if usable.sum() < 10:
            return getattr(self, "temperature_", 1.0)
        self._calibrated_at = n
        return best_temperature(z[usable], y_local[: n][usable])

    def attach(self, X) -> Scores:
        return UnitRowScores(self, X)

    def _decision_of_unit(self, Xu: sp.csr_matrix, V: np.ndarray | None) -> np.ndarray:
        z = np.asarray(Xu @ self._weights) + self.intercept_
        if self._vector_weights is not None:
            if V is None:
                raise ValueError("this model learned from vectors: score rows that have them")
            z += self.vector_weight * (np.asarray(V, dtype=np.float32) @ self._vector_weights)
        return z

    def decision_function(self, X) -> np.ndarray:
        """One-vs-rest decision values of the rows of ``X`` for the fitted classes, in their order."""
        return self._decision_of_unit(unit_rows(ngrams_of(X)), vectors_of(X))

    def _proba_of_unit(self, Xu: sp.csr_matrix, V: np.ndarray | None = None) -> np.ndarray:
        if not self.can_predict:
            raise NotFittedError("the model has no labels yet")
        proba = np.zeros((Xu.shape[0], self.n_classes))
        if self.fitted_classes_.shape[0] == 1:
            proba[:, self.fitted_classes_[0]] = 1.0
            return proba
        proba[:, self.fitted_classes_] = softmax(self._decision_of_unit(Xu, V) / self.temperature_)
        return proba

    def predict_proba(self, X) -> np.ndarray:
        return self._proba_of_unit(unit_rows(ngrams_of(X)), vectors_of(X))

    @property
    def coef_(self) -> np.ndarray:
        """Weights on the unit-normalised binary n-grams: (n fitted classes, n_features)."""
        return self._weights.T

    def explain(self, x, predicted: int, k: int = 5) -> list[tuple[int, float]]:
        """Features of ``x`` whose weight pushes towards ``predicted`` (binary: each counts once)."""
        if not self.is_ready or predicted not in self.fitted_classes_:
            return []
        x = binary(ngrams_of(x))
        row = self.coef_[int(np.searchsorted(self.fitted_classes_, predicted))]
        weight = row[x.indices]
        order = np.argsort(-weight, kind="stable")[:k]
        return [(int(x.indices[i]), float(weight[i])) for i in order if weight[i] > 0]
