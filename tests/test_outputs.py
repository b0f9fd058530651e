"""No output over an input, no half-written file (issue 20, acceptance 1 and 2; issue 18's `-o -`)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from conftest import TEST_CSV, TRAIN_CSV
from test_cli import assert_one_line_error
from altui.cli import app
from altui.data.errors import DataError
from altui.data.files.corpus import load_corpus
from altui.data.files.output_paths import atomic_file, check_outputs
from altui.data.sessions.session import LabelingSession

runner = CliRunner()


def digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture
def session_path(tmp_path):
    corpus = load_corpus(str(TRAIN_CSV), str(TEST_CSV))
    path = tmp_path / "S.db"
    session = LabelingSession.open(corpus, path, batch_size=10, info_extra={"test_path": str(TEST_CSV)})
    y = [int(v) for v in session.corpus.train.labels]
    for _ in range(30):
        session.answer(y[session.current()])
        if session.needs_teaching:
            session.commit_round(session.teach_and_query())
    session.close()
    return path


def test_no_command_writes_over_the_session(session_path, tmp_path):
    before = digest(session_path)
    cases = [
        (["export", session_path, "-o", session_path], "-o"),
        (["export", session_path, "-o", tmp_path / "x.csv", "--meta", session_path], "--meta"),
        (["train", session_path, "-o", session_path], "-o"),
        (["predict", session_path, "-o", session_path], "-o"),
        (["review", session_path, "--list", "-o", session_path], "-o"),
        (["export", session_path, "-o", TRAIN_CSV], "data file"),
    ]
    for args, fragment in cases:
        result = runner.invoke(app, [str(a) for a in args])
        assert_one_line_error(result, fragment)
        assert result.exit_code == 1
        assert digest(session_path) == before, args
    assert not (tmp_path / "x.csv").exists()  # refused before anything was written
    status = runner.invoke(app, ["status", str(session_path)])
    assert status.exit_code == 0 and "labeled   30" in status.stdout


def test_train_refuses_a_model_path_its_description_would_overwrite(session_path, tmp_path):
    result = runner.invoke(app, ["train", str(session_path), "-o", str(tmp_path / "model.json")])
    assert_one_line_error(result, "same file")
    assert not (tmp_path / "model.json").exists()


def test_simulate_refuses_its_data_and_unwritable_outputs_before_running(tmp_path):
    data = tmp_path / "D.csv"
    data.write_bytes(TRAIN_CSV.read_bytes())
    before = digest(data)
    assert_one_line_error(runner.invoke(app, ["simulate", str(data), "--out", str(data)]), "data file")
    assert_one_line_error(runner.invoke(app, ["simulate", str(data), "--test", str(TEST_CSV), "--json",
                                              str(TEST_CSV)]), "test file")
    assert_one_line_error(runner.invoke(app, ["simulate", str(data), "--out", str(tmp_path / "a.csv"), "--queries",
                                              str(tmp_path / "a.csv")]), "same file")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    assert_one_line_error(runner.invoke(app, ["simulate", str(data), "--out", str(folder)]), "folder")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    result = runner.invoke(app, ["simulate", str(data), "--out", str(blocked / "curves.csv")])
    assert_one_line_error(result, "cannot write --out")
    assert digest(data) == before


def test_dash_is_standard_output_and_writes_no_file(session_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["export", str(session_path), "-o", "-"])
    assert result.exit_code == 0 and result.stdout.startswith("id,text,label")
    assert not (tmp_path / "-").exists() and not (tmp_path / "-.meta.json").exists()


def test_a_failed_write_leaves_the_earlier_file_whole(tmp_path):
    target = tmp_path / "labels.csv"
    target.write_text("the earlier export\n")
    with pytest.raises(RuntimeError):
        with atomic_file(target) as fh:
            fh.write("half of the new one")
            raise RuntimeError("disk gone")
    assert target.read_text() == "the earlier export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["labels.csv"]  # no temporary file left


def test_kill_9_in_the_middle_of_an_export_leaves_the_earlier_file_whole(tmp_path):
    """A real SIGKILL while the new content is half written (the process kills itself inside the write)."""
    target = tmp_path / "labels.csv"
    earlier = "id,text,label\n" + "".join(f"{i},text {i},spam\n" for i in range(5000))
    target.write_text(earlier)
    code = ("import os, signal, sys\n"
            "from altui.data.files.output_paths import atomic_file\n"
            "with atomic_file(sys.argv[1]) as fh:\n"
            "    fh.write('id,text,label\\n' * 1000); fh.flush()\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, timeout=60)
    assert done.returncode == -signal.SIGKILL
    assert target.read_text() == earlier


def test_check_outputs_names_the_problem(tmp_path):
    session = tmp_path / "s.db"
    session.write_text("x")
    with pytest.raises(DataError, match="is the session"):
        check_outputs([("-o", tmp_path / "." / "s.db")], [("session", session)])
    link = tmp_path / "link.db"
    os.symlink(session, link)
    with pytest.raises(DataError, match="is the session"):
        check_outputs([("-o", link)], [("session", session)])
    with pytest.raises(DataError, match="standard output"):
        check_outputs([("--out", "-")], [])
    check_outputs([("-o", "-")], [], stdout_ok=("-o",))


@pytest.mark.parametrize("column, value, fragment", [("item", 999999, "names item 999999"),
                                                      ("label", 7, "names label 7")])
def test_a_session_with_an_answer_out_of_range_is_one_line_naming_the_rescue(session_path, column, value, fragment):
    """Issue 20: an event edited outside altui (item or label out of range) never reaches a traceback."""
    import sqlite3

    with sqlite3.connect(session_path) as db:
        db.execute(f"UPDATE events SET {column} = ? WHERE seq = (SELECT MIN(seq) FROM events WHERE kind = 'label')",
                   (value,))
    for args in (["train", session_path, "-o", session_path.with_name("m.joblib")], ["predict", session_path],
                 ["review", session_path, "--list"],
                 ["label", TRAIN_CSV, "--test", TEST_CSV, "--session", session_path]):
        result = runner.invoke(app, [str(a) for a in args])
        assert_one_line_error(result, fragment)
        assert "altui export" in result.stderr
