"""What makes the tutorial's loop fast must not change what it computes (issue 18, speed): scores kept live as one
block and cached per model version, log numerators written when read, two-column argmax, the cold start's k-means."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.naive_bayes import MultinomialNB

from altui.engine import ActiveLoop, MultinomialNBLearner
from altui.engine.cold_start import kmeans, sign_projection
from altui.engine.learners.base import RowRange, row_argmax


def test_one_live_block_for_pool_and_test_follows_every_teach_and_forget(youtube_features):
    """Each teach and each forget changes the model: scores read from a cache of an older version would be wrong."""
    X, y, X_test, _ = youtube_features
    learner = MultinomialNBLearner(n_classes=2).fit(X[:0], np.zeros(0, dtype=np.int64))
    both = learner.attach_live(sp.vstack([X, X_test], format="csr"))
    pool, test = RowRange(both, 0, X.shape[0]), RowRange(both, X.shape[0], X.shape[0] + X_test.shape[0])
    rows = np.random.RandomState(3).choice(X.shape[0], 90, replace=False)
    taught = []
    for step, batch in enumerate(np.array_split(rows, 9)):
        learner.update(X, y[batch], rows=batch)
        taught += batch.tolist()
        if step % 3 == 2:  # forget the batch just taught
            learner.update(X, y[batch], weight=-1.0, rows=batch)
            taught = taught[: -len(batch)]
        reference = MultinomialNB().fit(X[taught], y[taught])
        asked = np.array([5, 17, 400, 1200])  # a few rows: computed apart from the block's cache
        np.testing.assert_allclose(test.predict_proba(), reference.predict_proba(X_test), atol=1e-10)
        np.testing.assert_array_equal(test.predict(), reference.predict(X_test))
        np.testing.assert_array_equal(pool.predict(), reference.predict(X))
        np.testing.assert_allclose(pool.predict_proba(asked), reference.predict_proba(X[asked]), atol=1e-10)
        np.testing.assert_array_equal(pool.predict(asked), reference.predict(X[asked]))
    # the live scores never needed the log numerators: they are written when read, equal to a refit's
    np.testing.assert_allclose(learner.feature_log_prob_, reference.feature_log_prob_, rtol=1e-12)


def test_asking_for_probabilities_never_changes_the_cached_scores(youtube_features):
    X, y, X_test, _ = youtube_features
    loop = ActiveLoop(X, 2, X_test=X_test, y_test=np.zeros(X_test.shape[0], dtype=np.int64), random_state=0)
    for index in np.random.RandomState(1).choice(X.shape[0], 30, replace=False):
        loop.answer(int(index), int(y[index]))
    loop.teach()
    before = loop.test_scores_.predict_proba().copy()
    loop.test_scores_.predict_proba()[:] = 0.5  # a caller writing to what it was given
    loop.pool_scores_.predict_proba(np.arange(X.shape[0]))[:] = 0.5
    np.testing.assert_array_equal(loop.test_scores_.predict_proba(), before)


def test_stale_log_numerators_are_written_when_too_many(youtube_features):
    X, y, _, _ = youtube_features
    learner = MultinomialNBLearner(n_classes=2).fit(X[:0], np.zeros(0, dtype=np.int64))
    learner.attach_live(X)
    learner.update(X, y[:10], rows=np.arange(10))
    assert learner._stale_columns  # live scores only: nothing read the log numerators yet
    learner.MAX_STALE_COLUMNS = 1  # then every teach writes them
    learner.update(X, y[10:20], rows=np.arange(10, 20))
    assert not learner._stale_columns
    np.testing.assert_array_equal(learner._log_numerator, np.log(learner.feature_count_.T + learner.alpha))


@pytest.mark.parametrize("k", [2, 3, 7])
def test_row_argmax_is_argmax_with_ties_to_the_first_column(k):
    rng = np.random.RandomState(k)
    values = rng.randint(0, 3, size=(500, k)).astype(float)  # many ties
    np.testing.assert_array_equal(row_argmax(values), np.argmax(values, axis=1))


def test_kmeans_finds_separated_clusters_and_is_seeded():
    rng = np.random.RandomState(0)
    centres = np.eye(6)[:4] * 10
    truth = np.repeat(np.arange(4), [50, 30, 80, 40])
    points = centres[truth] + rng.normal(scale=0.5, size=(truth.shape[0], 6))
    labels, found = kmeans(points, 4, np.random.RandomState(7))
    again, _ = kmeans(points, 4, np.random.RandomState(7))
    np.testing.assert_array_equal(labels, again)
    # one cluster per blob, whatever its number
    assert sorted(len(set(labels[truth == blob].tolist())) for blob in range(4)) == [1, 1, 1, 1]
    assert len(set(labels.tolist())) == 4
    for blob in range(4):
        np.testing.assert_allclose(found[labels[truth == blob][0]], points[truth == blob].mean(axis=0))


def test_kmeans_on_identical_points_leaves_clusters_empty_without_failing():
    labels, centres = kmeans(np.ones((20, 3)), 5, np.random.RandomState(0))
    assert labels.shape == (20,) and centres.shape == (5, 3) and np.isfinite(centres).all()


def test_sign_projection_hashes_features_or_entries_alike():
    """Hashing each feature once (more entries than features) or each entry gives the same points: extra
    empty columns switch the path without changing a row."""
    rows = sp.random(200, 300, density=0.2, format="csr", random_state=np.random.RandomState(3))
    assert rows.nnz > rows.shape[1]
    wide = sp.hstack([rows, sp.csr_matrix((200, 100_000))], format="csr")
    assert wide.nnz < wide.shape[1]
    np.testing.assert_allclose(sign_projection(rows, 16, 9), sign_projection(wide, 16, 9))
    # one feature lands on one dimension with its value, signed; two features on one row add up
    single = sign_projection(sp.csr_matrix(([2.5], [0], [0, 1]), shape=(1, 5)), 16, 9)
    assert np.count_nonzero(single) == 1 and abs(single.sum()) == 2.5
    pair = sp.csr_matrix(([2.5, 1.0, 2.5, 1.0], [0, 1, 0, 1], [0, 1, 2, 4]), shape=(3, 5))
    projected = sign_projection(pair, 16, 9)
    np.testing.assert_allclose(projected[2], projected[0] + projected[1])
