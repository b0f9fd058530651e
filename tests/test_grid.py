"""altui simulate --grid: a TOML grid over data sets, one long CSV, progress, resume after Ctrl-C (issue 13)."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from altui.cli.main import app
from conftest import ROOT, TEST_CSV, TRAIN_CSV, write_csv
from altui.data.runs.grid import GRID_COLUMNS
from test_cli import assert_one_line_error

runner = CliRunner()


@pytest.fixture
def grid_file(tmp_path):
    """Two data sets: the YouTube split, and a small file of its own (20 % held out)."""
    rows = [["text", "label"]] + [[f"{'win a free prize, click' if i % 3 == 0 else 'great song, love it'} {i}",
                                   "spam" if i % 3 == 0 else "ham"] for i in range(150)]
    write_csv(tmp_path / "small.csv", rows)
    path = tmp_path / "grid.toml"
    path.write_text(f"""
repeats = 3
iterations = 4
seed = 1
strategies = ["uncertainty", "random"]
models = ["nblr"]
batches = [5, 10]

[[datasets]]
name = "youtube"
data = "{TRAIN_CSV}"
test = "{TEST_CSV}"

[[datasets]]
name = "small"
data = "small.csv"
""", encoding="utf-8")
    return path


def rows_without_time(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return sorted(tuple(r[:-1]) for r in list(csv.reader(fh))[1:])


def test_a_two_data_set_grid_writes_one_long_csv_and_a_summary(grid_file, tmp_path):
    result = runner.invoke(app, ["simulate", "--grid", str(grid_file), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    out = grid_file.with_suffix(".csv")
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == GRID_COLUMNS
    runs = {(r["dataset"], r["strategy"], r["model"], r["batch"], r["repeat"]) for r in rows}
    assert len(runs) == 2 * 2 * 2 * 3 and len(rows) == len(runs) * 4
    assert {r["dataset"] for r in rows} == {"youtube", "small"}
    assert all(0 <= float(r["accuracy"]) <= 1 and float(r["seconds"]) >= 0 for r in rows)
    assert "accuracy and macro F1 at the last iteration" in result.stdout
    assert sum(1 for line in result.stdout.splitlines() if line.strip().startswith(("youtube", "small"))) == 8
    assert f"wrote {out}" in result.stderr


def test_a_grid_gives_the_same_numbers_as_simulate(grid_file, tmp_path):
    runner.invoke(app, ["simulate", "--grid", str(grid_file), "--jobs", "1"])
    single = runner.invoke(app, ["simulate", str(TRAIN_CSV), "--test", str(TEST_CSV), "--iterations", "4",
                                 "--repeats", "3", "--batch", "5", "--seed", "1", "--jobs", "1",
                                 "-s", "uncertainty", "-s", "random", "--out", str(tmp_path / "single.csv")])
    assert single.exit_code == 0, single.output
    with open(tmp_path / "single.csv", encoding="utf-8") as fh:
        expected = {(r["strategy"], r["repeat"], r["iteration"], r["accuracy"]) for r in csv.DictReader(fh)}
    with open(grid_file.with_suffix(".csv"), encoding="utf-8") as fh:
        got = {(r["strategy"], r["repeat"], r["iteration"], r["accuracy"]) for r in csv.DictReader(fh)
               if r["dataset"] == "youtube" and r["batch"] == "5"}
    assert got == expected


def test_an_interrupted_grid_resumes_from_its_output(grid_file, tmp_path):
    """Acceptance 2: Ctrl-C, then the same command: the runs already done are skipped, the result is the same."""
    reference = tmp_path / "reference.csv"
    assert runner.invoke(app, ["simulate", "--grid", str(grid_file), "--jobs", "1", "--out", str(reference)]).exit_code == 0
    out = tmp_path / "interrupted.csv"
    command = [sys.executable, "-c", "from altui.cli import app; app()", "simulate", "--grid", str(grid_file),
               "--jobs", "1", "--out", str(out)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_text(encoding="utf-8").count("\n") < 10):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    partial = rows_without_time(out)
    assert 0 < len(partial) < len(rows_without_time(reference))
    with open(out, "a", encoding="utf-8") as fh:
        fh.write("youtube,uncertainty,nblr,5,2,0,5,0.5")  # and a line cut in the middle, as by a crash
    resumed = runner.invoke(app, ["simulate", "--grid", str(grid_file), "--jobs", "1", "--out", str(out)])
    assert resumed.exit_code == 0, resumed.output
    assert "resumed:" in resumed.stderr
    assert rows_without_time(out) == rows_without_time(reference)
    again = runner.invoke(app, ["simulate", "--grid", str(grid_file), "--jobs", "1", "--out", str(out)])
    assert "resumed: 24 of 24 runs" in again.stderr and rows_without_time(out) == rows_without_time(reference)


@pytest.mark.parametrize("content, fragment", [
    ("repeats = 0\n[[datasets]]\nname='a'\ndata='x.csv'\n", "repeats must be a whole number of at least 1"),
    ("strategies = ['psychic']\n[[datasets]]\nname='a'\ndata='x.csv'\n", "strategies: unknown 'psychic'"),
    ("models = ['bert']\n[[datasets]]\nname='a'\ndata='x.csv'\n", "models: unknown 'bert'"),
    ("repeats = 2\n", "name at least one data set"),
    ("[[datasets]]\nname='a'\ndata='x.csv'\ncolour='red'\n", "data set 'a': unknown keys colour"),
    ("[[datasets]\n", "not valid TOML"),
])
def test_a_bad_grid_is_one_line(tmp_path, content, fragment):
    path = tmp_path / "grid.toml"
    path.write_text(content, encoding="utf-8")
    assert_one_line_error(runner.invoke(app, ["simulate", "--grid", str(path)]), fragment)


def test_an_out_file_that_is_not_a_grid_output_is_left_alone(grid_file, tmp_path):
    other = tmp_path / "notes.csv"
    other.write_text("name,phone\nann,123\n", encoding="utf-8")
    assert_one_line_error(runner.invoke(app, ["simulate", "--grid", str(grid_file), "--out", str(other)]),
                          "is not a grid output")
    assert other.read_text(encoding="utf-8") == "name,phone\nann,123\n"


def test_grid_with_data_arguments_is_refused(grid_file):
    assert_one_line_error(runner.invoke(app, ["simulate", str(TRAIN_CSV), "--grid", str(grid_file)]),
                          "with --grid, the data sets and strategies are named in the grid file")
