"""Teach + query per round with many classes on a large pool: the SVM (auto's choice for 3+ classes) with margin
and with typiclust (the default) against NB-LR (the default before issue 19), side by side on the same matrix.

The pool is the synthetic YouTube-layout pool of bench/synth_pool.py (1,000,000 comments by default); the
classes are its VIDEO column (five videos). Each configuration answers ``--rounds`` batches of 10 with the
true class, and the mean wall time of teach + the next query is printed (the first, cold-start round left
out), with the default candidate subsample (5,000) as in the app.

usage: python bench/bench_scale_classes.py [--rows 1000000] [--rounds 15] [--keep .bench-data]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth_pool import ensure_pool  # noqa: E402
from bench.timing import round_ms as time_rounds  # noqa: E402
from altui.engine.features import NBLR_FEATURES, vectorize, word_rows  # noqa: E402
from altui.engine.learners import make_learner  # noqa: E402
from altui.engine.loop import ActiveLoop  # noqa: E402


def round_ms(X, y, rankable, n_classes: int, model: str, strategy: str, rounds: int) -> float:
    loop = ActiveLoop(X, n_classes, learner=make_learner(model, n_classes), strategy=strategy, random_state=0,
                      rankable=rankable)
    return time_rounds(loop, y, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--keep", type=Path, default=ROOT / ".bench-data")
    args = parser.parse_args()
    args.keep.mkdir(parents=True, exist_ok=True)
    pool = ensure_pool(args.keep / f"pool-{args.rows}.csv", args.rows)
    with open(pool, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["CONTENT"] for r in rows]
    videos = sorted({r["VIDEO"] for r in rows})
    y = np.array([videos.index(r["VIDEO"]) for r in rows])
    started = time.perf_counter()
    _, X, _ = vectorize(texts, None, NBLR_FEATURES)
    rankable = word_rows(texts, NBLR_FEATURES)
    print(f"{len(texts)} comments, {len(videos)} classes, {X.shape[1]} columns, {X.nnz} entries "
          f"(vectorized in {time.perf_counter() - started:.0f} s)")
    print(f"{'learner, strategy':28}{'teach+query ms/round':>22}")
    results = {}
    for model, strategy in (("nblr", "uncertainty"), ("svm", "margin"), ("svm", "typiclust")):
        results[strategy] = round_ms(X, y, rankable, len(videos), model, strategy, args.rounds)
        print(f"{model + ', ' + strategy:28}{results[strategy]:>22.1f}")
    print(f"svm, margin / nblr: {results['margin'] / results['uncertainty']:.2f}x; "
          f"svm, typiclust (TypiClust for the first {10 * len(videos)} labels) / nblr: "
          f"{results['typiclust'] / results['uncertainty']:.2f}x")


if __name__ == "__main__":
    main()
