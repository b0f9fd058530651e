"""The annotator's cockpit (issue 11): history, search, flag, undo toasts, up to 30 labels, predictions."""

from __future__ import annotations


import numpy as np
import pytest
from rich.console import Console

from conftest import TEST_CSV, TRAIN_CSV, exported, write_csv, youtube_app
from altui.data.files.outputs import status_lines
from altui.data.sessions.session import LabelingSession, readable_ngram
from altui.engine.loop import ActiveLoop
from altui.tui.factory import make_app
from altui.tui.config import LabelConfig
from altui.tui.keys import LabelPicker, key_of
from altui.tui.screens.history import HistoryScreen

SIZE = (120, 40)


def notifications(app) -> list[str]:
    return [n.message for n in app._notifications]


async def answer(pilot, app, keys):
    for key in keys:
        await pilot.press(key)
        await app.workers.wait_for_complete()
        await pilot.pause()


# -- engine: a change is an edit undo takes back
def test_change_keeps_place_and_round_and_undo_restores_the_old_answer():
    X = np.eye(6)
    loop = ActiveLoop(X, 2, batch_size=3, random_state=0, max_candidates=None)
    first, second, third = loop.query()
    loop.answer(first, 0)
    loop.answer(second, 1)
    loop.answer(third, None)
    loop.teach()
    loop.query()
    loop.change(first, 1)
    assert [(a.index, a.label, a.round) for a in loop.answers_] == [(first, 1, 0), (second, 1, 0), (third, None, 0)]
    assert loop.pool.y[first] == 1
    loop.sync()
    assert loop._taught_y[first] == 1  # the model forgot 0 and learned 1
    loop.change(third, 0)  # a skip becomes a label
    assert loop.pool.label_counts(2).tolist() == [1, 2]
    assert loop.undo().label == 0  # the change of `third` is taken back: a skip again
    assert loop.pool.n_skipped == 1 and loop.answers_[2].label is None
    assert loop.undo().label == 1  # the change of `first`: back to 0
    assert loop.answers_[0].label == 0
    assert loop.undo().index == third  # then the answers themselves, last first
    assert third in loop.pending()


def test_change_of_an_unanswered_item_is_refused():
    loop = ActiveLoop(np.eye(4), 2, batch_size=2, random_state=0, max_candidates=None)
    with pytest.raises(Exception, match="no answer to change"):
        loop.change(loop.query()[0], 1)


# -- the session file: a change is one event; export has one row, as changed
def test_changed_answers_survive_resume_and_undo_after_resume(tmp_path):
    app = youtube_app(tmp_path)
    session = app.session
    items = []
    for label in (0, 1, 0, 0):
        items.append(session.current())
        session.answer(label)
    session.change(items[2], 1)
    session.change(items[2], None)
    session.close()
    resumed = LabelingSession.resume(tmp_path / "yt.db", writer=True)
    assert [(a.index, a.label) for a in resumed.answers()] == [(items[0], 0), (items[1], 1), (items[2], None),
                                                                 (items[3], 0)]
    resumed.undo()  # the last change (to a skip) is undone: label 1 again
    assert resumed.answer_of(items[2]).label == 1
    resumed.undo()
    assert resumed.answer_of(items[2]).label == 0
    resumed.undo()  # now the last answer itself
    assert resumed.answer_of(items[3]) is None and resumed.current() == items[3]
    resumed.close()
    rows = exported(tmp_path / "yt.db")
    assert [r["label"] for r in rows] == ["ham", "spam", "ham"]


# -- acceptance 1 and 2, as a person does it
async def test_history_changes_the_third_answer_and_export_has_it_once(tmp_path):
    app = youtube_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await answer(pilot, app, "1" * 30)
        third = app.session.answers()[2].index
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("end")  # newest first: the 3rd answer is the 3rd row from the bottom
        await pilot.press("up", "up", "2")
        await pilot.pause()
        assert app.session.answer_of(third).label == 1
        await pilot.press("enter")
        assert not isinstance(app.screen, HistoryScreen)
    rows = exported(tmp_path / "yt.db")
    assert len(rows) == 30 and len({r["id"] for r in rows}) == 30
    changed = [r for r in rows if r["id"] == app.session.item_id(third)]
    assert [(r["label"], r["source"], r["round"]) for r in changed] == [("spam", "history", "1")]
    assert sum(r["label"] == "spam" for r in rows) == 1


async def test_flag_is_exported_and_listed_in_status(tmp_path):
    app = youtube_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        flagged = app.session.current()
        await pilot.press("f")
        await answer(pilot, app, "12")
        assert any("flagged for later" in n for n in notifications(app))
    rows = exported(tmp_path / "yt.db")
    assert [(r["id"] == app.session.item_id(flagged), r["flagged"]) for r in rows] == [(True, "true"), (False, "false")]
    status = "\n".join(status_lines(tmp_path / "yt.db"))
    assert "flagged   1 item" in status and app.session.item_id(flagged) in status


async def test_undo_names_what_it_took_back(tmp_path):
    app = youtube_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        first = app.session.current()
        await answer(pilot, app, "2")
        await pilot.press("u")
        text = app.session.text(first)
        assert any(n.startswith("undone: spam for") and text[:10] in n for n in notifications(app))


async def test_resume_notice_is_shown_inside_the_app(tmp_path):
    app = youtube_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await answer(pilot, app, "12")
    again = youtube_app(tmp_path, batch=5)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        said = notifications(again)
        assert any(n.startswith("resumed yt.db: 2 labeled") for n in said)
        assert any("keeps its own settings" in n and "batch 10" in n for n in said)


# -- up to 30 labels
@pytest.fixture
def many_labels_csv(tmp_path):
    rows = [["text", "label"]] + [[f"comment {i} about topic{i % 25}", f"topic{i % 25:02d}"] for i in range(250)]
    return write_csv(tmp_path / "topics.csv", rows)


async def test_25_labels_have_keys_shift_keys_and_the_picker(tmp_path, many_labels_csv):
    app = make_app(LabelConfig(data=str(many_labels_csv), session=str(tmp_path / "t.db"), batch=5))
    names = app.session.labels
    assert len(names) == 25
    async with app.run_test(size=SIZE) as pilot:
        await answer(pilot, app, ["0"])  # 10th label
        await answer(pilot, app, ["exclamation_mark"])  # shift+1: the 11th
        await pilot.press("l")
        assert isinstance(app.screen, LabelPicker)
        await pilot.press("2", "3")  # the 23rd
        await app.workers.wait_for_complete()
        await pilot.pause()
        labels = [names[a.label] for a in app.session.answers()]
        order = app.session.key_order
        assert labels == [names[order[9]], names[order[10]], names[order[22]]]
        await pilot.press("question_mark")
        console = Console(width=120, record=True)
        console.print(app.screen.key_table())
        help_text = console.export_text()
        # many labels: help shows the legend (keys 1-0, then shift+digit as ! @ #, then l NN), as the screen does
        assert "shift+1-0" in help_text and f"l25 {names[order[24]][:5]}" in help_text
        assert f"! {names[order[10]][:5]}" in help_text


def test_key_of_covers_twenty_labels_and_the_rest_use_the_picker():
    assert [key_of(i) for i in (0, 8, 9, 10, 19)] == ["1", "9", "0", "exclamation_mark", "right_parenthesis"]
    assert key_of(20) is None


# -- the prediction shown is honest
def test_readable_ngram_drops_stop_words_and_entity_debris():
    assert not readable_ngram("of the", set())
    assert not readable_ngram("it 39", {"39"})
    assert readable_ngram("check out", set())


async def test_prediction_shows_every_class_and_only_ngrams_taught_by_a_label(tmp_path):
    app = youtube_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        y = [int(v) for v in app.session.corpus.train.labels]
        for _ in range(30):
            await answer(pilot, app, [str(y[app.session.current()] + 1)])
        index = app.session.current()
        guess = app.session.predict(index)
        assert len(guess.probabilities) == 2 and abs(sum(guess.probabilities) - 1) < 1e-9
        labeled_words = " ".join(app.session.text(a.index).lower() for a in app.session.answers() if a.label is not None)
        for pushes in guess.pushes:
            for ngram, weight in pushes:
                assert weight > 0 and all(w in labeled_words for w in ngram.split()), ngram
        shown = str(app.screen.query_one("#prediction").render())
        assert "ham" in shown and "spam" in shown and "%" in shown


# -- conventions: keymap and theme from the config file, NO_COLOR
async def test_config_file_remaps_keys_and_sets_the_theme(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('theme = "gruvbox"\n[keys]\nskip = "s"\nlabel-2 = "k"\n', encoding="utf-8")
    monkeypatch.setenv("ALTUI_CONFIG", str(config))
    app = youtube_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        first = app.session.current()
        await pilot.press("s")
        second = app.session.current()
        await pilot.press("k")
        assert [(a.index, a.label) for a in app.session.answers()] == [(first, None), (second, 1)]
        assert app.theme == "gruvbox"
        await pilot.press("question_mark")
        console = Console(width=120, record=True)
        console.print(app.screen.key_table())
        shown = console.export_text()
        assert any(line.split()[:1] == ["s"] and "skip it" in line for line in shown.splitlines())
        assert any(line.split()[:1] == ["k"] and "spam" in line for line in shown.splitlines())


@pytest.mark.parametrize("content, fragment", [
    ("theme = \n", "is not valid TOML"),
    ('theme = "no-such-theme"\n', "names the theme 'no-such-theme', which does not exist"),
    ('[keys]\nexplode = "x"\n', "remaps 'explode', which is not a binding id"),
    ('colour = "red"\n', "unknown settings: colour"),
])
def test_a_bad_config_file_is_one_line_before_the_app(tmp_path, monkeypatch, content, fragment):
    from typer.testing import CliRunner

    from altui.cli.main import app
    from test_cli import assert_one_line_error

    config = tmp_path / "config.toml"
    config.write_text(content, encoding="utf-8")
    monkeypatch.setenv("ALTUI_CONFIG", str(config))
    result = CliRunner().invoke(app, ["label", str(TRAIN_CSV), "--test", str(TEST_CSV), "--session",
                                      str(tmp_path / "s.db")])
    assert_one_line_error(result, fragment)
    assert config.read_text(encoding="utf-8") == content


def test_no_color_is_respected(tmp_path, monkeypatch):
    from altui.tui.text import label_style

    monkeypatch.setenv("NO_COLOR", "1")
    assert youtube_app(tmp_path).no_color
    styles = [label_style(i) for i in range(4)]  # labels apart by weight and underline, none a grey colour
    assert len(set(styles)) == 4 and not any(c in s for s in styles for c in ("red", "green", "blue"))


async def test_a_resume_says_the_model_now_knows_this_rounds_answers(tmp_path):
    from altui.tui.notices import resume_notices

    first = youtube_app(tmp_path)
    async with first.run_test(size=SIZE) as pilot:
        for _ in range(13):  # a round of 10, taught; then 3 of the next round
            index = first.session.current()
            await pilot.press(str(int(first.session.corpus.train.labels[index]) + 1))
            await first.workers.wait_for_complete()
            await pilot.pause()
    again = youtube_app(tmp_path)
    try:
        notices = resume_notices(again.session, LabelConfig())
        assert any("this round's 3 answers" in n for n in notices), notices
        assert not any("keeps its own settings" in n for n in notices)  # auto resolves to the saved nblr
    finally:
        again.session.close()


async def test_end_of_data_says_how_to_take_the_labels_away(tmp_path):
    rows = [["text", "label"]] + [[f"comment number {i} {'spam offer' if i % 2 else 'nice song'}", str(i % 2)]
                                  for i in range(12)]
    data = write_csv(tmp_path / "small.csv", rows)
    app = make_app(LabelConfig(data=str(data), session=str(tmp_path / "s.db"), batch=5))
    async with app.run_test(size=SIZE) as pilot:
        while not app.session.finished:
            index = app.session.current()
            if index is None:
                await app.workers.wait_for_complete()
                await pilot.pause()
                continue
            await pilot.press(str(int(app.session.corpus.train.labels[index]) + 1))
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = str(app.screen.query_one("#comment").render())
        assert "Every comment is answered" in shown
        assert f"altui export {tmp_path / 's.db'} -o labels.csv" in shown and "altui train" in shown
        assert any("every comment is answered" in n for n in notifications(app))


async def test_command_palette_opens_altui_screens(tmp_path):
    from textual.command import CommandPalette

    app = youtube_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"History")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)


async def test_many_labels_are_all_on_screen_with_their_keys_and_enter_accepts(tmp_path):
    """Issue 19, acceptance 2 and 3: at 80x24 with 22 labels, the legend holds every label beside its key and
    fits the screen, the footer keeps accept, help and quit; enter answers with the model's top class and the
    export says `accepted`."""
    import csv
    import io

    from typer.testing import CliRunner

    from altui.cli import app as cli
    from altui.tui.keys import key_short
    from test_tui_snapshots import many_label_app

    app = many_label_app(tmp_path, 22)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        legend_box = screen.query_one("#legend")
        shown = legend_box.render().plain
        for position, cls in enumerate(app.session.key_order):  # every name whole, right after its key
            assert f"{key_short(position)} {app.session.labels[cls]}" in shown, app.session.labels[cls]
        assert legend_box.region.bottom <= 24 - 3  # above the status lines and the footer
        assert screen.query_one("#comment-box").region.height >= 4  # the text keeps room
        footer = [ab.binding for ab in screen.active_bindings.values() if ab.binding.show]
        assert {"accept", "help", "quit"} <= {b.id for b in footer}
        assert not any((b.id or "").startswith("label-") for b in footer)  # the legend has them
        width = sum(len(app.get_key_display(b)) + len(b.description) + 2 for b in footer)
        assert width <= 80, width  # the compact footer holds every key it shows
        for key in "12345":
            await pilot.press(key)
        await app.workers.wait_for_complete()
        await pilot.pause()
        index = app.session.current()
        guess = app.session.predict(index)
        assert guess is not None
        await pilot.press("enter")
        await pilot.pause()
        answer = app.session.answer_of(index)
        assert answer is not None and answer.label == guess.best
    exported = CliRunner().invoke(cli, ["export", str(tmp_path / "s.db")])
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    accepted = [r for r in rows if r["source"] == "accepted"]
    assert len(accepted) == 1 and accepted[0]["label"] == app.session.labels[guess.best]


