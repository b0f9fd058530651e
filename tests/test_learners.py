"""The default learner (NB-LR) and its features: char n-grams, binary scoring, determinism, threads."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

from conftest import TEST_CSV, TRAIN_CSV, read_youtube
from altui.engine.char_ngrams import char_ngrams_by_bucket, hash_char_ngrams
from altui.engine.features import NB_FEATURES, NBLR_FEATURES, FeatureConfig, features_for, vectorize, word_rows
from altui.engine.learners import make_learner
from altui.engine.learners.base import single_threaded
from altui.engine.learners.nb_logistic import NBLogisticLearner, binary, log_count_ratio
from altui.engine.simulate import simulate, summarize

EDGE_TEXTS = ["", "   ", "a", ":D", "❤❤❤", "Hi  there,\n a I'm ok!\u3000😀x", "\ud800x y", "İstanbul ÇOK", "tab\tsep  "]


@pytest.fixture(scope="module")
def nblr_youtube():
    texts, y = read_youtube(TRAIN_CSV)
    test_texts, y_test = read_youtube(TEST_CSV)
    space, X, X_test = vectorize(texts, test_texts, NBLR_FEATURES)
    return texts, space, X, y, X_test, y_test


def test_char_ngrams_are_scikit_learns_char_wb_ngrams():
    texts, _ = read_youtube(TRAIN_CSV)
    analyzer = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4)).build_analyzer()
    for text in texts[:400] + EDGE_TEXTS:
        assert set(char_ngrams_by_bucket(text, (2, 4), 2**40).values()) == set(analyzer(text)), repr(text)


def test_hashed_char_ngrams_are_one_per_text_and_bucket_and_rows_do_not_leak():
    texts = ["abc", "", "   ", "abc abc", "xyz"]
    M = hash_char_ngrams(texts, (2, 4), 2**22)
    assert M.shape == (5, 2**22) and set(M.data.tolist()) == {1.0}
    assert np.diff(M.indptr).tolist()[1:3] == [0, 0]  # empty and blank texts have none
    assert (M[0] != M[3]).nnz == 0  # repeated word: same n-grams, counted once
    assert M[0].multiply(M[4]).nnz == 0  # distinct texts share no n-gram here
    alone = hash_char_ngrams(["xyz"], (2, 4), 2**22)
    assert (alone != M[4]).nnz == 0  # a text's row does not depend on its neighbours


def test_features_per_model():
    assert features_for("nb") == NB_FEATURES == FeatureConfig()
    assert features_for("logreg") == NB_FEATURES
    assert features_for("nblr") == NBLR_FEATURES and NBLR_FEATURES.binary and NBLR_FEATURES.char_ngram_range
    assert "binary" not in NB_FEATURES.as_dict()  # caches written before char n-grams keep their keys
    assert word_rows(["hi there", ":D", "❤❤❤", "ok"], NB_FEATURES) is None
    assert word_rows(["hi there", ":D", "❤❤❤", "ok"], NBLR_FEATURES).tolist() == [True, False, False, True]


def test_nblr_features_are_binary_and_explanations_name_words_and_chars(nblr_youtube):
    texts, space, X, *_ = nblr_youtube
    assert set(np.unique(X.data).tolist()) == {1.0}
    names = space.ngrams_of(texts[0], chars=True)
    assert set(names) == set(X[0].indices.tolist())  # every feature of the text is named
    assert set(space.ngrams_of(texts[0])) < set(names)  # words only by default


def test_nblr_scores_are_lr_on_nb_scaled_features_with_the_ratio_folded_into_the_weights(nblr_youtube):
    _, _, X, y, X_test, _ = nblr_youtube
    rows = np.random.RandomState(1).choice(X.shape[0], 150, replace=False)
    learner = NBLogisticLearner(n_classes=2, C=4.0).fit(X[rows], y[rows])
    Xb = binary(X[rows])
    r = log_count_ratio(Xb, y[rows] == 1, 1.0)
    reference = LogisticRegression(C=4.0, solver="liblinear", dual=True, max_iter=1000, random_state=0).fit(
        Xb.multiply(r).tocsr(), y[rows])
    expected = reference.predict_proba(binary(X_test).multiply(r).tocsr())
    np.testing.assert_allclose(learner.attach(X_test).predict_proba(), expected, atol=1e-10)
    counts = X_test.copy()
    counts.data *= 3  # counts instead of presence: the same scores (binary model)
    np.testing.assert_allclose(learner.predict_proba(counts), expected, atol=1e-10)


def test_nblr_is_deterministic_and_handles_one_and_three_classes(nblr_youtube):
    _, _, X, y, X_test, _ = nblr_youtube
    rows = np.arange(90)
    a = NBLogisticLearner(n_classes=2).fit(X[rows], y[rows]).predict_proba(X_test)
    b = NBLogisticLearner(n_classes=2).fit(X[rows], y[rows]).predict_proba(X_test)
    np.testing.assert_array_equal(a, b)
    one = NBLogisticLearner(n_classes=2).fit(X[:5], np.ones(5, dtype=int))
    assert one.predict_proba(X_test[:3]).tolist() == [[0.0, 1.0]] * 3 and not one.is_ready
    y3 = np.arange(90) % 3
    three = NBLogisticLearner(n_classes=4).fit(X[rows], y3)
    proba = three.predict_proba(X_test[:20])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba[:, 3] == 0).all()  # a class never taught is never predicted
    assert three.explain(X[0], int(np.argmax(proba[0])))  # one-vs-rest weights explain too


def test_refits_run_single_threaded():
    from threadpoolctl import threadpool_info

    with single_threaded():
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())


def test_nblr_learns_faster_than_the_tutorials_model_on_youtube(nblr_youtube, youtube_features):
    """Quality, not speed: at 200 labels NB-LR beats naive Bayes on every repeat's mean (3 repeats)."""
    _, _, X, y, X_test, y_test = nblr_youtube
    rankable = word_rows(read_youtube(TRAIN_CSV)[0], NBLR_FEATURES)
    nblr = summarize(simulate(X, y, X_test, y_test, n_classes=2, strategies=["uncertainty"], repeats=3,
                              iterations=20, learner=make_learner("nblr", 2), rankable=rankable))
    Xn, yn, Xn_test, yn_test = youtube_features
    nb = summarize(simulate(Xn, yn, Xn_test, yn_test, n_classes=2, strategies=["uncertainty"], repeats=3,
                            iterations=20, learner=make_learner("nb", 2)))
    assert nblr["uncertainty"].mean[-1] >= 0.95
    assert nblr["uncertainty"].mean[-1] > nb["uncertainty"].mean[-1]


def test_texts_without_words_are_queried_last_by_the_default_model(nblr_youtube):
    from altui.engine.loop import ActiveLoop

    texts, _, X, y, _, _ = nblr_youtube
    rankable = word_rows(texts, NBLR_FEATURES)
    assert (~rankable).sum() > 0 and (np.diff(X.indptr)[~rankable] > 0).any()  # ":D" has char n-grams
    loop = ActiveLoop(X, 2, learner=make_learner("nblr", 2), random_state=0, rankable=rankable, batch_size=50)
    for _ in range(5):
        batch = loop.query()
        assert rankable[batch].all()
        for i in batch:
            loop.answer(i, int(y[i]))
        loop.teach()


def test_kmeans_cold_start_is_seeded_and_covers_the_clusters():
    from altui.engine.cold_start import KMeansColdStart
    from altui.engine.pool import Pool

    topics = ["free gift card click here now", "love this song so much", "check out my channel subscribe",
              "who is watching in 2015", "this video is great lol"]
    texts = [f"{topics[i % 5]} {i}" for i in range(200)]
    _, X, _ = vectorize(texts, None, NBLR_FEATURES)
    pool, candidates = Pool(200), np.arange(200)
    first = KMeansColdStart().pick(candidates, X, pool, 5, np.random.RandomState(7))
    again = KMeansColdStart().pick(candidates, X, pool, 5, np.random.RandomState(7))
    assert first.tolist() == again.tolist() and len(set(first.tolist())) == 5
    assert sorted(i % 5 for i in first) == [0, 1, 2, 3, 4]  # one comment of each kind
    random_draws = [sorted({i % 5 for i in np.random.RandomState(s).choice(200, 5, replace=False)}) for s in range(20)]
    assert sum(d == [0, 1, 2, 3, 4] for d in random_draws) < 20  # a random batch often misses a kind


def test_seed_terms_take_at_most_their_share_of_a_batch_then_the_fallback():
    from altui.engine.cold_start import SeedTerms
    from altui.engine.pool import Pool

    pool = Pool(100)
    seeded = SeedTerms({1: np.arange(0, 40)}, n_classes=2)  # terms for one label only
    picked = seeded.pick(np.arange(100), None, pool, 10, np.random.RandomState(0))
    assert len(set(picked.tolist())) == 10 and (picked < 40).sum() >= 5
    assert (picked[:5] < 40).all()  # matches first, then the fallback's (random) picks
    for row in picked:
        pool.label(int(row), 0)
    later = seeded.pick(np.flatnonzero(pool.state == 0), None, pool, 10, np.random.RandomState(1))
    assert not set(later.tolist()) & set(picked.tolist())  # answered matches are not asked again


def test_seed_terms_are_parsed_from_values_and_files(tmp_path):
    from altui.data.errors import DataError
    from altui.data.files.seed_terms import match_seed_terms, parse_seed_terms
    from altui.data.files.table import LabelSet

    path = tmp_path / "terms.txt"
    path.write_text("# what spam says\nspam = subscribe, check out\n\nham=song\n", encoding="utf-8")
    terms = parse_seed_terms([str(path), "spam=my channel,subscribe"])
    assert terms == {"spam": ["subscribe", "check out", "my channel"], "ham": ["song"]}
    labels = LabelSet(("0", "1"), ("ham", "spam"))
    matches = match_seed_terms(["SUBSCRIBE now", "nice song", "Check Out this", "nothing", None or ""], terms, labels)
    assert matches[1].tolist() == [0, 2] and matches[0].tolist() == [1]
    with pytest.raises(DataError, match="not a label of this data"):
        match_seed_terms(["x"], {"eggs": ["a"]}, labels)


def test_a_refit_equals_a_fresh_fit_whatever_was_fitted_before(nblr_youtube):
    """The weight buffers are reused between fits: nothing of an earlier fit may leak into a later one."""
    _, _, X, y, X_test, _ = nblr_youtube
    rng = np.random.RandomState(3)
    learner = NBLogisticLearner(n_classes=2)
    for n in (40, 120, 60, 200):  # each buffer is reused twice, after fits on other rows
        rows = rng.choice(X.shape[0], n, replace=False)
        learner.fit(X[rows], y[rows])
        fresh = NBLogisticLearner(n_classes=2).fit(X[rows], y[rows])
        np.testing.assert_array_equal(learner.predict_proba(X_test), fresh.predict_proba(X_test))
        np.testing.assert_array_equal(learner.coef_, fresh.coef_)
