"""Multinomial naive Bayes kept as counts: the fast learner, exact under teach and forget.

Multinomial naive Bayes is a function of per-class feature counts, and counts are additive, so teaching a
batch (or forgetting one, for undo) updates the counts of the batch's features only and is *equal to a
refit* on all labels. Scores are one sparse mat-vec over the rows asked about; for rows asked about again
and again (a query's candidates, the test set) they are kept up to date as the model is taught.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.sparse import _sparsetools  # compiled CSR/CSC kernels behind scipy.sparse
from sklearn.exceptions import NotFittedError

from altui.engine.learners.base import Learner, Scores, _softmax, row_argmax


class _NBScores(Scores):
    """Naive Bayes scores computed when asked: ``X[rows] @ log P(feature|class)`` with the current counts.

    Memory is the matrix only, and the cost of a query is proportional to the rows it asks about, not
    to the pool: with a candidate subsample, a query on a million-item pool reads a few thousand rows.
    """

    learner: "MultinomialNBLearner"

    #: matrices with at most this many stored entries are converted to float64 once (a copy of at most
    #: ~100 MB); larger ones keep their dtype and only the rows asked about are converted, per query.
    UPCAST_LIMIT = 8_000_000

    def __init__(self, learner: "MultinomialNBLearner", X):
        super().__init__(learner, X)
        if self.X.dtype != np.float64 and self.X.nnz <= self.UPCAST_LIMIT:
            self.X = self.X.astype(np.float64)
        self.row_length = np.asarray(self.X.sum(axis=1), dtype=np.float64).ravel()

    def joint_log_likelihood(self, rows=None) -> np.ndarray:
        """A new array: ``X @ feature_log_prob_.T + class_log_prior_`` for the rows."""
        learner = self.learner
        X = self.X if rows is None else self.X[rows]
        lengths = self.row_length if rows is None else self.row_length[rows]
        if X.dtype != np.float64:
            X = X.astype(np.float64)
        jll = np.asarray(X @ learner.log_numerator_)
        jll -= np.multiply.outer(lengths, learner.log_denominator_)
        jll += learner.class_log_prior_
        return jll

    def predict_proba(self, rows=None) -> np.ndarray:
        self.learner.check_has_labels()
        return _softmax(self.joint_log_likelihood(rows))

    def predict(self, rows=None) -> np.ndarray:
        self.learner.check_has_labels()
        return row_argmax(self.joint_log_likelihood(rows))


class _NBLiveScores(Scores):
    """Naive Bayes scores of a fixed block of rows (a query's candidates), kept up to date as the learner is
    taught: a teach touches only the block's entries in the batch's feature columns (read from a column-major
    copy of the block). Asking costs O(rows asked), no mat-vec."""

    learner: "MultinomialNBLearner"

    def __init__(self, learner: "MultinomialNBLearner", X):
        super().__init__(learner, X)
        if self.X.dtype != np.float64:
            self.X = self.X.astype(np.float64)
        self.X_csc = self.X.tocsc()
        self.X_csc.sort_indices()
        self.column_nnz = np.diff(self.X_csc.indptr)
        self.row_length = np.asarray(self.X.sum(axis=1), dtype=np.float64).ravel()
        self._jll: tuple[int, np.ndarray] | None = None  # (model version, whole_jll())
        self._predictions: tuple[int, np.ndarray] | None = None  # (model version, every row's class)
        self.recompute()

    def recompute(self) -> None:
        self.base = np.ascontiguousarray(self.X @ self.learner.log_numerator_, dtype=np.float64)

    def add_columns(self, columns: np.ndarray, delta: np.ndarray) -> None:
        """``base += X[:, columns] @ delta`` (one row of ``delta`` per column), reading only those columns.

        scipy's compiled kernels do the gather (``csr_row_index`` on the CSC arrays) and the multiply-add
        (``csc_matvecs``) in one pass each.
        """
        X = self.X_csc
        indptr = np.zeros(columns.shape[0] + 1, dtype=X.indptr.dtype)
        np.cumsum(self.column_nnz[columns], out=indptr[1:])
        nnz = int(indptr[-1])
        if nnz == 0:
            return
        indices = np.empty(nnz, dtype=X.indices.dtype)
        data = np.empty(nnz, dtype=X.data.dtype)
        _sparsetools.csr_row_index(columns.shape[0], columns.astype(X.indices.dtype, copy=False), X.indptr, X.indices,
                                   X.data, indices, data)
        _sparsetools.csc_matvecs(
            self.base.shape[0], columns.shape[0], delta.shape[1], indptr, indices, data,
            np.ascontiguousarray(delta, dtype=np.float64).reshape(-1), self.base.reshape(-1),
        )

    def joint_log_likelihood(self, rows=None) -> np.ndarray:
        """The rows' joint log likelihoods: a view of :meth:`whole_jll` for a slice (do not write to it),
        a new array otherwise. Asking for a few rows of a large block computes only theirs."""
        learner = self.learner
        learner.check_has_labels()
        if rows is None:
            rows = slice(None)
        elif not isinstance(rows, slice) and 4 * len(rows) < self.base.shape[0] and not self._is_current():
            jll = np.multiply.outer(self.row_length[rows], -learner.log_denominator_)
            jll += self.base[rows]
            jll += learner.class_log_prior_
            return jll
        return self.whole_jll()[rows]

    def _is_current(self) -> bool:
        return self._jll is not None and self._jll[0] == self.learner.version_

    def whole_jll(self) -> np.ndarray:
        """Every row's joint log likelihood, computed once per model version (the query, the stop set and the
        test metrics of a round all read it); the same operations, in the same order, as for a few rows."""
        version = self.learner.version_
        cached = self._jll
        if cached is not None and cached[0] == version:
            return cached[1]
        learner = self.learner
        if self.base.shape[1] <= 4:  # a few classes: class-major, so every operation runs along the rows (4x faster)
            by_class = np.multiply.outer(-learner.log_denominator_, self.row_length)
            by_class += self.base.T
            by_class += learner.class_log_prior_[:, None]
            jll = by_class.T
        else:
            jll = np.multiply.outer(self.row_length, -learner.log_denominator_)
            jll += self.base
            jll += learner.class_log_prior_
        self._jll = (version, jll)
        return jll

    def predict_proba(self, rows=None) -> np.ndarray:
        jll = self.joint_log_likelihood(rows)
        return _softmax(jll.copy() if rows is None or isinstance(rows, slice) else jll)

    def predict(self, rows=None) -> np.ndarray:
        self.learner.check_has_labels()
        if rows is not None and not isinstance(rows, slice) and 4 * len(rows) < self.base.shape[0] \
                and not self._is_current():
            return row_argmax(self.joint_log_likelihood(rows))  # the softmax keeps the order
        version = self.learner.version_
        cached = self._predictions
        if cached is None or cached[0] != version:
            cached = self._predictions = (version, row_argmax(self.whole_jll()))
        return cached[1] if rows is None else cached[1][rows]


class MultinomialNBLearner(Learner):
    """Multinomial naive Bayes kept as counts: teach and forget are exact and cost O(batch).

    Equal to ``sklearn.naive_bayes.MultinomialNB(alpha, fit_prior=True)`` fit on all labels taught so far
    (up to float rounding); classes not seen yet get probability 0, as in scikit-learn.
    """

    incremental = True
    #: at most this many stale columns are remembered (16 MB), and at most 8 per feature; then they are written
    MAX_STALE_COLUMNS = 1 << 21

    def __init__(self, n_classes: int = 2, alpha: float = 1.0):
        self.n_classes = n_classes
        self.alpha = alpha

    # -- state: per-feature arrays are stored (n_features, n_classes), so a batch's rows of them are
    # contiguous; scikit-learn's (n_classes, n_features) views are the properties below.
    def _init_counts(self, n_features: int) -> None:
        k = self.n_classes
        # per class: labels taught and feature counts summed (plain floats: k is small, and numpy's per-call
        # overhead is most of a teach's cost here)
        self._class_counts = [0.0] * k
        self._feature_totals = [0.0] * k
        # written now (np.zeros' pages would be zeroed lazily, on the first teach: ~80 ms at 4M features)
        self._feature_count = np.full((n_features, k), 0.0)
        self._log_numerator = np.full((n_features, k), np.log(np.float64(self.alpha)))  # as update computes it
        self._stale_columns: list[np.ndarray] = []  # columns whose log numerators lag their counts
        self._n_stale = 0
        self._update_normalizers()
        self._live: list[_NBLiveScores] = getattr(self, "_live", [])
        for scores in self._live:
            scores.recompute()

    def _update_normalizers(self) -> None:
        # k is small: plain Python is faster than numpy's per-call overhead here
        smoothing = self.alpha * self._feature_count.shape[0]
        self.log_denominator_ = np.array([math.log(t + smoothing) for t in self._feature_totals])
        # log class frequencies; a class with no label yet gets -inf (probability 0), as in scikit-learn
        counts = self._class_counts
        total = sum(counts)
        self._n_seen = sum(c > 0 for c in counts)
        self.version_ = getattr(self, "version_", 0) + 1  # every change of the model: cached scores are stale
        self.class_log_prior_ = np.array(
            [math.log(c / total) if c > 0 else -math.inf for c in counts] if total > 0 else [0.0] * len(counts)
        )

    @property
    def log_numerator_(self) -> np.ndarray:
        """``log(feature_count + alpha)``, (n_features, n_classes), up to date with the counts."""
        self._write_log_numerators()
        return self._log_numerator

    def _write_log_numerators(self) -> None:
        """Bring the log numerators of the columns taught since they were last read up to date: a scatter, or
        one pass over every column when they are many (the same values either way)."""
        stale, self._stale_columns, self._n_stale = self._stale_columns, [], 0
        if not stale:
            return
        columns = np.concatenate(stale) if len(stale) > 1 else stale[0]
        if 4 * columns.shape[0] >= self._feature_count.shape[0]:
            np.log(self._feature_count + self.alpha, out=self._log_numerator)
        else:
            self._log_numerator[columns] = np.log(np.take(self._feature_count, columns, axis=0) + self.alpha)

    @property
    def class_count_(self) -> np.ndarray:
        """Labels taught per class (scikit-learn's ``class_count_``)."""
        return np.array(self._class_counts)

    @property
    def feature_total_(self) -> np.ndarray:
        """Feature counts summed per class."""
        return np.array(self._feature_totals)

    @property
    def feature_count_(self) -> np.ndarray:
        return self._feature_count.T

    @property
    def feature_log_prob_(self) -> np.ndarray:
        return (self.log_numerator_ - self.log_denominator_[None, :]).T

    @property
    def n_classes_seen_(self) -> int:
        return getattr(self, "_n_seen", 0)

    # -- fit / update
    def fit(self, X, y) -> "MultinomialNBLearner":
        X = sp.csr_matrix(X)
        self._init_counts(X.shape[1])
        return self.update(X, y)

    def update(self, X, y, weight: float = 1.0, rows=None) -> "MultinomialNBLearner":
        """Teach (``weight=1``) or forget (``weight=-1``) labeled rows; exact, and O(size of the rows).

        ``rows`` selects rows of ``X`` (a CSR matrix) without copying them out; ``y`` is then one class
        per selected row. Rows without any feature change only the class counts.
        """
        X = X if sp.isspmatrix_csr(X) or isinstance(X, sp.csr_array) else sp.csr_matrix(X)
        if not hasattr(self, "_class_counts"):
            self._init_counts(X.shape[1])
        y = np.asarray(y, dtype=np.int64)
        rows = np.arange(X.shape[0]) if rows is None else np.asarray(rows, dtype=np.int64)
        if rows.shape[0] == 0:
            return self
        k = self.n_classes
        class_counts = self._class_counts
        for c in y.tolist():
            class_counts[c] += weight
        # the batch rows' stored entries, gathered by scipy's compiled row-index kernel
        starts = X.indptr[rows]
        row_nnz = X.indptr[rows + 1] - starts
        nnz = int(row_nnz.sum())
        if nnz:
            features = np.empty(nnz, dtype=X.indices.dtype)
            values = np.empty(nnz, dtype=X.data.dtype)
            _sparsetools.csr_row_index(rows.shape[0], rows.astype(X.indptr.dtype), X.indptr, X.indices, X.data,
                                       features, values)
            ordered = np.sort(features)  # np.unique costs 5x more on arrays this small
            # intp: numpy casts any other index dtype on every fancy index below
            columns = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))].astype(np.intp)
            # each entry's position among the batch's columns, through a column -> slot scratch array (O(batch);
            # a searchsorted cost 3x more)
            slot = self._column_slot(X.shape[1])
            slot[columns] = np.arange(columns.shape[0])
            classes = np.repeat(y, row_nnz)
            # (column, class) cell of every stored entry, summed: the change of the counts
            delta_counts = np.bincount(slot[features] * k + classes, weights=values,
                                       minlength=columns.shape[0] * k).reshape(-1, k)
            delta_total = np.bincount(classes, weights=values, minlength=k)
            if weight != 1.0:
                delta_counts *= weight
                delta_total *= weight
            # integer counts add and subtract exactly, so forgetting restores the earlier state
            # np.take: a third of a fancy index's cost; the rows are scattered over a large array, so every
            # gather is cache misses, and the old log numerators are recomputed from the counts, not gathered
            # (the same float operation on the same counts: the same values)
            old_counts = np.take(self._feature_count, columns, axis=0)
            new_counts = old_counts + delta_counts
            self._feature_count[columns] = new_counts
            self._feature_totals = [t + d for t, d in zip(self._feature_totals, delta_total.tolist())]
            if self._live:
                delta_log = np.log(new_counts + self.alpha) - np.log(old_counts + self.alpha)
                for scores in self._live:
                    scores.add_columns(columns, delta_log)
            # the log numerators themselves are written when read (log_numerator_): a teach whose scores are
            # all live (simulate, a small pool) never writes them, a scatter of cache misses saved per teach
            self._stale_columns.append(columns)
            self._n_stale += columns.shape[0]
            if self._n_stale > min(8 * self._feature_count.shape[0], self.MAX_STALE_COLUMNS):
                self._write_log_numerators()
        self._update_normalizers()
        return self

    def _column_slot(self, n_features: int) -> np.ndarray:
        """A scratch array, one entry per feature column (only the batch's entries are read after writing)."""
        slot = getattr(self, "_slot", None)
        if slot is None or slot.shape[0] != n_features:
            slot = self._slot = np.zeros(n_features, dtype=np.intp)
        return slot

    def check_has_labels(self) -> None:
        if not getattr(self, "_n_seen", 0):
            raise NotFittedError("the model has no labels yet")

    # -- scores
    def attach(self, X) -> Scores:
        if not hasattr(self, "_class_counts"):
            self._init_counts(X.shape[1])
        return _NBScores(self, X)

    def attach_live(self, X) -> Scores:
        if not hasattr(self, "_class_counts"):
            self._init_counts(X.shape[1])
        scores = _NBLiveScores(self, X)
        self._live.append(scores)
        return scores

    def detach(self, scores: Scores) -> None:
        self._live = [s for s in getattr(self, "_live", []) if s is not scores]

    def predict_proba(self, X) -> np.ndarray:
        return _NBScores(self, X).predict_proba()

    def explain(self, x, predicted: int, k: int = 5) -> list[tuple[int, float]]:
        x = sp.csr_matrix(x)
        if not self.is_ready or x.nnz == 0:
            return []
        # log P(feature | class) of this text's features only, shape (n_classes, nnz)
        log_prob = (self.log_numerator_[x.indices] - self.log_denominator_).T
        others = np.delete(log_prob, predicted, axis=0).mean(axis=0)
        weight = x.data * (log_prob[predicted] - others)
        order = np.argsort(-weight, kind="stable")[:k]
        return [(int(x.indices[i]), float(weight[i])) for i in order if weight[i] > 0]
