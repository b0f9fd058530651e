"""How fast `altui` starts: --help, --version and a shell-completion TAB, each against `python -c "import typer,
rich"` (the floor any Typer + Rich app pays), measured side by side in one run, best of N fresh processes.

The goal (issue 18): within 3x the floor. Output is piped, so --help is the plain (click) help; a terminal gets
Rich's boxes, which cost the import of rich's table and panel modules on top. The commands that only read a
session (`status`, `export`; issue 32: within 4x `--version`) run on a small session made for the run, and the
last column gives their ratio to `--version`.

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
SESSION = """
import sys
from altui.data.files.corpus import load_corpus
from altui.data.files.youtube import ensure_youtube
from altui.data.sessions.session import LabelingSession
session = LabelingSession.open(load_corpus(str(ensure_youtube().train)), sys.argv[1])
for i in range(30):
    session.answer(i % 2)
    if session.needs_teaching:
        session.commit_round(session.teach_and_query())
session.close()
"""


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
    import tempfile

    session = Path(tempfile.mkdtemp(prefix="altui-startup-")) / "s.db"
    subprocess.run([sys.executable, "-c", SESSION, str(session)], check=True)
    cases = {
        "altui --help": ([ALTUI, "--help"], None),
        "altui --version": ([ALTUI, "--version"], None),
        "altui simulate --help": ([ALTUI, "simulate", "--help"], None),
        "completion TAB (--model)": ([ALTUI], completion),
        "altui status SESSION": ([ALTUI, "status", str(session)], None),
        "altui export SESSION -o -": ([ALTUI, "export", str(session), "-o", "-"], None),
    }
    print(f"{'command':28} {'best ms':>8} {'median ms':>10} {'x floor':>8} {'x --version':>12}")
    print(f"{'python -c import typer, rich':28} {floor * 1000:8.0f} {floor_median * 1000:10.0f} {1.0:8.2f}")
    version = None
    for name, (command, env) in cases.items():
        best, median = best_of(command, args.runs, env)
        version = best if name == "altui --version" else version
        ratio = f"{best / version:12.2f}" if version and name.startswith(("altui status", "altui export")) else ""
        print(f"{name:28} {best * 1000:8.0f} {median * 1000:10.0f} {best / floor:8.2f} {ratio}")


if __name__ == "__main__":
    main()
