"""The k-means cold start before and after issue 18 (speed): classes covered by the first batch, and its cost.

Before: scikit-learn's ``KMeans`` (k-means++, ``n_init=1``) on every candidate. After: altui's own k-means
(``engine.cold_start.kmeans``) on at most ``CLUSTERED_PER_PICK`` candidates per pick. Beside them a random batch.
Both k-means read the same projected points (``engine.cold_start.projected_points``, the same seed).

For each data set, ``--seeds`` first batches of 10 from the whole pool: the mean number of distinct classes in the
batch (more is better: the model sees more of the classes from its first round) and milliseconds per batch.

Then what the draw costs: test accuracy of the default loop (``simulate``'s engine, auto learner, typiclust) after
10, 20 and 50 answers on YouTube, over ``--accuracy-seeds`` runs, for a random first batch, altui's k-means on
every candidate and on the draw (the default).

usage: python bench/bench_cold_start.py [--seeds 50] [--accuracy-seeds 400]
                                      [--datasets youtube-spam,youtube-video,debian-sections,debtags-works]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_many_classes import datasets  # noqa: E402
from altui.data.files.corpus import load_corpus  # noqa: E402
from altui.engine.cold_start import KMeansColdStart, RandomColdStart, projected_points  # noqa: E402
from altui.engine.features import features_for  # noqa: E402
from altui.engine.learners import make_learner  # noqa: E402
from altui.engine.pool import Pool  # noqa: E402
from altui.engine.simulate import run_once  # noqa: E402

BATCH = 10


def sklearn_kmeans_pick(candidates, X, pool, n, rng):
    """The cold start as it was before: scikit-learn's KMeans on every candidate, the item nearest each centre."""
    from sklearn.cluster import KMeans

    seed = int(rng.randint(0, 2**31 - 1))
    points = projected_points(X, candidates, seed)
    model = KMeans(n_clusters=n, n_init=1, random_state=seed).fit(points)
    distance = ((points - model.cluster_centers_[model.labels_]) ** 2).sum(axis=1)
    picked = set()
    for cluster in range(n):
        members = np.flatnonzero(model.labels_ == cluster)
        if members.shape[0]:
            picked.add(int(candidates[members[np.lexsort((members, distance[members]))[0]]]))
    return np.asarray(sorted(picked), dtype=np.int64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--datasets", default="youtube-spam,youtube-video,debian-sections,debtags-works")
    parser.add_argument("--accuracy-seeds", type=int, default=400)
    parser.add_argument("--scratch", type=Path, default=ROOT / ".bench-data")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    pickers = [("random batch", RandomColdStart().pick), ("before: scikit-learn KMeans, all candidates",
                                                           sklearn_kmeans_pick),
               ("after: altui k-means, a draw of candidates", KMeansColdStart().pick)]
    print(f"first batch of {BATCH}, {args.seeds} seeds: mean distinct classes (± std), ms per batch\n")
    print("| data set | classes | pool | " + " | ".join(name for name, _ in pickers) + " |")
    print("| --- | --- | --- |" + " --- |" * len(pickers))
    for name, train, test, read in datasets(args.datasets.split(","), args.scratch):
        corpus = load_corpus(str(train), str(test), seed=0, require_labels=True, features=features_for("auto"),
                             **read)
        X, y = corpus.X, corpus.y_train
        candidates = np.flatnonzero(np.diff(X.indptr) > 0)
        cells = []
        for _, pick in pickers:
            covered, seconds = [], []
            for seed in range(args.seeds):
                started = time.perf_counter()
                batch = pick(candidates, X, Pool(X.shape[0]), BATCH, np.random.RandomState(seed))
                seconds.append(time.perf_counter() - started)
                covered.append(len(set(y[batch].tolist())))
            cells.append(f"{statistics.mean(covered):.2f} ± {statistics.pstdev(covered):.2f}, "
                         f"{1000 * statistics.median(seconds):.1f} ms")
        print(f"| {name} | {len(corpus.labels)} | {X.shape[0]} | " + " | ".join(cells) + " |")
        sys.stdout.flush()
    first_round_accuracy(args.accuracy_seeds, args.scratch)


def first_round_accuracy(seeds: int, scratch: Path) -> None:
    """Test accuracy after the first answers on YouTube, by first batch (mean ± standard error over seeds)."""
    at = (10, 20, 50)
    [(name, train, test, read)] = datasets(["youtube-spam"], scratch)
    corpus = load_corpus(str(train), str(test), seed=0, require_labels=True, features=features_for("auto"), **read)
    n = len(corpus.labels)
    starts = [("random first batch", RandomColdStart()),
              ("k-means on every candidate", KMeansColdStart(clustered_per_pick=corpus.X.shape[0])),
              ("k-means on a draw (default)", KMeansColdStart())]
    print(f"\n{name}: test accuracy after {', '.join(map(str, at))} answers, default loop, {seeds} seeds "
          "(mean ± standard error)\n")
    print("| first batch | " + " | ".join(f"@{a}" for a in at) + " |")
    print("| --- |" + " --- |" * len(at))
    for label, start in starts:
        accuracy = np.array([
            [run.accuracy[list(run.n_labels).index(a)] for a in at]
            for run in (run_once(corpus.X, corpus.y_train, corpus.X_test, corpus.y_test, n, "typiclust",
                                 max(at) // BATCH, BATCH, seed=r, repeat=r, learner=make_learner("auto", n),
                                 cold_start=start, copy_of=corpus.copy_of) for r in range(seeds))])
        print(f"| {label} | " + " | ".join(f"{accuracy[:, i].mean():.3f} ± {accuracy[:, i].std() / seeds ** 0.5:.3f}"
                                          for i in range(len(at))) + " |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
