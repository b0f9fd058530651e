"""Opening a million comments: first open, cached open and peak memory, against a reference in the same run.

Reference (one process): read the CSV with pandas + scikit-learn ``HashingVectorizer(ngram_range=(1, 5),
n_features=2**20)`` over the texts. altui: everything ``altui label`` does before the first screen
(``make_app``: read, validate, vectorize or read the feature cache, open the session, query the first
batch), with an empty feature cache ("first open") and again with the cache filled ("cached open").
Each measurement runs in its own process; peak RSS is that process's ``ru_maxrss``.

With ``--label-col VIDEO`` the pool's five videos are the classes: the many-class SVM, which also reads a sentence
vector per text (issue 33), so the first open embeds a million texts and the cached open reads their vectors.

usage: python bench/bench_scale.py [--rows 1000000] [--keep DIR] [--label-col VIDEO]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth_pool import ensure_pool  # noqa: E402

REFERENCE = """
import resource, sys, time, json
started = time.perf_counter()
import pandas as pd
from sklearn.feature_extraction.text import HashingVectorizer
frame = pd.read_csv(sys.argv[1])
X = HashingVectorizer(ngram_range=(1, 5), n_features=2**20).transform(frame["CONTENT"].astype(str))
print(json.dumps({"seconds": time.perf_counter() - started, "nnz": int(X.nnz),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

ALTUI_OPEN = """
import resource, sys, time, json
started = time.perf_counter()
sys.path.insert(0, sys.argv[3])
from altui.tui.factory import make_app
from altui.tui.config import LabelConfig
app = make_app(LabelConfig(data=sys.argv[1], test=sys.argv[2], session=sys.argv[4], label_col=sys.argv[5] or None))
X = app.session.corpus.X
vectors = app.session.corpus.vectors
print(json.dumps({"seconds": time.perf_counter() - started, "nnz": int(X.nnz), "features": int(X.shape[1]),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "vectors": None if vectors is None else list(vectors.shape)}))
"""


def run(code: str, *args: str, env: dict | None = None) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep (and reuse) the synthetic files in")
    parser.add_argument("--label-col", default="", help="VIDEO: five classes (the SVM with sentence vectors)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="altui-scale-"))
    started = time.perf_counter()
    pool = ensure_pool(folder / f"pool-{args.rows}.csv", args.rows, seed=0)
    test = ensure_pool(folder / "test-2000.csv", 2000, seed=1)
    print(f"synthetic pool: {args.rows} comments, {pool.stat().st_size / 1e6:.0f} MB "
          f"(made in {time.perf_counter() - started:.0f} s); test set 2000; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, ALTUI_CACHE_DIR=str(Path(home) / "cache"), ALTUI_DATA_DIR=str(Path(home) / "data"))
        reference = run(REFERENCE, str(pool))
        first = run(ALTUI_OPEN, str(pool), str(test), str(ROOT), str(Path(home) / "s1.db"), args.label_col, env=env)
        cached = run(ALTUI_OPEN, str(pool), str(test), str(ROOT), str(Path(home) / "s2.db"), args.label_col, env=env)
        resumed = run(ALTUI_OPEN, str(pool), str(test), str(ROOT), str(Path(home) / "s1.db"), args.label_col,
                      env=env)
    ref = reference["seconds"]
    print(f"{'':<44}{'seconds':>9}{'x ref':>8}{'peak RSS':>11}")
    print(f"{'reference: pandas + HashingVectorizer 2**20':<44}{ref:>9.1f}{1.0:>8.2f}{reference['rss_mb']:>9.0f} MB")
    for name, m, bar in (("altui first open (empty cache)", first, "goal <= 1.50"),
                         ("altui cached open (new session)", cached, "goal <= 0.15"),
                         ("altui resume (cached, same session)", resumed, "goal <= 0.15")):
        print(f"{name:<44}{m['seconds']:>9.1f}{m['seconds'] / ref:>8.2f}{m['rss_mb']:>9.0f} MB   {bar}")
    print(f"features: {first['features']} columns, {first['nnz']} stored entries (reference {reference['nnz']})"
          + (f"; sentence vectors {first['vectors']}" if first.get("vectors") else ""))
    peak = max(first["rss_mb"], cached["rss_mb"], resumed["rss_mb"])
    print(f"first open {first['seconds'] / ref:.2f}x, cached open {cached['seconds'] / ref:.2f}x the reference, "
          f"peak RSS {peak / 1024:.2f} GB (goal <= 3 GB)")


if __name__ == "__main__":
    main()
