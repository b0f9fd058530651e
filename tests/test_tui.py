"""The labeling TUI, driven headless with Textual's Pilot (no TTY), plus snapshot tests."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from textual.widgets import Static

from conftest import NASTY, SIZE, TEST_CSV, TRAIN_CSV, assert_modal_parity, tiny_app, write_csv
from altui.tui.app import AltuiApp
from altui.tui.factory import make_app
from altui.tui.config import LabelConfig
from altui.tui.screens.annotate import AnnotateScreen
from altui.tui.screens.help import HelpScreen
from altui.tui.screens.plot import PlotScreen
from altui.tui.text import printable

def youtube_app(tmp_path, **kwargs) -> AltuiApp:
    return make_app(LabelConfig(data=str(TRAIN_CSV), test=str(TEST_CSV), session=str(tmp_path / "yt.db"), **kwargs))


def screen_text(app) -> str:
    """What a person sees: the plain text of every line of the current screen."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def wait_for_batch(pilot, app):
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_label_skip_undo_keys(tmp_path):
    app = youtube_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        first = app.session.current()
        await pilot.press("1")
        second = app.session.current()
        await pilot.press("2")
        third = app.session.current()
        await pilot.press("space")
        answers = app.session.answers()
        assert [(a.index, a.label) for a in answers] == [(first, 0), (second, 1), (third, None)]
        assert app.session.store.n_events() == 3  # each key committed at once
        await pilot.press("u")
        assert app.session.current() == third and len(app.session.answers()) == 2
        await pilot.press("backspace")
        assert app.session.current() == second and len(app.session.answers()) == 1
        await pilot.press("space")
        assert app.session.loop.pool.state[second] == 2  # skipped: never asked again
        assert second not in app.session.loop.pending()


async def test_a_full_batch_is_taught_and_the_next_is_the_most_uncertain_as_in_the_tutorial(tmp_path):
    modal = pytest.importorskip("modAL.uncertainty")  # altui[tutorial]
    app = youtube_app(tmp_path, model="nb")
    y = np.array([int(v) for v in app.session.corpus.train.labels])
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(10):
            index = app.session.current()
            await pilot.press(str(y[index] + 1))
        await wait_for_batch(pilot, app)
        loop = app.session.loop
        assert loop.round_ == 1 and len(loop.history_) == 1
        assert_modal_parity(loop, y, loop.pending(), modal.uncertainty_sampling, modal.classifier_uncertainty)
        assert app.session.store.last_batch() == (1, loop.batch_)
        assert "after round 1" in screen_text(app)


async def test_the_default_model_queries_what_it_is_least_sure_of_among_texts_with_words(tmp_path):
    app = youtube_app(tmp_path)
    y = np.array([int(v) for v in app.session.corpus.train.labels])
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(10):
            await pilot.press(str(y[app.session.current()] + 1))
        await wait_for_batch(pilot, app)
        loop = app.session.loop
        assert type(loop.learner).__name__ == "NBLogisticLearner"
        rankable, _ = loop.pool.query_tiers()
        texts = app.session.corpus.train.texts
        assert all(any(ch.isalnum() for ch in texts[i]) for i in rankable)  # ":D" and "❤❤❤" come last
        confidence = loop.learner.predict_proba(loop.X[rankable]).max(axis=1)
        picked = set(loop.pending())
        threshold = max(confidence[np.isin(rankable, list(picked))])
        assert picked <= set(rankable.tolist()) and len(picked) == 10
        assert np.count_nonzero(confidence < threshold - 1e-12) < 10  # nothing less sure was left out


async def test_undo_across_the_batch_boundary(tmp_path):
    app = youtube_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(10):
            await pilot.press("1")
        await wait_for_batch(pilot, app)
        last = app.session.answers()[-1].index
        await pilot.press("u")
        assert app.session.current() == last
        assert len(app.session.answers()) == 9


async def test_help_and_plot_screens(tmp_path, tiny_csv):
    app = tiny_app(tiny_csv, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "label the comment spam" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, AnnotateScreen)
        for _ in range(5):
            await pilot.press("1")
        await wait_for_batch(pilot, app)
        await pilot.press("p")
        assert isinstance(app.screen, PlotScreen)
        assert "rounds" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, AnnotateScreen)


async def test_quit_key_exits_and_everything_is_saved(tmp_path, tiny_csv):
    app = tiny_app(tiny_csv, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "1", "q")
        await pilot.pause()
    assert app.return_code == 0 or app.return_code is None
    again = tiny_app(tiny_csv, tmp_path)
    assert [a.label for a in again.session.answers()] == [1, 0]
    again.session.close()


async def test_a_hostile_comment_is_shown_literally(tmp_path, tiny_csv):
    app = tiny_app(tiny_csv, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        while app.session.text(app.session.current()) != NASTY:
            await pilot.press("space")
        comment = app.screen.query_one("#comment", Static)
        shown = str(comment.render())
        assert "[bold red]FREE[/]" in shown  # markup shown, not applied
        assert "\x1b" not in shown and "␛[31mgift" in shown  # the escape is visible, not sent
        assert "⟨U+202E⟩evil" in shown
        assert printable(NASTY) == "[bold red]FREE[/] ␛[31mgift ⟨U+202E⟩evil"


async def test_worker_failure_is_a_notification_and_the_session_stays_usable(tmp_path, tiny_csv, monkeypatch):
    app = tiny_app(tiny_csv, tmp_path)
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("disk on fire")

    async with app.run_test(size=SIZE, notifications=True) as pilot:
        monkeypatch.setattr(app.session, "teach_and_query", broken)
        for _ in range(5):
            await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert calls and not app.teaching
        assert any("disk on fire" in str(n.message) for n in app._notifications)
        await pilot.press("u")  # still usable: undo works, and answering again retries the round
        assert len(app.session.answers()) == 4
        monkeypatch.undo()
        await pilot.press("1")
        await wait_for_batch(pilot, app)
        assert app.session.loop.round_ == 1


async def test_resume_continues_where_it_was(tmp_path, tiny_csv):
    app = tiny_app(tiny_csv, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(5):
            await pilot.press("1")
        await wait_for_batch(pilot, app)
        await pilot.press("2", "space")
        expected = app.session.current()
        batch = list(app.session.loop.batch_)
    again = tiny_app(tiny_csv, tmp_path)
    async with again.run_test(size=SIZE):
        assert again.session.current() == expected
        assert again.session.loop.round_ == 1 and again.session.loop.batch_ == batch
        assert len(again.session.answers()) == 7


def test_another_data_set_is_refused(tmp_path, tiny_csv):
    tiny_app(tiny_csv, tmp_path).session.close()
    with pytest.raises(Exception, match="belongs to another data set"):
        make_app(LabelConfig(data=str(TRAIN_CSV), test=str(TEST_CSV), session=str(tmp_path / "session.db")))


# -- snapshots (SVG files under tests/__snapshots__; `pytest --snapshot-update` to accept a change)
async def test_a_refit_model_is_taught_in_a_thread_worker(tmp_path, tiny_csv):
    app = tiny_app(tiny_csv, tmp_path, model="logreg")
    assert not app.session.loop.learner.incremental
    threads = []
    teach = app.session.teach_and_query

    def spy():
        threads.append(threading.current_thread())
        return teach()

    app.session.teach_and_query = spy
    async with app.run_test(size=SIZE) as pilot:
        for key in "12121":
            await pilot.press(key)
        await wait_for_batch(pilot, app)
        assert threads and threads[0] is not threading.main_thread()
        assert app.session.loop.round_ == 1 and app.session.current() is not None
        assert app.session.store.info.model == "logreg"


async def test_on_a_large_pool_the_next_candidates_are_drawn_ahead_and_batches_match_simulate(tmp_path):
    """With more items than --candidates, the app draws the next query's candidates in a thread while the
    person answers; the batches are still exactly the ones the headless loop picks with the same seed."""
    from altui.engine.learners import make_learner
    from altui.engine.loop import ActiveLoop

    app = youtube_app(tmp_path, max_candidates=300)
    y = np.array([int(v) for v in app.session.corpus.train.labels])
    corpus = app.session.corpus
    headless = ActiveLoop(corpus.X, 2, X_test=corpus.X_test, y_test=corpus.y_test, random_state=0,
                          max_candidates=300, learner=make_learner(app.session.store.info.model, 2),
                          rankable=corpus.rankable, copy_of=corpus.copy_of)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):
            assert app.session.loop.batch_ == headless.query()
            await app.workers.wait_for_complete()
            assert app.session.loop._block is not None  # drawn ahead, while the batch is answered
            for _ in range(10):
                index = app.session.current()
                headless.answer(index, int(y[index]))
                await pilot.press(str(y[index] + 1))
            headless.teach()
            await wait_for_batch(pilot, app)
        assert app.session.loop.history_[-1].accuracy == headless.history_[-1].accuracy


async def test_reordered_labels_reorder_keys_never_meanings(tmp_path):
    """Resuming with --labels pos,neg a session started with --labels neg,pos: key 1 is now pos, and every
    earlier answer keeps its meaning; an unknown name is refused."""
    rows = [["id", "text"]] + [[f"t{i}", f"comment number {i} {'great' if i % 2 else 'awful'}"] for i in range(40)]
    data = write_csv(tmp_path / "plain.csv", rows)
    session_path = str(tmp_path / "s.db")
    first = make_app(LabelConfig(data=str(data), labels=("neg", "pos"), session=session_path))
    async with first.run_test(size=SIZE) as pilot:
        answered = first.session.current()
        await pilot.press("2")  # pos
    second = make_app(LabelConfig(data=str(data), labels=("pos", "neg"), session=session_path))
    try:
        assert second.session.labels == ("neg", "pos")  # the classes as saved
        assert [a.label for a in second.session.answers()] == [1]  # still pos
        async with second.run_test(size=SIZE) as pilot:
            assert "1 pos" in screen_text(second) and "2 neg" in screen_text(second)
            target = second.session.current()
            await pilot.press("1")  # now pos
            assert second.session.store.answers()[-1].label_name == "pos"
            assert {a.index: a.label for a in second.session.answers()} == {answered: 1, target: 1}
    finally:
        second.session.close()
    with pytest.raises(Exception, match="names others"):
        make_app(LabelConfig(data=str(data), labels=("good", "bad"), session=session_path))


async def test_without_a_test_set_the_app_shows_kappa_and_then_the_stop_suggestion(tmp_path):
    """Issue 10, acceptance 2: on a file without labels, kappa after a few rounds, then the stop suggestion."""
    import csv as csv_module

    with open(TRAIN_CSV, newline="", encoding="utf-8") as fh:
        rows = list(csv_module.DictReader(fh))
    data = write_csv(tmp_path / "texts.csv", [["id", "text"]] + [[r["COMMENT_ID"], r["CONTENT"]] for r in rows])
    truth = [int(r["CLASS"]) for r in rows]  # no label column, no hold-out: pool rows are the file's rows
    app = make_app(LabelConfig(data=str(data), labels=("ham", "spam"), session=str(tmp_path / "k.db")))
    seen_kappa = False
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(45 * 10):
            index = app.session.current()
            if index is None:
                await wait_for_batch(pilot, app)
                index = app.session.current()
            await pilot.press(str(truth[index] + 1))
            panel = app.annotate_screen._metrics().plain  # the "model stability" box's text
            seen_kappa = seen_kappa or "κ 0." in screen_text(app)
            if "predictions stable over 3 rounds" in panel:
                break
        assert seen_kappa and "model stability" in screen_text(app)
        assert "predictions stable over 3 rounds: more labels are unlikely to change the model much" in panel
        assert app.session.store.metrics()[-1].kappa >= 0.9  # stored per round
        await pilot.press("p")  # the plot: kappa per round with the stop line, and the labels per class
        await pilot.pause()
        shown = screen_text(app)
        n_stop = app.session.loop.history_[-1].n_labels
        assert f"predictions stable at {n_stop} labels" in shown and "stop at 0.99 (3 rounds)" in shown
        assert "labels per class" in shown and "kappa" in shown


async def test_the_plot_says_what_to_do_before_the_first_round(tmp_path, tiny_csv):
    app = tiny_app(tiny_csv, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await pilot.pause()
        assert "Nothing to plot yet: answer the first batch (5 comments)" in screen_text(app)


def test_plot_ticks_are_label_counts_and_the_y_range_fits_the_data():
    from altui.tui.screens.plot import fitted_range, integer_ticks

    assert integer_ticks([10, 20, 30]) == [10, 20, 30]
    ticks = integer_ticks(list(range(10, 310, 10)))
    assert len(ticks) <= 8 and ticks[0] == 10 and ticks[-1] == 300 and all(isinstance(t, int) for t in ticks)
    lo, hi = fitted_range([0.91, 0.95, 0.96])
    assert 0.85 < lo < 0.91 and 0.96 < hi <= 1.0
    assert fitted_range([1.0, 1.0]) == (0.95, 1.0)  # pressed against the top: still a visible span
    assert fitted_range([float("nan")]) == (0.0, 1.0)


async def test_seed_terms_shape_the_first_batch_and_are_kept_on_resume(tmp_path):
    """Issue 10, acceptance 3 in the app: the first batch starts with comments matching the seed terms."""
    terms = {"spam": ["subscribe", "check out"]}
    app = youtube_app(tmp_path, seed_terms=terms)
    texts = app.session.corpus.train.texts
    first = app.session.loop.pending()
    matching = [any(t in texts[i].lower() for t in terms["spam"]) for i in first]
    assert sum(matching) >= 5 and all(matching[:5])
    assert app.session.store.info.seed_terms == terms and app.session.store.info.cold_start == "kmeans"
    app.session.close()
    resumed = youtube_app(tmp_path)  # no options: the session keeps its own
    assert resumed.session.loop.pending() == first
    resumed.session.close()

