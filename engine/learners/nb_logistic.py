"""NB-LR: logistic regression on binary features scaled by naive Bayes log-count ratios.

Wang & Manning (2012), "Baselines and Bigrams": scale each binary feature by how much more often it
occurs in one class than in the other (the NB log-count ratio ``r``), then fit a linear classifier. On
short texts with few labels it learns much faster than either naive Bayes or a plain linear model.

Fitting: one liblinear logistic regression per class (one-vs-rest; one in all for two classes) on the
labeled rows only, solved in the dual (its cost follows the labeled rows' entries, not the number of
features: 4 ms at 150 labels on YouTube against 18 ms in the primal), so a refit costs milliseconds at
a few hundred labels, whatever the pool size.
Scoring: the ratio is folded into the weights, ``(X ∘ r) w = X (r ∘ w)``, so the scores of any rows are
one sparse mat-vec over them (binary: each row's stored entries count once, whatever their values).
Deterministic: the dual solver's coordinate order is seeded (``random_state=0``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from altui.engine.learners.base import Learner, Scores, single_threaded


def binary(X) -> sp.csr_matrix:
    """``X`` with every stored entry 1: ``X`` itself when it already is (binary features, no copy of a large
    pool), else a new float64 matrix."""
    X = sp.csr_matrix(X)
    if X.has_canonical_format and all_ones(X.data):
        return X
    X = X.copy()
    X.sum_duplicates()
    X.eliminate_zeros()
    return sp.csr_matrix((np.ones(X.nnz), X.indices, X.indptr), shape=X.shape)


def all_ones(values: np.ndarray, step: int = 8_000_000) -> bool:
    """``(values == 1).all()``, in steps (no temporary the size of a million-comment matrix)."""
    return all(bool(np.all(values[i : i + step] == 1)) for i in range(0, values.shape[0], step))


def log_count_ratio(Xb: sp.csr_matrix, positive: np.ndarray, alpha: float, n_features: int | None = None) -> np.ndarray:
    """``r = log((p / |p|_1) / (q / |q|_1))`` with ``p``/``q`` the smoothed feature counts of the positive and
    negative rows (Wang & Manning, eq. 1). ``Xb`` may hold only some of the ``n_features`` columns (those
    the rows use): the norms still count the smoothing of every feature, so ``r`` is the same."""
    n_features = Xb.shape[1] if n_features is None else n_features
    p_counts = np.asarray(Xb[positive].sum(axis=0), dtype=np.float64).ravel()
    q_counts = np.asarray(Xb[~positive].sum(axis=0), dtype=np.float64).ravel()
    p_norm = alpha * n_features + p_counts.sum()
    q_norm = alpha * n_features + q_counts.sum()
    return np.log((alpha + p_counts) / p_norm) - np.log((alpha + q_counts) / q_norm)


class _NBLRScores(Scores):
    """Scores of the rows of one matrix: one binary mat-vec with the folded weights, when asked."""

    learner: "NBLogisticLearner"

    def __init__(self, learner: "NBLogisticLearner", X):
        super().__init__(learner, X)
        self.X = binary(self.X)

    def predict_proba(self, rows=None) -> np.ndarray:
        X = self.X if rows is None else self.X[rows]
        return self.learner._proba_of_binary(X)


class NBLogisticLearner(Learner):
    """NB-LR over ``n_classes`` classes, refit on all labels at every teach.

    Parameters
    ----------
    n_classes : classes are ``0..n_classes-1``.
    C : inverse regularization strength of the logistic regression.
    alpha : smoothing of the naive Bayes counts behind the log-count ratio.
    smoothed_features : how many features the smoothing counts (default: the columns of ``X``). A model
        refit on other columns for the same texts (``altui train``) passes the original count, so its
        ratios are the same.
    """

    def __init__(self, n_classes: int = 2, C: float = 4.0, alpha: float = 1.0, smoothed_features: int | None = None):
        self.n_classes = n_classes
        self.C = C
        self.alpha = alpha
        self.smoothed_features = smoothed_features

    @property
    def n_classes_seen_(self) -> int:
        return len(getattr(self, "seen_classes_", ()))

    def fit(self, X, y) -> "NBLogisticLearner":
        y = np.asarray(y, dtype=np.int64)
        self.seen_classes_ = np.unique(y)
        n_features = X.shape[1]
        # one (weights, bias) per "positive" class: the seen class for one-vs-rest, class 1 of two seen
        self._weights = np.zeros((n_features, 0))
        self.intercept_ = np.zeros(0)
        self.positive_classes_ = np.zeros(0, dtype=np.int64)
        if self.seen_classes_.shape[0] < 2:
            return self
        from sklearn.linear_model import LogisticRegression  # here: its import costs 0.5 s at every open

        Xb = binary(X)
        # only the columns the labeled rows use: a million-comment pool has millions of columns, every one
        # of which would cost a pass per fit; the others get weight 0 (no data), as in a fit on all of them
        used = np.unique(Xb.indices)
        local = np.searchsorted(used, Xb.indices).astype(np.int32)
        Xc = sp.csr_matrix((np.ones(local.shape[0]), local, Xb.indptr), shape=(Xb.shape[0], used.shape[0]))
        positives = self.seen_classes_[1:] if self.seen_classes_.shape[0] == 2 else self.seen_classes_
        weights = self._spare_buffer(n_features, positives.shape[0])
        intercept = np.zeros(positives.shape[0])
        with single_threaded():
            for k, c in enumerate(positives):
                is_c = y == c
                r = log_count_ratio(Xc, is_c, self.alpha, self.smoothed_features or n_features)
                scaled = sp.csr_matrix((r[Xc.indices], Xc.indices, Xc.indptr), shape=Xc.shape)
                # (no n_jobs: it never applied to liblinear, and scikit-learn 1.10 removes it)
                model = LogisticRegression(C=self.C, solver="liblinear", dual=True, max_iter=1000, random_state=0)
                model.fit(scaled, is_c.astype(np.int64))
                weights[used, k] = r * model.coef_[0]
                intercept[k] = float(model.intercept_[0])
        self._buffer_used[id(weights)] = used
        self._weights = weights  # swapped in whole: scores read either the old model or the new one
        self.intercept_ = intercept
        self.positive_classes_ = np.asarray(positives, dtype=np.int64)
        return self

    def _spare_buffer(self, n_features: int, k: int) -> np.ndarray:
        """A zeroed (n_features, k) weight buffer that is not the current model's. Two buffers take turns, and
        only the rows the previous fit wrote are zeroed again: on a million-comment pool a fit then costs
        O(labeled entries), not two passes over millions of weights."""
        buffers = [b for b in getattr(self, "_buffers", []) if b.shape == (n_features, k)]
        current = getattr(self, "_weights", None)
        spare = next((b for b in buffers if b is not current), None)
        if spare is None:
            spare = np.zeros((n_features, k))
            self._buffers = buffers + [spare]
            self._buffer_used = getattr(self, "_buffer_used", {})
        else:
            spare[self._buffer_used.get(id(spare), slice(None))] = 0.0
        return spare

    @property
    def coef_(self) -> np.ndarray:
        """Weights on the binary features, the ratio folded in: (n positive classes, n_features)."""
        return self._weights.T

    def attach(self, X) -> Scores:
        return _NBLRScores(self, X)

    def _proba_of_binary(self, Xb: sp.csr_matrix) -> np.ndarray:
        if self.n_classes_seen_ == 0:
            raise NotFittedError("the model has no labels yet")
        proba = np.zeros((Xb.shape[0], self.n_classes))
        if self.n_classes_seen_ == 1:
            proba[:, self.seen_classes_[0]] = 1.0
            return proba
        z = np.asarray(Xb @ self._weights) + self.intercept_
        p = 1.0 / (1.0 + np.exp(-z))
        if self.n_classes_seen_ == 2:
            proba[:, self.seen_classes_[1]] = p[:, 0]
            proba[:, self.seen_classes_[0]] = 1.0 - p[:, 0]
        else:  # one-vs-rest, normalized as scikit-learn does
            total = p.sum(axis=1, keepdims=True)
            proba[:, self.positive_classes_] = p / np.where(total > 0, total, 1.0)
        return proba

    def predict_proba(self, X) -> np.ndarray:
        return self._proba_of_binary(binary(X))

    def explain(self, x, predicted: int, k: int = 5) -> list[tuple[int, float]]:
        """Features of ``x`` whose weight pushes towards ``predicted`` (binary: each counts once)."""
        if not self.is_ready or predicted not in self.seen_classes_:
            return []
        x = binary(x)
        if self.n_classes_seen_ == 2:
            sign = 1.0 if predicted == self.seen_classes_[1] else -1.0
            row = sign * self.coef_[0]
        else:
            row = self.coef_[int(np.flatnonzero(self.positive_classes_ == predicted)[0])]
        weight = row[x.indices]
        order = np.argsort(-weight, kind="stable")[:k]
        return [(int(x.indices[i]), float(weight[i])) for i in order if weight[i] > 0]
