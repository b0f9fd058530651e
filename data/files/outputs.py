"""What altui's commands write: simulate's curves, queries and summary, a session's export and status.

Plain text out; every write problem is one :class:`DataError` naming the path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from altui.data.errors import DataError
from altui.data.files.output_paths import atomic_write
from altui.data.files.csv_text import csv_text

if TYPE_CHECKING:  # export and status stay light: simulate's types, not scikit-learn, at import
    from altui.engine.simulate import Curve, RunResult

EXPORT_FORMATS = ("csv", "jsonl")
EXPORT_COLUMNS = ["id", "text", "label", "answered_at", "round", "source", "flagged"]


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a crash or a full disk leaves the earlier file whole."""
    atomic_write(Path(path), text)


def session_inputs(session: Path) -> list[tuple[str, Path | str | None]]:
    """The files a session's commands read (the session, its data and test file): outputs must not be these."""
    from altui.data.sessions.store import SessionStore

    inputs: list[tuple[str, Path | str | None]] = [("session", session)]
    try:
        store = SessionStore.open_existing(session, readonly=True)
    except DataError:
        return inputs  # the command itself says what is wrong with the session
    try:
        inputs += [("session's data file", store.info.data_path), ("session's test file", store.info.test_path)]
    finally:
        store.close()
    return inputs


def write_rows(path: Path, header: list[str], rows) -> None:
    write_text(path, csv_text(header, rows))


def write_simulation(
    results: list[RunResult], curves: dict[str, Curve], config: dict, *, out: Path | None = None,
    queries: Path | None = None, summary: Path | None = None,
) -> str:
    """``out``: one row per strategy, repeat, iteration; ``queries``: one row per queried item; ``summary``:
    the config and the curves as JSON. Returns that JSON (also when ``summary`` is None)."""
    # iterations count from 1, as the app's rounds; iteration 0 (n_labels 0) is a zero-shot model before any answer
    if out:
        write_rows(out, ["strategy", "repeat", "iteration", "n_labels", "accuracy", "f1", "kappa"], (
            row for r in results for row in (
                ([[r.strategy, r.repeat, 0, 0, f"{r.before_answers[0]:.6f}", f"{r.before_answers[1]:.6f}", "nan"]]
                 if r.before_answers is not None else [])
                + [[r.strategy, r.repeat, i + 1, int(r.n_labels[i]), f"{r.accuracy[i]:.6f}", f"{r.f1[i]:.6f}",
                    f"{r.kappa[i]:.6f}"] for i in range(len(r.n_labels))])
        ))
    if queries:
        write_rows(queries, ["strategy", "repeat", "iteration", "index"], (
            [r.strategy, r.repeat, i + 1, int(index)] for r in results for i, batch in enumerate(r.queried)
            for index in batch
        ))
    curves_json = {
        name: {
            "n_labels": c.n_labels.tolist(), "mean": c.mean.tolist(), "std": c.std.tolist(),
            "f1_mean": c.f1_mean.tolist(), "f1_std": c.f1_std.tolist(), "seconds": c.seconds,
            "stop": {"runs_stopped": int(c.stop_labels.shape[0]), "n_labels": c.stop_labels.tolist(),
                     "accuracy": c.stop_accuracy.tolist()},
            # per round: test F1 of each class (config.labels' order; null where undefined), mean over repeats
            "class_f1_mean": None if c.class_f1_mean is None else
            [[None if v != v else round(float(v), 6) for v in row] for row in c.class_f1_mean],
            # distinct items labeled per round: n_labels, except in the tutorial's loop, which asks again
            "distinct_labels_mean": None if c.distinct_mean is None else c.distinct_mean.tolist(),
            # multi-label: micro F1 per round, mean over repeats ("mean" is then subset accuracy)
            "micro_f1_mean": None if c.micro_f1_mean is None else c.micro_f1_mean.tolist(),
            # the model before any answer (a zero-shot start from the label names), or null
            "before_answers": None if c.before_answers is None else {
                "n_labels": 0, "mean": float(c.before_answers[0]), "std": float(c.before_answers[1]),
                "f1_mean": float(c.before_answers[2]), "f1_std": float(c.before_answers[3])},
        }
        for name, c in curves.items()
    }
    text = json.dumps({"config": config, "strategies": curves_json}, indent=2) + "\n"
    if summary:
        write_text(summary, text)
    return text


def export_session(session: Path, format: str = "csv", skipped: bool = False) -> tuple[str, int]:
    """A session's answers as CSV or JSONL text (id, text, label, answered_at, round, source, flagged) and their
    count. Rounds count from 1, as the app shows them; a changed answer is one row, as last changed.

    Read from the session file alone: each answer keeps its item's text and its label's name, so the data
    file may have moved, changed or gone. (Sessions of schema 1 kept neither: their texts come from the data
    file, which must then still be there.)
    """
    from altui.data.sessions.store import SessionStore

    if format not in EXPORT_FORMATS:
        raise DataError(f"unknown format {format!r}: use --format csv or --format jsonl")
    store = SessionStore.open_existing(session, readonly=True)
    try:
        answers = [s for s in store.answers() if s.answer.label is not None or skipped]
        flagged = {item_id for item_id, _, _ in store.flags()}
        copies = store.copies()
        meta_names = list(store.info.meta_cols or [])
        metas = store.item_meta() if meta_names else {}
        team = store.team_answers()  # a merged session: every annotator's answer beside the final label
        team_texts = store.team_texts() if team else {}
        multi_label, label_sep = store.info.multi_label, store.info.label_sep or ";"
    finally:
        store.close()
    texts = _schema1_texts(session) if any(s.text is None for s in answers) else {}
    rows = []
    for s in answers:
        row = {"id": s.item_id, "text": s.text if s.text is not None else texts[s.item_id],
               "label": s.label_name, "answered_at": s.at, "round": s.answer.round + 1, "source": s.source,
               "flagged": s.item_id in flagged}
        rows.append(row)
        # the group's identical texts, asked once: every copy gets the answer, one row per id
        rows += [{**row, "id": copy_id, "text": copy_text if copy_text is not None else row["text"],
                  "source": "duplicate", "flagged": False} for copy_id, copy_text in copies.get(s.item_id, [])]
    if team:  # the conflicts not adjudicated yet: no final label, every annotator's answer
        exported = {row["id"] for row in rows}
        rows += [{"id": item_id, "text": team_texts.get(item_id, ""), "label": None, "answered_at": "", "round": "",
                  "source": "conflict", "flagged": False} for item_id in team if item_id not in exported]
        annotators = list(dict.fromkeys(who for answers in team.values() for who in answers))
        for row in rows:
            for who in annotators:
                row[f"by {who}"] = team.get(row["id"], {}).get(who, "")
        meta_names = meta_names + [f"by {who}" for who in annotators]
        metas = {item_id: {**metas.get(item_id, {}), **{f"by {w}": l for w, l in team.get(item_id, {}).items()}}
                 for item_id in set(metas) | set(team)}
    for row in rows:  # --meta-cols: one column each, after the fixed ones ("meta." in JSONL keys is kept as is)
        values = metas.get(row["id"], {})
        for name in meta_names:
            row[name if name not in EXPORT_COLUMNS else f"meta_{name}"] = values.get(name, "")
    extra = [name if name not in EXPORT_COLUMNS else f"meta_{name}" for name in meta_names]
    columns = EXPORT_COLUMNS
    if multi_label:  # a `labels` column: a JSON list of names (JSONL: a list; CSV: its JSON text); a skip: null / empty
        columns = ["labels" if c == "label" else c for c in EXPORT_COLUMNS]
        by = [name for name in extra if name.startswith("by ")]  # a merged session's annotators' sets too
        for row in rows:
            label = row.pop("label")
            names = json.loads(label) if label else None  # None: skipped (or a conflict without a final set)
            row["labels"] = names if format == "jsonl" else _set_cell(names)
            for column in by:
                given = json.loads(row[column]) if row[column] else None
                row[column] = given if format == "jsonl" else _set_cell(given)
        rows = [{c: r[c] for c in columns + extra} for r in rows]
    if format == "jsonl":  # a skip's label is null
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), len(rows)
    return csv_text(columns + extra, ([*("" if r[c] is None else r[c] for c in columns[:-1]),
                                       "true" if r["flagged"] else "false", *(r[c] for c in extra)] for r in rows)), \
        len(rows)


def _set_cell(names: list[str] | None) -> str:
    """A label set in a CSV cell: its JSON list (a name may hold the separator: ["au;dio", "net"]; the empty set
    is []), and an empty cell for a skip. altui's readers take the list back as the same set."""
    return "" if names is None else json.dumps(names, ensure_ascii=False)


def _schema1_texts(session: Path) -> dict[str, str]:
    from altui.data.sessions.session import LabelingSession

    labeling = LabelingSession.resume(session, readonly=True)
    try:
        return dict(zip(labeling.corpus.train.ids, labeling.corpus.train.texts))
    finally:
        labeling.close()


def _finite(value: float) -> float | None:
    return None if value != value else round(float(value), 6)


def session_metadata(session: Path) -> dict:
    """What an export's labels came from: the session's settings, counts, and every round's metrics (test
    accuracy and F1 when there is a test set, kappa between consecutive rounds) with the stop point."""
    from altui.data.sessions.store import SessionStore
    from altui.engine.stopping import THRESHOLD, WINDOW, stop_round

    store = SessionStore.open_existing(session, readonly=True)
    try:
        info = store.info
        answers = [a.answer for a in store.answers()]
        metrics = store.metrics()
        flagged = [item_id for item_id, _, _ in store.flags()]
    finally:
        store.close()
    stop = stop_round([m.kappa for m in metrics])
    return {
        "session": str(session), "data": info.data_path, "test": info.test_path, "model": info.model,
        "strategy": info.strategy, "batch": info.batch_size, "seed": info.seed, "cold_start": info.cold_start,
        "seed_terms": info.seed_terms, "labels": list(info.label_names),
        "counts": dict(zip(info.label_names, label_counts(answers, info))),
        "multi_label": info.multi_label,
        "skipped": sum(1 for a in answers if a.label is None),
        "flagged": flagged,
        "rounds": [{"round": m.round + 1, "n_labels": m.n_labels, "accuracy": _finite(m.accuracy),
                    "f1": _finite(m.f1), "kappa": _finite(m.kappa),
                    "class_f1": {n: _finite(v) for n, v in zip(info.label_names, m.class_f1)} if m.class_f1 else None}
                   for m in metrics],
        "stop": None if stop is None else {
            "round": metrics[stop].round + 1, "n_labels": metrics[stop].n_labels,
            "rule": f"mean kappa over {WINDOW} rounds >= {THRESHOLD} (stabilizing predictions)"},
    }


def label_counts(answers, info) -> list[int]:
    """Answers per label, in the session's label order (multi-label: the answers whose set holds it)."""
    if info.multi_label:
        from altui.engine.label_masks import bits

        return bits([a.label for a in answers if a.label is not None], len(info.label_names)).sum(axis=0).tolist()
    return [sum(1 for a in answers if a.label == i) for i in range(len(info.label_names))]


def status_lines(session: Path) -> list[str]:
    """A session's settings, counts per label, skips, round and last test metrics, one line each."""
    from altui.data.sessions.store import SessionStore

    store = SessionStore.open_existing(session, readonly=True)
    try:
        info = store.info
        answers = [a.answer for a in store.answers()]
        metrics = store.metrics()
        last_batch = store.last_batch()
        flags = store.flags()
        copies = store.copies()
    finally:
        store.close()
    counts = label_counts(answers, info)
    labeled = sum(1 for a in answers if a.label is not None)
    kind = ", multi-label (counts: answers holding each label)" if info.multi_label else ""
    lines = [
        f"session   {session}",
        f"data      {info.data_path}" + (f" (read as {info.read_encoding})" if info.read_encoding else ""),
        f"strategy  {info.strategy}, model {info.model}, batch {info.batch_size}, seed {info.seed}{kind}",
        f"labeled   {labeled} (" + ", ".join(f"{n} {c}" for n, c in zip(info.label_names, counts)) + ")",
        f"skipped   {sum(1 for a in answers if a.label is None)}",
        f"round     {(last_batch[0] if last_batch else 0) + 1}",
    ]
    if metrics and metrics[-1].accuracy == metrics[-1].accuracy:
        m = metrics[-1]
        accuracy = "subset accuracy" if info.multi_label else "accuracy"
        lines.append(f"test      {accuracy} {m.accuracy:.3f}, macro F1 {m.f1:.3f} after round {m.round + 1} "
                     f"({m.n_labels} labels)")
    elif not metrics:
        lines.append("test      no round taught yet")
    else:
        lines.append("test      none (no labeled test set): see stability")
    lines.append(stability_line(metrics))
    if copies:
        n_copies = sum(len(c) for c in copies.values())
        lines.append(f"identical {n_copies} texts repeat {len(copies)} others: each group is asked once and its "
                     "answer labels every copy (export: source duplicate)")
    lines += class_lines(info.label_names, counts, metrics[-1] if metrics else None)
    if flags:
        lines.append(f"flagged   {len(flags)} item(s), marked with f for later:")
        # ids whole (an id cut short cannot be looked up); texts cut to one line
        lines += [f"  {' '.join(item_id.split())}  {_short(text or '', 70)}" for item_id, _, text in flags]
    return lines


def class_lines(names, counts, last) -> list[str]:
    """Per class: labels given and, with a test set, the test F1 after the last round (worst first, so the
    classes that need labels stand out)."""
    f1 = list(last.class_f1) if last is not None and last.class_f1 else []
    if f1:
        header = f"per class labels, test F1 after round {last.round + 1} (worst first)"
    else:
        header = "per class labels" + ("" if last is None or last.accuracy == last.accuracy else " (no test set: no F1)")
    rows = list(range(len(names)))
    if f1:
        rows.sort(key=lambda k: (f1[k] != f1[k], f1[k] if f1[k] == f1[k] else 0.0, k))
    width = min(max(len(_short(n, 30)) for n in names), 30)
    lines = [header]
    for k in rows:
        score = "" if not f1 else ("  F1 -" if f1[k] != f1[k] else f"  F1 {f1[k]:.3f}")
        lines.append(f"  {_short(names[k], 30):<{width}} {counts[k]:>6}{score}")
    return lines


def _short(text: str, width: int) -> str:
    """One line of at most ``width`` characters (the CLI makes it printable)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def stability_line(metrics) -> str:
    """Kappa between the last two rounds' predictions on the stop set, and the stop suggestion once it holds."""
    from altui.engine.stopping import THRESHOLD, WINDOW, stop_round

    kappas = [m for m in metrics if m.kappa == m.kappa]
    if not kappas:
        return "stability no kappa yet (it compares two rounds' predictions)"
    last = kappas[-1]
    line = f"stability kappa {last.kappa:.3f} vs the previous round (round {last.round + 1}, {last.n_labels} labels)"
    stop = stop_round([m.kappa for m in metrics])
    if stop is not None:
        line += (f"; predictions stable over {WINDOW} rounds (kappa >= {THRESHOLD}) since {metrics[stop].n_labels} "
                 "labels: more labels are unlikely to change the model much")
    return line
