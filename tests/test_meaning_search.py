"""Search by meaning (issue 33 item 5): one function over vectors, `altui search`, `~` in the app's search, key m
("like this") and marked results labeled with one key. Plain search keeps its substring/regex semantics."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import ROOT, TRAIN_CSV, exported, youtube_app
from altui.cli.main import app as cli
from altui.data.errors import DataError
from altui.data.files.search import search_meaning
from altui.tui.screens.search import ResultsTable, SearchScreen

pytestmark = pytest.mark.skipif(importlib.util.find_spec("wordllama") is None, reason="wordllama not installed")
DEBIAN = ROOT.parent / "shared" / "data" / "debian-sections"
SIZE = (120, 40)
runner = CliRunner()


def test_search_meaning_ranks_by_cosine_and_breaks_ties_by_row():
    vectors = np.array([[1, 0], [0, 1], [0.6, 0.8], [1, 0], [0, 0]], dtype=np.float16)
    result = search_meaning(vectors, np.array([1.0, 0.0]), "q", limit=3)
    assert result.matches == [0, 3, 2] and result.meaning  # equal scores: the lower row first
    assert result.scores[0] == pytest.approx(1.0) and result.scores[2] == pytest.approx(0.6, abs=1e-3)
    assert 4 not in search_meaning(vectors, np.array([1.0, 0.0]), "q", limit=10).matches  # no tokens: no match
    assert search_meaning(vectors, np.array([0.0, 1.0]), "q", limit=2, among=np.array([0, 2])).matches == [2, 0]
    with pytest.raises(DataError):
        search_meaning(vectors, np.zeros(2), "q", limit=3)


def search(*args):
    return runner.invoke(cli, ["search", str(DEBIAN / "train.csv"), *args, "--text-col", "description"])


def test_altui_search_by_meaning_finds_texts_by_topic():
    result = search("version control", "--meaning", "-n", "10", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert len(found) == 10 and list(found[0]) == ["id", "text", "score"]
    assert [f["score"] for f in found] == sorted((f["score"] for f in found), reverse=True)
    # by topic: most of them are about version control, and some never say "version control"
    about = [f for f in found if any(w in f["text"].lower() for w in ("git", "version", "svn", "mercurial",
                                                                       "bazaar", "cvs", "revision", "repositor"))]
    assert len(about) >= 7
    assert any("version control" not in f["text"].lower() for f in about)


def test_plain_search_keeps_substring_and_regex_semantics():
    plain = json.loads(search("Version Control", "-n", "0", "--json").stdout)
    assert plain and all("version control" in f["text"].lower() and f["score"] is None for f in plain)
    rows = [int(f["id"].removeprefix("row-")) for f in plain]
    assert rows == sorted(rows)  # file order
    regex = json.loads(search("^git[a-z]* ", "--regex", "-n", "0", "--json").stdout)
    assert regex and all(f["text"].lower().startswith("git") for f in regex)
    both = search("x", "--regex", "--meaning")
    assert both.exit_code == 2 and "pick one" in both.output


def test_altui_search_reads_a_session_and_shows_data_strings_as_text(tmp_path):
    from altui.data.files.corpus import load_corpus
    from altui.data.sessions.session import LabelingSession
    from altui.engine.features import features_for

    corpus = load_corpus(str(TRAIN_CSV), features=features_for("auto"))
    LabelingSession.open(corpus, tmp_path / "s.db").close()
    result = runner.invoke(cli, ["search", str(tmp_path / "s.db"), "check out my channel", "--meaning", "-n", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 4 and "nearest in meaning" in result.output
    reader = runner.invoke(cli, ["search", str(tmp_path / "s.db"), "x", "--text-col", "CONTENT"])
    assert reader.exit_code == 2 and "is a session" in reader.output


async def test_the_apps_search_by_meaning_and_like_this_label_marked_texts_with_one_key(tmp_path):
    app = youtube_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await pilot.press(*"~please subscribe to my channel", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SearchScreen) and screen.result.meaning
        table = screen.query_one(ResultsTable)
        first = [table.current_item]
        await pilot.press("x", "x")  # two marked
        await pilot.pause()
        assert len(table.marked) == 2 and "2 marked" in str(screen.query_one("#search-note").render())
        marked = sorted(table.marked)
        await pilot.press("2")  # one key labels both
        await pilot.pause()
        assert [app.session.answer_of(i).label for i in marked] == [1, 1] and not table.marked
        assert first[0] in marked
        await pilot.press("escape")
        await pilot.pause()
        shown = app.session.current()
        await pilot.press("m")  # the unlabeled texts most like the one on screen
        await app.workers.wait_for_complete()
        await pilot.pause()
        like = app.screen
        assert isinstance(like, SearchScreen) and like.result.meaning and shown not in like.result.matches
        assert not any(app.session.is_answered(i) for i in like.result.matches)
        await pilot.press("escape")
    rows = exported(tmp_path / "yt.db")
    assert sorted((r["label"], r["source"]) for r in rows) == [("spam", "search"), ("spam", "search")]
