"""Many classes (issue 19): the auto learner and margin query, calibrated probabilities, the stop-rule guard.

Measured on ../shared/data/debian-sections (22 classes, imbalanced) and small generated data.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import ROOT, TEST_CSV, TRAIN_CSV
from altui.data.files.corpus import load_corpus
from altui.engine.features import NBLR_FEATURES, features_for
from altui.engine.learners import make_learner, resolve_model
from altui.engine.learners.linear_svm import LinearSVMLearner, best_temperature, softmax
from altui.engine.learners.nb_logistic import NBLogisticLearner
from altui.engine.loop import ActiveLoop
from altui.engine.names import DEFAULT_STRATEGY
from altui.engine.simulate import run_once
from altui.engine.stopping import stability_kappa

DEBIAN = ROOT.parent / "shared" / "data" / "debian-sections"


@pytest.fixture(scope="module")
def debian():
    return load_corpus(str(DEBIAN / "train.csv"), str(DEBIAN / "test.csv"), seed=0, require_labels=True,
                       features=features_for("auto"), text_col="description", label_col="section")


def debian_session(path, answers: int):
    """A session on debian-sections (test file and columns saved), ``answers`` true labels given."""
    from altui.data.sessions.session import LabelingSession

    corpus = load_corpus(str(DEBIAN / "train.csv"), str(DEBIAN / "test.csv"), seed=0, text_col="description",
                         label_col="section", features=features_for("auto"))
    session = LabelingSession.open(corpus, path, model="auto", batch_size=10, info_extra={
        "test_path": str(DEBIAN / "test.csv"), "text_col": "description", "label_col": "section"})
    truth = {name: i for i, name in enumerate(session.labels)}
    y = [truth[str(v)] for v in session.corpus.train.labels]
    for _ in range(answers):
        session.answer(y[session.current()])
        if session.needs_teaching:
            session.commit_round(session.teach_and_query())
    return corpus, session


def test_auto_is_nblr_for_two_classes_and_the_svm_for_more():
    assert resolve_model("auto", 2) == "nblr" and resolve_model("auto", 3) == "svm"
    assert resolve_model("nb", 22) == "nb"
    assert isinstance(make_learner("auto", 2), NBLogisticLearner)
    assert isinstance(make_learner("auto", 5), LinearSVMLearner)
    assert features_for("auto") == features_for("svm") == NBLR_FEATURES  # one feature cache for both


def test_on_22_classes_the_default_beats_random_and_the_old_default(debian):
    """Acceptance 1 in small: 3 seeded runs to 300 labels (bench_many_classes.py has the 10-run table)."""
    n = len(debian.labels)
    assert n == 22

    def mean_at_300(model, strategy):
        runs = [run_once(debian.X, debian.y_train, debian.X_test, debian.y_test, n, strategy, 30, 10, seed=s,
                         repeat=s, learner=make_learner(model, n)) for s in range(3)]
        return float(np.mean([r.accuracy[-1] for r in runs]))

    new = mean_at_300("auto", DEFAULT_STRATEGY)
    assert DEFAULT_STRATEGY == "typiclust"
    assert new > mean_at_300("nblr", "random") + 0.03  # the random: altui's learner, random queries
    assert new > mean_at_300("nblr", "uncertainty") + 0.05  # the old default
    assert new > mean_at_300("auto", "random")  # random queries on the same learner (10 runs: +0.028)


def test_margin_asks_what_uncertainty_asks_on_two_classes(youtube_features):
    X, y, X_test, y_test = youtube_features
    margin = run_once(X, y, X_test, y_test, 2, "margin", 8, 10, seed=3)
    uncertainty = run_once(X, y, X_test, y_test, 2, "uncertainty", 8, 10, seed=3)
    for a, b in zip(margin.queried, uncertainty.queried):
        assert sorted(a.tolist()) == sorted(b.tolist())


def test_the_fitted_temperature_makes_probabilities_honest(debian):
    """Out-of-fold temperature: on the test set, the log loss and calibration error fall, accuracy is unchanged."""
    n = len(debian.labels)
    loop = ActiveLoop(debian.X, n, X_test=debian.X_test, y_test=debian.y_test, learner=make_learner("auto", n),
                      random_state=0)
    for _ in range(20):
        for i in loop.query():
            loop.answer(i, int(debian.y_train[i]))
        loop.teach()
    learner = loop.learner
    assert 0.02 <= learner.temperature_ < 1.0  # raw SVM margins are far too flat for a softmax
    z = learner.decision_function(debian.X_test)
    seen = np.isin(debian.y_test, learner.seen_classes_)
    target = np.searchsorted(learner.seen_classes_, debian.y_test[seen])

    def log_loss(t):
        p = softmax(z[seen] / t)
        return -np.mean(np.log(np.maximum(p[np.arange(p.shape[0]), target], 1e-12)))

    assert log_loss(learner.temperature_) < 0.8 * log_loss(1.0)
    proba = learner.predict_proba(debian.X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == debian.y_test
    assert abs(confidence.mean() - correct.mean()) < 0.15  # mean confidence near the accuracy it has


def test_best_temperature_recovers_a_known_one():
    rng = np.random.RandomState(0)
    z = rng.normal(size=(4000, 4)) * 3
    p = softmax(z / 0.5)
    y = np.array([rng.choice(4, p=row) for row in p])
    assert best_temperature(z, y) == pytest.approx(0.5, rel=0.15)


def test_a_model_that_predicts_one_class_is_not_stable():
    same = np.zeros(50, dtype=np.int64)
    assert np.isnan(stability_kappa(same, same, 2))
    assert np.isnan(stability_kappa(None, np.arange(50) % 2, 2))
    both = np.arange(50) % 2
    assert stability_kappa(both, both, 2) == pytest.approx(1.0)


def test_the_stop_rule_does_not_fire_while_the_model_calls_everything_the_majority(tmp_path):
    """Issue 19's finding: a 10 %-positive set, logreg + random: kappa is NaN while only one class is predicted."""
    rng = np.random.RandomState(0)
    n = 600
    y = (rng.rand(n) < 0.1).astype(np.int64)
    import scipy.sparse as sp

    # the minority has weak evidence: early models predict the majority everywhere
    rows = []
    for label in y:
        words = rng.choice(300, size=6, replace=False).tolist()
        if label and rng.rand() < 0.5:
            words.append(300 + rng.randint(3))
        rows.append(words)
    X = sp.csr_matrix((np.ones(sum(map(len, rows))), np.concatenate(rows), np.cumsum([0] + [len(r) for r in rows])),
                      shape=(n, 303))
    loop = ActiveLoop(X, 2, strategy="random", learner=make_learner("logreg", 2), random_state=1)
    for _ in range(12):
        for i in loop.query():
            loop.answer(i, int(y[i]))
        metrics = loop.teach()
        predicted = loop.predict_stop_set()
        if np.unique(predicted).shape[0] < 2:
            assert np.isnan(metrics.kappa)


def test_a_session_started_on_auto_keeps_the_resolved_model(tmp_path):
    from altui.data.sessions.session import LabelingSession
    from conftest import write_csv

    rows = [["text", "label"]] + [[f"{w} thing number {i}", w] for i in range(30) for w in ("red", "green", "blue")]
    data = write_csv(tmp_path / "three.csv", rows)
    corpus = load_corpus(str(data), seed=0, features=features_for("auto"))
    session = LabelingSession.open(corpus, tmp_path / "s.db", model="auto")
    assert session.store.info.model == "svm"
    session.close()
    binary = load_corpus(str(TRAIN_CSV), str(TEST_CSV), seed=0, features=features_for("auto"))
    session = LabelingSession.open(binary, tmp_path / "b.db", model="auto")
    assert session.store.info.model == "nblr"
    session.close()


def test_train_exports_the_svm_with_its_calibration(tmp_path):
    """`altui train` on a 22-class session: plain scikit-learn loads it and predicts as the app does."""
    import json
    import subprocess
    import sys

    from typer.testing import CliRunner

    from altui.cli import app

    path = tmp_path / "s.db"
    corpus, session = debian_session(path, 120)
    texts = list(corpus.test.texts[:300])
    app_proba = session.loop.learner.predict_proba(session.corpus.X_test[:300])
    app_predicted = [session.labels[i] for i in app_proba.argmax(axis=1)]
    session.close()
    model = tmp_path / "model.joblib"
    result = CliRunner().invoke(app, ["train", str(path), "-o", str(model)])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "model.json").read_text())["model"] == "svm"
    code = ("import json, sys, joblib\n"
            "m = joblib.load(sys.argv[1]); texts = json.load(open(sys.argv[2]))\n"
            "p = m.predict_proba(texts)\n"
            "print(json.dumps({'predicted': m.predict(texts).tolist(), 'sums': p.sum(axis=1).tolist(),\n"
            "  'top': p.max(axis=1).tolist()}))\n")
    (tmp_path / "texts.json").write_text(json.dumps(texts))
    done = subprocess.run([sys.executable, "-I", "-c", code, str(model), str(tmp_path / "texts.json")],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    plain = json.loads(done.stdout)
    np.testing.assert_allclose(plain["sums"], 1.0, rtol=1e-9)
    agree = np.mean([a == b for a, b in zip(plain["predicted"], app_predicted)])
    assert agree >= 0.9, agree  # refit on scikit-learn's hashing of the char n-grams: near, not identical
    assert abs(np.mean(plain["top"]) - float(app_proba.max(axis=1).mean())) < 0.1  # the same calibration


def test_simulate_reports_per_class_f1_and_takes_checkpoints(tmp_path):
    """simulate's JSON holds test F1 per class per round; --at picks the table's label counts; the table has a
    per-class F1 block on many classes."""
    import json

    from typer.testing import CliRunner

    from altui.cli import app

    summary = tmp_path / "s.json"
    result = CliRunner().invoke(app, [
        "simulate", str(DEBIAN / "train.csv"), "--test", str(DEBIAN / "test.csv"), "--text-col", "description",
        "--label-col", "section", "--iterations", "6", "--repeats", "2", "--jobs", "1", "--at", "20,40,60",
        "--json", str(summary)])
    assert result.exit_code == 0, result.output
    assert "n=20" in result.stdout and "n=40" in result.stdout and "n=30" not in result.stdout
    assert "test F1 per class at n=60" in result.stdout and "shells" in result.stdout
    data = json.loads(summary.read_text())
    labels = data["config"]["labels"]
    per_class = data["strategies"]["typiclust"]["class_f1_mean"]
    assert len(per_class) == 6 and all(len(row) == len(labels) == 22 for row in per_class)
    assert any(v is not None and v > 0 for v in per_class[-1])
    assert data["strategies"]["typiclust"]["distinct_labels_mean"][-1] == 60
    bad = CliRunner().invoke(app, ["simulate", str(TRAIN_CSV), "--at", "ten"])
    assert bad.exit_code == 2 and "--at" in bad.stderr


def test_status_lists_each_class_with_its_test_f1_worst_first(tmp_path):
    from typer.testing import CliRunner

    from altui.cli import app

    _, session = debian_session(tmp_path / "s.db", 40)
    session.close()
    lines = CliRunner().invoke(app, ["status", str(tmp_path / "s.db")]).stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("per class labels, test F1 after round 4"))
    rows = lines[start + 1: start + 23]
    assert len(rows) == 22 and {r.split()[0] for r in rows} == set(session.labels)
    scores = [float(r.split("F1 ")[1]) for r in rows if "F1 -" not in r]
    assert scores == sorted(scores)  # worst first


def test_the_tutorials_loop_reports_distinct_labels_honestly(youtube_features):
    pytest.importorskip("modAL")
    from altui.engine.modal_reference import run_modal_tutorial

    X, y, X_test, y_test = youtube_features
    imbalanced = np.flatnonzero((y == 0) | (np.arange(y.shape[0]) % 8 == 0))  # ~6 % spam: ties repeat
    result = run_modal_tutorial(X[imbalanced], y[imbalanced], X_test, y_test, 2, 20, 10, seed=0)
    asked = np.concatenate(result.queried)
    assert result.distinct[-1] == np.unique(asked).shape[0] <= result.n_labels[-1]
