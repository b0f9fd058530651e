"""Keypress -> next comment on screen, in the real app driven headless by Textual's Pilot.

For each answer: the time from sending the key to the moment the comment widget has rendered the next
comment (its render() was called with the new text), over >= 200 answers (taken from the label
column) on the YouTube split, or on --data/--test (e.g. a synthetic million-comment pool from
bench/synth_pool.py). Answers that close a batch include teaching the model and querying the next batch
in the worker. Also prints teach + query time per round and the SQLite commit. The last line holds
"p99 X ms" over all answers.

usage: python bench/bench_tui_latency.py [--answers 300] [--batch 10] [--data PATH --test PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textual.widgets import Static  # noqa: E402

from altui.tui.factory import make_app  # noqa: E402
from altui.tui.config import LabelConfig  # noqa: E402
from altui.tui.text import printable  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def drive(answers: int, batch: int, data: Path, test: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(LabelConfig(data=str(data), test=str(test), batch=batch, session=str(Path(tmp) / "bench.db")))
        y = [int(v) for v in app.session.corpus.train.labels]
        rendered: dict[str, float] = {}
        latencies, boundary, rounds = [], [], []
        async with app.run_test(size=(120, 36)) as pilot:
            comment = app.screen.query_one("#comment", Static)
            original_render = comment.render

            def timed_render():
                visual = original_render()
                rendered.setdefault(str(visual), time.perf_counter())
                return visual

            comment.render = timed_render
            on_batch = app._finish_round

            def record_round(result):
                rounds.append(result.seconds)
                on_batch(result)

            app._finish_round = record_round
            for _ in range(answers):
                index = app.session.current()
                closes_batch = len(app.session.loop.pending()) == 1
                rendered.clear()
                started = time.perf_counter()
                await pilot.press(str(y[index] + 1))
                deadline = started + 5.0
                while True:  # until the next comment is on screen
                    nxt = app.session.current()
                    if nxt is not None and not app.teaching:
                        key = printable(app.session.text(nxt))
                        stamp = next((t for text, t in rendered.items() if text == key), None)
                        if stamp is not None:
                            break
                    if time.perf_counter() > deadline:
                        raise RuntimeError("the next comment was not rendered within 5 s")
                    # sleep, don't spin: a spinning main thread holds the GIL and starves the worker
                    # thread (an idle app waits in select() and leaves it free)
                    await asyncio.sleep(0.0002)
                ms = 1000 * (stamp - started)
                (boundary if closes_batch else latencies).append(ms)
            store_ms = _commit_ms(app)
    everything = latencies + boundary
    print(f"{answers} answers on {data.name} ({app.session.loop.X.shape[0]} comments), batch {batch}, "
          f"{len(rounds)} rounds taught")
    print(f"{'keypress -> next comment rendered':<44}{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}{'max ms':>8}")
    for name, values in (("all answers", everything), ("within a batch", latencies),
                         ("closing a batch (teach + query + render)", boundary)):
        print(f"{name:<44}{percentile(values, 50):>8.2f}{percentile(values, 90):>8.2f}"
              f"{percentile(values, 99):>8.2f}{max(values):>8.2f}")
    slowest = max(range(len(rounds)), key=rounds.__getitem__)
    print(f"teach + query per round (worker): mean {1000 * statistics.mean(rounds):.2f} ms, slowest round {slowest + 1}, "
          f"max {1000 * max(rounds):.2f} ms")
    print(f"SQLite commit of one answer (WAL): mean {store_ms:.3f} ms")
    print(f"keypress -> next comment, all {len(everything)} answers: p50 {percentile(everything, 50):.2f} ms, "
          f"p99 {percentile(everything, 99):.2f} ms")


def _commit_ms(app) -> float:
    from altui.engine.loop import Answer

    store = app.session.store
    started = time.perf_counter()
    for i in range(200):
        store.record_answer(Answer(i, 0, 0), f"bench-{i}")
    return 1000 * (time.perf_counter() - started) / 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--batch", type=int, default=10)
    youtube = ROOT.parent / "shared" / "data" / "youtube-spam"
    parser.add_argument("--data", type=Path, default=youtube / "train.csv")
    parser.add_argument("--test", type=Path, default=youtube / "test.csv")
    args = parser.parse_args()
    asyncio.run(drive(args.answers, args.batch, args.data, args.test))


if __name__ == "__main__":
    main()
