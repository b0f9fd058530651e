"""Several annotators (issue 22, first slice): kappa for two and more, per label, and the disagreements."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import write_csv
from test_cli import assert_one_line_error
from altui.cli import app
from altui.data.files.corpus import load_corpus
from altui.data.sessions.session import LabelingSession
from altui.engine.agreement import fleiss_kappa, kappa, per_label_kappa
from altui.engine.stopping import cohens_kappa

runner = CliRunner()


def test_fleiss_kappa_matches_the_textbook_example():
    """Fleiss (1971) / Wikipedia's worked example: 10 items, 14 raters, 5 categories: kappa 0.210."""
    counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
              [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    labels = np.array([[c for c, n in enumerate(row) for _ in range(n)] for row in counts])
    assert fleiss_kappa(labels, 5) == pytest.approx(0.210, abs=0.001)
    two = np.array([[0, 0], [1, 1], [0, 1], [1, 1]])
    assert kappa(two, 2) == pytest.approx(cohens_kappa(two[:, 0], two[:, 1], 2))
    assert per_label_kappa(np.array([[0, 0], [1, 1], [2, 2]]), 3) == pytest.approx([1.0, 1.0, 1.0])


def labeled_session(path, data, annotator, flip: set[int]):
    corpus = load_corpus(str(data), seed=0)
    session = LabelingSession.open(corpus, path, batch_size=10, info_extra={"annotator": annotator})
    truth = dict(zip(corpus.train.ids, corpus.train.labels))
    names = list(session.labels)
    for row in range(30):  # the same 30 items for everyone (rows in file order), some given another label
        item = session.item_id(row)
        label = names.index(truth[item])
        session.answer_item(row, 1 - label if row in flip else label)
    session.close()


def test_agreement_of_two_and_three_annotators(tmp_path):
    rows = [["id", "text", "label"]] + [[f"t{i}", f"{'win a prize' if i % 2 else 'nice song'} {i}", "ab"[i % 2]]
                                        for i in range(60)]
    data = write_csv(tmp_path / "d.csv", rows)
    labeled_session(tmp_path / "alice.db", data, "alice", set())
    labeled_session(tmp_path / "bob.db", data, "bob", {0, 1, 2})
    labeled_session(tmp_path / "carol.db", data, "carol", {0, 5})
    two = runner.invoke(app, ["agreement", str(tmp_path / "alice.db"), str(tmp_path / "bob.db"), "--json"])
    assert two.exit_code == 0, two.output
    report = json.loads(two.stdout)
    assert report["measure"] == "Cohen's kappa" and report["items"] == 30 and len(report["disagreements"]) == 3
    assert 0.6 < report["kappa"] < 1.0
    assert report["disagreements"][0]["labels"]["alice"] != report["disagreements"][0]["labels"]["bob"]
    three = runner.invoke(app, ["agreement", *(str(tmp_path / f"{n}.db") for n in ("alice", "bob", "carol"))])
    assert three.exit_code == 0, three.output
    assert "Fleiss' kappa" in three.stdout and "4 disagreements" in three.stdout and "alice" in three.stdout
    assert_one_line_error(runner.invoke(app, ["agreement", str(tmp_path / "alice.db")]), "two sessions or more")


async def test_merge_then_adjudicate_the_conflicts_and_export_every_answer(tmp_path):
    """Issue 22, acceptance 2: merge two annotators, adjudicate the disagreements in the app, and the export
    holds the final label and every annotator's answer."""
    import csv
    import io

    from altui.tui.factory import make_review_app

    rows = [["id", "text", "label"]] + [[f"t{i}", f"{'win a prize' if i % 2 else 'nice song'} {i}", "ab"[i % 2]]
                                        for i in range(60)]
    data = write_csv(tmp_path / "d.csv", rows)
    labeled_session(tmp_path / "alice.db", data, "alice", set())
    labeled_session(tmp_path / "bob.db", data, "bob", {0, 1, 2})
    team = tmp_path / "team.db"
    merged = runner.invoke(app, ["merge", str(tmp_path / "alice.db"), str(tmp_path / "bob.db"), "-o", str(team)])
    assert merged.exit_code == 0, merged.output
    assert "27 items agreed" in merged.stdout and "3 disagreements" in merged.stdout
    assert_one_line_error(runner.invoke(app, ["merge", str(tmp_path / "alice.db"), str(tmp_path / "bob.db"),
                                              "-o", str(tmp_path / "alice.db")]), "is the session 1")
    review = make_review_app(team, conflicts=True)
    async with review.run_test(size=(120, 30)) as pilot:
        await review.workers.wait_for_complete()
        await pilot.pause()
        table = review.screen.query_one("#review-table")
        assert table.row_count == 3
        for _ in range(3):
            await pilot.press("1")  # the adjudicator gives label 1 (a) to each
            await pilot.pause()
    exported = list(csv.DictReader(io.StringIO(runner.invoke(app, ["export", str(team)]).stdout)))
    assert len(exported) == 30
    adjudicated = [r for r in exported if r["source"].startswith("adjudicated:")]
    assert len(adjudicated) == 3 and all(r["label"] == "a" for r in adjudicated)
    assert {r["by alice"] != r["by bob"] for r in adjudicated} == {True}
    assert all(r["by alice"] == r["by bob"] == r["label"] for r in exported if r["source"] == "merged")


MERGE_AND_DIE = """
import os, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from altui.data.sessions import store
from altui.data.sessions.agreement import merge
def die(self, rows):  # killed as the last of it is written
    os._exit(9)
store.SessionStore.record_team_answers = die
merge([Path(sys.argv[2]), Path(sys.argv[3])], Path(sys.argv[4]))
"""


def two_sessions(tmp_path):
    rows = [["id", "text", "label"]] + [[f"i{i}", f"comment {i} " + ("buy now" if i % 2 else "nice"), "spam" if i % 2
                                         else "ham"] for i in range(60)]
    data = write_csv(tmp_path / "data.csv", rows)
    labeled_session(tmp_path / "alice.db", data, "alice", set())
    labeled_session(tmp_path / "bob.db", data, "bob", {1, 2, 3})
    return tmp_path / "alice.db", tmp_path / "bob.db"


def test_a_merge_killed_or_stopped_half_way_leaves_no_session_behind(tmp_path, monkeypatch):
    """Issue 29: killed at 94 %, a merge left a valid-looking -o with no answers (and a rerun refused it)."""
    import subprocess
    import sys

    from conftest import ROOT
    from altui.data.sessions import store

    alice, bob = two_sessions(tmp_path)
    team = tmp_path / "team.db"
    done = subprocess.run([sys.executable, "-c", MERGE_AND_DIE, str(ROOT.parent), str(alice), str(bob), str(team)])
    assert done.returncode == 9 and not team.exists()
    real = store.SessionStore.record_team_answers

    def stopped(self, rows):  # SIGTERM/ctrl-c as the last of it is written: an exception through merge
        raise KeyboardInterrupt

    monkeypatch.setattr(store.SessionStore, "record_team_answers", stopped)
    with pytest.raises(KeyboardInterrupt):
        from altui.data.sessions.agreement import merge

        merge([alice, bob], team)
    assert not team.exists()
    import os

    assert not [p for p in tmp_path.iterdir() if f".merging-{os.getpid()}" in p.name]  # nothing left by a stop
    monkeypatch.setattr(store.SessionStore, "record_team_answers", real)
    merged = runner.invoke(app, ["merge", str(alice), str(bob), "-o", str(team)])  # the rerun works
    assert merged.exit_code == 0, merged.output
    assert not [p for p in tmp_path.iterdir() if ".merging-" in p.name]  # the killed merge's files are cleared
    assert not (tmp_path / "team.db-wal").exists() or (tmp_path / "team.db-wal").stat().st_size == 0
    exported = runner.invoke(app, ["export", str(team), "-o", "-"])
    assert exported.exit_code == 0 and len(exported.stdout.strip().splitlines()) > 20


def unrelated_sessions(tmp_path):
    """Two files without an id column (ids row-1, row-2, …) whose texts have nothing to do with each other."""
    a = write_csv(tmp_path / "a.csv", [["text", "label"]] + [[f"alpha text {i}", "ham" if i % 2 else "spam"]
                                                             for i in range(40)])
    b = write_csv(tmp_path / "b.csv", [["text", "label"]] + [[f"beta words {i}", "ham" if i % 2 else "spam"]
                                                             for i in range(40)])
    labeled_session(tmp_path / "a.db", a, "alice", set())
    labeled_session(tmp_path / "b.db", b, "bob", set())
    return tmp_path / "a.db", tmp_path / "b.db"


def test_agreement_and_merge_refuse_sessions_of_unrelated_data(tmp_path):
    a, b = unrelated_sessions(tmp_path)
    for command in (["agreement", str(a), str(b)], ["merge", str(a), str(b), "-o", str(tmp_path / "t.db")]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, result.output
        assert "not of the same data" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "t.db").exists()


def test_one_session_twice_is_a_usage_error(tmp_path):
    alice, _ = two_sessions(tmp_path)
    link = tmp_path / "also-alice.db"
    link.symlink_to(alice)
    for command in (["agreement", str(alice), str(alice)], ["agreement", str(alice), str(link)],
                    ["merge", str(alice), str(link), "-o", str(tmp_path / "t.db")]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and "one session" in result.output, result.output


def test_merge_refuses_other_label_sets_and_agreement_a_damaged_answer(tmp_path):
    import sqlite3

    alice, bob = two_sessions(tmp_path)
    other = tmp_path / "other.csv"
    write_csv(other, [["id", "text", "label"]] + [[f"i{i}", f"comment {i} " + ("buy now" if i % 2 else "nice"),
                                                   "yes" if i % 2 else "no"] for i in range(60)])
    labeled_session(tmp_path / "carol.db", other, "carol", set())
    merged = runner.invoke(app, ["merge", str(alice), str(tmp_path / "carol.db"), "-o", str(tmp_path / "t.db")])
    assert merged.exit_code == 1 and "uses the labels" in merged.output
    with sqlite3.connect(bob) as db:  # an answer naming a label the session lacks (a hand-edited file)
        db.execute("UPDATE events SET label_name = 'zzz' WHERE seq = (SELECT MIN(seq) FROM events WHERE kind = 'label')")
    result = runner.invoke(app, ["agreement", str(alice), str(bob)])
    assert result.exit_code == 1 and "'zzz'" in result.output and "Traceback" not in result.output
