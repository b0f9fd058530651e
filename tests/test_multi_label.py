"""Issue 22, multi-label: label-set cells, the one-SVM-per-label learner, its strategies and metrics, simulate,
and a session from the keys to the export, the trained pipeline and predict."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import pinned
from test_cli import assert_one_line_error
from altui.cli import app
from altui.data.errors import DataError
from altui.data.files.corpus import load_corpus
from altui.data.files.label_sets import cell_labels, encode_label_sets
from altui.data.files.table import LabelSet, load_table
from altui.engine.features import features_for, vectorize
from altui.engine.label_masks import bits, labels_of, mask_of, masks_from_bits
from altui.engine.learners.multi_label import MultiLabelSVMLearner
from altui.engine.loop import ActiveLoop
from altui.engine.metrics import label_set_scores
from altui.engine.multi_label_strategies import separation_margin

runner = CliRunner()
TOPICS = {"audio": ["music", "sound", "mp3", "player"], "video": ["video", "movie", "film", "stream"],
          "image": ["photo", "image", "picture", "png"], "text": ["text", "editor", "document", "words"]}


def label_set_rows(n: int, seed: int) -> list[dict]:
    """Texts about one or two topics (some about none), labeled with their topics."""
    rng = np.random.RandomState(seed)
    names = sorted(TOPICS)
    rows = []
    for i in range(n):
        k = [0, 1, 1, 2][rng.randint(4)]
        labels = sorted(rng.choice(names, size=k, replace=False).tolist()) if k else []
        words = [rng.choice(TOPICS[t]) for t in labels for _ in range(3)]
        words += rng.choice(["tool", "fast", "simple", "library", "app", "for", "linux", "new"], size=3).tolist()
        rng.shuffle(words)
        rows.append({"id": f"p{i}", "text": " ".join(words), "labels": labels})
    return rows


def write_jsonl(path, rows) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def answered_session(tmp_path, seed: int):
    """A multi-label session whose first batch of 10 is answered with the true sets (the first with the empty set)
    and taught: (session path, corpus, the next batch)."""
    from altui.data.sessions.session import LabelingSession

    corpus = load_corpus(write_jsonl(tmp_path / "d.jsonl", label_set_rows(120, seed)), multi_label=True)
    path = tmp_path / "ml.db"
    labeling = LabelingSession.open(corpus, path, batch_size=10)
    for k in range(10):
        labeling.answer(0 if k == 0 else int(corpus.y_train[labeling.current()]))
    labeling.commit_round(labeling.teach_and_query())
    pending = labeling.loop.pending()
    labeling.close()
    return path, corpus, pending


def test_a_cell_is_a_json_list_or_joined_values_and_an_empty_list_is_an_answer():
    assert cell_labels('["audio", "video", "audio"]') == ["audio", "video"]
    assert cell_labels("audio; video") == ["audio", "video"]
    assert cell_labels("audio|video", "|") == ["audio", "video"]
    assert cell_labels("[]") == [] and cell_labels(";") == []
    assert cell_labels("") is None and cell_labels("null") is None
    with pytest.raises(DataError, match="not a JSON list"):
        cell_labels("[audio")
    assert labels_of(mask_of([0, 3])) == (0, 3) and mask_of([]) == 0


def test_load_corpus_reads_label_sets_as_bit_masks(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", label_set_rows(60, 0))
    corpus = load_corpus(data, multi_label=True)
    assert corpus.multi_label and corpus.labels.names == ("audio", "image", "text", "video")
    rows = {r["id"]: r["labels"] for r in label_set_rows(60, 0)}
    for item_id, mask in zip(corpus.train.ids, corpus.y_train.tolist()):
        assert [corpus.labels.names[j] for j in labels_of(mask)] == rows[item_id]
    csv_path = tmp_path / "d.csv"
    csv_path.write_text("text,tags\nmp3 music,audio|video\nnothing here,\nplain,[]\n", encoding="utf-8")
    table = load_table(str(csv_path), label_col="tags")
    labels = LabelSet(("audio", "video"), ("audio", "video"))
    assert encode_label_sets(table, labels, "|").tolist() == [3, -1, 0]
    with pytest.raises(DataError, match=r"'audio\|video' \(row 1\) is not one of"):
        encode_label_sets(table, LabelSet(("audio", "x"), ("audio", "x")), ";")


def test_label_set_scores_match_scikit_learn():
    from sklearn.metrics import accuracy_score, f1_score

    rng = np.random.RandomState(3)
    truth, predicted = rng.randint(0, 16, 200), rng.randint(0, 16, 200)
    subset, macro, micro, per_label = label_set_scores(truth, predicted, 4)
    T, P = bits(truth, 4), bits(predicted, 4)
    assert subset == pytest.approx(accuracy_score(T, P))
    assert micro == pytest.approx(f1_score(T, P, average="micro"))
    assert macro == pytest.approx(f1_score(T, P, average="macro", zero_division=0))
    assert per_label == pytest.approx(list(f1_score(T, P, average=None)))


def test_the_learner_predicts_label_sets_and_its_probabilities_are_per_label():
    rows = label_set_rows(300, 1)
    names = sorted(TOPICS)
    y = np.array([mask_of(names.index(t) for t in r["labels"]) for r in rows])
    _, X, _ = vectorize([r["text"] for r in rows], None, features_for("svm"))
    learner = MultiLabelSVMLearner(n_classes=4).fit(X[:200], y[:200])
    proba = learner.predict_proba(X[200:])
    assert proba.shape == (100, 4) and ((proba >= 0) & (proba <= 1)).all()
    assert not np.allclose(proba.sum(axis=1), 1.0)  # not a distribution over labels
    subset, macro, _, _ = label_set_scores(y[200:], learner.predict(X[200:]), 4)
    assert macro > 0.8 and subset > 0.6
    assert (masks_from_bits(proba > 0.5) == learner.predict(X[200:])).all()
    # a label only ever answered "no" is predicted "no", with a small probability
    only_no = MultiLabelSVMLearner(n_classes=5).fit(X[:50], y[:50])
    assert only_no.is_ready and (only_no.predict_proba(X[:5])[:, 4] < 0.1).all()


def test_the_separation_margin_is_smallest_where_the_set_is_least_sure():
    proba = np.array([[0.9, 0.1, 0.1], [0.55, 0.45, 0.1], [0.2, 0.1, 0.1]])
    margin = separation_margin(proba)
    assert margin[1] < margin[0] and margin[1] < margin[2]


def test_a_batch_is_spread_over_the_labels_it_is_unsure_of():
    from altui.engine.multi_label_strategies import spread_over_labels

    utility = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    owner = np.array([0, 0, 0, 1, 1, 2])  # label 0 owns the three most useful texts
    assert spread_over_labels(utility, owner, 3).tolist() == [0, 3, 5]  # one of each label first
    assert spread_over_labels(utility, owner, 5).tolist() == [0, 3, 5, 1, 4]
    assert sorted(spread_over_labels(utility, owner, 6).tolist()) == list(range(6))


def test_the_loop_takes_label_sets_and_checks_them():
    rows = label_set_rows(120, 2)
    names = sorted(TOPICS)
    y = np.array([mask_of(names.index(t) for t in r["labels"]) for r in rows])
    _, X, X_test = vectorize([r["text"] for r in rows[:100]], [r["text"] for r in rows[100:]], features_for("svm"))
    loop = ActiveLoop(X, 4, X_test=X_test, y_test=y[100:], batch_size=10, random_state=0, multi_label=True)
    for _ in range(4):
        for index in loop.query():
            loop.answer(index, int(y[index]))
        metrics = loop.teach()
    assert metrics.micro_f1 == metrics.micro_f1 and 0 <= metrics.f1 <= 1 and len(metrics.class_f1) == 4
    counts = loop.pool.label_counts(4)
    labeled = loop.pool.labeled()
    assert counts.tolist() == bits(y[labeled], 4).sum(axis=0).tolist()  # counts per label, not per set
    with pytest.raises(Exception, match="outside the 4 labels"):
        loop.answer(int(loop.pool.unlabeled()[0]), 1 << 4)


def test_simulate_multi_label_reports_macro_micro_f1_and_subset_accuracy(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", label_set_rows(300, 4))
    default = runner.invoke(app, ["simulate", data, "--multi-label", "--repeats", "1", "--iterations", "3"])
    assert default.exit_code == 0 and "uncertainty" in default.stdout and "random" in default.stdout
    result = runner.invoke(app, ["simulate", data, "--multi-label", "--repeats", "2", "--iterations", "8",
                                 "-s", "margin", "-s", "random", "--json", str(tmp_path / "s.json")])
    assert result.exit_code == 0, result.output
    assert "subset accuracy" in result.stdout and "micro F1" in result.stdout and "macro F1" in result.stdout
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["config"]["multi_label"] is True
    assert summary["strategies"]["margin"]["f1_mean"][-1] > 0.5
    assert 0 < summary["strategies"]["margin"]["micro_f1_mean"][-1] <= 1
    assert_one_line_error(runner.invoke(app, ["simulate", data, "--label-sep", "|"]), "add --multi-label")
    assert_one_line_error(runner.invoke(app, ["simulate", data, "--multi-label", "--model", "nb"]), "single-label")


async def test_toggle_two_labels_confirm_then_export_train_and_predict(tmp_path):
    """Issue 22, acceptance 1: keys toggle labels, enter confirms the set (empty: an answer, not a skip)."""
    import joblib

    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    data = write_jsonl(tmp_path / "d.jsonl", label_set_rows(200, 5))
    session = tmp_path / "s.db"
    app_ = pinned(make_app(LabelConfig(data=data, batch=5, session=str(session), multi_label=True)))
    async with app_.run_test(size=(80, 24)) as pilot:
        first = app_.session.current()
        await pilot.press("1", "4", "4", "4")  # audio, video on, off, on
        await pilot.pause()
        assert "audio, video" in str(app_.annotate_screen.query_one("#prediction").render())
        await pilot.press("enter")
        await pilot.pause()
        assert app_.session.answer_of(first).label == 0b1001
        second = app_.session.current()
        await pilot.press("enter")  # nothing toggled: the empty set
        await pilot.pause()
        assert app_.session.answer_of(second).label == 0
        await pilot.press("space")  # a skip is not an empty set
        await pilot.pause()
        for _ in range(12):  # two rounds: text and image on everything else
            await pilot.press("2", "3", "enter")
            await pilot.pause()
        await app_.workers.wait_for_complete()
    jsonl = runner.invoke(app, ["export", str(session), "-f", "jsonl", "--skipped"]).stdout
    rows = [json.loads(line) for line in jsonl.splitlines()]
    assert rows[0]["labels"] == ["audio", "video"] and rows[1]["labels"] == [] and rows[2]["labels"] is None
    status = runner.invoke(app, ["status", str(session)]).stdout
    assert "labeled   14 (audio 1, image 12, text 12, video 1)" in status and "subset accuracy" in status
    table = list(csv.DictReader(io.StringIO(runner.invoke(app, ["export", str(session)]).stdout)))
    assert json.loads(table[0]["labels"]) == ["audio", "video"] and "label" not in table[0]  # CSV: JSON lists
    trained = runner.invoke(app, ["train", str(session), "-o", str(tmp_path / "m.joblib")])
    assert trained.exit_code == 0, trained.output
    assert "micro F1" in trained.stdout
    model = joblib.load(tmp_path / "m.joblib")
    assert list(model.classes_) == ["audio", "image", "text", "video"]
    sets = model.predict(["photo editor document png", "mp3 music"])
    assert sets.shape == (2, 4) and set(np.unique(sets)) <= {0, 1}
    assert model.predict_proba(["photo editor"]).shape == (1, 4)
    predicted = list(csv.DictReader(io.StringIO(runner.invoke(app, ["predict", str(session)]).stdout)))
    assert "labels" in predicted[0] and "p_video" in predicted[0]
    assert all(set(json.loads(r["labels"])) <= set(TOPICS) for r in predicted)


def test_a_session_keeps_its_kind(tmp_path):
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    data = write_jsonl(tmp_path / "d.jsonl", [{"id": r["id"], "text": r["text"], "label": (r["labels"] or ["none"])[0]}
                                              for r in label_set_rows(80, 6)])
    single = make_app(LabelConfig(data=data, session=str(tmp_path / "s.db")))
    single.session.close()
    with pytest.raises(DataError, match="not multi-label"):
        make_app(LabelConfig(data=data, session=str(tmp_path / "s.db"), multi_label=True))
    sets = write_jsonl(tmp_path / "sets.jsonl", label_set_rows(80, 6))
    make_app(LabelConfig(data=sets, session=str(tmp_path / "m.db"), multi_label=True)).session.close()
    from altui.engine.errors import AltuiError
    from altui.tui.factory import make_review_app

    with pytest.raises(AltuiError, match="ranks single labels"):
        make_review_app(tmp_path / "m.db")


async def test_two_annotators_on_label_sets_agreement_merge_adjudicate_export(tmp_path):
    """Two people label the same texts with sets: kappa over every text x label decision and per label, the
    differing sets listed; merge labels the agreed sets, review --conflicts toggles the final set of each
    disagreement, and the export keeps every annotator's set beside the final one."""
    from altui.data.sessions.session import LabelingSession
    from altui.tui.factory import make_review_app

    data = write_jsonl(tmp_path / "d.jsonl", label_set_rows(80, 8))
    for name, flip in (("alice", False), ("bob", True)):
        corpus = load_corpus(data, multi_label=True)
        session = LabelingSession.open(corpus, tmp_path / f"{name}.db", batch_size=40,
                                       info_extra={"annotator": name})
        for k in range(20):
            truth = int(corpus.y_train[session.current()])
            session.answer(truth ^ 0b0001 if flip and k % 5 == 0 else truth)  # bob: audio flipped on every 5th
        session.close()
    result = runner.invoke(app, ["agreement", str(tmp_path / "alice.db"), str(tmp_path / "bob.db"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["disagreements"]) == 4 and report["per_label"]["video"] == pytest.approx(1.0)
    assert report["per_label"]["audio"] < 1.0 and 0 < report["kappa"] < 1
    first = report["disagreements"][0]["labels"]
    assert isinstance(first["alice"], list) and set(first["alice"]) ^ set(first["bob"]) == {"audio"}
    team = tmp_path / "team.db"
    merged = runner.invoke(app, ["merge", str(tmp_path / "alice.db"), str(tmp_path / "bob.db"), "-o", str(team)])
    assert merged.exit_code == 0, merged.output
    assert "16 items agreed" in merged.stdout and "4 disagreements" in merged.stdout
    review = make_review_app(team, conflicts=True)
    async with review.run_test(size=(120, 30)) as pilot:
        await review.workers.wait_for_complete()
        await pilot.pause()
        table = review.screen.query_one("#review-table")
        assert table.row_count == 4
        for _ in range(4):  # the adjudicator's set for each: text and video
            await pilot.press("3", "4", "down")
            await pilot.pause()
    rows = [json.loads(line) for line in runner.invoke(app, ["export", str(team), "-f", "jsonl"]).stdout.splitlines()]
    adjudicated = [r for r in rows if r["source"].startswith("adjudicated:")]
    assert len(adjudicated) == 4 and all(r["labels"] == ["text", "video"] for r in adjudicated)
    assert all(set(r["by alice"]) ^ set(r["by bob"]) == {"audio"} for r in adjudicated)
    agreed = [r for r in rows if r["source"] == "merged"]
    assert len(agreed) == 16 and all(r["by alice"] == r["by bob"] == r["labels"] for r in agreed)
    csv_rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["export", str(team)]).stdout)))
    assert all(r["labels"] == "" or set(json.loads(r["labels"])) <= set(TOPICS) for r in csv_rows)


def test_label_names_are_data_in_simulates_report(tmp_path):
    """A label called "[bold red]x[/]" is printed as written (Rich markup in data is text), and a file whose
    sets hold no label says so."""
    rows = [{"text": f"word{i % 7} text {i}", "labels": ["[bold red]x[/]"] if i % 2 else ["plain"]} for i in range(60)]
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    result = runner.invoke(app, ["simulate", data, "--multi-label", "--repeats", "1", "--iterations", "2"])
    assert result.exit_code == 0, result.output
    assert "[bold red]x[/]" in result.stdout
    empty = write_jsonl(tmp_path / "e.jsonl", [{"text": f"t {i}", "labels": []} for i in range(20)])
    assert_one_line_error(runner.invoke(app, ["simulate", empty, "--multi-label"]), "no label at all")


async def test_undo_and_history_act_on_label_sets(tmp_path):
    """u takes a set back (the text is asked again, starting from an empty set); in history a label key toggles
    that label in the answer under the cursor, and u undoes the toggle."""
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    data = write_jsonl(tmp_path / "d.jsonl", label_set_rows(100, 11))
    app_ = pinned(make_app(LabelConfig(data=data, batch=5, session=str(tmp_path / "s.db"), multi_label=True)))
    async with app_.run_test(size=(120, 40)) as pilot:
        first = app_.session.current()
        await pilot.press("1", "2", "enter")
        await pilot.pause()
        assert app_.session.answer_of(first).label == 0b0011
        await pilot.press("4")  # toggled on the next text, then taken back with the answer before it
        await pilot.press("u")
        await pilot.pause()
        assert app_.session.current() == first and app_.session.answer_of(first) is None
        assert app_.annotate_screen._current_set() == 0  # the set toggled on the other text is not carried over
        await pilot.press("3", "enter")
        await pilot.pause()
        assert app_.session.answer_of(first).label == 0b0100
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("1")  # history: audio toggled into the set under the cursor (the newest answer)
        await pilot.pause()
        assert app_.session.answer_of(first).label == 0b0101
        await pilot.press("u")
        await pilot.pause()
        assert app_.session.answer_of(first).label == 0b0100


def test_csv_label_sets_are_json_lists_that_read_back_as_the_same_sets(tmp_path):
    """Issue 29: a label 'au;dio' was exported as 'au;dio;net' and read back as three labels; an empty set and a
    skip looked the same. Nested lists and objects in a cell are refused, naming the row."""
    from altui.data.files.outputs import _set_cell

    for names in (["au;dio", "net"], [], ['quote"d', "comma,ma"]):
        assert cell_labels(_set_cell(names)) == names
    assert _set_cell(None) == "" and cell_labels(_set_cell(None)) is None  # a skip: an empty cell, unlabeled
    for bad in ('[["audio"]]', '{"audio": 1}', '[{"a": 1}]'):
        with pytest.raises(DataError, match="row 3"):
            cell_labels(bad, where="data.csv row 3: ")
