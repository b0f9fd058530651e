"""Snapshots of every screen (pytest-textual-snapshot): annotate at 110x30, 120x40 and 80x24, a hostile
comment, help, plot, history, search and review. The app's sitting clock is pinned so the pace line is fixed."""

from __future__ import annotations

import pytest

from conftest import NASTY, SIZE, pinned, tiny_app


async def press_and_teach(pilot, keys: str) -> None:
    """Answer with ``keys``, then wait for the teach worker and the redraw."""
    for key in keys:
        await pilot.press(key)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_snapshot_annotate(snap_compare, tmp_path, tiny_csv):
    async def run_before(pilot):
        for _ in range(3):
            await pilot.press("2")
        await pilot.pause()

    assert snap_compare(tiny_app(tiny_csv, tmp_path), terminal_size=SIZE, run_before=run_before)


def test_snapshot_hostile_comment(snap_compare, tmp_path, tiny_csv):
    async def run_before(pilot):
        app = pilot.app
        while app.session.text(app.session.current()) != NASTY:
            await pilot.press("space")
        await pilot.pause()

    assert snap_compare(tiny_app(tiny_csv, tmp_path), terminal_size=SIZE, run_before=run_before)


def test_snapshot_help(snap_compare, tmp_path, tiny_csv):
    assert snap_compare(tiny_app(tiny_csv, tmp_path), terminal_size=SIZE, press=["question_mark"])


def test_snapshot_plot(snap_compare, tmp_path, tiny_csv):
    async def run_before(pilot):
        for _ in range(3):
            await press_and_teach(pilot, "12121")
        await pilot.press("p")
        await pilot.pause()

    assert snap_compare(tiny_app(tiny_csv, tmp_path), terminal_size=SIZE, run_before=run_before)


def test_snapshot_annotate_80x24_with_a_trained_model(snap_compare, tmp_path, tiny_csv):
    """The smallest terminal: the comment, the model's bars, the status lines and every key fit."""
    async def run_before(pilot):
        await press_and_teach(pilot, "1212121212")

    assert snap_compare(tiny_app(tiny_csv, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_annotate_120x40(snap_compare, tmp_path, tiny_csv):
    async def run_before(pilot):
        await press_and_teach(pilot, "12121")

    assert snap_compare(tiny_app(tiny_csv, tmp_path), terminal_size=(120, 40), run_before=run_before)


def test_snapshot_history(snap_compare, tmp_path, tiny_csv):
    async def run_before(pilot):
        for key in "1212121":
            await pilot.press(key)
        await pilot.app.workers.wait_for_complete()
        await pilot.press("h", "down", "down", "2")
        table = pilot.app.screen.query_one("#history-table")
        await settled(pilot, lambda: table.columns["text"].content_width > len("text"))

    assert snap_compare(tiny_app(tiny_csv, tmp_path), terminal_size=(120, 40), run_before=run_before)


def test_snapshot_search(snap_compare, tmp_path, tiny_csv):
    async def run_before(pilot):
        await pilot.press("slash", *"gift", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("2")
        table = pilot.app.screen.query_one("#search-table")
        await settled(pilot, lambda: table.columns["text"].content_width > len("text"))

    assert snap_compare(tiny_app(tiny_csv, tmp_path), terminal_size=(120, 40), run_before=run_before)


def test_snapshot_review(snap_compare, tmp_path, tiny_csv):
    from altui.tui.factory import make_review_app

    app = tiny_app(tiny_csv, tmp_path)

    async def label(pilot):
        for key in "1212121212":  # c-0 (spam, the nasty one) is labeled 1 = ham: the likely mistake
            await pilot.press(key)
        await pilot.app.workers.wait_for_complete()

    import asyncio

    async def prepare():
        async with app.run_test(size=(120, 40)) as pilot:
            await label(pilot)

    asyncio.run(prepare())
    review = pinned(make_review_app(tmp_path / "session.db"))

    async def run_before(pilot):
        for _ in range(200):  # the ranking is computed in a worker once the screen is up
            await pilot.app.workers.wait_for_complete()
            await pilot.pause(0.02)
            screen = pilot.app.screen
            if screen.id == "review" and screen.query_one("#review-table").row_count:
                break
        table = pilot.app.screen.query_one("#review-table")
        await settled(pilot, lambda: table.columns["text"].content_width > len("text"))

    assert snap_compare(review, terminal_size=(120, 40), run_before=run_before)


SIXTEEN = ["admin", "cli-mono", "comm", "database", "debug", "devel", "doc", "editors", "electronics", "embedded",
           "fonts", "games", "graphics", "hamradio", "introspection", "mail"]


def sixteen_label_csv(tmp_path):
    from conftest import write_csv

    rows = [["text", "label"]] + [[f"a {name} package number {i} for {name} users", name]
                                  for i in range(12) for name in SIXTEEN]
    return write_csv(tmp_path / "sixteen.csv", rows)


async def settled(pilot, ready=lambda: True, checks: int = 100) -> None:
    """Wait until ``ready()`` holds and two screenshots in a row are the same. A table sizes its columns when
    the app is idle after rows were added, then draws again; fixed pauses raced with a busy machine (the
    review snapshot once caught its text column 4 cells wide)."""
    previous = None
    for _ in range(checks):
        await pilot.pause(0.05)
        shot = pilot.app.export_screenshot()
        if ready() and shot == previous:
            return
        previous = shot


def many_label_app(tmp_path, labels: int):
    from conftest import ROOT
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    if labels == 16:
        config = LabelConfig(data=str(sixteen_label_csv(tmp_path)), batch=5, seed=0, session=str(tmp_path / "s.db"))
    else:
        debian = ROOT.parent / "shared" / "data" / "debian-sections"
        config = LabelConfig(data=str(debian / "train.csv"), test=str(debian / "test.csv"), text_col="description",
                             label_col="section", batch=5, seed=0, session=str(tmp_path / "s.db"))
    return pinned(make_app(config))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("labels", [16, 22])
def test_snapshot_many_labels(snap_compare, tmp_path, labels, size):
    """Issue 19: every label beside its key, help and quit in the footer, the text in view, a trained model."""
    async def run_before(pilot):
        await press_and_teach(pilot, "12345")

    assert snap_compare(many_label_app(tmp_path, labels), terminal_size=size, run_before=run_before)


def test_snapshot_picker_keeps_the_text_in_view(snap_compare, tmp_path):
    assert snap_compare(many_label_app(tmp_path, 22), terminal_size=(80, 24), press=["l", "2"])


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_multi_label_set_being_put_together(snap_compare, tmp_path, size):
    """Issue 22: after two taught rounds, two labels toggled on the current text: the set, the ✓ marks, each
    label's probability, the legend and the keys, at 80x24 and 120x40."""
    from test_multi_label import label_set_rows, write_jsonl

    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    data = write_jsonl(tmp_path / "d.jsonl", label_set_rows(120, 9))
    app = pinned(make_app(LabelConfig(data=data, batch=5, seed=0, session=str(tmp_path / "s.db"), multi_label=True)))

    async def run_before(pilot):
        for keys in ("1", "2", "13", "4", "", "24", "3", "14", "2", "34"):
            for key in keys:
                await pilot.press(key)
            await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("1", "3")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
