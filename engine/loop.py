"""The active-learning loop: query -> answer (label | skip) -> undo -> teach -> metrics.

The same loop serves the TUI (answers come from a person) and :func:`engine.simulate.simulate`
(answers come from the data's label column).
"""

from __future__ import annotations

import threading
import time

import numpy as np
from sklearn.utils import check_random_state

from altui.engine.answers import Answer, RoundMetrics
from altui.engine.cold_start import DEFAULT_COLD_START, ColdStart, get_cold_start
from altui.engine.errors import ConfigError
from altui.engine.feature_rows import as_rows, stack_rows
from altui.engine.learners.base import Learner, RowRange, Scores
from altui.engine.learners.naive_bayes import MultinomialNBLearner
from altui.engine.label_masks import bits
from altui.engine.learners.multi_label import MultiLabelSVMLearner
from altui.engine.metrics import accuracy, confusion, f1_per_class, label_set_scores, macro_of
from altui.engine.names import DEFAULT_STRATEGY
from altui.engine.pool import MISSING, UNLABELED, Pool
from altui.engine.stopping import draw_stop_set, stability_kappa
from altui.engine.strategies import DEFAULT_MAX_CANDIDATES, CandidateBlock, QueryStrategy, draw_block_rows, get_strategy


class ActiveLoop:
    """Owns the pool, the learner and the current batch.

    Parameters
    ----------
    X : sparse matrix (n_items, n_features) — features of the training pool.
    n_classes : number of classes; labels are class indices ``0..n_classes-1``.
    X_test, y_test : held-out set for the metrics (optional).
    strategy : a name from :data:`engine.strategies.STRATEGIES` or a strategy object.
    batch_size : items per round.
    learner : an unfitted :class:`engine.learner.Learner` (default: :class:`MultinomialNBLearner`).
    random_state : seed of the cold start and of the random strategies.
    max_candidates : a query scores at most this many unlabeled items (a seeded random draw from a
        larger pool; None: all of them). Bounds the cost of a round on any pool size.
    rankable : boolean mask of the items a model can rank (default: items with any feature); the others
        are queried only when no rankable item is left.
    cold_start : what to ask until the model has seen two classes: a name from
        :data:`engine.cold_start.COLD_STARTS` or a :class:`engine.cold_start.ColdStart` (seed terms).
    multi_label : answers are label sets (bit masks over ``n_classes`` labels, :mod:`engine.learners.multi_label`)
        and ``y_test`` holds masks: the default learner is one SVM per label, the strategies are the multi-label
        ones, and the metrics are subset accuracy, macro and micro F1.

    On a pool larger than ``max_candidates``, the next query's candidates are drawn right after a query,
    either by :meth:`prepare_next_query` (the TUI calls it in a thread while the person answers) or by the
    query itself; their scores are then kept up to date as the model is taught, so closing a batch costs
    O(batch), not a pass over the candidates. Both orders draw the same candidates (same seed, same
    batches). A lock serializes drawing, teaching and querying.
    """

    def __init__(
        self,
        X,
        n_classes: int,
        *,
        X_test=None,
        y_test=None,
        strategy: str | QueryStrategy = DEFAULT_STRATEGY,
        batch_size: int = 10,
        learner: Learner | None = None,
        random_state=None,
        max_candidates: int | None = DEFAULT_MAX_CANDIDATES,
        rankable: np.ndarray | None = None,
        cold_start: str | ColdStart = DEFAULT_COLD_START,
        copy_of: np.ndarray | None = None,
        multi_label: bool = False,
    ):
        if batch_size < 1:
            raise ConfigError(f"batch size must be at least 1, got {batch_size}: use --batch 1 or more")
        if n_classes < 2:
            raise ConfigError(f"need at least two labels to learn from, got {n_classes}")
        self.X = as_rows(X)  # CSR n-grams, or n-grams and vectors (engine.feature_rows)
        self.n_classes = n_classes
        self.multi_label = multi_label
        self.strategy = get_strategy(strategy, multi_label)
        self.cold_start = get_cold_start(cold_start)
        self.batch_size = batch_size
        if learner is None:
            learner = MultiLabelSVMLearner(n_classes=n_classes) if multi_label else \
                MultinomialNBLearner(n_classes=n_classes)
        if getattr(learner, "multi_label", False) != multi_label:
            raise ConfigError("a multi-label loop needs a multi-label learner, and a single-label loop a single-label one")
        self.learner = learner
        self.random_state = random_state
        self.rng_ = check_random_state(random_state)
        self.max_candidates = max_candidates
        if max_candidates is not None and max_candidates < 1:
            raise ConfigError(f"--candidates must be at least 1, got {max_candidates}")
        has_features = np.diff(self.X.indptr) > 0
        # identical texts (copy_of: the first row of each group, -1 elsewhere) are asked once; the model learns
        # each distinct text once
        self.pool = Pool(self.X.shape[0], has_features=has_features if rankable is None else rankable & has_features,
                         copy_of=copy_of, multi_label=multi_label)
        self.round_ = 0
        self.batch_: list[int] = []
        self.answers_: list[Answer] = []
        # what undo takes back, last first: (item, the answer a change replaced; None for a new answer)
        self.edits_: list[tuple[int, Answer | None]] = []
        self.history_: list[RoundMetrics] = []
        self._taught_y = np.full(X.shape[0], MISSING, dtype=np.int64)
        self._column_counts = np.zeros(self.X.shape[1], dtype=np.int32)  # taught labeled rows using each column
        self._pending_columns: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (rows, old y, new y) per sync
        self._changed: set[int] = set()  # items answered or taken back since the model was last taught
        self._lock = threading.RLock()
        self._block: CandidateBlock | None = None
        self._block_due = self._uses_blocks
        self.learner.fit(self.X[:0], np.zeros(0, dtype=np.int64))
        self.y_test = None if y_test is None else np.asarray(y_test, dtype=np.int64)
        has_test = X_test is not None and X_test.shape[0] > 0
        # a pool small enough to be scored whole at every query (no candidate blocks): an incremental learner
        # keeps its scores up to date as it is taught (O(batch) per teach), so a query reads them, no mat-vec
        small = not self._uses_blocks and self.learner.incremental
        n_items = self.X.shape[0]
        # ... and the test set's with them, as one block: a teach then updates one block, not two
        if small and has_test:
            both = self.learner.attach_live(stack_rows([self.X, X_test]))
            self.pool_scores_: Scores = RowRange(both, 0, n_items)
            self.test_scores_: Scores | None = RowRange(both, n_items, n_items + X_test.shape[0])
        else:
            self.pool_scores_ = self.learner.attach_live(self.X) if small else self.learner.attach(self.X)
            # the test set is scored after every teach: an incremental learner keeps its scores up to date
            self.test_scores_ = self.learner.attach_live(as_rows(X_test)) if has_test else None
        # the stop set (stabilizing predictions): drawn once, its scores kept up to date like the test set's
        seed = random_state if isinstance(random_state, (int, np.integer)) else None
        self.stop_set_ = draw_stop_set(self.X.shape[0], seed)
        # the pool's own live scores cover the stop set (its rows are pool rows) when the pool is kept live
        self._stop_in_pool = small
        self.stop_scores_ = self.pool_scores_ if small else self.learner.attach_live(self.X[self.stop_set_])
        self._stop_predictions: np.ndarray | None = None

    # -- query
    @property
    def _uses_blocks(self) -> bool:
        return self.max_candidates is not None and self.pool.n_featured > self.max_candidates

    def prepare_next_query(self) -> None:
        """Draw the next query's candidates and start keeping their scores (no-op if already done)."""
        with self._lock:
            if not self._block_due:
                return
            rows = draw_block_rows(self.pool, self.max_candidates, self.rng_)
            self._block = CandidateBlock(rows, self.learner.attach_live(self.X[rows]))
            self._block_due = False

    def query(self) -> list[int]:
        """Pick the next batch from the unlabeled items; it replaces whatever was pending."""
        with self._lock:
            self.prepare_next_query()
            block, self._block = self._block, None
            try:
                picked = self.strategy.query(self.pool_scores_, self.X, self.pool, self.batch_size, self.rng_,
                                             self.max_candidates, prepared=block, cold_start=self.cold_start)
            finally:
                if block is not None:
                    self.learner.detach(block.scores)
            self._block_due = self._uses_blocks
            self.batch_ = [int(i) for i in picked]
            return list(self.batch_)

    def pending(self) -> list[int]:
        """Items of the current batch not answered yet, in the order they are asked."""
        return [i for i in self.batch_ if self.pool.state[i] == UNLABELED]

    @property
    def batch_done(self) -> bool:
        return not self.pending()

    # -- answer / undo
    def answer(self, index: int, label: int | None) -> Answer:
        """Record a label (class index) or a skip (None) for an unanswered item."""
        index = int(index)
        if self.pool.state[index] != UNLABELED:
            raise ConfigError(f"item {index} is already answered; undo it first")
        if label is None:
            self.pool.skip(index)
        else:
            self._check_label(label)
            self.pool.label(index, int(label))
        answer = Answer(index, None if label is None else int(label), self.round_)
        self.answers_.append(answer)
        self.edits_.append((index, None))
        self._changed.add(index)
        return answer

    def change(self, index: int, label: int | None) -> Answer:
        """Change the answer of an answered item (a label, or None: a skip). It keeps its place and round
        among the answers; the model forgets the old answer and learns the new one at the next :meth:`teach`.
        Undo restores the old answer."""
        index = int(index)
        position = self._position(index)
        if label is not None:
            self._check_label(label)
        old = self.answers_[position]
        new = Answer(index, None if label is None else int(label), old.round)
        self._apply(new)
        self.answers_[position] = new
        self.edits_.append((index, old))
        return new

    def _check_label(self, label: int) -> None:
        """A class index, or (multi-label) a bit mask over the labels; the empty set (0) is an answer."""
        if self.multi_label:
            if not 0 <= label < (1 << self.n_classes):
                raise ConfigError(f"label set {label} holds a label outside the {self.n_classes} labels")
        elif not 0 <= label < self.n_classes:
            raise ConfigError(f"label {label} is not one of the {self.n_classes} classes")

    def _position(self, index: int) -> int:
        for position in range(len(self.answers_) - 1, -1, -1):
            if self.answers_[position].index == index:
                return position
        raise ConfigError(f"item {index} has no answer to change")

    def _apply(self, answer: Answer) -> None:
        self.pool.reset(answer.index)
        if answer.label is None:
            self.pool.skip(answer.index)
        else:
            self.pool.label(answer.index, answer.label)
        self._changed.add(answer.index)

    def undo(self) -> Answer | None:
        """Take back the last answer or change, even one from an earlier, already taught round.

        A taken-back answer's item is asked again next, ahead of the rest of the current batch; a taken-back
        change restores the answer it replaced. The model follows at the next :meth:`teach`.
        Returns the answer taken back (for a change: the changed answer).
        """
        if not self.answers_:
            return None
        index, replaced = self.edits_.pop() if self.edits_ else (self.answers_[-1].index, None)
        if replaced is not None:
            position = self._position(index)
            changed = self.answers_[position]
            self._apply(replaced)
            self.answers_[position] = replaced
            return changed
        last = self.answers_.pop()
        self.pool.reset(last.index)
        self._changed.add(last.index)
        if last.index in self.batch_:
            self.batch_.remove(last.index)
        self.batch_.insert(0, last.index)
        return last

    def replay(self, answers: list[Answer], round_: int, batch: list[int],
               edits: list[tuple[int, Answer | None]] | None = None) -> None:
        """Restore a saved session: its answers in order (as changed), the round it was in, that round's
        batch, and the edits undo takes back (default: each answer, in order)."""
        for a in answers:
            if a.label is None:
                self.pool.skip(a.index)
            else:
                self.pool.label(a.index, a.label)
            self.answers_.append(a)
            self._changed.add(a.index)
        self.edits_ = list(edits) if edits is not None else [(a.index, None) for a in answers]
        self.round_ = round_
        self.batch_ = [int(i) for i in batch]
        self.sync()

    # -- teach
    def sync(self) -> None:
        """Make the model equal to a fit on exactly the labels in the pool now.

        Only the items answered or taken back since the last sync are looked at: O(batch), not O(pool).
        """
        with self._lock:
            touched = np.fromiter(sorted(self._changed), dtype=np.int64, count=len(self._changed))
            self._changed.clear()
            y = self.pool.y[touched]  # MISSING unless labeled (engine.pool keeps it so)
            old = self._taught_y[touched]
            moved = y != old
            if not moved.all():
                touched, y, old = touched[moved], y[moved], old[moved]
            if touched.shape[0] == 0:
                return
            # the columns' use counts follow the rows taught or dropped, when explain asks (simulate never does)
            self._pending_columns.append((touched, old, y))
            self._taught_y[touched] = y
            if self.learner.incremental:
                forget = old != MISSING
                if forget.any():
                    self.learner.update(self.X, old[forget], weight=-1.0, rows=touched[forget])
                learn = y != MISSING
                if learn.all():
                    self.learner.update(self.X, y, weight=1.0, rows=touched)
                elif learn.any():
                    self.learner.update(self.X, y[learn], weight=1.0, rows=touched[learn])
            else:
                labeled = np.flatnonzero(self._taught_y != MISSING)
                self.learner.fit(self.X[labeled], self._taught_y[labeled])

    def _taught_column_counts(self) -> np.ndarray:
        """How many taught labeled rows use each column, brought up to date with the rows taught or dropped
        since it was last asked (only explain asks: simulate never pays for it)."""
        pending, self._pending_columns = self._pending_columns, []
        for touched, old, y in pending:
            was, now = old != MISSING, y != MISSING
            for rows, step in ((touched[now & ~was], 1), (touched[was & ~now], -1)):
                if rows.shape[0]:
                    columns, times = np.unique(self._columns_of(rows), return_counts=True)
                    self._column_counts[columns] += step * times.astype(np.int32)
        return self._column_counts

    def _columns_of(self, rows: np.ndarray) -> np.ndarray:
        """The column of every stored entry of ``X[rows]`` (a few rows: slices, no sparse fancy indexing)."""
        indptr, indices = self.X.indptr, self.X.indices
        return np.concatenate([indices[indptr[r]:indptr[r + 1]] for r in rows.tolist()])

    def teach(self) -> RoundMetrics:
        """Teach the model every answer so far, score it on the test set, and close the round."""
        started = time.perf_counter()
        self.sync()
        seconds = time.perf_counter() - started
        metrics = self.evaluate(seconds, kappa=self._stability())
        self.history_.append(metrics)
        self.round_ += 1
        return metrics

    def predict_stop_set(self) -> np.ndarray:
        """The current model's classes for the stop set's items, in the stop set's order."""
        return self.stop_scores_.predict(self.stop_set_ if self._stop_in_pool else None)

    def _stability(self) -> float:
        """Cohen's kappa between this round's and the previous round's predictions on the stop set."""
        if not self.learner.is_ready:
            return float("nan")
        predictions = self.predict_stop_set()
        previous, self._stop_predictions = self._stop_predictions, predictions
        if self.multi_label:  # every (text, label) decision is one yes/no prediction
            flat = lambda masks: bits(masks, self.n_classes).ravel().astype(np.int64)  # noqa: E731
            return stability_kappa(None if previous is None else flat(previous), flat(predictions), 2)
        return stability_kappa(previous, predictions, self.n_classes)

    def evaluate(self, teach_seconds: float = 0.0, kappa: float = float("nan")) -> RoundMetrics:
        acc = f1 = micro = float("nan")
        per_class: tuple[float, ...] = ()
        if self.test_scores_ is not None and self.multi_label and self.learner.is_ready:
            acc, f1, micro, per_label = label_set_scores(self.y_test, self.test_scores_.predict(), self.n_classes)
            per_class = tuple(per_label)
        elif self.test_scores_ is not None and not self.multi_label and self.learner.can_predict:
            matrix = confusion(self.y_test, self.test_scores_.predict(), self.n_classes)
            scores = f1_per_class(matrix)
            acc, f1, per_class = accuracy(matrix), macro_of(scores), tuple(scores)
        counts = tuple(self.pool.label_counts(self.n_classes).tolist())
        return RoundMetrics(self.round_, self.pool.n_labeled, acc, f1, counts, teach_seconds, kappa=kappa,
                            class_f1=per_class, micro_f1=micro)

    # -- what the person sees
    def predict_proba(self, indices) -> np.ndarray | None:
        """Current model's probabilities for pool items, or None before it can predict (no label, no prior)."""
        if not self.learner.can_predict:
            return None
        return self.pool_scores_.predict_proba(np.asarray(indices, dtype=np.int64))

    def explain(self, index: int, k: int = 5, cls: int | None = None) -> list[tuple[int, float]]:
        """Up to ``k`` features of item ``index`` that push the model towards class ``cls`` (default: the
        predicted one), strongest first, as (column, weight > 0); only features some taught label has."""
        proba = self.predict_proba([index])
        if proba is None:
            return []
        cls = int(np.argmax(proba[0])) if cls is None else cls
        with self._lock:
            pushes = self.learner.explain(self.X[index], cls, max(k, 1) * 4)
            counts = self._taught_column_counts()
            return [(column, weight) for column, weight in pushes if counts[column] > 0][:k]
