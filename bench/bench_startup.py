"""How fast `altui` starts: --help, --version and a shell-completion TAB, each against `python -c "import typer,
rich"` (the floor any Typer + Rich app pays), measured side by side in one run, best of N fresh processes.

The goal (issue 18): within 3x the floor. Output is piped, so --help is the plain (click) help; a terminal gets
Rich's boxes, which cost the import of rich's table and panel modules on top.

usage: python bench/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ALTUI = str(Path(sys.executable).with_name("altui"))


def best_of(command: list[str], runs: int, env: dict | None = None) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    floor, floor_median = best_of([sys.executable, "-c", "import typer, rich"], args.runs)
    completion = dict(os.environ, _ALTUI_COMPLETE="complete_bash", COMP_WORDS="altui simulate --model ",
                      COMP_CWORD="3")
    cases = {
        "altui --help": ([ALTUI, "--help"], None),
        "altui --version": ([ALTUI, "--version"], None),
        "altui simulate --help": ([ALTUI, "simulate", "--help"], None),
        "completion TAB (--model)": ([ALTUI], completion),
    }
    print(f"{'command':28} {'best ms':>8} {'median ms':>10} {'x floor':>8}")
    print(f"{'python -c import typer, rich':28} {floor * 1000:8.0f} {floor_median * 1000:10.0f} {1.0:8.2f}")
    for name, (command, env) in cases.items():
        best, median = best_of(command, args.runs, env)
        print(f"{name:28} {best * 1000:8.0f} {median * 1000:10.0f} {best / floor:8.2f}")


if __name__ == "__main__":
    main()
