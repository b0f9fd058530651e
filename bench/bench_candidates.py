"""What the candidate subsample costs in accuracy and saves in time, and simulate on a million comments.

A query scores at most ``--candidates`` unlabeled items (default 5,000), a seeded random draw from a
larger pool. This prints, side by side in one run:

1. YouTube (1,564 comments): uncertainty sampling over the whole pool vs over a 200- and a 500-item
   draw, and random sampling.
2. The synthetic million-comment pool (bench/synth_pool.py): uncertainty with the default 5,000
   candidates, with 20,000, and over the whole pool (--candidates 0), and random: accuracy curves and
   ms/iteration.

usage: python bench/bench_candidates.py [--rows 1000000] [--keep DIR] [--repeats 3] [--iterations 30]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth_pool import ensure_pool  # noqa: E402

YOUTUBE = ROOT.parent / "shared" / "data" / "youtube-spam"
ALTUI = [sys.executable, "-m", "altui"]
POINTS = (50, 100, 200, 300)


def simulate(data: Path, test: Path, strategy: str, candidates: int, repeats: int, iterations: int, out: Path) -> dict:
    command = [*ALTUI, "simulate", str(data), "--test", str(test), "-s", strategy, "--candidates", str(candidates),
               "--repeats", str(repeats), "--iterations", str(iterations), "--json", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"simulate failed: {done.stderr[-2000:]}")
    curve = json.loads(out.read_text())["strategies"][strategy]
    curve["ms_per_iteration"] = 1000 * curve["seconds"] / (repeats * iterations)
    return curve


def row(name: str, curve: dict) -> str:
    cells = []
    for n in POINTS:
        if n in curve["n_labels"]:
            i = curve["n_labels"].index(n)
            cells.append(f"{curve['mean'][i]:.3f}±{curve['std'][i]:.3f}")
        else:
            cells.append("-")
    return f"{name:<40}" + "".join(f"{c:>14}" for c in cells) + f"{curve['ms_per_iteration']:>10.2f}"


def table(title: str, rows: list[tuple[str, dict]]) -> None:
    print(title)
    print(f"{'':<40}" + "".join(f"{'n=' + str(n):>14}" for n in POINTS) + f"{'ms/iter':>10}")
    for name, curve in rows:
        print(row(name, curve))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=30)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="altui-scale-"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.json"
        train, test = YOUTUBE / "train.csv", YOUTUBE / "test.csv"
        youtube = [
            ("uncertainty, all candidates", simulate(train, test, "uncertainty", 0, 10, 30, out)),
            ("uncertainty, 500 candidates", simulate(train, test, "uncertainty", 500, 10, 30, out)),
            ("uncertainty, 200 candidates", simulate(train, test, "uncertainty", 200, 10, 30, out)),
            ("random", simulate(train, test, "random", 0, 10, 30, out)),
        ]
        table("YouTube, 10 repeats x 30 iterations x 10: test accuracy (mean±std)", youtube)
        pool = ensure_pool(folder / f"pool-{args.rows}.csv", args.rows, seed=0)
        held = ensure_pool(folder / "test-2000.csv", 2000, seed=1)
        r, it = args.repeats, args.iterations
        big = [
            ("uncertainty, 5,000 candidates (default)", simulate(pool, held, "uncertainty", 5_000, r, it, out)),
            ("uncertainty, 20,000 candidates", simulate(pool, held, "uncertainty", 20_000, r, it, out)),
            ("uncertainty, all candidates", simulate(pool, held, "uncertainty", 0, r, it, out)),
            ("random", simulate(pool, held, "random", 5_000, r, it, out)),
        ]
        table(f"\n{args.rows} synthetic comments, {r} repeats x {it} iterations x 10 (2,000 test comments)", big)


if __name__ == "__main__":
    main()
