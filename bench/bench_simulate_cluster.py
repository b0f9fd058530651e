"""simulate on one core, on two (loky), and on a dask cluster of two local workers, side by side in one run.

The same grid each time: 2 strategies (uncertainty, random) x 20 repeats x 30 iterations of 10 on the YouTube
split, with the default model (NB-LR). Times are wall time of the runs (the data is loaded and vectorized once,
before). The results are checked to be identical across backends.

usage: python bench/bench_simulate_cluster.py [--repeats 20] [--iterations 30] [--data DIR] [--model nblr]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from altui.data.runs.cluster import connect  # noqa: E402
from altui.data.files.corpus import load_corpus  # noqa: E402
from altui.engine.features import features_for  # noqa: E402
from altui.engine.learners import make_learner  # noqa: E402
from altui.engine.simulate import simulate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--model", default="nblr")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "youtube-spam")
    args = parser.parse_args()
    corpus = load_corpus(str(args.data / "train.csv"), str(args.data / "test.csv"), features=features_for(args.model))
    strategies = ["uncertainty", "random"]

    def run(backend: str, jobs: int):
        with connect(backend, None, jobs) as where:
            started = time.perf_counter()
            results = simulate(corpus.X, corpus.y_train, corpus.X_test, corpus.y_test,
                               n_classes=len(corpus.labels), strategies=strategies, repeats=args.repeats,
                               iterations=args.iterations, batch_size=args.batch, random_state=0,
                               n_jobs=where.n_jobs, run_tasks=where.run_tasks,
                               learner=make_learner(args.model, len(corpus.labels)),
                               rankable=corpus.rankable)
            return time.perf_counter() - started, results

    print(f"grid: {len(strategies)} strategies x {args.repeats} repeats x {args.iterations} iterations of "
          f"{args.batch}, model {args.model}, YouTube ({corpus.X.shape[0]} pool, {corpus.X_test.shape[0]} test)")
    rows = []
    baseline = reference = None
    for name, backend, jobs in (("--jobs 1", "loky", 1), ("--jobs 2", "loky", 2),
                                ("--backend dask (2 local workers)", "dask", 2)):
        seconds, results = run(backend, jobs)
        accuracy = np.vstack([r.accuracy for r in results])
        if reference is None:
            baseline, reference = seconds, accuracy
        same = np.array_equal(accuracy, reference)
        rows.append((name, seconds, baseline / seconds, same))
    print(f"{'backend':<34} {'wall s':>8} {'speed-up':>9}  same results as --jobs 1")
    for name, seconds, speedup, same in rows:
        print(f"{name:<34} {seconds:8.1f} {speedup:8.2f}x  {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
