"""altui's simulate loop vs the reference tutorial's loop, side by side on the YouTube split.

Reference ("Active learning with ModAL and scikit-learn"): modAL ActiveLearner + MultinomialNB over
CountVectorizer(ngram_range=(1, 5)); each iteration queries 10 items by uncertainty over the FULL pool
(it re-queries labeled items), teaches them (a refit on everything taught so far) and scores the test set.
altui: engine.simulate.run_once — same features, same estimator math, pool exclusion, incremental
counts, one score update per batch.

Both: 5 repeats x 150 iterations x 10, timing only the loops (no loading or vectorizing).

``--phases`` also prints where altui's time goes per iteration (query, answers, teach's count update, the
stop set's kappa, the test metrics, the first query's cold start and the loop's set-up), timed in place.

usage: python bench/bench_simulate.py [--repeats 5] [--iterations 150] [--batch 10] [--data DIR] [--phases]
"""

from __future__ import annotations

import argparse
import csv
import resource
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from altui.engine.features import vectorize  # noqa: E402
from altui.engine.simulate import run_once  # noqa: E402


def read(path: Path):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["CONTENT"] for r in rows], np.array([int(r["CLASS"]) for r in rows])


def reference_loop(X, y, X_test, y_test, iterations: int, batch: int, seed: int):
    from modAL.models import ActiveLearner
    from sklearn.naive_bayes import MultinomialNB

    np.random.seed(seed)  # the tutorial has no seed; this only makes the benchmark repeatable
    learner = ActiveLearner(estimator=MultinomialNB())
    accuracies, queried = [], []
    started = time.perf_counter()
    for _ in range(iterations):
        query_idx, _ = learner.query(X, n_instances=batch)
        learner.teach(X=X[query_idx], y=y[query_idx])
        accuracies.append(learner.score(X_test, y_test))
        queried.extend(int(i) for i in query_idx)
    return time.perf_counter() - started, accuracies, queried


def phases(X, y, X_test, y_test, iterations: int, batch: int, repeats: int) -> dict[str, float]:
    """Milliseconds per iteration of each phase of altui's loop (run_once's loop, opened up)."""
    from altui.engine.loop import ActiveLoop

    spent = dict.fromkeys(("set-up", "cold start (first query)", "query", "answers", "teach: count update",
                           "teach: stop-set kappa", "teach: test metrics"), 0.0)
    for r in range(repeats):
        started = time.perf_counter()
        loop = ActiveLoop(X, 2, X_test=X_test, y_test=y_test, strategy="uncertainty", batch_size=batch,
                          random_state=r)
        spent["set-up"] += time.perf_counter() - started
        for i in range(iterations):
            a = time.perf_counter()
            picked = loop.query()
            b = time.perf_counter()
            for index in picked:
                loop.answer(index, int(y[index]))
            c = time.perf_counter()
            loop.sync()
            d = time.perf_counter()
            kappa = loop._stability()
            e = time.perf_counter()
            loop.history_.append(loop.evaluate(d - c, kappa=kappa))
            loop.round_ += 1
            f = time.perf_counter()
            spent["cold start (first query)" if i == 0 else "query"] += b - a
            spent["answers"] += c - b
            spent["teach: count update"] += d - c
            spent["teach: stop-set kappa"] += e - d
            spent["teach: test metrics"] += f - e
    return {name: 1000 * seconds / (repeats * iterations) for name, seconds in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=150)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "youtube-spam")
    parser.add_argument("--phases", action="store_true", help="also print altui's time per phase")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)  # modAL calls a renamed sklearn argument

    texts, y = read(args.data / "train.csv")
    test_texts, y_test = read(args.data / "test.csv")
    _, X, X_test = vectorize(texts, test_texts)
    n_iter = args.repeats * args.iterations
    print(f"pool {X.shape[0]} x {X.shape[1]} features, test {X_test.shape[0]}; "
          f"{args.repeats} repeats x {args.iterations} iterations x {args.batch}")

    ref_seconds, ref_acc200, ref_dupes = [], [], []
    for r in range(args.repeats):
        seconds, acc, queried = reference_loop(X, y, X_test, y_test, args.iterations, args.batch, r)
        ref_seconds.append(seconds)
        ref_acc200.append(acc[min(19, len(acc) - 1)])
        ref_dupes.append(len(queried) - len(set(queried)))

    ours_seconds, ours_acc200, ours_dupes = [], [], []
    for r in range(args.repeats):
        result = run_once(X, y, X_test, y_test, 2, "uncertainty", args.iterations, args.batch, seed=r, repeat=r)
        ours_seconds.append(result.seconds)
        ours_acc200.append(result.accuracy[min(19, args.iterations - 1)])
        queried = np.concatenate(result.queried)
        ours_dupes.append(len(queried) - len(np.unique(queried)))

    ref_ms = 1000 * sum(ref_seconds) / n_iter
    ours_ms = 1000 * sum(ours_seconds) / n_iter
    print()
    print(f"{'loop':<34}{'ms/iteration':>14}{'min repeat':>12}{'acc@200':>10}{'re-queried':>12}")
    print(f"{'reference (modAL, refit, full pool)':<34}{ref_ms:>14.3f}"
          f"{1000 * min(ref_seconds) / args.iterations:>12.3f}{statistics.mean(ref_acc200):>10.3f}"
          f"{sum(ref_dupes):>12d}")
    print(f"{'altui simulate (uncertainty)':<34}{ours_ms:>14.3f}"
          f"{1000 * min(ours_seconds) / args.iterations:>12.3f}{statistics.mean(ours_acc200):>10.3f}"
          f"{sum(ours_dupes):>12d}")
    print(f"\nspeed-up (reference / altui, ms per iteration): {ref_ms / ours_ms:.1f}x; "
          f"fastest repeat of each: {min(ref_seconds) / min(ours_seconds):.1f}x")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if args.phases:
        print(f"\naltui, ms per iteration by phase (mean over {args.repeats} x {args.iterations}):")
        spent = phases(X, y, X_test, y_test, args.iterations, args.batch, args.repeats)
        for name, ms in spent.items():
            print(f"  {name:<28}{ms:>8.3f}")
        print(f"  {'all':<28}{sum(spent.values()):>8.3f}")


if __name__ == "__main__":
    main()
