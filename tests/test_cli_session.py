"""`altui label` start-up errors, `altui export` and `altui status` (CliRunner)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from typer.testing import CliRunner

from altui.cli.main import app
from conftest import TEST_CSV, TRAIN_CSV, write_csv
from altui.data.files.corpus import load_corpus
from altui.data.sessions.session import LabelingSession
from altui.data.sessions.store import SCHEMA_VERSION
from altui.data.files.table import csv_text
from test_cli import assert_one_line_error

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def labeled_session(tmp_path):
    """A session on the YouTube split with 12 answers (one round taught, one skip) and no UI."""
    path = tmp_path / "s.db"
    corpus = load_corpus(str(TRAIN_CSV), str(TEST_CSV))
    session = LabelingSession.open(corpus, path, batch_size=10, info_extra={"test_path": str(TEST_CSV)})
    y = [int(v) for v in corpus.train.labels]
    for i in range(12):
        session.answer(None if i == 3 else y[session.current()])
        if session.needs_teaching:
            session.commit_round(session.teach_and_query())
    texts = {corpus.train.ids[a.index]: corpus.train.texts[a.index] for a in session.answers()}
    session.close()
    return path, texts


def test_export_csv_and_jsonl(labeled_session, tmp_path):
    path, texts = labeled_session
    result = run("export", path)
    assert result.exit_code == 0, result.output
    rows = [r for r in csv.DictReader(io.StringIO(result.stdout)) if r["source"] != "duplicate"]  # copies: test_duplicates
    assert [k for k in rows[0]] == ["id", "text", "label", "answered_at", "round", "source", "flagged"]
    assert len(rows) == 11 and {r["label"] for r in rows} <= {"ham", "spam"}
    assert all(texts[r["id"]] == r["text"] for r in rows)
    assert [r["round"] for r in rows].count("2") == 2  # answers 11 and 12 belong to round 2, as the app says
    assert "0" not in {r["round"] for r in rows}
    out = tmp_path / "out.jsonl"
    result = run("export", path, "--format", "jsonl", "--skipped", "-o", out)
    assert result.exit_code == 0, result.output
    records = [r for r in (json.loads(line) for line in out.read_text().splitlines()) if r["source"] != "duplicate"]
    assert len(records) == 12 and sum(r["label"] is None for r in records) == 1  # a skip: null (issue 29)
    meta = json.loads((tmp_path / "out.meta.json").read_text())  # written beside -o, named on stderr
    assert "out.meta.json" in result.stderr
    assert meta["model"] == "nblr" and meta["counts"]["ham"] + meta["counts"]["spam"] == 11 and meta["skipped"] == 1
    assert [r["round"] for r in meta["rounds"]] == [1] and meta["rounds"][0]["accuracy"] > 0.5
    assert meta["rounds"][0]["kappa"] is None and meta["stop"] is None  # one round: nothing to compare yet


def test_status(labeled_session):
    path, _ = labeled_session
    result = run("status", path)
    assert result.exit_code == 0, result.output
    assert "labeled   11 (ham" in result.stdout and "skipped   1" in result.stdout
    assert "round     2" in result.stdout and "accuracy 0." in result.stdout
    assert "stability no kappa yet" in result.stdout


def test_status_and_export_metadata_show_kappa_and_the_stop_point(tmp_path):
    """Issue 10: kappa per round is in `status` and in the export's metadata, with where it said stop."""
    path = tmp_path / "k.db"
    corpus = load_corpus(str(TRAIN_CSV), str(TEST_CSV))
    session = LabelingSession.open(corpus, path, batch_size=10)
    y = [int(v) for v in corpus.train.labels]
    while True:
        session.answer(y[session.current()])
        if session.needs_teaching:
            session.commit_round(session.teach_and_query())
            if len(session.loop.history_) >= 30:
                break
    session.close()
    status = run("status", path).stdout
    assert re.search(r"stability kappa [01]\.\d{3} vs the previous round", status)
    assert "predictions stable over 3 rounds" in status
    meta_path = tmp_path / "m.json"
    result = run("export", path, "--meta", meta_path)
    assert result.exit_code == 0 and result.stdout.startswith("id,text,label")
    meta = json.loads(meta_path.read_text())
    kappas = [r["kappa"] for r in meta["rounds"]]
    assert len(kappas) == 30 and kappas[0] is None and all(0 <= k <= 1 for k in kappas[1:])
    stop = meta["stop"]
    assert stop is not None and sum(kappas[stop["round"] - 3 : stop["round"]]) / 3 >= 0.99
    assert f"since {stop['n_labels']} labels" in status


def test_export_and_status_bad_input(labeled_session, tmp_path):
    path, _ = labeled_session
    assert_one_line_error(run("export", tmp_path / "none.db"), "no such session file")
    (tmp_path / "junk.db").write_bytes(b"definitely not sqlite" * 100)
    assert_one_line_error(run("status", tmp_path / "junk.db"), "not an altui session")
    assert_one_line_error(run("export", path, "--format", "xml"), "'xml' is not one of 'csv', 'jsonl'")


def test_export_and_status_need_only_the_session_file(tmp_path, monkeypatch):
    """Acceptance (issue 9, 2): label from a relative path, then export from another folder after deleting the
    data file: every answer with its exact text and label name."""
    work = tmp_path / "work"
    work.mkdir()
    texts = [f"text {i}\r\nwith \"quotes\",\ttabs\r and a bare CR" if i % 3 == 0 else f"plain {i}" for i in range(20)]
    (work / "d.csv").write_text(csv_text(["id", "text", "label"], [[f"i{i}", t, "ab"[i % 2]] for i, t in enumerate(texts)]),
                                encoding="utf-8")
    monkeypatch.chdir(work)
    corpus = load_corpus("d.csv", label_names=["neg", "pos"])
    session = LabelingSession.open(corpus, tmp_path / "s.db", batch_size=5)
    answered = {}
    for i in range(6):
        if session.needs_teaching:
            session.commit_round(session.teach_and_query())
        index = session.current()
        answered[corpus.train.ids[index]] = (corpus.train.texts[index], ["neg", "pos"][i % 2])
        session.answer(i % 2)
    session.close()
    (work / "d.csv").unlink()
    monkeypatch.chdir(tmp_path)
    result = run("export", tmp_path / "s.db", "-o", tmp_path / "out.csv")  # a file: bytes exactly as written
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["source"] != "duplicate"]
    assert {r["id"]: (r["text"], r["label"]) for r in rows} == answered
    import pandas as pd

    frame = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert dict(zip(frame.id, frame.text)) == {k: v[0] for k, v in answered.items()}
    assert run("status", tmp_path / "s.db").exit_code == 0


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["/nonexistent.csv"], "no such file"),
        ([TRAIN_CSV, "--test", TEST_CSV, "--batch", "0"], "--batch must be at least 1"),
        ([TRAIN_CSV, "--test", TEST_CSV, "--strategy", "psychic"], "'psychic' is not one of 'uncertainty'"),
        ([TRAIN_CSV, "--test", TEST_CSV, "--labels", "a,b,c"], "--labels gives 3 names"),
        ([TRAIN_CSV, "--test", TEST_CSV, "--text-col", "NOPE"], "unknown column 'NOPE'"),
    ],
)
def test_label_bad_input_fails_before_the_ui(args, fragment, tmp_path):
    assert_one_line_error(run("label", *args, "--session", tmp_path / "x.db"), fragment)


def test_label_refuses_a_session_of_another_data_set(labeled_session, tmp_path):
    path, _ = labeled_session
    other = write_csv(tmp_path / "o.csv", [["text", "label"]] + [[f"t {i}", "ab"[i % 2]] for i in range(20)])
    before = path.read_bytes()
    assert_one_line_error(run("label", other, "--session", path), "belongs to another data set")
    assert path.read_bytes() == before  # nothing saved is touched


def test_label_refuses_more_labels_than_keys(tmp_path):
    data = write_csv(tmp_path / "many.csv", [["text", "label"]] + [[f"text {i}", f"c{i % 31}"] for i in range(93)])
    assert_one_line_error(run("label", data, "--session", tmp_path / "m.db"), "31 labels, but altui label has keys for 30")
    assert not (tmp_path / "m.db").exists()


def _holder_process(session_path):
    """A separate process that holds the session's writer lock until it is told to stop."""
    import subprocess
    import sys

    from conftest import ROOT

    code = ("import sys; from altui.data.sessions.session_lock import SessionLock; "
            "lock = SessionLock(sys.argv[2]).acquire(); print('held', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", code, str(ROOT), str(session_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_writer_is_refused_in_one_line_and_readers_still_work(labeled_session):
    """Acceptance (issue 9, 1): two `altui label` on one session: the second is refused; export has no duplicate."""
    path, texts = labeled_session
    holder = _holder_process(path)
    try:
        result = run("label", TRAIN_CSV, "--test", TEST_CSV, "--session", path)
        assert_one_line_error(result, f"session {path} is open in another altui (pid {holder.pid} on")
        result = run("rubrix", "pull", path, "--dataset", "d")
        assert_one_line_error(result, "is open in another altui")
        exported = run("export", path)  # readers work beside the writer
        assert exported.exit_code == 0, exported.output
        ids = [row["id"] for row in csv.DictReader(io.StringIO(exported.stdout)) if row["source"] != "duplicate"]
        assert len(ids) == len(set(ids)) == 11
        assert run("status", path).exit_code == 0
    finally:
        holder.communicate("")
    # the holder is gone (its lock with it, as after kill -9): the session opens for writing again
    reopened = LabelingSession.resume(path, writer=True)
    reopened.close()


def test_two_writers_in_one_process_are_refused_too(tmp_path):
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig
    from altui.data.errors import DataError

    config = LabelConfig(data=str(TRAIN_CSV), test=str(TEST_CSV), session=str(tmp_path / "new" / "folder" / "w.db"))
    first = make_app(config)
    try:
        with pytest.raises(DataError, match="is open in another altui"):
            make_app(config)
    finally:
        first.session.close()
    make_app(config).session.close()  # released by close()


def test_a_moved_and_edited_data_file_keeps_every_answer(tmp_path):
    """Resume on a moved, edited file: answers are mapped by id (and text), new rows join the pool, vanished
    answered items are reported and stay in the export; nothing is dropped."""
    rows = [[f"i{i}", f"text number {i}"] for i in range(30)]  # texts to label: no label column, no hold-out
    first = write_csv(tmp_path / "d.csv", [["id", "text"]] + rows)
    corpus = load_corpus(str(first), label_names=["neg", "pos"])
    session = LabelingSession.open(corpus, tmp_path / "s.db", batch_size=5)
    answered = []
    for i in range(8):
        if session.needs_teaching:
            session.commit_round(session.teach_and_query())
        answered.append(corpus.train.ids[session.current()])
        session.answer(i % 2)
    session.close()
    gone = answered[0]
    edited = [r for r in rows if r[0] != gone] + [["new1", "a new comment"], ["new2", "another one"]]
    edited.reverse()  # rows move
    first.unlink()
    moved = write_csv(tmp_path / "elsewhere.csv", [["id", "text"]] + edited)
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    app = make_app(LabelConfig(data=str(moved), labels=("neg", "pos"), session=str(tmp_path / "s.db")))
    session = app.session
    assert session.changes and "1 answered items are not in the pool any more" in session.changes
    assert str(moved.resolve()) in session.changes
    ids = session.corpus.train.ids
    assert sorted(ids[a.index] for a in session.answers()) == sorted(answered[1:])
    for a in session.answers():  # every mapped answer is on the row with its own text
        assert session.corpus.train.texts[a.index] == f"text number {ids[a.index][1:]}"
    assert session.current() is not None and ids[session.current()] not in answered
    session.close()
    exported = run("export", tmp_path / "s.db", "-o", tmp_path / "out.csv")
    assert exported.exit_code == 0, exported.output
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        assert sorted(r["id"] for r in csv.DictReader(fh) if r["source"] != "duplicate") == sorted(answered)  # the vanished one too


def test_a_schema_1_session_is_read_and_migrated(labeled_session):
    import sqlite3

    path, texts = labeled_session
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE events DROP COLUMN text")
    db.execute("ALTER TABLE events DROP COLUMN label_name")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    assert run("status", path).exit_code == 0  # read as it is
    exported = run("export", path, "-o", path.with_suffix(".csv"))  # schema 1 kept no texts: the data file has them
    assert exported.exit_code == 0, exported.output
    with open(path.with_suffix(".csv"), newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["source"] != "duplicate"]
    assert {r["id"]: r["text"] for r in rows} == {k: v for k, v in texts.items() if any(r["id"] == k for r in rows)}
    assert {r["label"] for r in rows} == {"ham", "spam"}
    session = LabelingSession.resume(path, writer=True)  # a writer migrates it
    session.close()
    version = sqlite3.connect(path).execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert version == str(SCHEMA_VERSION)


def test_label_takes_the_argilla_options_by_their_own_names(tmp_path, monkeypatch):
    """--argilla-url and --argilla-workspace are label's own options (not --url, which is Rubrix's)."""
    monkeypatch.delenv("ARGILLA_API_KEY", raising=False)
    result = run("label", TRAIN_CSV, "--test", TEST_CSV, "--session", tmp_path / "a.db", "--argilla-dataset", "d",
                 "--argilla-url", "http://127.0.0.1:9", "--argilla-workspace", "team-a")
    assert_one_line_error(result, "set ARGILLA_API_KEY")


def test_status_json_is_the_sessions_metadata(labeled_session):
    path, _ = labeled_session
    result = run("status", path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"]["ham"] + data["counts"]["spam"] == 11 and data["skipped"] == 1
    assert data["model"] == "nblr" and [r["round"] for r in data["rounds"]] == [1]
