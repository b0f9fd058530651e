"""The raw YouTube Spam Collection files (../shared/data/youtube-spam/raw/Youtube0N-ARTIST.csv) as rows, and the
seeded 80/20 split the many-class and multi-label benches build their tasks with."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "youtube-spam" / "raw"


def youtube_comments() -> list[tuple[str, str, str, bool]]:
    """(comment id, text, the video's artist, spam) of every comment, file by file."""
    rows = []
    for path in sorted(RAW.glob("Youtube0*.csv")):
        artist = path.stem.split("-", 1)[1]
        with open(path, newline="", encoding="utf-8") as fh:
            rows += [(r["COMMENT_ID"], r["CONTENT"], artist, r["CLASS"] == "1") for r in csv.DictReader(fh)]
    return rows


def split(n: int, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the training and test parts: shuffled with ``seed``, 80/20."""
    order = np.random.RandomState(seed).permutation(n)
    cut = int(0.8 * n)
    return order[:cut], order[cut:]
