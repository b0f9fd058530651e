"""Many classes (issues 19, 33): the old defaults, the new default, random, and the small-text peer, side by side.

Three data sets, one table each (accuracy and macro F1 at 50/100/200/300/500 labels, mean ± std over the
repeats, batch 10), plus distinct labels in the first 30 answers (does the cold start cover the classes?),
teach + query per round, and where "stabilizing predictions" fired:

- youtube-spam (2 classes), ../shared/data/youtube-spam/{train,test}.csv;
- youtube-video (5 classes): which video a comment belongs to, built from the same raw files
  (../shared/data/youtube-spam/raw/Youtube0N-*.csv), shuffled with seed 5 and split 80/20;
- debian-sections (22 classes, imbalanced), ../shared/data/debian-sections;
- debtags-use (16 classes, imbalanced), built by bench/debtags.py from ``apt-cache dumpavail``: a package's
  one-line description and its one ``use::`` tag (held out while margin was chosen; TypiClust was then
  developed on it, debian-sections and youtube-video);
- debtags-works (14 classes, imbalanced; built after TypiClust was chosen, measured once): the same with
  the ``works-with::`` tag;
- api-docs (15 topics, imbalanced; built by bench/api_docs.py from the installed numpy, scipy, scikit-learn and
  pandas after the meaning default was chosen): a docstring's summary and the sub-package it documents.

Configurations:
- old default: nblr + uncertainty, identical texts asked again (before issues 19 and 21);
- n-grams default: auto (nblr for two classes, svm for more) + typiclust (on more than two classes TypiClust until
  10 labels per class, then breaking ties; on two classes breaking ties alone), on n-grams alone: the default
  before issue 33; every configuration starts with the k-means cold start except "random first batch";
- new default (issue 33): the same, the many-class SVM reading wordllama's sentence vectors beside the n-grams,
  TypiClust and the cold start clustering the vectors, and the label names as class prototypes (a zero-shot
  start whose say fades as answers come); "vectors, no prior" leaves the names out;
- margin: auto + breaking ties from the first model on (the default before TypiClust);
- auto + random and nblr + random (the issue's "random");
- peer: small-text 1.4's PoolBasedActiveLearner, ConfidenceEnhancedLinearSVC on scikit-learn TF-IDF (fit on
  the pool), BreakingTies, a random first batch of 10 (``pip install 'altui[bench]'``). Run as its best users
  run it: small-text's ``predict`` returns the argmax *position* among the classes its model has seen, so the
  classes not seen yet are padded (positions mapped back through the model's ``classes_``); unpadded, the peer
  is understated (issue 33: 0.537 against 0.567 at 300 labels on a hidden 16-class set).

usage: python bench/bench_many_classes.py [--repeats 10] [--datasets youtube-spam,youtube-video,debian-sections,debtags-use,debtags-works]
       [--configs 'new default;auto, random;peer']
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
AT = (50, 100, 200, 300, 500)
BATCH = 10
ITERATIONS = max(AT) // BATCH
sys.path.insert(0, str(ROOT))

from bench.api_docs import api_docs  # noqa: E402
from bench.debtags import debtags_use, debtags_works  # noqa: E402
from bench.youtube_raw import split, youtube_comments  # noqa: E402
from altui.data.embeddings.meaning import with_meaning  # noqa: E402
from altui.data.files.corpus import load_corpus  # noqa: E402
from altui.engine.features import features_for  # noqa: E402
from altui.engine.learners import make_learner, reads_vectors, resolve_model  # noqa: E402
from altui.engine.metrics import accuracy, confusion, macro_f1  # noqa: E402
from altui.engine.simulate import run_once  # noqa: E402

# (label, model, strategy, cold start, meaning: None = n-grams alone, "vectors", "vectors+prior")
CONFIGS = [("old default", "nblr", "uncertainty", "kmeans", None),
           ("n-grams default (before issue 33)", "auto", "typiclust", "kmeans", None),
           ("new default", "auto", "typiclust", "kmeans", "vectors+prior"),
           ("vectors, no prior", "auto", "typiclust", "kmeans", "vectors"),
           ("margin (the default before TypiClust)", "auto", "margin", "kmeans", None),
           ("new default, random first batch", "auto", "typiclust", "random", "vectors+prior"),
           ("new model, random queries", "auto", "random", "kmeans", "vectors+prior"),
           ("auto, random", "auto", "random", "kmeans", None), ("nblr, random", "nblr", "random", "kmeans", None)]


def youtube_video_split(out: Path) -> tuple[Path, Path]:
    """The 5-class task from the raw YouTube files: text = comment, label = the video's artist."""
    rows = [(item_id, text, artist) for item_id, text, artist, _ in youtube_comments()]
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, part in zip(("train", "test"), split(len(rows))):
        path = out / f"{name}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "text", "label"])
            writer.writerows(rows[i] for i in part)
        paths.append(path)
    return paths[0], paths[1]


def datasets(names: list[str], scratch: Path):
    for name in names:
        if name == "youtube-spam":
            yield name, SHARED / "youtube-spam" / "train.csv", SHARED / "youtube-spam" / "test.csv", {}
        elif name == "youtube-video":
            train, test = youtube_video_split(scratch / "youtube-video")
            yield name, train, test, {"text_col": "text", "label_col": "label"}
        elif name == "debian-sections":
            yield (name, SHARED / "debian-sections" / "train.csv", SHARED / "debian-sections" / "test.csv",
                   {"text_col": "description", "label_col": "section"})
        elif name == "debtags-use":  # built from apt-cache dumpavail; held out until TypiClust was chosen on it
            train, test = debtags_use(scratch)
            yield name, train, test, {"text_col": "description", "label_col": "use"}
        elif name == "debtags-works":  # built after the default was chosen: the unseen check
            train, test = debtags_works(scratch)
            yield name, train, test, {"text_col": "description", "label_col": "works_with"}
        elif name == "api-docs":  # topics, from a source no other set uses (issue 33's check)
            train, test = api_docs(scratch)
            yield name, train, test, {"text_col": "text", "label_col": "topic"}
        else:
            raise SystemExit(f"unknown data set {name}")


def run_altui(corpus, model: str, strategy: str, cold_start: str, repeats: int, meaning: str | None = None):
    n = len(corpus.labels)
    # identical texts asked once (issue 21) in every configuration but the old default, which asked them again
    copy_of = None if (model, strategy) == ("nblr", "uncertainty") else corpus.copy_of
    X, X_test, prototypes = corpus.X, corpus.X_test, None
    if meaning is not None:
        ready = with_meaning(corpus, model, "wordllama", label_prior=meaning == "vectors+prior")
        X, X_test, prototypes = ready.corpus.rows, ready.corpus.test_rows, ready.prototypes
    runs = [run_once(X, corpus.y_train, X_test, corpus.y_test, n, strategy, ITERATIONS, BATCH, seed=r,
                     repeat=r, learner=make_learner(model, n, class_prototypes=prototypes), cold_start=cold_start,
                     copy_of=copy_of)
            for r in range(repeats)]
    at = [int(np.flatnonzero(runs[0].n_labels == a)[0]) for a in AT]
    acc = np.array([r.accuracy[at] for r in runs])
    f1 = np.array([r.f1[at] for r in runs])
    first30 = [len(set(corpus.y_train[np.concatenate(r.queried)[:30]].tolist())) for r in runs]
    ms = 1000 * statistics.mean(r.seconds / ITERATIONS for r in runs)
    stops = [int(r.n_labels[r.stop]) for r in runs if r.stop is not None]
    zero = np.mean([r.before_answers[0] for r in runs]) if runs[0].before_answers is not None else None
    return acc, f1, first30, ms, stops, zero


def run_peer(corpus, repeats: int):
    try:
        from small_text import (BreakingTies, ConfidenceEnhancedLinearSVC, PoolBasedActiveLearner,
                                SklearnClassifierFactory, SklearnDataset, random_initialization)
    except ImportError:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer()
    X = vectorizer.fit_transform(list(corpus.train.texts))
    X_test = vectorizer.transform(list(corpus.test.texts))
    n = len(corpus.labels)
    y, y_test = corpus.y_train, corpus.y_test
    acc, f1, first30, seconds = [], [], [], []
    for r in range(repeats):
        np.random.seed(r)  # small-text draws with numpy's global generator
        factory = SklearnClassifierFactory(ConfidenceEnhancedLinearSVC(), n)
        learner = PoolBasedActiveLearner(factory, BreakingTies(), SklearnDataset(X, y))
        labeled = random_initialization(y, n_samples=BATCH)
        started = time.perf_counter()
        learner.initialize_data(labeled, y[labeled])
        curve_acc, curve_f1, asked = [], [], list(labeled)
        for _ in range(ITERATIONS):
            model = learner.classifier.model  # padded: argmax positions mapped back to the classes it has seen
            predicted = model.classes_[np.argmax(model.predict_proba(X_test), axis=1)]
            matrix = confusion(y_test, predicted, n)
            curve_acc.append(accuracy(matrix))
            curve_f1.append(macro_f1(matrix))
            if len(asked) >= max(AT):
                break
            picked = learner.query(num_samples=BATCH)
            learner.update(y[picked])
            asked += list(picked)
        seconds.append((time.perf_counter() - started) / ITERATIONS)
        acc.append([curve_acc[a // BATCH - 1] for a in AT])
        f1.append([curve_f1[a // BATCH - 1] for a in AT])
        first30.append(len(set(y[np.asarray(asked[:30])].tolist())))
    return np.array(acc), np.array(f1), first30, 1000 * statistics.mean(seconds), [], None


def cell(values: np.ndarray) -> str:
    return f"{values.mean():.3f} ± {values.std():.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--datasets", default="youtube-spam,youtube-video,debian-sections")
    parser.add_argument("--scratch", type=Path, default=ROOT / ".bench-data")
    parser.add_argument("--configs", default=None, help="configuration names separated by ; (default: all)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    for name, train, test, read in datasets(args.datasets.split(","), args.scratch):
        corpus = load_corpus(str(train), str(test), seed=0, require_labels=True, features=features_for("auto"),
                             **read)
        n = len(corpus.labels)
        print(f"\n### {name}: {n} classes, pool {corpus.X.shape[0]}, test {corpus.X_test.shape[0]}, "
              f"{args.repeats} runs, batch {BATCH}\n")
        header = " | ".join(f"acc@{a}" for a in AT) + " | " + " | ".join(f"F1@{a}" for a in AT)
        print(f"| configuration | acc@0 | {header} | labels in first 30 | stop at | ms/round |")
        print("|" + " --- |" * (2 * len(AT) + 5))
        rows = [(label, run_altui(corpus, model, strategy, cold_start, args.repeats, meaning),
                 f"{resolve_model(model, n)}{', ' + meaning if meaning and reads_vectors(model, n) else ''}, "
                 f"{strategy}")
                for label, model, strategy, cold_start, meaning in CONFIGS
                if args.configs is None or label in args.configs.split(";")]
        peer = run_peer(corpus, args.repeats) if args.configs is None or "peer" in args.configs.split(";") else None
        if peer is not None:
            rows.append(("peer: small-text", peer, "TF-IDF LinearSVC, breaking ties, padded"))
        for label, (acc, f1, first30, ms, stops, zero), what in rows:
            stop = f"{statistics.mean(stops):.0f} ({len(stops)}/{args.repeats})" if stops else "never"
            cells = " | ".join(cell(acc[:, i]) for i in range(len(AT))) + " | " + \
                " | ".join(cell(f1[:, i]) for i in range(len(AT)))
            before = "—" if zero is None else f"{zero:.3f}"
            print(f"| {label} ({what}) | {before} | {cells} | {statistics.mean(first30):.1f} | {stop} | {ms:.1f} |")
        if peer is None:
            print("\n(peer left out: pip install 'altui[bench]' for small-text)")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
