"""What a session's labels make besides themselves: a model to take away (``altui train``), predictions for the
unlabeled pool (``altui predict``) and the labels most likely wrong (``altui review``)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from altui.data.errors import DataError
from altui.data.files.output_paths import atomic_dump
from altui.data.files.outputs import session_metadata, write_text
from altui.data.sessions.session import LabelingSession
from altui.data.files.table import csv_text
from altui.engine.learners import make_learner
from altui.engine.metrics import accuracy, confusion, macro_f1
from altui.engine.pool import UNLABELED
from altui.engine.review import label_quality, out_of_fold_proba, rank_by_quality

PREDICT_CHUNK = 50_000


def _labeled(session: LabelingSession) -> tuple[np.ndarray, np.ndarray]:
    """Rows labeled now and their classes, in the order answered."""
    rows = np.array([a.index for a in session.answers() if a.label is not None], dtype=np.int64)
    return rows, session.loop.pool.y[rows] if rows.shape[0] else np.zeros(0, dtype=np.int64)


def _ready(session: LabelingSession, path: Path) -> None:
    session.loop.sync()  # the model of every answer in force, also those changed since the last round
    if not session.loop.learner.is_ready:
        raise DataError(f"session {path} has no labels of two classes yet; label some with `altui label --session "
                        f"{path}` first")


def train_model(path: Path, out: Path) -> tuple[Path, dict]:
    """Write the session's model as a scikit-learn Pipeline (``out``, joblib) and ``out.json`` beside it (labels,
    counts, metrics, kappa, settings). Returns the JSON's path and content."""
    import joblib
    import sklearn

    from altui.engine.model_export import export_pipeline

    session = LabelingSession.resume(path, readonly=True)
    try:
        _ready(session, path)
        rows, y = _labeled(session)
        texts = [session.text(int(i)) for i in rows]
        pipeline = export_pipeline(session.store.info.model, session.loop.learner, session.corpus.features,
                                   session.labels, texts, y)
        corpus = session.corpus
        test = None
        multi_label = session.multi_label
        if multi_label and corpus.test is not None and corpus.y_test is not None:
            from altui.engine.label_masks import masks_from_bits
            from altui.engine.metrics import label_set_scores

            predicted = masks_from_bits(np.asarray(pipeline.predict(corpus.test.texts)))
            subset, macro, micro, _ = label_set_scores(corpus.y_test, predicted, len(session.labels))
            test = {"path": corpus.test.path, "n": len(corpus.test.texts), "subset_accuracy": round(subset, 6),
                    "f1": round(macro, 6), "micro_f1": round(micro, 6)}
        elif corpus.test is not None and corpus.y_test is not None:
            predicted = pipeline.predict(corpus.test.texts)
            names = np.array(session.labels, dtype=object)
            known = corpus.y_test >= 0
            truth = names[corpus.y_test[known]]
            index = {n: i for i, n in enumerate(session.labels)}
            matrix = confusion(np.array([index[t] for t in truth]), np.array([index[p] for p in predicted[known]]),
                               len(names))
            test = {"path": corpus.test.path, "n": int(known.sum()), "accuracy": round(accuracy(matrix), 6),
                    "f1": round(macro_f1(matrix), 6)}
    finally:
        session.close()
    meta = session_metadata(path)
    info = {
        "model": meta["model"], "labels": meta["labels"], "counts": meta["counts"], "n_labels": int(rows.shape[0]),
        "classes": [str(c) for c in pipeline.classes_], "test": test,
        "last_round": meta["rounds"][-1] if meta["rounds"] else None, "stop": meta["stop"],
        "settings": {k: meta[k] for k in ("session", "data", "strategy", "batch", "seed", "cold_start")},
        "sklearn": sklearn.__version__,
        # the app's many-class model also reads sentence vectors (and the label names); a pipeline that loads with
        # scikit-learn alone cannot embed texts, so this one is refit on the n-grams: its test metrics say so
        "features": "n-grams" if session.corpus.vectors is None else "n-grams (the session's model also read sentence "
                    "vectors; this pipeline does not)",
        "load": "joblib.load(path) -> sklearn Pipeline; .predict(texts) -> label names; .predict_proba(texts) "
                "-> columns in .classes_ order",
    }
    if multi_label:
        info["load"] = ("joblib.load(path) -> sklearn Pipeline; .predict(texts) -> label-indicator matrix, one column "
                        "per label in .classes_ order (a row's 1s are its label set); .predict_proba(texts) -> each "
                        "label's probability, same columns")
    atomic_dump(out, lambda fh: joblib.dump(pipeline, fh, compress=3))  # an earlier model stays whole on failure
    json_path = out.with_suffix(".json")
    write_text(json_path, json.dumps(info, indent=2, ensure_ascii=False) + "\n")
    return json_path, info


def predict_pool(path: Path) -> tuple[str, int]:
    """CSV of every unlabeled item: id, predicted label, its probability, one probability column per label."""
    session = LabelingSession.resume(path, readonly=True)
    try:
        _ready(session, path)
        names = session.labels
        loop = session.loop
        # unlabeled texts, and identical copies of unlabeled texts (a copy of an answered one has its answer)
        pool = loop.pool
        copy_unlabeled = (pool.copy_of >= 0) & (pool.state[np.maximum(pool.copy_of, 0)] == UNLABELED)
        rows = np.flatnonzero((pool.state == UNLABELED) | copy_unlabeled)
        multi_label = session.multi_label
        header = ["id", "labels" if multi_label else "label", "confidence"] + [f"p_{n}" for n in names] + ["text"]
        lines = []
        for start in range(0, rows.shape[0], PREDICT_CHUNK):
            chunk = rows[start : start + PREDICT_CHUNK]
            proba = loop.predict_proba(chunk)
            best = np.argmax(proba, axis=1)
            for i, row in enumerate(chunk.tolist()):
                p = proba[i]
                if multi_label:  # the set (labels above 0.5, a JSON list as the export writes it); confidence:
                    # the probability the whole set is right, each label's yes or no taken as independent
                    label = json.dumps([n for n, v in zip(names, p) if v > 0.5], ensure_ascii=False)
                    confidence = float(np.prod(np.where(p > 0.5, p, 1 - p)))
                else:
                    label, confidence = names[best[i]], p[best[i]]
                lines.append([session.item_id(row), label, f"{confidence:.6f}", *(f"{v:.6f}" for v in p),
                              session.text(row)])
        return csv_text(header, lines), rows.shape[0]
    finally:
        session.close()


@dataclass(frozen=True)
class ReviewItem:
    index: int
    item_id: str
    label: str
    suggested: str
    score: float  # out-of-fold probability of the given label; NaN: cannot be scored


def review_items(session: LabelingSession) -> list[ReviewItem]:
    """The session's labels, the most likely wrong first (see :mod:`engine.review`)."""
    if session.multi_label:
        raise DataError(f"{session.store.path} is a multi-label session; altui review ranks single labels so far: "
                        "change a label set in the app's history (h)")
    rows, y = _labeled(session)
    info = session.store.info
    n_classes = len(session.labels)
    proba = out_of_fold_proba(session.loop.X[rows], y, lambda: make_learner(info.model, n_classes), n_classes,
                              random_state=info.seed)
    scores = label_quality(proba, y)
    names = session.labels
    items = []
    for position in rank_by_quality(scores).tolist():
        score = float(scores[position])
        suggested = names[int(np.argmax(proba[position]))] if not math.isnan(score) else ""
        index = int(rows[position])
        items.append(ReviewItem(index, session.item_id(index), names[int(y[position])], suggested, score))
    return items


def review_csv(path: Path, n: int | None = None) -> tuple[str, int]:
    """``id,label,suggested,score`` of the ``n`` labels most likely wrong (all with None)."""
    session = LabelingSession.resume(path, readonly=True)
    try:
        items = review_items(session)
        items = items[:n] if n is not None else items
        texts = {r.index: session.text(r.index) for r in items}
    finally:
        session.close()
    return csv_text(["id", "label", "suggested", "score", "text"],
                    ([r.item_id, r.label, r.suggested, "" if math.isnan(r.score) else f"{r.score:.6f}", texts[r.index]]
                     for r in items)), len(items)
