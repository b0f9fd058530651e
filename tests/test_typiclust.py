"""TypiClust (engine/typiclust.py): typical texts of the clusters no label covers, then breaking ties."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from altui.engine.learners import make_learner
from altui.engine.pool import Pool
from altui.engine.strategies import MarginSampling, TypiClustThenMargin, get_strategy
from altui.engine.typiclust import LABELS_PER_CLASS, typical_picks, typicality


def groups_pool(n_groups=4, per_group=30, outliers=2, seed=0):
    """Rows in ``n_groups`` groups with disjoint vocabularies (10 words each; a row uses 6 of its group's),
    plus ``outliers`` rows per group that use 2 of their group's words and 4 words of their own."""
    rng = np.random.RandomState(seed)
    rows, group, is_outlier = [], [], []
    width = n_groups * 10 + n_groups * outliers * 4
    own = n_groups * 10
    for g in range(n_groups):
        for i in range(per_group + outliers):
            x = np.zeros(width)
            if i < per_group:
                x[g * 10 + rng.choice(10, 6, replace=False)] = 1
            else:
                x[g * 10 + rng.choice(10, 2, replace=False)] = 1
                x[own:own + 4] = 1
                own += 4
            rows.append(x)
            group.append(g)
            is_outlier.append(i >= per_group)
    return sp.csr_matrix(np.array(rows)), np.array(group), np.array(is_outlier)


def test_typicality_is_highest_in_dense_regions():
    rng = np.random.RandomState(0)
    dense = rng.normal(0, 0.1, size=(30, 2))
    points = np.vstack((dense, [[3.0, 3.0]]))
    score = typicality(points)
    assert score[-1] < score[:-1].min()  # the far point is the least typical
    assert typicality(np.zeros((1, 2))).tolist() == [0.0]  # a lone point


def test_the_picks_cover_the_groups_no_label_covers_with_typical_texts():
    X, group, is_outlier = groups_pool()
    pool = Pool(X.shape[0])
    for row in np.flatnonzero(group == 0)[:3]:  # group 0 is covered
        pool.label(int(row), 0)
    picked = typical_picks(pool.unlabeled(), X, pool, 3, np.random.RandomState(1))
    assert sorted(group[picked].tolist()) == [1, 2, 3]  # one of each uncovered group, none of group 0
    assert not is_outlier[picked].any()


def test_the_picks_are_the_same_for_the_same_seed_and_never_labeled():
    X, group, _ = groups_pool(seed=2)
    pool = Pool(X.shape[0])
    pool.label(0, 0)
    first = typical_picks(pool.unlabeled(), X, pool, 5, np.random.RandomState(7))
    again = typical_picks(pool.unlabeled(), X, pool, 5, np.random.RandomState(7))
    assert first.tolist() == again.tolist() and len(set(first.tolist())) == 5 and 0 not in first.tolist()


def test_typiclust_asks_typical_texts_until_ten_labels_per_class_then_breaks_ties():
    X, group, _ = groups_pool()
    n_classes = 4
    learner = make_learner("svm", n_classes)
    pool = Pool(X.shape[0])
    labeled = [int(np.flatnonzero(group == g)[0]) for g in range(n_classes)]
    for row in labeled:
        pool.label(row, int(group[row]))
    learner.fit(X[labeled], group[labeled])
    scores = learner.attach(X)
    strategy, margin = get_strategy("typiclust"), MarginSampling()
    assert isinstance(strategy, TypiClustThenMargin) and strategy.low_budget(scores, pool)
    low = strategy.query(scores, X, pool, 4, np.random.RandomState(0))
    assert low.tolist() == typical_picks(pool.unlabeled(), X, pool, 4, np.random.RandomState(0)).tolist()
    assert low.tolist() != margin.query(scores, X, pool, 4, np.random.RandomState(0)).tolist()
    for row in pool.unlabeled()[: LABELS_PER_CLASS * n_classes - len(labeled)]:
        pool.label(int(row), int(group[row]))
    assert not strategy.low_budget(scores, pool)
    high = strategy.query(scores, X, pool, 4, np.random.RandomState(0))
    assert high.tolist() == margin.query(scores, X, pool, 4, np.random.RandomState(0)).tolist()


def test_typiclust_on_two_classes_is_margin_and_is_recorded_so(youtube_features):
    from altui.engine.names import resolve_strategy
    from altui.engine.simulate import simulate

    assert resolve_strategy("typiclust", 2) == "margin"
    assert resolve_strategy("typiclust", 2, multi_label=True) == "uncertainty"
    assert resolve_strategy("typiclust", 3) == "typiclust" and resolve_strategy("random", 2) == "random"
    X, y, X_test, y_test = youtube_features
    results = simulate(X, y, X_test, y_test, n_classes=2, strategies=["typiclust", "margin", "random"], repeats=1,
                       iterations=3, batch_size=10, n_jobs=1)
    assert [r.strategy for r in results] == ["margin", "random"]
    pool = Pool(X.shape[0])
    learner = make_learner("nblr", 2)
    learner.fit(X[:20], y[:20])
    assert not TypiClustThenMargin().low_budget(learner.attach(X), pool)  # two classes: margin from the start


def test_label_sets_take_typical_texts_first_then_spread_uncertainty():
    from altui.engine.multi_label_strategies import LabelSetUncertainty
    from altui.engine.simulate import run_once
    from altui.engine.strategies import TypiClustFirst

    X, group, _ = groups_pool()
    y = (1 << group).astype(np.int64)  # one label each, as sets
    strategy = get_strategy("typiclust", multi_label=True)
    assert isinstance(strategy, TypiClustFirst) and isinstance(strategy, LabelSetUncertainty)
    run = run_once(X, y, X, y, 4, "typiclust", 4, 4, seed=0, multi_label=True,
                   learner=make_learner("auto", 4, True))
    asked = np.concatenate(run.queried)
    assert len(set(asked.tolist())) == 16 and np.isfinite(run.f1[-1])
