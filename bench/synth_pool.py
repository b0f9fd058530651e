"""A synthetic YouTube-layout pool of any size, for the scale benchmarks (never committed, made on demand).

Each comment is a real YouTube Spam Collection comment (with its class) whose words are partly replaced by
words drawn from a Zipf-distributed lexicon of invented words, plus an occasional invented handle or
number. So the texts look like comments (same lengths, same classes, same tokens as the original where
kept), and the n-gram vocabulary grows with the pool as a real one does: tens of millions of distinct
1-5-grams at a million comments.

usage: python bench/synth_pool.py OUT.csv --rows 1000000 [--seed 0]
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
YOUTUBE = ROOT.parent / "shared" / "data" / "youtube-spam"
COLUMNS = ["COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS", "VIDEO"]
LEXICON = 400_000
SYLLABLES = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "du", "xa", "zo", "be", "qui", "fa", "ho"]


def base_comments() -> list[dict]:
    with open(YOUTUBE / "train.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def lexicon(rng: np.random.RandomState, size: int) -> list[str]:
    parts = rng.randint(0, len(SYLLABLES), size=(size, 4))
    lengths = rng.randint(2, 5, size=size)
    return ["".join(SYLLABLES[p] for p in row[:n]) + str(i % 97) for i, (row, n) in enumerate(zip(parts, lengths))]


def write_pool(path: Path, rows: int, seed: int = 0) -> Path:
    """Write ``rows`` synthetic comments to ``path`` (CSV, the YouTube columns)."""
    rng = np.random.RandomState(seed)
    base = base_comments()
    words = lexicon(rng, LEXICON)
    tokens = re.compile(r"\S+")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        step = 50_000
        for start in range(0, rows, step):
            n = min(step, rows - start)
            picks = rng.randint(0, len(base), size=n)
            zipf = np.minimum(rng.zipf(1.3, size=(n, 40)), LEXICON) - 1
            replace = rng.random_sample((n, 40)) < 0.35
            handles = rng.randint(0, 10**7, size=n)
            for j in range(n):
                row = base[picks[j]]
                split = tokens.findall(row["CONTENT"]) or [row["CONTENT"]]
                out = [words[zipf[j, k % 40]] if replace[j, k % 40] else w for k, w in enumerate(split)]
                if handles[j] % 5 == 0:
                    out.append(f"user{handles[j]}")
                i = start + j
                writer.writerow([f"syn{i:08d}", f"author {handles[j] % 50_000}", row["DATE"], " ".join(out),
                                 row["CLASS"], row["VIDEO"]])
    tmp.replace(path)
    return path


def ensure_pool(path: Path, rows: int, seed: int = 0) -> Path:
    return path if path.is_file() else write_pool(path, rows, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_pool(args.out, args.rows, args.seed)
    print(f"wrote {args.rows} comments to {args.out}")


if __name__ == "__main__":
    main()
