"""A labeling session: the engine's loop, the corpus, and the session store, kept in step.

Every answer is committed to the store before the loop changes, so what the person sees is always
already saved. Teach + query (the heavy part) is a pure computation the TUI runs in a worker thread;
its result is committed by :meth:`LabelingSession.commit_round` on the caller's thread.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from altui.data.embeddings.meaning import with_meaning
from altui.data.files.corpus import Corpus, with_features
from altui.data.errors import DataError
from altui.data.sessions.session_lock import SessionLock
from altui.data.sessions.session_setup import check_kind, default_session_path, saved_info, session_cold_start
from altui.data.sessions.item_matching import check_same_items, check_stored, match_rows, through_copies
from altui.data.sessions.store import SessionInfo, SessionStore, StoredAnswer
from altui.data.files.label_sets import DEFAULT_LABEL_SEP, encode_label_sets
from altui.data.files.table import LabelSet, encode_labels
from altui.engine.cold_start import DEFAULT_COLD_START
from altui.engine.features import features_for
from altui.engine.label_masks import mask_of, names_of
from altui.engine.learners import DEFAULT_MODEL, make_learner, resolve_model
from altui.engine.names import DEFAULT_STRATEGY, resolve_strategy
from altui.engine.loop import ActiveLoop, Answer, RoundMetrics
from altui.engine.pool import UNLABELED
from altui.data.sessions.prediction import Prediction  # noqa: F401 (re-exported)

_ENTITY = re.compile(r"&#?(\w+);")


def readable_ngram(ngram: str, debris: set[str]) -> bool:
    """An n-gram worth showing a person: not only stop words, and no piece of an HTML entity (``&#39;`` -> 39)."""
    words = ngram.split()
    return not all(w in ENGLISH_STOP_WORDS for w in words) and not any(w in debris for w in words)


@dataclass(frozen=True)
class RoundResult:
    """What a worker computed after a batch: the taught round's metrics and the next batch."""

    metrics: RoundMetrics
    next_batch: list[int]
    seconds: float = 0.0  # teach + query, wall time


EXPLAIN_CANDIDATES = 200  # features asked for, strongest first; the first k word n-grams among them are shown


class LabelingSession:
    def __init__(self, corpus: Corpus, store: SessionStore, loop: ActiveLoop, lock: SessionLock | None = None):
        self.corpus = corpus
        self.store = store
        self.loop = loop
        self.lock = lock  # held by a writer (label, rubrix push/pull) until close()
        self.changes: str | None = None  # what changed in the data since the session was saved (one line)
        self.notice: str | None = None  # one line about the model (e.g. no sentence vectors: n-grams alone)
        self.embedder = None  # the model that made the corpus's sentence vectors (data.embeddings), if any
        self.key_order: list[int] = list(range(len(corpus.labels)))  # class of key 1, 2, ... (--labels' order)

    @classmethod
    def open(
        cls, corpus: Corpus, path: str | Path | None = None, *, strategy: str = DEFAULT_STRATEGY,
        model: str = DEFAULT_MODEL, batch_size: int = 10, seed: int = 0, info_extra: dict | None = None,
        writer: bool = False, readonly: bool = False, label_order: tuple[str, ...] | None = None,
    ) -> "LabelingSession":
        """Create a new session, or resume the one at ``path`` exactly where it was.

        A ``writer`` holds the session's lock until :meth:`close`: a second writer is refused in one line.
        Labels are matched by name: on resume, ``label_order`` (``--labels``) may list the session's names in
        any order, which orders the keys and never changes what a label means; an unknown name is refused.
        """
        path = Path(path) if path else default_session_path(corpus)
        lock = SessionLock(path).acquire() if writer else None
        try:
            session = cls._open(corpus, path, strategy, model, batch_size, seed, info_extra, lock, readonly,
                                label_order)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return session

    @staticmethod
    def _saved_labels(corpus: Corpus, saved: SessionInfo, path: Path, label_order) -> tuple[Corpus, list[int]]:
        """``corpus`` with the session's classes (value <-> name as saved) and the class of each key."""
        names = list(saved.label_names)
        if label_order is not None and sorted(label_order) != sorted(names):
            raise DataError(f"session {path} uses the labels {', '.join(names)}; --labels {','.join(label_order)} "
                            "names others: give the same names (in any order: it orders the keys), or a new --session")
        if sorted(corpus.labels.values) != sorted(saved.label_values) and corpus.train.labels is not None:
            raise DataError(f"session {path} uses the labels {', '.join(names)}; "
                            "start it with the same labels or use a new --session path")
        labels = LabelSet(tuple(saved.label_values), tuple(names))
        if labels != corpus.labels:
            encode = encode_labels
            if saved.multi_label:
                encode = functools.partial(encode_label_sets, sep=saved.label_sep or DEFAULT_LABEL_SEP)
            y_train = encode(corpus.train, labels) if corpus.train.labels is not None else corpus.y_train
            y_test = encode(corpus.test, labels, what="test") if corpus.y_test is not None else None
            corpus = replace(corpus, labels=labels, y_train=y_train, y_test=y_test)
        order = [names.index(n) for n in label_order] if label_order is not None else list(range(len(names)))
        return corpus, order

    @classmethod
    def _open(cls, corpus, path, strategy, model, batch_size, seed, info_extra, lock, readonly,
              label_order=None) -> "LabelingSession":
        info = SessionInfo(
            data_path=str(Path(corpus.train.path).resolve()), fingerprint=corpus.train.fingerprint,
            label_values=list(corpus.labels.values), label_names=list(corpus.labels.names),
            strategy=resolve_strategy(strategy, len(corpus.labels), corpus.multi_label),
            model=resolve_model(model, len(corpus.labels), corpus.multi_label),
            batch_size=batch_size, seed=seed, multi_label=corpus.multi_label,
            **{"cold_start": DEFAULT_COLD_START, **(info_extra or {})},
        )
        if readonly:
            store = SessionStore.open_existing(path, readonly=True)
        else:
            if path.exists():
                check_kind(saved_info(path), corpus, path)  # what the session is, before how its items match
                check_same_items(path, corpus)  # before anything is written to the file
            store = SessionStore.create_or_resume(path, info, same_data=False)
        saved = store.info
        try:
            check_kind(saved, corpus, path)
            corpus, key_order = cls._saved_labels(corpus, saved, path, label_order)
            corpus = with_features(corpus, features_for(saved.model))
            meaning = with_meaning(corpus, saved.model, saved.embedder or "none", label_prior=saved.label_prior,
                                   descriptions=saved.label_descriptions)
            corpus = meaning.corpus
        except DataError:
            store.close()
            raise
        loop = ActiveLoop(
            corpus.rows, len(corpus.labels), X_test=corpus.test_rows, y_test=corpus.y_test,
            strategy=saved.strategy, batch_size=saved.batch_size, random_state=saved.seed,
            learner=make_learner(saved.model, len(corpus.labels), saved.multi_label, meaning.prototypes),
            max_candidates=saved.max_candidates, rankable=corpus.rankable, cold_start=session_cold_start(saved, corpus),
            copy_of=corpus.copy_of, multi_label=saved.multi_label,
        )
        session = cls(corpus, store, loop, lock)
        session.key_order = key_order
        session.notice = meaning.notice
        session.embedder = meaning.embedder
        session._restore()
        if not readonly:
            ids, texts, copy_of = corpus.train.ids, corpus.train.texts, loop.pool.copy_of
            copies = [row for row, first in enumerate(copy_of.tolist()) if first >= 0]
            store.record_copies([(ids[row], ids[int(copy_of[row])], texts[row]) for row in copies],
                                {ids[row]: session.meta(row) for row in copies} if corpus.train.meta_columns else None)
        loop.prepare_next_query()  # the first one before the app shows; later ones while the person answers
        return session

    @classmethod
    def resume(cls, path: str | Path, writer: bool = False, readonly: bool = False,
               on_progress=None) -> "LabelingSession":
        """Reopen a saved session with the data and settings it was started with (the data file must be there;
        an edited one is mapped by id, as in `altui label`)."""
        from altui.data.files.corpus import load_corpus

        info = SessionStore.open_existing(path, readonly=True)
        saved = info.info
        info.close()
        try:
            corpus = load_corpus(
                saved.data_path, saved.test_path, text_col=saved.text_col, label_col=saved.label_col,
                sep=saved.sep, header=saved.header, label_names=list(saved.label_names), seed=saved.seed,
                format=saved.format, quoting=saved.quoting, encoding=saved.encoding,
                features=features_for(saved.model), on_progress=on_progress, id_col=saved.id_col,
                meta_cols=saved.meta_cols, multi_label=saved.multi_label, label_sep=saved.label_sep,
            )
        except DataError as exc:
            raise DataError(f"session {path} needs its data file {saved.data_path}: {exc}; pass the file's new "
                            f"path with `altui label NEWPATH --session {path}`") from None
        return cls.open(corpus, path, strategy=saved.strategy, model=saved.model, batch_size=saved.batch_size,
                        seed=saved.seed, writer=writer, readonly=readonly)

    def _restore(self) -> None:
        stored = self.store.answers()
        train = self.corpus.train
        same_data = self.store.info.fingerprint == train.fingerprint
        rows = [s.answer.index for s in stored] if same_data else match_rows(stored, train.ids, train.texts)
        last = self.store.last_batch() if same_data else None  # other data: the saved batch names old rows
        n_labels = len(self.corpus.labels)
        check_stored(self.store.path, stored, rows, last, len(train.texts),
                     1 << n_labels if self.corpus.multi_label else n_labels)
        rows = through_copies(rows, self.loop.pool.copy_of)
        answers = [Answer(row, s.answer.label, s.answer.round) for s, row in zip(stored, rows) if row is not None]
        row_of = {s.item_id: row for s, row in zip(stored, rows) if row is not None}
        edits = [(row_of[item_id], None if old is None else Answer(row_of[item_id], old.answer.label, old.answer.round))
                 for item_id, old in self.store.edits() if item_id in row_of]
        self.loop.history_ = self.store.metrics()
        if not same_data:
            self.changes = self._record_data_change(stored, rows)
        if last is None:
            self.loop.replay(answers, 0, [], edits)
            batch = self.loop.query()
            if not self.store.readonly:
                self.store.record_batch(0, batch, self.loop.strategy.name)
        else:
            round_, batch = last
            reopened = self.store.reopened_items()  # taken back, not answered again: asked first
            self.loop.replay(answers, round_, reopened + [i for i in batch if i not in reopened], edits)

    def _record_data_change(self, stored, rows) -> str:
        """The data file changed (moved, edited): say what changed, and make its new state the session's."""
        train = self.corpus.train
        vanished = sum(1 for row in rows if row is None)
        known = {s.item_id for s in stored}
        saved_path = self.store.info.data_path
        parts = []
        if str(Path(train.path).resolve()) != saved_path:
            parts.append(f"the data is now read from {Path(train.path).resolve()} (was {saved_path})")
        parts.append(f"{len(train)} items, {sum(1 for i in train.ids if i not in known)} not answered yet")
        if vanished:
            parts.append(f"{vanished} answered items are not in the pool any more (gone from the file, text changed, "
                         "or now in the held-out test set): they stay in the session and its export, not in the model")
        if not self.store.readonly:
            self.store.update_info(data_path=str(Path(train.path).resolve()), fingerprint=train.fingerprint)
        return "data changed since the session was saved: " + "; ".join(parts)

    # -- what to show
    @property
    def labels(self) -> tuple[str, ...]:
        return self.corpus.labels.names

    @property
    def multi_label(self) -> bool:
        return self.loop.multi_label

    def label_text(self, label: int | None, sep: str = ", ") -> str:
        """What an answer says, for a person: the label's name; a set's names joined by ``sep`` ("no label" for
        the empty set); "skipped" for None. Data strings: shown with tui.text, never as markup."""
        if label is None:
            return "skipped"
        if not self.multi_label:
            return self.labels[label]
        return sep.join(names_of(label, self.labels)) or "no label"

    def current(self) -> int | None:
        pending = self.loop.pending()
        return pending[0] if pending else None

    @property
    def needs_teaching(self) -> bool:
        """The current batch is fully answered: time to teach and query the next one."""
        return self.loop.batch_done

    def text(self, index: int) -> str:
        return self.corpus.train.texts[index]

    def item_id(self, index: int) -> str:
        return self.corpus.train.ids[index]

    def outgoing(self) -> list[tuple[int, StoredAnswer | None, np.ndarray | None]]:
        """What a push to an annotation server sends: every answered item (with its stored answer), then
        the pending batch (answer None), each with the model's class probabilities (None before it can
        predict)."""
        answered = self.store.answers()
        indices = [a.answer.index for a in answered] + self.loop.pending()
        proba = self.loop.predict_proba(indices) if self.loop.learner.is_ready and indices else None
        return [(index, answered[i] if i < len(answered) else None, None if proba is None else proba[i])
                for i, index in enumerate(indices)]

    def predict(self, index: int, k: int = 4) -> Prediction | None:
        if not self.loop.learner.can_predict or not (self.loop.learner.is_ready or self.zero_shot):
            return None
        proba = self.loop.predict_proba([index])[0]
        text = self.text(index)
        ngrams = self.corpus.features.ngrams_of(text)  # word n-grams: what a person reads
        debris = {m.lower() for m in _ENTITY.findall(text)}
        pushes = []
        for cls in range(len(self.labels)):
            found = [(ngrams[f], w) for f, w in self.loop.explain(index, EXPLAIN_CANDIDATES, cls)
                     if f in ngrams and readable_ngram(ngrams[f], debris)]
            pushes.append(tuple(found[:k]))
        return Prediction(self.labels, tuple(float(p) for p in proba), tuple(pushes),
                          from_label_names=not self.loop.learner.is_ready)

    @property
    def zero_shot(self) -> bool:
        """The model starts from the label names (class prototypes): it guesses before any answer."""
        return getattr(self.loop.learner, "class_prototypes", None) is not None

    # -- answers (committed first, then applied)
    def meta(self, index: int) -> dict[str, str]:
        """The item's --meta-cols values (data strings: shown with tui.text, never as markup)."""
        train = self.corpus.train
        return {name: train.metadata.get(name, [""] * len(train))[index] for name in train.meta_columns}

    def answer(self, label: int | None, source: str = "terminal") -> Answer:
        """Answer the current comment (label index, or None to skip); ``source`` is recorded with it
        (``accepted`` when the person took the model's suggestion with enter)."""
        index = self.current()
        if index is None:
            raise DataError("no comment is waiting for an answer")
        return self.answer_item(index, label, source)

    def answer_item(self, index: int, label: int | None, source: str = "terminal") -> Answer:
        """Answer any unanswered item: committed to the store first, then applied to the loop."""
        answer = Answer(index, label, self.loop.round_)
        self.store.record_answer(answer, self.item_id(index), source, text=self.text(index), meta=self.meta(index))
        return self.loop.answer(index, label)

    def change(self, index: int, label: int | None, source: str = "history") -> Answer:
        """Change an answered item's answer (label index, or None: a skip): committed first, then applied; the
        model learns the new answer at the next teach. Undo restores the old one."""
        old = next((a for a in reversed(self.loop.answers_) if a.index == index), None)
        if old is None:
            raise DataError(f"item {self.item_id(index)} has no answer to change")
        if old.label == label:
            return old
        self.store.record_answer(Answer(index, label, old.round), self.item_id(index), source, text=self.text(index),
                                 meta=self.meta(index))
        return self.loop.change(index, label)

    def undo(self) -> Answer | None:
        """Take back the last answer or change (see :meth:`ActiveLoop.undo`); returns what was taken back."""
        index = self.last_edited()
        if index is None:
            return None
        last = next(a for a in reversed(self.loop.answers_) if a.index == index)
        self.store.record_undo(last, self.item_id(index))
        return self.loop.undo()

    def batch_progress(self) -> tuple[int, int]:
        """(answered, size) of the current batch."""
        batch = self.loop.batch_
        return sum(1 for i in batch if self.loop.pool.state[i] != UNLABELED), len(batch)

    def last_edited(self) -> int | None:
        """The item undo would take back (its last answer or change), None when there is nothing to undo."""
        if not self.loop.answers_:
            return None
        return self.loop.edits_[-1][0] if self.loop.edits_ else self.loop.answers_[-1].index

    def is_answered(self, index: int) -> bool:
        return self.loop.pool.state[index] != UNLABELED

    def unanswered_rows(self) -> np.ndarray:
        """The pool rows still waiting for an answer (identical copies left out: their group's first row stands)."""
        pool = self.loop.pool
        return np.flatnonzero((pool.state == UNLABELED) & (pool.copy_of < 0))

    def answer_of(self, index: int) -> Answer | None:
        return next((a for a in reversed(self.loop.answers_) if a.index == index), None)

    def toggle_flag(self, index: int) -> bool:
        """Flag the item for later (exported as a column, listed by `altui status`), or unflag it."""
        return self.store.toggle_flag(self.item_id(index), index, self.text(index))

    def flagged(self) -> set[str]:
        return {item_id for item_id, _, _ in self.store.flags()}

    def answers(self) -> list[Answer]:
        return list(self.loop.answers_)

    # -- rounds
    def teach_and_query(self) -> RoundResult:
        """Teach the finished batch and pick the next one. Pure computation (run it in a worker)."""
        started = time.perf_counter()
        metrics = self.loop.teach()
        next_batch = self.loop.query() if self.loop.pool.n_unlabeled else []
        return RoundResult(metrics, next_batch, time.perf_counter() - started)

    def commit_round(self, result: RoundResult) -> None:
        self.store.record_round(result.metrics, result.next_batch if result.next_batch else None,
                                self.loop.strategy.name)

    @property
    def finished(self) -> bool:
        return self.loop.pool.n_unlabeled == 0 and self.loop.batch_done

    def close(self) -> None:
        self.store.close()
        if self.lock is not None:
            self.lock.release()
