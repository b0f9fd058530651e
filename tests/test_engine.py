"""The learner logic: exactness of the incremental model, modAL parity, pool bookkeeping, simulate."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.naive_bayes import MultinomialNB

from conftest import assert_modal_parity
from altui.engine import ActiveLoop, ConfigError, MultinomialNBLearner, PoolExhaustedError, SklearnLearner, get_strategy
from altui.engine.metrics import accuracy, confusion, macro_f1
from altui.engine.pool import Pool
from altui.engine.simulate import simulate, summarize


def labeled_subset(y, n, seed=0):
    rng = np.random.RandomState(seed)
    return rng.choice(len(y), n, replace=False)


def test_incremental_nb_equals_refit(youtube_features):
    X, y, X_test, _ = youtube_features
    rows = labeled_subset(y, 120)
    learner = MultinomialNBLearner(n_classes=2)
    learner.fit(X[:0], np.zeros(0, dtype=int))
    scores = learner.attach(X_test)
    for batch in np.array_split(rows, 12):  # teach in 12 batches
        learner.update(X, y[batch], rows=batch)
    reference = MultinomialNB().fit(X[rows], y[rows])
    np.testing.assert_array_equal(learner.feature_count_, reference.feature_count_)
    np.testing.assert_allclose(learner.feature_log_prob_, reference.feature_log_prob_, rtol=1e-12)
    np.testing.assert_allclose(scores.predict_proba(), reference.predict_proba(X_test), atol=1e-10)
    np.testing.assert_array_equal(scores.predict(), reference.predict(X_test))


def test_forgetting_a_batch_equals_never_teaching_it(youtube_features):
    X, y, X_test, _ = youtube_features
    rows = labeled_subset(y, 60)
    learner = MultinomialNBLearner(n_classes=2).fit(X[rows[:50]], y[rows[:50]])
    scores = learner.attach(X_test)
    before = scores.predict_proba().copy()
    learner.update(X, y[rows[50:]], rows=rows[50:])
    assert not np.allclose(scores.predict_proba(), before)
    learner.update(X, y[rows[50:]], weight=-1.0, rows=rows[50:])
    np.testing.assert_allclose(scores.predict_proba(), before, atol=1e-10)
    np.testing.assert_array_equal(learner.feature_count_, MultinomialNB().fit(X[rows[:50]], y[rows[:50]]).feature_count_)


@pytest.mark.parametrize("name", ["uncertainty", "margin", "entropy"])
def test_query_picks_the_same_items_as_modal(youtube_features, name):
    """What must be equal: the utilities picked, every item above the tie boundary, and the tie rule. (modAL
    comes with altui[tutorial]: without it, as with scikit-learn >= 1.8, this comparison is skipped.)"""
    modal = pytest.importorskip("modAL.uncertainty")
    modal_query, measure = {
        "uncertainty": (modal.uncertainty_sampling, modal.classifier_uncertainty),
        "margin": (modal.margin_sampling, lambda model, X: -modal.classifier_margin(model, X)),
        "entropy": (modal.entropy_sampling, modal.classifier_entropy),
    }[name]
    X, y, _, _ = youtube_features
    loop = ActiveLoop(X, 2, strategy=name, batch_size=10, random_state=3)
    for index in labeled_subset(y, 80, seed=5):
        loop.answer(index, int(y[index]))
    loop.teach()
    assert_modal_parity(loop, y, loop.query(), modal_query, measure)


def test_ties_go_to_the_lowest_row_whatever_the_order_of_computation():
    from altui.engine.strategies import top_k

    utility = np.array([0.5, 0.2, 0.5, 0.9, 0.5, 0.5, 0.1])
    assert top_k(utility, 3).tolist() == [3, 0, 2]
    assert top_k(utility, 7).tolist() == [3, 0, 2, 4, 5, 1, 6]
    assert top_k(np.full(1000, 0.5), 5).tolist() == [0, 1, 2, 3, 4]


def test_texts_without_features_never_crash_and_come_last():
    X = sp.csr_matrix(np.array([[0, 0], [1, 0], [0, 0], [0, 1], [0, 0], [2, 0], [0, 2], [1, 1], [0, 0], [0, 0]]))
    y = np.array([0, 0, 1, 1, 0, 0, 1, 1, 0, 1])
    loop = ActiveLoop(X, 2, batch_size=3, random_state=0)
    loop.answer(0, 0)  # a batch made only of featureless items is taught without an error
    loop.answer(2, 1)
    loop.teach()
    seen = []
    for _ in range(3):
        batch = loop.query()
        seen.append(batch)
        for index in batch:
            loop.answer(index, int(y[index]))
        loop.teach()
    featured = {1, 3, 5, 6, 7}
    assert set(seen[0]) <= featured
    assert set(seen[0]) | set(seen[1][:2]) == featured  # every item with features before any without
    assert set(seen[1][2:]) | set(seen[2]) == {4, 8, 9}


def test_a_candidate_block_bounds_the_query_and_is_seeded(youtube_features):
    X, y, _, _ = youtube_features
    loops = [ActiveLoop(X, 2, random_state=4, max_candidates=200) for _ in range(2)]
    for loop in loops:
        for index in labeled_subset(y, 40):
            loop.answer(index, int(y[index]))
        loop.teach()
    asked = []
    loops[0].prepare_next_query()
    block = loops[0]._block
    original = block.scores.predict_proba
    block.scores.predict_proba = lambda rows=None: asked.append(len(rows)) or original(rows)
    assert loops[0].query() == loops[1].query()
    assert len(asked) == 1 and 190 <= asked[0] <= 200  # 200 drawn, less the few already answered
    assert set(loops[0].batch_) <= set(block.rows.tolist())


def test_candidates_drawn_ahead_give_the_same_batches_and_exact_scores(youtube_features):
    """The TUI draws the next candidates while the person answers; simulate draws them at the query."""
    X, y, X_test, y_test = youtube_features
    ahead = ActiveLoop(X, 2, X_test=X_test, y_test=y_test, random_state=9, max_candidates=300)
    at_query = ActiveLoop(X, 2, X_test=X_test, y_test=y_test, random_state=9, max_candidates=300)
    for round_ in range(8):
        batches = [ahead.query(), at_query.query()]
        assert batches[0] == batches[1]
        ahead.prepare_next_query()  # before the answers, as the TUI does
        for loop in (ahead, at_query):
            for index in loop.batch_:
                loop.answer(index, int(y[index]))
            if round_ == 5:
                loop.undo()  # taken back and answered again with the other label
                loop.answer(loop.pending()[0], 1 - int(y[loop.pending()[0]]))
            loop.teach()
        block = ahead._block
        labeled = ahead.pool.labeled()
        reference = MultinomialNB().fit(X[labeled], ahead.pool.y[labeled])
        np.testing.assert_allclose(block.scores.predict_proba(), reference.predict_proba(X[block.rows]),
                                   atol=1e-9)
    strip = lambda m: (m.round, m.n_labels, m.accuracy, m.f1, m.label_counts)  # noqa: E731 (not the timing)
    assert [strip(m) for m in ahead.history_] == [strip(m) for m in at_query.history_]


def test_query_costs_one_probability_pass_over_the_unlabeled_pool(youtube_features):
    X, y, _, _ = youtube_features
    loop = ActiveLoop(X, 2, random_state=0)
    for index in labeled_subset(y, 30):
        loop.answer(index, int(y[index]))
    loop.teach()
    calls = []
    original = loop.pool_scores_.predict_proba

    def counting(rows=None):
        calls.append(None if rows is None else len(rows))
        return original(rows)

    loop.pool_scores_.predict_proba = counting
    loop.query()
    assert calls == [len(loop.pool.query_tiers()[0])]


def test_cold_start_is_seeded_and_random_until_two_classes(youtube_features):
    X, y, _, _ = youtube_features
    first = ActiveLoop(X, 2, random_state=7).query()
    again = ActiveLoop(X, 2, random_state=7).query()
    other = ActiveLoop(X, 2, random_state=8).query()
    assert first == again and first != other
    loop = ActiveLoop(X, 2, random_state=7)
    ham = np.flatnonzero(y == 0)[:10]
    for index in ham:  # one class only: the model cannot rank yet
        loop.answer(index, 0)
    loop.teach()
    assert not loop.learner.is_ready
    assert loop.query() != ActiveLoop(X, 2, strategy="uncertainty", random_state=7).query()


def test_labeled_and_skipped_items_are_never_queried_again(youtube_features):
    X, y, _, _ = youtube_features
    loop = ActiveLoop(X, 2, batch_size=25, random_state=1)
    seen = []
    for _ in range(20):
        batch = loop.query()
        assert not set(batch) & set(seen)
        for i, index in enumerate(batch):
            loop.answer(index, None if i % 5 == 0 else int(y[index]))  # every 5th is skipped
        seen.extend(batch)
        loop.teach()
    assert len(seen) == len(set(seen)) == 500
    assert len(loop.pool.skipped()) == 100


def test_pool_exhausted_and_empty_pool():
    X = sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 1]]))
    loop = ActiveLoop(X, 2, batch_size=2, random_state=0)
    for index in loop.query():
        loop.answer(index, 0)
    assert len(loop.query()) == 1
    loop.answer(loop.pending()[0], 1)
    with pytest.raises(PoolExhaustedError):
        loop.query()
    with pytest.raises(Exception, match="no rows"):
        Pool(0)


def test_undo_across_a_batch_boundary_forgets_the_taught_label(youtube_features):
    X, y, X_test, y_test = youtube_features
    loop = ActiveLoop(X, 2, X_test=X_test, y_test=y_test, batch_size=10, random_state=2)
    for _ in range(3):
        for index in loop.query():
            loop.answer(index, int(y[index]))
        loop.teach()
    next_batch = loop.query()
    undone = loop.undo()
    assert undone is not None and undone.index not in next_batch
    assert loop.pending()[0] == undone.index  # asked again first
    loop.teach()
    labeled = loop.pool.labeled()
    assert undone.index not in labeled
    reference = MultinomialNB().fit(X[labeled], y[labeled])
    np.testing.assert_allclose(loop.test_scores_.predict_proba(), reference.predict_proba(X_test), atol=1e-10)


def test_answer_validation(youtube_features):
    X, _, _, _ = youtube_features
    loop = ActiveLoop(X, 2, random_state=0)
    loop.answer(0, 1)
    with pytest.raises(ConfigError, match="already answered"):
        loop.answer(0, 0)
    with pytest.raises(ConfigError, match="not one of"):
        loop.answer(1, 5)
    with pytest.raises(ConfigError, match="batch size"):
        ActiveLoop(X, 2, batch_size=0)
    with pytest.raises(ConfigError, match="unknown strategy 'best'"):
        get_strategy("best")


def test_generic_sklearn_learner_equals_a_refit_on_the_labels(youtube_features):
    X, y, X_test, y_test = youtube_features
    learner = SklearnLearner(LogisticRegression(max_iter=1000), n_classes=2)
    loop = ActiveLoop(X, 2, X_test=X_test, y_test=y_test, learner=learner, random_state=0)
    for _ in range(4):
        for index in loop.query():
            loop.answer(index, int(y[index]))
        loop.teach()
    loop.undo()
    loop.teach()
    labeled = loop.pool.labeled()
    assert len(labeled) == 39
    reference = LogisticRegression(max_iter=1000).fit(X[labeled], y[labeled])
    np.testing.assert_allclose(loop.test_scores_.predict_proba(), reference.predict_proba(X_test), atol=1e-8)
    assert loop.history_[-1].accuracy == pytest.approx(reference.score(X_test, y_test))


def test_metrics_match_scikit_learn():
    rng = np.random.RandomState(0)
    for _ in range(20):
        k = rng.randint(2, 5)
        y_true, y_pred = rng.randint(0, k, 50), rng.randint(0, k - 1, 50)  # a class never predicted
        matrix = confusion(y_true, y_pred, k)
        assert accuracy(matrix) == pytest.approx(accuracy_score(y_true, y_pred))
        assert macro_f1(matrix) == pytest.approx(f1_score(y_true, y_pred, average="macro", zero_division=0))


def test_simulate_is_identical_with_parallel_jobs(youtube_features):
    X, y, X_test, y_test = youtube_features
    kwargs = dict(n_classes=2, strategies=["uncertainty", "random"], repeats=2, iterations=4, batch_size=10,
                  random_state=11)
    serial = simulate(X, y, X_test, y_test, n_jobs=1, **kwargs)
    parallel = simulate(X, y, X_test, y_test, n_jobs=2, **kwargs)
    for a, b in zip(serial, parallel):
        assert (a.strategy, a.repeat) == (b.strategy, b.repeat)
        np.testing.assert_array_equal(a.accuracy, b.accuracy)
        for qa, qb in zip(a.queried, b.queried):
            np.testing.assert_array_equal(qa, qb)


def test_uncertainty_beats_random_on_the_reference_split(youtube_features):
    """Acceptance: 5 repeats x 30 iterations x 10; at 200 labels uncertainty >= random + 0.05."""
    X, y, X_test, y_test = youtube_features
    results = simulate(X, y, X_test, y_test, n_classes=2, strategies=["uncertainty", "random"], repeats=5,
                       iterations=30, batch_size=10, random_state=0, n_jobs=2)
    for run in results:
        queried = np.concatenate(run.queried)
        assert len(queried) == len(np.unique(queried)) == 300  # zero items queried twice
    curves = summarize(results)
    at_200 = list(curves["uncertainty"].n_labels).index(200)
    assert curves["uncertainty"].mean[at_200] >= curves["random"].mean[at_200] + 0.05


def test_simulate_rejects_more_iterations_than_the_pool_allows():
    X = sp.csr_matrix(np.eye(12))
    y = np.array([0, 1] * 6)
    with pytest.raises(ConfigError, match="--iterations 3 or less"):
        simulate(X, y, X, y, n_classes=2, iterations=4, batch_size=5)


def test_pool_counts_follow_every_change_of_state():
    pool = Pool(8, has_features=np.array([1, 1, 0, 1, 0, 1, 1, 1], dtype=bool))
    rng = np.random.RandomState(0)
    for _ in range(300):
        index, action = rng.randint(8), rng.randint(3)
        if action == 0:
            pool.label(index, rng.randint(3))
        elif action == 1:
            pool.skip(index)
        else:
            pool.reset(index)
        assert pool.n_unlabeled == int(np.count_nonzero(pool.state == 0))
        assert pool.n_skipped == len(pool.skipped()) and pool.n_labeled == len(pool.labeled())
        assert pool.n_featured_unlabeled == len(pool.query_tiers()[0])
        labeled = pool.y[pool.state == 1]
        assert pool.label_counts(3).tolist() == np.bincount(labeled, minlength=3).tolist()


def test_cohens_kappa_matches_scikit_learn_and_handles_constant_labelings():
    from sklearn.metrics import cohen_kappa_score

    from altui.engine.stopping import cohens_kappa

    rng = np.random.RandomState(1)
    for _ in range(20):
        a, b = rng.randint(0, 3, 200), rng.randint(0, 3, 200)
        b[:120] = a[:120]
        assert cohens_kappa(a, b, 3) == pytest.approx(cohen_kappa_score(a, b))
    assert cohens_kappa(np.zeros(5, int), np.zeros(5, int), 2) == pytest.approx(1.0)
    assert cohens_kappa(np.zeros(5, int), np.ones(5, int), 2) == pytest.approx(0.0, abs=1e-12)


def test_stop_round_needs_a_full_window_above_the_threshold():
    from altui.engine.stopping import stop_round

    nan = float("nan")
    assert stop_round([nan, 0.5, 0.995, 0.999, 0.95, 1.0, 1.0, 1.0]) == 7
    assert stop_round([0.995, 0.999, 0.998]) == 2
    assert stop_round([0.995, nan, 0.999, 0.998]) is None  # a round without a kappa restarts the window
    assert stop_round([0.9] * 10) is None


def test_the_stop_set_is_fixed_and_never_changes_the_queries(youtube_features):
    X, y, X_test, y_test = youtube_features
    loop = ActiveLoop(X, 2, X_test=X_test, y_test=y_test, random_state=5)
    again = ActiveLoop(X, 2, X_test=X_test, y_test=y_test, random_state=5)
    np.testing.assert_array_equal(loop.stop_set_, again.stop_set_)
    assert len(loop.stop_set_) == 1000
    fresh = np.random.RandomState(5).get_state()  # drawing the stop set used the loop's generator not at all
    assert np.array_equal(loop.rng_.get_state()[1], fresh[1]) and loop.rng_.get_state()[2] == fresh[2]
    kappas = []
    for _ in range(6):
        for index in loop.query():
            loop.answer(index, int(y[index]))
        metrics = loop.teach()
        kappas.append(metrics.kappa)
        labeled = loop.pool.labeled()
        if loop.learner.is_ready:  # the kept-up-to-date stop-set scores equal a refit's predictions
            reference = MultinomialNB().fit(X[labeled], y[labeled])
            np.testing.assert_array_equal(loop.predict_stop_set(), reference.predict(X[loop.stop_set_]))
    assert all(k != k for k in kappas[:1]) and all(0.0 <= k <= 1.0 for k in kappas[2:])
    from altui.engine.simulate import run_once

    run = run_once(X, y, X_test, y_test, 2, "uncertainty", 6, 10, seed=5)
    assert np.allclose(run.kappa, kappas, equal_nan=True)


def test_simulate_reports_where_predictions_stabilize(youtube_features):
    X, y, X_test, y_test = youtube_features
    results = simulate(X, y, X_test, y_test, n_classes=2, strategies=["uncertainty"], repeats=2, iterations=40,
                       batch_size=10, random_state=0)
    curve = summarize(results)["uncertainty"]
    for run in results:
        if run.stop is not None:
            assert run.kappa[run.stop - 2 : run.stop + 1].mean() >= 0.99
    assert curve.stop_labels.shape[0] == sum(r.stop is not None for r in results) >= 1
    assert 100 <= curve.stop_labels.mean() <= 400 and curve.stop_accuracy.mean() > 0.85
