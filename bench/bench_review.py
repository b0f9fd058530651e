"""How many deliberately wrong labels `altui review` puts in its top 20, against a random order.

Ten sessions on the YouTube split (seeds 0-9): 100 queried comments labeled truthfully except 10, one per batch
at a varying position, labeled the other way. Then the labels are ranked by out-of-fold self-confidence with the
session's learner (5-fold, 5 repeats averaged, as `altui review`), and with one 5-fold only; a random order holds
10 x 20/100 = 2 of them on average.

usage: python bench/bench_review.py [--sessions 10] [--model nblr] [--data DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from altui.data.files.corpus import load_corpus  # noqa: E402
from altui.data.sessions.session import LabelingSession  # noqa: E402
from altui.engine.learners import make_learner  # noqa: E402
from altui.engine.review import label_quality, out_of_fold_proba, rank_by_quality  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--model", default="nblr")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "youtube-spam")
    args = parser.parse_args()
    corpus = load_corpus(str(args.data / "train.csv"), str(args.data / "test.csv"))
    found = {"review (5 x 5-fold)": [], "one 5-fold": [], "random order": []}
    for k in range(args.sessions):
        with tempfile.TemporaryDirectory() as tmp:
            session = LabelingSession.open(corpus, Path(tmp) / "s.db", model=args.model, seed=k)
            truth = [int(v) for v in session.corpus.train.labels]
            rows, labels, wrong = [], [], set()
            for n in range(100):
                index = session.current()
                label = truth[index] if n % 10 != k % 10 else 1 - truth[index]
                if label != truth[index]:
                    wrong.add(n)
                session.answer(label)
                rows.append(index)
                labels.append(label)
                if session.needs_teaching:
                    session.commit_round(session.teach_and_query())
            X, y = session.loop.X[np.array(rows)], np.array(labels)
            session.close()
        for name, repeats in (("review (5 x 5-fold)", 5), ("one 5-fold", 1)):
            proba = out_of_fold_proba(X, y, lambda: make_learner(args.model, 2), 2, repeats=repeats, random_state=k)
            top = set(rank_by_quality(label_quality(proba, y))[:20].tolist())
            found[name].append(len(top & wrong))
        found["random order"].append(len(set(np.random.default_rng(k).permutation(100)[:20].tolist()) & wrong))
    print(f"{args.sessions} sessions x 100 labels, 10 of them wrong; how many of the 10 are in the top 20 "
          f"(model {args.model})")
    print(f"{'ranking':<22} {'mean':>5} {'min':>4} {'max':>4}  per session")
    for name, hits in found.items():
        print(f"{name:<22} {np.mean(hits):5.1f} {min(hits):4d} {max(hits):4d}  {hits}")


if __name__ == "__main__":
    main()
