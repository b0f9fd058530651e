"""Multi-label (issue 22): the label-set strategies against random, side by side, on two real multi-label sets.

- debtags-multi (10 labels, 1.15 labels a text): a Debian package's description and its ``works-with::`` debtags,
  built by bench/debtags.py from ``apt-cache dumpavail``;
- youtube-multi (6 labels, 1.5 a text): a YouTube comment's video (one of 5 artists) and, independently, whether it
  is spam, from ../shared/data/youtube-spam/raw (two label schemes on one text), shuffled with seed 5, split 80/20.

Learner: one balanced linear SVM per label (``--model auto``), on n-grams alone (``n-grams``, the learner before
issue 33) and on n-grams plus wordllama's sentence vectors (``vectors``, the default since; the cold start and
TypiClust cluster the vectors). Each table: mean ± std over the repeats of macro F1, then micro F1 and subset
accuracy, at a few label counts, batch 10, k-means cold start.

usage: python bench/bench_multi_label.py [--repeats 5] [--datasets debtags-multi,youtube-multi]
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
AT = (100, 200, 300, 500, 800)
BATCH = 10
STRATEGIES = ("margin", "uncertainty", "entropy", "random")
sys.path.insert(0, str(ROOT))

from bench.debtags import debtags_multi  # noqa: E402
from bench.youtube_raw import split, youtube_comments  # noqa: E402
from altui.data.embeddings.meaning import with_meaning  # noqa: E402
from altui.data.files.corpus import load_corpus  # noqa: E402
from altui.engine.features import features_for  # noqa: E402
from altui.engine.learners import make_learner  # noqa: E402
from altui.engine.simulate import simulate  # noqa: E402


def youtube_multi(out: Path) -> tuple[Path, Path]:
    """Each comment with two label schemes: its video's artist, and spam."""
    rows = [(item_id, text, [artist] + (["spam"] if spam else [])) for item_id, text, artist, spam in youtube_comments()]
    (out / "youtube-multi").mkdir(parents=True, exist_ok=True)
    paths = []
    for name, part in zip(("train", "test"), split(len(rows))):
        path = out / "youtube-multi" / f"{name}.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for i in part:
                fh.write(json.dumps({"id": rows[i][0], "text": rows[i][1], "labels": rows[i][2]}) + "\n")
        paths.append(path)
    return paths[0], paths[1]


def cell(values: np.ndarray) -> str:
    return f"{values.mean():.3f} ± {values.std():.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--datasets", default="debtags-multi,youtube-multi")
    parser.add_argument("--scratch", type=Path, default=ROOT / ".bench-data")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    args = parser.parse_args()
    strategies = tuple(args.strategies.split(","))
    warnings.filterwarnings("ignore")
    builders = {"debtags-multi": debtags_multi, "youtube-multi": youtube_multi}
    for name in args.datasets.split(","):
        train, test = builders[name](args.scratch)
        corpus = load_corpus(str(train), str(test), seed=0, require_labels=True, features=features_for("svm"),
                             multi_label=True)
        n = len(corpus.labels)
        masks = corpus.y_train
        cardinality = float(np.mean([bin(int(m)).count("1") for m in masks]))
        print(f"\n### {name}: {n} labels, {cardinality:.2f} labels a text, pool {corpus.X.shape[0]}, test "
              f"{corpus.X_test.shape[0]}, {args.repeats} runs, batch {BATCH}\n")
        embedded = with_meaning(corpus, "auto", "wordllama").corpus
        results = []
        for features, rows, test_rows in (("n-grams", corpus.X, corpus.X_test),
                                          ("vectors", embedded.rows, embedded.test_rows)):
            for result in simulate(rows, masks, test_rows, corpus.y_test, n_classes=n, strategies=strategies,
                                   repeats=args.repeats, iterations=max(AT) // BATCH, batch_size=BATCH,
                                   random_state=0, n_jobs=args.jobs, learner=make_learner("auto", n, True),
                                   copy_of=corpus.copy_of, multi_label=True):
                results.append((f"{result.strategy}, {features}", result))
        at = [int(np.flatnonzero(results[0][1].n_labels == a)[0]) for a in AT]
        for measure in ("macro F1", "micro F1", "subset accuracy"):
            print(f"| {measure} | " + " | ".join(f"@{a}" for a in AT) + " | ms/round |")
            print("|" + " --- |" * (len(AT) + 2))
            for strategy in dict.fromkeys(label for label, _ in results):
                runs = [r for label, r in results if label == strategy]
                values = {"macro F1": [r.f1 for r in runs], "micro F1": [r.micro_f1 for r in runs],
                          "subset accuracy": [r.accuracy for r in runs]}[measure]
                table = np.array([v[at] for v in values])
                ms = 1000 * np.mean([r.seconds / len(r.n_labels) for r in runs])
                print(f"| {strategy} | " + " | ".join(cell(table[:, i]) for i in range(len(AT))) + f" | {ms:.1f} |")
            print()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
