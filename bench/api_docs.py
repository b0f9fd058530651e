"""A topical corpus from a source no other bench uses: the scientific Python stack's own API documentation.

Text = the summary paragraph of a public function's or class's docstring (its first paragraph, the signature
left out); label = the sub-package it documents (``stats``, ``signal``, ``optimize``, ``sparse``, ``cluster``,
``metrics``, …). The classes are topics: "Compute the Kolmogorov-Smirnov statistic on 2 samples" is about
statistics in words of its own, and the label's name is rarely in the text. Built from what is installed
(numpy, scipy, scikit-learn, pandas), so it stays out of the repository; one item per distinct summary,
sub-packages with at least 30 items, shuffled with seed 11 and split 80/20.

usage: python bench/api_docs.py [--out .bench-data]
"""

from __future__ import annotations

import argparse
import collections
import csv
import importlib
import inspect
import re
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MODULES = {
    "scipy": ["stats", "signal", "optimize", "linalg", "sparse", "interpolate", "integrate", "spatial", "ndimage",
              "special", "io", "fft", "cluster"],
    "numpy": ["random", "linalg", "ma", "polynomial", "fft", "strings"],
    "sklearn": ["metrics", "preprocessing", "cluster", "linear_model", "feature_extraction", "model_selection",
                "decomposition", "ensemble", "neighbors", "datasets", "covariance", "manifold"],
    "pandas": ["io", "plotting", "tseries", "errors"],
}
MIN_ITEMS = 30


def summary(obj) -> str | None:
    doc = inspect.getdoc(obj)
    if not doc:
        return None
    first = re.split(r"\n\s*\n", doc.strip(), maxsplit=1)[0]
    first = " ".join(first.split())
    if first.endswith(")") and "(" in first[:40]:  # a signature line, not prose
        return None
    return first if len(first.split()) >= 4 else None


def items() -> list[tuple[str, str, str]]:
    seen, rows = set(), []
    warnings.filterwarnings("ignore")
    for package, subs in MODULES.items():
        for sub in subs:
            try:
                module = importlib.import_module(f"{package}.{sub}")
            except ImportError:
                continue
            names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
            for name in sorted(set(names)):
                obj = getattr(module, name, None)
                if not (inspect.isfunction(obj) or inspect.isclass(obj) or callable(obj)) or inspect.ismodule(obj):
                    continue
                text = summary(obj)
                if text is None or text in seen:
                    continue
                seen.add(text)
                label = sub.replace("_", "-") if package != "numpy" or sub not in ("linalg", "fft") else \
                    f"numpy-{sub}"
                label = f"pandas-{sub}" if package == "pandas" and sub == "io" else label
                rows.append((f"{package}.{sub}.{name}", text, label))
    counts = collections.Counter(label for *_, label in rows)
    return [row for row in rows if counts[row[2]] >= MIN_ITEMS]


def api_docs(out: Path) -> tuple[Path, Path]:
    rows = items()
    order = np.random.RandomState(11).permutation(len(rows))
    cut = int(0.8 * len(rows))
    folder = out / "api-docs"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, part in (("train", order[:cut]), ("test", order[cut:])):
        path = folder / f"{name}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["name", "text", "topic"])
            writer.writerows(rows[i] for i in part)
        paths.append(path)
    return paths[0], paths[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / ".bench-data")
    train, test = api_docs(parser.parse_args().out)
    print(train, test)
    with open(train, encoding="utf-8") as fh:
        counts = collections.Counter(row["topic"] for row in csv.DictReader(fh))
    print(len(counts), "classes:", dict(counts.most_common()))


if __name__ == "__main__":
    main()
