"""A session's products besides its labels (issue 11): altui train, predict and review."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from altui.cli.main import app
from conftest import TEST_CSV, TRAIN_CSV
from altui.data.files.corpus import load_corpus
from altui.data.files.outputs import status_lines
from altui.data.sessions.session import LabelingSession
from altui.engine.review import label_quality, out_of_fold_proba, rank_by_quality
from altui.engine.learners.naive_bayes import MultinomialNBLearner
from test_cli import assert_one_line_error
from altui.tui.factory import make_review_app
from altui.tui.screens.review import ReviewScreen

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def label_session(path, n: int, model: str = "nblr", seed: int = 0, flip_every: int | None = None,
                  flip_at: int = 0) -> set[str]:
    """Answer ``n`` queried comments with their true label, except every ``flip_every``-th (from ``flip_at``),
    which gets the other label; returns the ids labeled wrong."""
    corpus = load_corpus(str(TRAIN_CSV), str(TEST_CSV))
    session = LabelingSession.open(corpus, path, batch_size=10, model=model, seed=seed,
                                   info_extra={"test_path": str(TEST_CSV)})
    y = [int(v) for v in session.corpus.train.labels]
    wrong = set()
    for i in range(n):
        index = session.current()
        label = y[index]
        if flip_every and i % flip_every == flip_at:
            label = 1 - label
            wrong.add(session.item_id(index))
        session.answer(label)
        if session.needs_teaching:
            session.commit_round(session.teach_and_query())
    session.close()
    return wrong


def test_review_list_finds_the_labels_given_wrong(tmp_path):
    """Acceptance 3: 100 labels, 10 deliberately wrong: the 20 most likely wrong hold at least 7 of them."""
    path = tmp_path / "s.db"
    wrong = label_session(path, 100, seed=4, flip_every=10, flip_at=4)
    result = run("review", path, "--list", "-n", 20)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["id", "label", "suggested", "score", "text"] and len(rows) == 20
    assert len(wrong & {r["id"] for r in rows}) >= 7
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores)  # most likely wrong first
    flagged_wrong = [r for r in rows if r["id"] in wrong]
    assert all(r["suggested"] != r["label"] for r in flagged_wrong if float(r["score"]) < 0.5)


def test_out_of_fold_scores_never_come_from_a_model_that_saw_the_item():
    """An item that is the only one of its kind gets the probability a model *without* it gives."""
    X = np.array([[3, 0, 0], [3, 0, 0], [3, 0, 0], [0, 3, 0], [0, 3, 0], [0, 3, 0], [3, 0, 0], [0, 3, 0], [0, 3, 0],
                  [3, 0, 0]], dtype=float)
    y = np.array([0, 0, 0, 1, 1, 1, 1, 0, 1, 0])  # rows 6 and 7 are labeled against their features
    proba = out_of_fold_proba(X, y, lambda: MultinomialNBLearner(2), 2, n_folds=2, repeats=1)
    order = rank_by_quality(label_quality(proba, y))
    assert set(order[:2].tolist()) == {6, 7}


def test_train_writes_a_pipeline_that_plain_scikit_learn_loads(tmp_path):
    """Acceptance 4: joblib.load(...).predict(test texts) in a Python without altui returns label names, and
    its test accuracy is within 0.02 of the last round's in `altui status`."""
    path = tmp_path / "s.db"
    label_session(path, 60)
    model = tmp_path / "out" / "model.joblib"
    result = run("train", path, "-o", model)
    assert result.exit_code == 0, result.output
    assert f"wrote the model (nblr, 60 labels) to {model}" in " ".join(result.stderr.split())
    info = json.loads((tmp_path / "out" / "model.json").read_text())
    assert info["labels"] == ["ham", "spam"] and sum(info["counts"].values()) == 60 and info["model"] == "nblr"
    code = (
        "import csv, json, sys, joblib\n"
        "model = joblib.load(sys.argv[1])\n"
        "rows = list(csv.DictReader(open(sys.argv[2], encoding='utf-8')))\n"
        "predicted = model.predict([r['CONTENT'] for r in rows])\n"
        "names = {'0': 'ham', '1': 'spam'}\n"
        "proba = model.predict_proba(['check out my channel'])\n"
        "print(json.dumps({'labels': sorted(set(predicted.tolist())), 'classes': list(model.classes_),\n"
        "  'accuracy': sum(p == names[r['CLASS']] for p, r in zip(predicted, rows)) / len(rows),\n"
        "  'proba_sum': float(proba.sum()), 'altui': any(m.split('.')[0] == 'altui' for m in sys.modules)}))\n"
    )
    done = subprocess.run([sys.executable, "-I", "-c", code, str(model), str(TEST_CSV)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    plain = json.loads(done.stdout)
    assert plain["labels"] == ["ham", "spam"] and plain["classes"] == ["ham", "spam"] and not plain["altui"]
    assert abs(plain["proba_sum"] - 1.0) < 1e-9
    status = next(line for line in status_lines(path) if line.startswith("test"))
    last_round = float(status.split("accuracy ")[1].split(",")[0])
    assert abs(plain["accuracy"] - last_round) <= 0.02
    assert abs(plain["accuracy"] - info["test"]["accuracy"]) < 1e-6  # model.json rounds to 6 places


@pytest.mark.parametrize("model", ["nb", "logreg"])
def test_the_tutorial_models_export_exactly_the_apps_predictions(tmp_path, model):
    path = tmp_path / "s.db"
    label_session(path, 40, model=model)
    run("train", path, "-o", tmp_path / "m.joblib")
    import joblib

    pipeline = joblib.load(tmp_path / "m.joblib")
    session = LabelingSession.resume(path, readonly=True)
    try:
        rows = np.arange(0, len(session.corpus.train), 7)
        ours = session.loop.predict_proba(rows)
        theirs = pipeline.predict_proba([session.text(int(i)) for i in rows])
    finally:
        session.close()
    np.testing.assert_allclose(theirs, ours, atol=1e-9)


def test_predict_writes_every_unlabeled_item(tmp_path):
    path = tmp_path / "s.db"
    label_session(path, 20)
    result = run("predict", path, "-o", tmp_path / "p.csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(tmp_path / "p.csv", encoding="utf-8")))
    session = LabelingSession.resume(path, readonly=True)
    # an answer labels its identical copies too (issue 21): they are not predicted
    answered = {session.item_id(int(i)) for a in session.answers() for i in session.loop.pool.group(a.index)}
    n_items = len(session.corpus.train)
    session.close()
    assert len(answered) >= 20 and len(rows) == n_items - len(answered) and not answered & {r["id"] for r in rows}
    assert list(rows[0]) == ["id", "label", "confidence", "p_ham", "p_spam", "text"]
    for r in rows[:50]:
        p = {"ham": float(r["p_ham"]), "spam": float(r["p_spam"])}
        assert abs(sum(p.values()) - 1) < 1e-5 and r["label"] == max(p, key=p.get)


def test_train_without_two_classes_is_one_line(tmp_path):
    path = tmp_path / "s.db"
    corpus = load_corpus(str(TRAIN_CSV), str(TEST_CSV))
    session = LabelingSession.open(corpus, path, batch_size=10)
    session.answer(0)
    session.close()
    assert_one_line_error(run("train", path, "-o", tmp_path / "m.joblib"), "no labels of two classes yet")
    assert not (tmp_path / "m.joblib").exists()
    assert_one_line_error(run("review", path, "-n", "5"), "-n and -o go with --list")


async def test_review_app_confirms_and_changes_labels(tmp_path):
    path = tmp_path / "s.db"
    label_session(path, 40, flip_every=10, flip_at=2)
    app = make_review_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#review-table")
        first = table.current_item
        given = app.session.answer_of(first).label
        await pilot.press(str(2 - given))  # the other label: a change, source review
        await pilot.pause()
        assert app.session.answer_of(first).label == 1 - given
        second = table.current_item
        assert second != first
        await pilot.press(str(app.session.answer_of(second).label + 1))  # its own label: confirmed, no event
        assert second in table.confirmed
    text = run("export", path).stdout
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows[app.session.item_id(first)]["source"] == "review"
    assert rows[app.session.item_id(second)]["source"] == "terminal"


async def test_review_undo_takes_back_what_review_did_and_nothing_else(tmp_path):
    """Issue 21: after a confirm, u takes back the confirm (the ✓) and not the last answer of the labeling
    before; after a change, u restores the old label; with nothing done in review, u changes nothing."""
    path = tmp_path / "s.db"
    label_session(path, 40, flip_every=10, flip_at=2)
    app = make_review_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#review-table")
        before = [(a.index, a.label) for a in app.session.answers()]
        await pilot.press("u")  # nothing done in review yet: nothing changes
        await pilot.pause()
        assert [(a.index, a.label) for a in app.session.answers()] == before
        first = table.current_item
        preview = app.screen.query_one("#preview").render().plain
        assert app.session.text(first).split()[0] in preview  # the full text of the row under the cursor
        await pilot.press(str(app.session.answer_of(first).label + 1))  # confirm
        assert first in table.confirmed
        await pilot.press("u")
        await pilot.pause()
        assert first not in table.confirmed
        assert [(a.index, a.label) for a in app.session.answers()] == before  # the confirm only
        second = table.current_item
        given = app.session.answer_of(second).label
        await pilot.press(str(2 - given))  # change
        await pilot.pause()
        assert app.session.answer_of(second).label == 1 - given
        await pilot.press("u")
        await pilot.pause()
        assert app.session.answer_of(second).label == given
        assert [(a.index, a.label) for a in app.session.answers()] == before


async def test_search_shows_the_full_text_with_the_match_highlighted(tmp_path):
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    app = make_app(LabelConfig(data=str(TRAIN_CSV), test=str(TEST_CSV), session=str(tmp_path / "s.db")))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash")
        for ch in "subscribe":
            await pilot.press(ch)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        preview = app.screen.query_one("#preview")
        rendered = preview.render()
        index = app.screen.query_one("#search-table").current_item
        assert app.session.text(index)[-20:].strip()[-5:] in rendered.plain  # the whole text, not cut
        highlighted = [rendered.plain[span.start:span.end] for span in rendered.spans
                       if getattr(span.style, "reverse", False) or "reverse" in str(span.style)]
        assert highlighted and all(h.lower() == "subscribe" for h in highlighted)


async def test_a_scoring_that_fails_is_said_on_the_review_screen(tmp_path, monkeypatch):
    """A screen's worker failure reaches no app handler by itself: the review screen says it (it waited on
    "scoring every label…" forever)."""
    import altui.tui.screens.review as review_screen
    from altui.engine.errors import AltuiError

    path = tmp_path / "s.db"
    label_session(path, 20)

    def broken(session):
        raise AltuiError("the model cannot be refit")

    monkeypatch.setattr(review_screen, "review_items", broken)
    app = make_review_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        note = str(app.screen.query_one("#review-note").render())
        assert "could not score the labels: the model cannot be refit" in note
