"""Every learner x uncertainty / random on the YouTube split, side by side in one run, plus the tutorial's loop.

Per (learner, strategy): mean test accuracy at 50/100/200/300 labels over --repeats seeded runs (altui's
loop protocol: batch 10, labeled items leave the pool, the default k-means cold start), where
"stabilizing predictions" fired (labels, mean ± std, and the accuracy there), and teach + query
milliseconds per round on the YouTube pool and on a synthetic pool of --big comments (bench/synth_pool.py,
default 100,000; --big 0 skips it). The reference row is the tutorial's own modAL loop
(ActiveLearner + MultinomialNB over word 1-5-gram counts, whole pool).

usage: python bench/bench_learners.py [--repeats 10] [--iterations 30] [--big 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth_pool import ensure_pool  # noqa: E402
from bench.timing import round_ms as time_rounds  # noqa: E402
from altui.engine.features import features_for, vectorize, word_rows  # noqa: E402
from altui.engine.learners import MODELS, make_learner  # noqa: E402
from altui.engine.loop import ActiveLoop  # noqa: E402
from altui.engine.simulate import simulate, summarize  # noqa: E402

CHECKPOINTS = (50, 100, 200, 300)


def read(path: Path):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["CONTENT"] for r in rows], np.array([int(r["CLASS"]) for r in rows])


def round_ms(texts, y, model: str, rounds: int = 20, batch: int = 10) -> float:
    """Mean teach + query milliseconds per round over ``rounds`` rounds (after the cold start)."""
    config = features_for(model)
    _, X, _ = vectorize(texts, None, config)
    loop = ActiveLoop(X, 2, learner=make_learner(model, 2), random_state=0, batch_size=batch,
                      rankable=word_rows(texts, config))
    return time_rounds(loop, y, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None, help="folder for the synthetic pool (reused)")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "youtube-spam")
    args = parser.parse_args()

    texts, y = read(args.data / "train.csv")
    test_texts, y_test = read(args.data / "test.csv")
    big = None
    if args.big:
        folder = args.keep or Path(tempfile.mkdtemp())
        big = read(ensure_pool(folder / f"pool-{args.big}.csv", args.big))
    print(f"YouTube: pool {len(texts)}, test {len(test_texts)}; {args.repeats} repeats x {args.iterations} "
          f"rounds of 10; teach+query timed on YouTube and on {args.big:,} synthetic comments")
    header = (f"{'learner':<10}{'strategy':<16}" + "".join(f"{'@' + str(c):>8}" for c in CHECKPOINTS)
              + f"{'stop (labels)':>16}{'acc at stop':>13}{'ms/round YT':>13}{'ms/round big':>14}")
    print(header)
    for model in MODELS + ("tutorial",):
        config = features_for("nb" if model == "tutorial" else model)
        _, X, X_test = vectorize(texts, test_texts, config)
        strategies = ["modal-tutorial"] if model == "tutorial" else ["uncertainty", "random"]
        results = simulate(X, y, X_test, y_test, n_classes=2, strategies=strategies, repeats=args.repeats,
                           iterations=args.iterations, learner=None if model == "tutorial" else make_learner(model, 2),
                           rankable=word_rows(texts, config), n_jobs=-1)
        curves = summarize(results)
        timing = "" if model == "tutorial" else f"{round_ms(texts, y, model):>13.1f}"
        timing_big = "" if model == "tutorial" or big is None else f"{round_ms(big[0], big[1], model):>14.1f}"
        for name, curve in curves.items():
            cells = []
            for c in CHECKPOINTS:
                hit = np.flatnonzero(curve.n_labels == c)
                cells.append(f"{curve.mean[hit[0]]:>8.3f}" if hit.shape[0] else f"{'':>8}")
            stop = (f"{curve.stop_labels.mean():.0f}±{curve.stop_labels.std():.0f}"
                    + ("" if curve.stop_labels.shape[0] == curve.runs else f" ({curve.stop_labels.shape[0]}/{curve.runs})")
                    if curve.stop_labels.shape[0] else "never")
            at_stop = f"{curve.stop_accuracy.mean():.3f}" if curve.stop_labels.shape[0] else "-"
            print(f"{model:<10}{name:<16}{''.join(cells)}{stop:>16}{at_stop:>13}{timing}{timing_big}", flush=True)
            timing = timing_big = ""


if __name__ == "__main__":
    main()
