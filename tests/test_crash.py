"""kill -9 in the middle of labeling loses nothing: exactly the N answers given are exported, and the
resumed app asks the same next comment. The child drives the real app headless with Pilot (no TTY)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from typer.testing import CliRunner

from altui.cli.main import app as cli
from conftest import ROOT, TEST_CSV, TRAIN_CSV
from altui.tui.factory import make_app
from altui.tui.config import LabelConfig

CHILD = textwrap.dedent(
    """
    import asyncio, json, sys
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    config = LabelConfig(data=sys.argv[1], test=sys.argv[2], session=sys.argv[3])
    keys = sys.argv[4].split(",")

    async def main():
        app = make_app(config)
        async with app.run_test(size=(100, 30)) as pilot:
            for key in keys:
                await pilot.press(key)
                if app.teaching:
                    await app.workers.wait_for_complete()
                    await pilot.pause()
            print(json.dumps({"current": app.session.current(), "answers": len(app.session.answers())}), flush=True)
            await asyncio.sleep(600)  # killed here

    asyncio.run(main())
    """
)


POINTS = {
    "mid-batch": ["1", "2", "space", "1"],
    "right after a batch closed": ["1", "2", "1", "1", "2", "2", "1", "1", "2", "1"],
    "after an undo across a batch": ["1", "2", "space", "1", "2", "2", "1", "1", "2", "1", "2", "u", "1", "2",
                                     "space"],
    "after undoing everything": ["1", "2", "u", "u"],
}


@pytest.mark.parametrize("point", list(POINTS))
def test_sigkill_loses_nothing_and_resumes_in_place(tmp_path, point):
    """kill -9 at several points: exactly the answers given are exported, and the resumed app asks the same
    next comment."""
    session = tmp_path / "crash.db"
    keys = POINTS[point]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(TRAIN_CSV), str(TEST_CSV), str(session), ",".join(keys)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        line = child.stdout.readline()
        assert line, child.stderr.read()
        state = json.loads(line)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    n_answers = len(keys) - 2 * keys.count("u")  # an undo takes one answer back
    assert state["answers"] == n_answers

    result = CliRunner().invoke(cli, ["export", str(session), "--skipped", "--format", "csv",
                                      "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["source"] != "duplicate"]  # copies: test_duplicates
    assert len(rows) == n_answers == len({r["id"] for r in rows})
    assert sum(1 for r in rows if r["label"] == "") == keys.count("space")  # no point undoes a skip

    resumed = make_app(LabelConfig(data=str(TRAIN_CSV), test=str(TEST_CSV), session=str(session)))
    try:
        assert resumed.session.current() == state["current"]
        assert len(resumed.session.answers()) == n_answers
    finally:
        resumed.session.close()


def test_after_the_app_a_busy_thread_is_waited_for_and_a_stuck_one_does_not_abort_the_exit():
    """Issue 20: a teach still running in a thread worker when the app quits is waited for; one still busy at
    the deadline makes the process leave at once with the app's code, never an abort at finalization."""
    script = textwrap.dedent("""
        import sys, threading, time
        from altui.cli.common import leave_after_app
        done = []
        threading.Thread(target=lambda: (time.sleep(0.3), done.append(1)), daemon=True).start()
        leave_after_app(0, timeout=5)
        assert done == [1], "the busy thread was waited for"
        threading.Thread(target=threading.Event().wait, daemon=True).start()  # never ends
        print("waited", flush=True)
        leave_after_app(7, timeout=0.2)
        print("not reached")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 7, result.stderr
    assert result.stdout == "waited\n" and "terminate called" not in result.stderr
