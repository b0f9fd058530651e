"""Search in the app (issue 11) and a search that must never hang (issue 20): substring and regex, a bad regex
in one line, a catastrophic regex that ends or is cancelled while the app stays live."""

from __future__ import annotations

import pytest

from conftest import exported, youtube_app
from altui.data.errors import DataError
from altui.data.files.search import search_texts
from altui.tui.factory import make_app
from altui.tui.config import LabelConfig
from altui.tui.screens.search import SearchScreen

SIZE = (120, 40)


async def test_search_labels_a_found_comment_with_source_search(tmp_path):
    app = youtube_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"subscribe", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#search-table")
        found = table.current_item
        assert "subscribe" in app.session.text(found).lower()
        assert str(len(app.screen.result.matches)) in str(app.screen.query_one("#search-note").render())
        await pilot.press("2")
        await pilot.pause()
        assert app.session.answer_of(found).label == 1
        assert table.current_item != found  # the cursor moved on to the next result
        await pilot.press("escape")
    rows = exported(tmp_path / "yt.db")
    assert [(r["id"], r["label"], r["source"]) for r in rows] == [(app.session.item_id(found), "spam", "search")]


async def test_search_by_regex_and_a_bad_regex_is_one_line(tmp_path):
    app = youtube_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", "ctrl+r", *"^check.*channel", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        matches = app.screen.result.matches
        assert matches and all(app.session.text(i).lower().startswith("check") for i in matches)
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"(unclosed", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "not a valid regular expression" in str(app.screen.query_one("#search-note").render())


def test_search_texts_substring_is_case_insensitive():
    texts = ["Subscribe NOW", "nothing here", "please subscribe", "[bold]subscribe[/]"]
    assert search_texts(texts, "SUBSCRIBE").matches == [0, 2, 3]
    assert search_texts(texts, "^sub", regex=True).matches == [0]
    with pytest.raises(DataError, match="type something"):
        search_texts(texts, "")


def test_a_catastrophic_regex_ends_in_one_line_and_can_be_cancelled():
    """Issue 20: `(a|aa)+$` on long texts backtracks without end in Python's re; here it ends with one line
    after the search's budget, and cancelling stops it at once."""
    from altui.data.errors import DataError
    from altui.data.files.search import SearchCancelled, search_texts

    texts = ["a" * 40 + "!"] * 50 + ["plain text"]
    with pytest.raises(DataError, match="simplify it"):
        search_texts(texts, "(a|aa)+$", regex=True, budget=0.5)
    asked = []

    def cancelled():
        asked.append(1)
        return len(asked) > 2

    with pytest.raises(SearchCancelled):
        search_texts(["plain"] * 5 + texts, "(a|aa)+$", regex=True, cancelled=cancelled)
    assert len(asked) == 3  # looked at between texts, not only at the end
    assert search_texts(texts, "PLAIN", regex=True).matches == [50]
    assert search_texts(texts, "plain text").matches == [50]


async def test_the_app_stays_live_during_a_catastrophic_regex(tmp_path):
    """esc answers while the worker matches (the regex module releases the GIL); q then quits."""
    import asyncio

    from conftest import write_csv

    rows = [["text", "label"]] + [["a" * 60 + "!", "x" if i % 2 else "y"] for i in range(400)]
    data = write_csv(tmp_path / "a.csv", rows)
    app = make_app(LabelConfig(data=str(data), session=str(tmp_path / "s.db"), batch=5))

    async def drive():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("slash")
            await pilot.press("ctrl+r")
            for ch in "(a|aa)+$":
                await pilot.press(ch if ch.isalnum() else {"(": "left_parenthesis", ")": "right_parenthesis",
                                                            "|": "vertical_line", "+": "plus",
                                                            "$": "dollar_sign"}[ch])
            await pilot.press("enter")
            await pilot.pause(0.3)  # the worker is matching now
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen.id == "annotate"
            await pilot.press("q")

    await asyncio.wait_for(drive(), timeout=60)  # a hang guard, not a timing: a frozen app never gets here
