"""The `altui` command line, driven with Typer's CliRunner."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from altui.cli.main import app
from conftest import ROOT, TEST_CSV, TRAIN_CSV

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_one_line_error(result, fragment):
    assert result.exit_code != 0
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and fragment in lines[0], lines[0]


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == "altui 0.1.0"


def test_simulate_writes_curves_queries_and_summary(tmp_path):
    out, queries, summary = tmp_path / "curves.csv", tmp_path / "q.csv", tmp_path / "s.json"
    result = run("simulate", TRAIN_CSV, "--test", TEST_CSV, "-s", "uncertainty", "-s", "random", "--repeats", 2,
                 "--iterations", 5, "--batch", 10, "--seed", 3, "--out", out, "--queries", queries, "--json", summary)
    assert result.exit_code == 0, result.output
    assert "uncertainty" in result.stdout and "n=50" in result.stdout and "test accuracy vs number of labels" in result.stdout
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["strategy", "repeat", "iteration", "n_labels", "accuracy", "f1", "kappa"]
    assert len(rows) == 2 * 2 * 5
    with open(queries, newline="") as fh:
        picked = list(csv.DictReader(fh))
    assert list(picked[0]) == ["strategy", "repeat", "iteration", "index"] and len(picked) == 2 * 2 * 5 * 10
    for strategy in ("uncertainty", "random"):
        for repeat in ("0", "1"):
            indices = [p["index"] for p in picked if p["strategy"] == strategy and p["repeat"] == repeat]
            assert len(indices) == len(set(indices)) == 50
    data = json.loads(summary.read_text())
    assert data["config"]["repeats"] == 2 and data["config"]["batch"] == 10
    uncertainty = data["strategies"]["uncertainty"]
    assert uncertainty["n_labels"] == [10, 20, 30, 40, 50] and uncertainty["seconds"] > 0
    last = [float(r["accuracy"]) for r in rows if r["strategy"] == "uncertainty" and r["iteration"] == "5"]
    assert uncertainty["mean"][-1] == pytest.approx(np.mean(last), abs=1e-6)
    assert uncertainty["std"][-1] == pytest.approx(np.std(last), abs=1e-6)


def test_simulate_on_the_default_data_set_and_with_a_holdout(small_csv):
    result = run("simulate", "--repeats", 1, "--iterations", 2)
    assert result.exit_code == 0, result.output
    assert "392 test items" in result.stdout  # the downloaded (here: local) YouTube split
    result = run("simulate", small_csv, "--repeats", 1, "--iterations", 2, "--batch", 5)
    assert result.exit_code == 0, result.output
    assert "8 test items" in result.stdout  # 20 % held out


def test_too_many_iterations_are_clamped_with_a_warning(small_csv):
    result = run("simulate", small_csv, "--repeats", 1, "--iterations", 50, "--batch", 10)
    assert result.exit_code == 0, result.output
    assert "warning: the pool has 32 distinct texts, enough for 4 iterations of 10; running 4" in result.stderr
    assert "n=32" in result.stdout  # the last batch takes the 2 items left


def test_parallel_jobs_give_the_same_curves(tmp_path):
    outputs = []
    for jobs in (1, 2):
        out = tmp_path / f"c{jobs}.csv"
        result = run("simulate", TRAIN_CSV, "--test", TEST_CSV, "--repeats", 2, "--iterations", 3, "--jobs", jobs, "--out", out)
        assert result.exit_code == 0, result.output
        outputs.append(out.read_text())
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(
    "make, extra, fragment",
    [
        (lambda p: p / "missing.csv", [], "no such file"),
        (lambda p: _write(p / "empty.csv", b""), [], "is empty"),
        (lambda p: _write(p / "cols.csv", b"text,label\na,x\nb,y\n"), ["--text-col", "body"], "unknown column 'body'"),
        (lambda p: _write(p / "one.csv", b"text,label\na,x\nb,x\nc,x\n"), [], "only one class"),
        (lambda p: _write(p / "ragged.csv", b"text,label\na,x\nb,y,z\n"), [], "line 3 has 3 fields"),
        (lambda p: _write(p / "q.csv", b'text,label\n"open,x\nb,y\n'), [], "malformed CSV"),
        (lambda p: _write(p / "nolabel.csv", b"text\na\nb\n"), [], "no label column found"),
        (lambda p: _write(p / "ok.csv", b"text,label\na,x\nb,y\n"), ["--sep", "pipe!"], "unknown separator"),
        (lambda p: TRAIN_CSV, ["--batch", "0"], "--batch must be at least 1"),
        (lambda p: TRAIN_CSV, ["--iterations", "-3"], "--iterations must be at least 1"),
        (lambda p: TRAIN_CSV, ["--repeats", "0"], "--repeats must be at least 1"),
        (lambda p: TRAIN_CSV, ["--strategy", "smart"], "'smart' is not one of 'uncertainty'"),
        (lambda p: TRAIN_CSV, ["--jobs", "0"], "--jobs must be"),
        (lambda p: TRAIN_CSV, ["--test", "/nonexistent/test.csv"], "no such file"),
        (lambda p: TRAIN_CSV, ["--cold-start", "magic"], "'magic' is not one of 'random', 'kmeans'"),
        (lambda p: TRAIN_CSV, ["--seed-terms", "spam"], "give LABEL=term,term"),
        (lambda p: TRAIN_CSV, ["--seed-terms", "eggs=bacon"], "'eggs', not a label of this data"),
        (lambda p: TRAIN_CSV, ["--seed-terms", "spam="], "is not LABEL=term,term"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, make, extra, fragment):
    result = run("simulate", make(tmp_path), "--repeats", 1, "--iterations", 1, *extra)
    assert_one_line_error(result, fragment)


def test_non_utf8_file_is_decoded_not_a_traceback(tmp_path):
    rows = "text,label\n" + "".join(f"caf\xe9 {i} cr\xe8me,{'ab'[i % 2]}\n" for i in range(30))
    path = tmp_path / "cp1252.csv"
    path.write_bytes(rows.encode("cp1252"))
    result = run("simulate", path, "--repeats", 1, "--iterations", 1, "--batch", 5)
    assert result.exit_code == 0, result.output


def test_prepare_writes_the_reference_split(tmp_path):
    result = run("prepare", tmp_path / "youtube")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "youtube" / "train.csv").read_bytes() == TRAIN_CSV.read_bytes()
    assert (tmp_path / "youtube" / "test.csv").read_bytes() == TEST_CSV.read_bytes()


def _write(path, content: bytes):
    path.write_bytes(content)
    return path


def test_simulate_with_logistic_regression(tmp_path):
    summary = tmp_path / "s.json"
    result = run("simulate", TRAIN_CSV, "--test", TEST_CSV, "--model", "logreg", "--repeats", 1, "--iterations", 3,
                 "--json", summary)
    assert result.exit_code == 0, result.output
    assert json.loads(summary.read_text())["config"]["model"] == "logreg"


def test_unknown_model_is_one_line():
    assert_one_line_error(run("simulate", TRAIN_CSV, "--model", "gpt"), "'gpt' is not one of 'auto', 'nblr', 'svm', 'nb', 'logreg'")


def test_summary_columns_are_distinct_label_counts_for_short_runs():
    from altui.cli.report import checkpoints

    for n in range(1, 40):
        points = checkpoints(n)
        assert points == sorted(set(points)) and points[0] >= 0 and points[-1] == n - 1


def test_the_tutorials_own_loop_runs_beside_altuis_and_altui_wins(tmp_path):
    """Issue 10, acceptance 4 (and 1): -s modal-tutorial -s uncertainty side by side, in one command."""
    pytest.importorskip("modAL")  # altui[tutorial]
    summary = tmp_path / "s.json"
    result = run("simulate", TRAIN_CSV, "--test", TEST_CSV, "-s", "modal-tutorial", "-s", "uncertainty", "-s", "random",
                 "--repeats", 3, "--iterations", 20, "--json", summary)
    assert result.exit_code == 0, result.output
    assert "modal-tutorial" in result.stdout and "test macro F1" in result.stdout and "stable at" in result.stdout
    curves = json.loads(summary.read_text())["strategies"]
    tutorial, ours, random = (curves[k]["mean"][-1] for k in ("modal-tutorial", "uncertainty", "random"))
    assert ours > tutorial and ours > random and ours >= 0.95  # at 200 labels
    # modAL has no seed: its repeats are identical, so their std is 0 up to rounding (~1e-16)
    assert curves["modal-tutorial"]["std"][-1] == pytest.approx(0, abs=1e-9)
    assert curves["uncertainty"]["stop"]["runs_stopped"] >= 1


def test_the_tutorials_model_is_still_reproduced_with_model_nb():
    """--model nb reproduces the tutorial's model: with the same picks, the same accuracy as modAL's loop."""
    pytest.importorskip("modAL")  # altui[tutorial]
    from altui.engine.features import vectorize
    from conftest import read_youtube
    from altui.engine.modal_reference import run_modal_tutorial
    from altui.engine.simulate import simulate

    texts, y = read_youtube(TRAIN_CSV)
    test_texts, y_test = read_youtube(TEST_CSV)
    _, X, X_test = vectorize(texts, test_texts)
    reference = run_modal_tutorial(X, y, X_test, y_test, 2, 5, 10, seed=0)
    via_simulate = simulate(X, y, X_test, y_test, n_classes=2, strategies=["modal-tutorial"], repeats=1,
                            iterations=5)[0]
    np.testing.assert_array_equal(reference.accuracy, via_simulate.accuracy)
    assert reference.n_labels.tolist() == [10, 20, 30, 40, 50]


def test_seed_terms_put_the_rare_class_in_the_first_batch(tmp_path):
    """Issue 10, acceptance 3: on data with 10 % spam, --seed-terms finds spam in the first batch."""
    import pandas as pd

    frame = pd.read_csv(TRAIN_CSV)
    ham, spam = frame[frame.CLASS == 0], frame[frame.CLASS == 1]
    rare = pd.concat([ham, spam.head(len(ham) // 9)]).sort_values("COMMENT_ID")
    data = tmp_path / "rare.csv"
    rare.to_csv(data, index=False)
    from altui.data.files.corpus import load_corpus

    terms = ["subscribe", "check out", "my channel"]
    queries = tmp_path / "q.csv"
    spam_in_first = {}
    for extra in ([], ["--seed-terms", "spam=" + ",".join(terms)]):
        result = run("simulate", data, "-s", "uncertainty", "--repeats", 3, "--iterations", 1, "--queries", queries,
                     "--cold-start", "random", *extra)
        assert result.exit_code == 0, result.output
        picks = pd.read_csv(queries)
        corpus = load_corpus(str(data), require_labels=True)  # pool rows: the file less its hold-out
        spam_in_first[bool(extra)] = [sum(corpus.y_train[i] == 1 for i in g["index"]) for _, g in picks.groupby("repeat")]
        matched = [any(t in corpus.train.texts[i].lower() for t in terms) for i in picks["index"]]
        if extra:
            assert sum(matched) >= 5 * 3  # half of each first batch matches the terms
    assert min(spam_in_first[True]) >= 5 > min(spam_in_first[False])


def test_simulate_json_to_stdout_is_json_alone_and_files_written_are_named(tmp_path):
    result = run("simulate", TRAIN_CSV, "--test", TEST_CSV, "-s", "uncertainty", "--repeats", 1, "--iterations", 2,
                 "--json", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # nothing else on stdout: no table, no chart
    assert data["strategies"]["uncertainty"]["n_labels"] == [10, 20] and data["config"]["repeats"] == 1
    out = tmp_path / "curves.csv"
    result = run("simulate", TRAIN_CSV, "--test", TEST_CSV, "-s", "uncertainty", "--repeats", 1, "--iterations", 2,
                 "--out", out)
    assert out.is_file() and f"wrote {out}" in result.stderr and "test accuracy" in result.stdout


def _commands(group, path=("altui",)):
    """Every command of the CLI, with its path: altui simulate, altui rubrix push, ..."""
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


def test_every_command_has_an_example_and_no_bool_placeholder():
    from typer.main import get_command

    found = list(_commands(get_command(app)))
    assert {" ".join(p) for p, _ in found} >= {"altui simulate", "altui label", "altui review", "altui train",
                                               "altui rubrix push", "altui argilla pull"}
    for path, _ in found:
        result = runner.invoke(app, [*path[1:], "--help"], env={"COLUMNS": "160"})
        assert result.exit_code == 0, path
        assert "Example" in result.stdout, f"{' '.join(path)} --help has no example"
        assert "<bool>" not in result.stdout, path


def test_choices_are_listed_in_help():
    text = runner.invoke(app, ["simulate", "--help"], env={"COLUMNS": "200"}).stdout
    assert "<auto|nblr|svm|nb|logreg>" in text and "<csv|tsv|jsonl|parquet>" in text and "<random|kmeans>" in text
    assert "modal-tutorial" in text
    export = runner.invoke(app, ["export", "--help"], env={"COLUMNS": "200"}).stdout
    assert "<csv|jsonl>" in export


@pytest.mark.parametrize("args, fragment", [
    (["simulate", "--batch", "ten"], "Invalid value for '--batch'"),
    (["label", "--model", "bert"], "'bert' is not one of 'auto', 'nblr', 'svm', 'nb', 'logreg'"),
    (["simulate", "--no-such-option"], "No such option: --no-such-option"),
    (["export"], "Missing argument"),
    (["rubrix", "push", "--wat"], "No such option: --wat"),
])
def test_usage_errors_are_one_line_too(args, fragment):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], result.stderr
    assert "--help`" in lines[0] and "╭" not in result.stderr


def test_no_arguments_still_shows_the_help():
    result = runner.invoke(app, [])
    assert "Usage: altui" in result.output and "simulate" in result.output and "error" not in result.output


def test_the_shell_completes_choices():
    import os
    import subprocess
    import sys

    env = {**os.environ, "_ALTUI_COMPLETE": "complete_bash", "COMP_WORDS": "altui simulate --model ", "COMP_CWORD": "3"}
    done = subprocess.run([sys.executable, "-c", "from altui.cli import app; app(prog_name='altui')"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["auto", "nblr", "svm", "nb", "logreg"]
    env.update(COMP_WORDS="altui simulate --backend d", COMP_CWORD="3")
    done = subprocess.run([sys.executable, "-c", "from altui.cli import app; app(prog_name='altui')"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["dask"]
