"""kill -9 in the middle of labeling loses nothing: exactly the N answers given are exported, and the
resumed app asks the same next comment. The child drives the real app headless with Pilot (no TTY)."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import textwrap

from typer.testing import CliRunner

from altui import app as cli
from conftest import ROOT, TEST_CSV, TRAIN_CSV
from tui.app import make_app
from tui.config import LabelConfig

CHILD = textwrap.dedent(
    """
    import asyncio, json, sys
    from tui.app import make_app
    from tui.config import LabelConfig

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


def test_sigkill_after_n_answers_loses_nothing_and_resumes_in_place(tmp_path):
    session = tmp_path / "crash.db"
    keys = ["1", "2", "space", "1", "2", "2", "1", "1", "2", "1", "2", "u", "1", "2", "space"]  # crosses a batch
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
    assert state["answers"] == n_answers == 13

    result = CliRunner().invoke(cli, ["export", str(session), "--skipped", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == n_answers
    assert sum(1 for r in rows if r["label"] == "") == 2  # the two skips

    resumed = make_app(LabelConfig(data=str(TRAIN_CSV), test=str(TEST_CSV), session=str(session)))
    try:
        assert resumed.session.current() == state["current"]
        assert len(resumed.session.answers()) == n_answers
    finally:
        resumed.session.close()
