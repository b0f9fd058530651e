"""Each text once (issue 21): identical texts (same words, any spacing or case) form one group, asked once;
the answer labels every copy in the export (source `duplicate`); undo takes the group's answer back."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import write_csv
from altui.cli import app
from altui.data.files.corpus import duplicate_rows, load_corpus, normalized
from altui.data.sessions.session import LabelingSession

runner = CliRunner()


@pytest.fixture
def dups_csv(tmp_path):
    """250 rows, a fifth of them copies of earlier rows (upper-cased or padded with spaces)."""
    rng = np.random.RandomState(1)
    base = [(f"win a free prize now number {i}" if i % 2 else f"lovely song video {i}", "spam" if i % 2 else "ham")
            for i in range(200)]
    rows = [["id", "text", "label"]]
    for i in range(250):
        text, label = base[i] if i < 200 else base[rng.randint(200)]
        if i >= 200:
            text = text.upper() if i % 2 else f"  {text}\n"
        rows.append([f"r{i}", text, label])
    return write_csv(tmp_path / "dups.csv", rows)


def test_groups_are_the_same_words_in_any_case_and_spacing():
    texts = ["Check out my channel", "check  out my CHANNEL\n", "check out my channel!", "other"]
    assert duplicate_rows(texts).tolist() == [-1, 0, -1, -1]
    assert normalized(" A\tb ") == "a b"


def test_simulate_never_queries_a_text_twice(dups_csv, tmp_path):
    queries = tmp_path / "q.csv"
    result = runner.invoke(app, ["simulate", str(dups_csv), "--iterations", "30", "--repeats", "2", "--jobs", "1",
                                 "--queries", str(queries)])
    assert result.exit_code == 0, result.output
    texts = [r["text"] for r in csv.DictReader(open(dups_csv, encoding="utf-8"))]
    corpus = load_corpus(str(dups_csv), seed=0)
    by_row = list(corpus.train.texts)
    for repeat in ("0", "1"):
        asked = [normalized(by_row[int(r["index"])]) for r in csv.DictReader(open(queries, encoding="utf-8"))
                 if r["repeat"] == repeat and r["strategy"] == "margin"]
        assert len(asked) == len(set(asked)) > 100
    assert len(texts) == 250


def test_the_app_shows_each_text_once_and_export_labels_every_copy(dups_csv, tmp_path):
    corpus = load_corpus(str(dups_csv), seed=0)
    path = tmp_path / "s.db"
    session = LabelingSession.open(corpus, path, batch_size=10)
    truth = dict(zip(corpus.train.ids, corpus.train.labels))
    names = list(session.labels)
    shown = []
    while not session.finished:
        index = session.current()
        if index is None:
            session.commit_round(session.teach_and_query())
            continue
        shown.append(normalized(session.text(index)))
        session.answer(names.index(truth[session.item_id(index)]))
        if session.needs_teaching and not session.finished:
            session.commit_round(session.teach_and_query())
    n_copies = int((corpus.copy_of >= 0).sum())
    assert n_copies > 20 and len(shown) == len(set(shown)) == len(corpus.train.ids) - n_copies
    # undo the last answer: its group's copies leave the export with it
    last = session.answers()[-1].index
    group = session.loop.pool.group(last)
    session.undo()
    session.close()
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["export", str(path)]).stdout)))
    exported = {r["id"]: r for r in rows}
    assert len(rows) == len(exported) == len(corpus.train.ids) - len(group)  # one row per id
    copies = [r for r in rows if r["source"] == "duplicate"]
    assert len(copies) == n_copies - (len(group) - 1)
    for row in copies:  # a copy carries its group's answer
        assert row["label"] == truth[row["id"]]
    status = runner.invoke(app, ["status", str(path)]).stdout
    assert f"identical {n_copies} texts repeat" in status


async def test_the_screen_says_how_many_identical_texts_an_answer_labels(dups_csv, tmp_path):
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    app = make_app(LabelConfig(data=str(dups_csv), session=str(tmp_path / "s.db"), batch=5))
    async with app.run_test(size=(110, 30)) as pilot:
        session = app.session
        for _ in range(60):
            index = session.current()
            if index is not None and session.loop.pool.group(index).shape[0] > 1:
                break
            await pilot.press("1")
            await app.workers.wait_for_complete()
            await pilot.pause()
        index = session.current()
        size = session.loop.pool.group(index).shape[0]
        assert size > 1
        assert f"×{size} identical" in app.screen.query_one("#meta").render().plain
