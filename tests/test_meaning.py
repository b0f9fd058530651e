"""Meaning, not only words (issue 33): sentence vectors from a wheel, the SVM on n-grams + vectors, clusters on the
vectors, label-name prototypes as a zero-shot start, simulate's n_labels 0 row, and n-grams alone without the model."""

from __future__ import annotations

import csv
import importlib.util
import json
import socket

import numpy as np
import pytest
import scipy.sparse as sp
from typer.testing import CliRunner

from conftest import ROOT
from altui.cli.main import app
from altui.data.embeddings import static_model
from altui.data.embeddings.meaning import with_meaning
from altui.data.embeddings.static_model import EmbedderFiles, StaticEmbedder, load_embedder
from altui.data.embeddings.vector_cache import cached_vectors
from altui.data.files.corpus import label_text, load_corpus
from altui.engine.cold_start import projected_points
from altui.engine.feature_rows import NgramsAndVectors, stack_rows, vectors_of
from altui.engine.features import features_for
from altui.engine.learners.linear_svm import LinearSVMLearner
from altui.engine.simulate import run_once

DEBIAN = ROOT.parent / "shared" / "data" / "debian-sections"
needs_wordllama = pytest.mark.skipif(importlib.util.find_spec("wordllama") is None, reason="wordllama not installed")


@pytest.fixture
def no_network(monkeypatch):
    """Any socket opened while the model loads or embeds fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def small_debian(tmp_path, n_train=400, n_test=300):
    """The first rows of debian-sections, so the tests stay quick."""
    paths, seen = [], None
    for name, n in (("train", n_train), ("test", n_test)):
        with open(DEBIAN / f"{name}.csv", newline="", encoding="utf-8") as fh:
            header, *rows = list(csv.reader(fh))
        column = header.index("section")
        rows = [r for r in rows if seen is None or r[column] in seen][:n]  # test labels the training rows have
        seen = {r[column] for r in rows} if seen is None else seen
        path = tmp_path / f"{name}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([header, *rows])
        paths.append(path)
    return paths


@needs_wordllama
def test_the_wheel_model_loads_and_embeds_offline_as_wordllama_does(no_network):
    embedder = load_embedder("wordllama")
    texts = ["Perl module for parsing XML", "Haskell library for lenses", "a game of chess", "x" * 3000]
    vectors = embedder.embed(texts)
    assert vectors.shape == (4, 256) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    import pathlib

    from wordllama import WordLlama  # its own loader, pointed at the wheel's files, downloads disabled
    import wordllama

    theirs = WordLlama.load(cache_dir=pathlib.Path(wordllama.__file__).parent, disable_download=True)
    assert np.allclose(theirs.embed(texts, norm=True), vectors, atol=1e-5)
    # meaning: a Perl text is nearer the label "perl" than "games"
    perl, games = embedder.embed(["perl", "games"])
    assert vectors[0] @ perl > vectors[0] @ games


def make_static_folder(folder, vocab: list[str], table: np.ndarray, nested: bool = False):
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    target = folder / "0_StaticEmbedding" if nested else folder
    target.mkdir(parents=True)
    tokenizer = Tokenizer(WordLevel({w: i for i, w in enumerate(vocab)}, unk_token=vocab[0]))
    tokenizer.pre_tokenizer = Whitespace()
    tokenizer.save(str(target / "tokenizer.json"))
    save_file({"embeddings": table.astype(np.float32)}, str(target / "model.safetensors"))


@pytest.mark.parametrize("nested", [False, True])
def test_a_users_static_model_folder_is_the_mean_of_its_token_rows(tmp_path, no_network, nested):
    vocab = ["[UNK]", "alpha", "beta", "gamma"]
    table = np.array([[0, 0, 0], [1, 0, 0], [0, 2, 0], [0, 0, 3]], dtype=np.float32)
    make_static_folder(tmp_path / "model", vocab, table, nested)
    embedder = load_embedder(str(tmp_path / "model"))
    got = embedder.embed(["alpha beta", "gamma gamma alpha", ""])
    want = np.array([[0.5, 1, 0], [1 / 3, 0, 2]])
    want /= np.linalg.norm(want, axis=1, keepdims=True)
    assert np.allclose(got[:2], want) and not got[2].any()  # a text without a token: the zero vector
    assert embedder.identity.startswith("folder:")


def test_a_folder_that_is_not_a_static_model_is_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    for name in (tmp_path / "missing", tmp_path / "empty"):
        result = CliRunner().invoke(app, ["simulate", str(DEBIAN / "train.csv"), "--text-col", "description",
                                          "--label-col", "section", "--embedder", str(name), "--iterations", "1",
                                          "--repeats", "1"])
        assert result.exit_code == 1 and "--embedder" in result.output and "Traceback" not in result.output


def test_without_the_model_altui_learns_from_ngrams_and_says_so_once(tmp_path, monkeypatch):
    train, test = small_debian(tmp_path)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(static_model.importlib.util, "find_spec",
                        lambda name, *a: None if name == "wordllama" else real_find_spec(name, *a))
    corpus = load_corpus(str(train), str(test), text_col="description", label_col="section",
                         features=features_for("svm"), require_labels=True)
    meaning = with_meaning(corpus, "auto", "wordllama")
    assert meaning.corpus.vectors is None and "n-grams alone" in meaning.notice
    assert sp.issparse(meaning.prototypes) and meaning.prototypes.shape[0] == len(corpus.labels)  # names' n-grams
    result = CliRunner().invoke(app, ["simulate", str(train), "--test", str(test), "--text-col", "description",
                                      "--label-col", "section", "--iterations", "2", "--repeats", "1", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.count("n-grams alone") == 1


def test_feature_rows_keep_their_vectors_through_indexing_and_stacking():
    X = sp.csr_matrix(np.eye(4))
    V = np.arange(8, dtype=np.float16).reshape(4, 2)
    rows = NgramsAndVectors(X, V)
    picked = rows[np.array([3, 1])]
    assert np.array_equal(picked.vectors, V[[3, 1]]) and np.array_equal(picked.ngrams.toarray(), np.eye(4)[[3, 1]])
    assert rows[2].shape == (1, 4) and np.array_equal(rows[2].vectors, V[2:3])
    both = stack_rows([rows, rows[:1]])
    assert both.shape == (5, 4) and np.array_equal(both.vectors[4], V[0])
    with pytest.raises(ValueError):
        stack_rows([rows, X])
    with pytest.raises(ValueError):
        NgramsAndVectors(X, V[:3])


def topical(n_per_class=40, seed=0):
    """Three classes whose n-grams are noise and whose vectors carry the class (meaning without shared words)."""
    rng = np.random.RandomState(seed)
    n = 3 * n_per_class
    y = np.repeat(np.arange(3), n_per_class)
    X = sp.random(n, 300, density=0.03, format="csr", random_state=rng)
    X.data[:] = 1
    centres = np.eye(3, 16)
    V = centres[y] + 0.25 * rng.randn(n, 16)
    return X, V.astype(np.float16), y, centres


def test_the_svm_learns_from_vectors_where_ngrams_say_nothing():
    X, V, y, _ = topical()
    Xt, Vt, yt, _ = topical(seed=1)
    train = np.r_[0:10, 40:50, 80:90]
    words = LinearSVMLearner(n_classes=3).fit(X[train], y[train])
    meaning = LinearSVMLearner(n_classes=3).fit(NgramsAndVectors(X, V)[train], y[train])
    acc_words = (words.predict_proba(Xt).argmax(1) == yt).mean()
    acc_meaning = (meaning.predict_proba(NgramsAndVectors(Xt, Vt)).argmax(1) == yt).mean()
    assert acc_meaning > 0.85 and acc_words < 0.6
    scores = meaning.attach(NgramsAndVectors(Xt, Vt))  # the loop's path: rows scored as asked
    assert np.allclose(scores.predict_proba(np.array([0, 50])), meaning.predict_proba(NgramsAndVectors(Xt, Vt)[[0, 50]]))
    with pytest.raises(ValueError):
        meaning.predict_proba(Xt)  # a model that learned from vectors refuses rows without them


def test_class_prototypes_predict_before_any_answer_and_fade():
    Xt, Vt, yt, centres = topical(seed=2)
    prototypes = NgramsAndVectors(sp.csr_matrix((3, 300)), centres.astype(np.float16))
    learner = LinearSVMLearner(n_classes=3, class_prototypes=prototypes)
    learner.fit(NgramsAndVectors(Xt[:0], Vt[:0]), np.zeros(0, dtype=np.int64))
    assert learner.can_predict and not learner.is_ready  # a guess, not a model that ranks
    assert (learner.predict_proba(NgramsAndVectors(Xt, Vt)).argmax(1) == yt).mean() > 0.9
    weights = learner.prototype_weights(np.array([0] * 20 + [1]))
    assert weights[2] == 1.0 and weights[0] < weights[1] < 1.0


def test_typiclust_and_the_cold_start_cluster_on_the_vectors():
    X, V, y, _ = topical()
    points = projected_points(NgramsAndVectors(X, V), np.arange(10), seed=0)
    assert points.shape == (10, 16) and np.allclose(np.linalg.norm(points, axis=1), 1.0, atol=1e-3)
    assert projected_points(X, np.arange(10), seed=0).shape[1] != 16  # n-grams: their own projection


@needs_wordllama
def test_simulate_reports_the_model_before_the_first_answer(tmp_path):
    train, test = small_debian(tmp_path)
    out, summary = tmp_path / "curves.csv", tmp_path / "summary.json"
    result = CliRunner().invoke(app, ["simulate", str(train), "--test", str(test), "--text-col", "description",
                                      "--label-col", "section", "--iterations", "3", "--repeats", "2", "-j", "1",
                                      "-s", "typiclust", "--out", str(out), "--json", str(summary)])
    assert result.exit_code == 0, result.output
    assert "n=0" in result.output
    rows = list(csv.DictReader(out.open()))
    zero = [r for r in rows if r["n_labels"] == "0"]
    assert [r["iteration"] for r in zero] == ["0", "0"] and all(float(r["accuracy"]) > 0.15 for r in zero)
    assert [r["iteration"] for r in rows if r["repeat"] == "0"] == ["0", "1", "2", "3"]
    data = json.loads(summary.read_text())
    before = data["strategies"]["typiclust"]["before_answers"]
    assert before["n_labels"] == 0 and before["mean"] == pytest.approx(np.mean([float(r["accuracy"]) for r in zero]))
    assert data["config"]["embedder"].startswith("wordllama") and data["config"]["label_prior"] is True
    # without the prior there is no such row
    result = CliRunner().invoke(app, ["simulate", str(train), "--test", str(test), "--text-col", "description",
                                      "--label-col", "section", "--iterations", "2", "--repeats", "1", "-j", "1",
                                      "--no-label-prior", "--json", "-"])
    assert json.loads(result.stdout)["strategies"]["typiclust"]["before_answers"] is None


@needs_wordllama
def test_vectors_are_computed_once_and_read_back_from_the_cache(tmp_path):
    embedder = load_embedder("wordllama")
    calls = []
    real = embedder.embed
    embedder.embed = lambda texts, on_progress=None: calls.append(len(texts)) or real(texts, on_progress)
    first = cached_vectors(["a b", "c"], ["d"], embedder, root=tmp_path)
    again = cached_vectors(["a b", "c"], ["d"], embedder, root=tmp_path)
    assert calls == [3] and np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert first[0].dtype == np.float16 and first[1].shape == (1, 256)
    (next(tmp_path.glob("*.npy"))).write_bytes(b"broken")
    cached_vectors(["a b", "c"], ["d"], embedder, root=tmp_path)
    assert calls == [3, 3]  # a broken entry is rebuilt, never fatal


@needs_wordllama
def test_a_session_keeps_its_embedder_and_suggests_from_the_label_names(tmp_path):
    from altui.data.sessions.session import LabelingSession

    train, test = small_debian(tmp_path)
    corpus = load_corpus(str(train), str(test), text_col="description", label_col="section",
                         features=features_for("auto"))
    path = tmp_path / "s.db"
    session = LabelingSession.open(corpus, path, model="auto", info_extra={"embedder": "wordllama",
                                                                           "label_prior": True})
    assert vectors_of(session.loop.X) is not None
    guess = session.predict(session.current())
    assert guess is not None and guess.from_label_names
    session.answer(guess.best, source="accepted")
    session.close()
    resumed = LabelingSession.open(corpus, path, model="auto")  # the saved settings win
    assert vectors_of(resumed.loop.X) is not None and resumed.store.info.embedder == "wordllama"
    resumed.close()
    old = LabelingSession.open(corpus, tmp_path / "old.db", model="auto")  # a session made without vectors
    assert vectors_of(old.loop.X) is None and old.predict(old.current()) is None
    old.close()


def test_label_text_reads_names_as_words():
    assert label_text("gnu-r") == "gnu r" and label_text("software:source") == "software source"
    assert label_text("x11", "the X Window System") == "x11: the X Window System"


def test_an_embedder_whose_table_is_too_small_is_refused(tmp_path):
    make_static_folder(tmp_path / "m", ["[UNK]", "a", "b"], np.zeros((2, 3)))
    files = static_model.folder_files(tmp_path / "m")
    with pytest.raises(Exception, match="do not belong together"):
        StaticEmbedder(EmbedderFiles(files.tokenizer, files.weights, None, "x"))


def test_label_sets_learn_from_vectors_too():
    from altui.engine.label_masks import mask_of
    from altui.engine.learners.multi_label import MultiLabelSVMLearner

    X, V, y, _ = topical()
    Xt, Vt, yt, _ = topical(seed=1)
    masks = np.array([mask_of([int(c)]) for c in y])
    train = np.r_[0:10, 40:50, 80:90]
    words = MultiLabelSVMLearner(n_classes=3).fit(X[train], masks[train])
    meaning = MultiLabelSVMLearner(n_classes=3).fit(NgramsAndVectors(X, V)[train], masks[train])
    want = np.array([mask_of([int(c)]) for c in yt])
    assert (meaning.predict(NgramsAndVectors(Xt, Vt)) == want).mean() > 0.8 > (words.predict(Xt) == want).mean()
    with pytest.raises(ValueError):
        meaning.predict(Xt)
