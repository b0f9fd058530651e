"""Snapshots of every screen (pytest-textual-snapshot): annotate at 110x30, 120x40 and 80x24, a hostile
comment, help, plot, history, search and review. The app's sitting clock is pinned so the pace line is fixed."""

from __future__ import annotations

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
        await pilot.pause()

    assert snap_compare(tiny_app(tiny_csv, tmp_path), terminal_size=(120, 40), run_before=run_before)


def test_snapshot_search(snap_compare, tmp_path, tiny_csv):
    async def run_before(pilot):
        await pilot.press("slash", *"gift", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()

    assert snap_compare(tiny_app(tiny_csv, tmp_path), terminal_size=(120, 40), run_before=run_before)


def test_snapshot_review(snap_compare, tmp_path, tiny_csv):
    from altui.tui.app import make_review_app

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
        for _ in range(3):  # the table sizes its columns after the rows are in: let it settle
            await pilot.pause(0.05)

    assert snap_compare(review, terminal_size=(120, 40), run_before=run_before)
