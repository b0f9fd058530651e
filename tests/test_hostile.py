"""Data never controls the terminal: hostile labels, file names, comments and headers (issue 9, acceptance 3)."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from altui.cli.main import app as cli
from conftest import write_csv
from altui.tui.factory import make_app
from altui.tui.config import LabelConfig

OSC52 = "\x1b]52;c;SGVsbG8=\x07"
TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
MARKUP = "[link=https://x.example]click[/link][@click=app.quit]"
LABELS = [f"spam{OSC52}", f"ham{TITLE}{CLEAR}{MARKUP}"]
CONTROLS = ("\x1b", "\x07", "\x9b")
runner = CliRunner()


@pytest.fixture
def hostile_csv(tmp_path):
    rows = [["id", "text", "label"]]
    for i in range(30):
        rows.append([f"s{i}", f"win money now {i} {CLEAR}", LABELS[0]])
        rows.append([f"h{i}", f"nice song {i}", LABELS[1]])
    return write_csv(tmp_path / f"evil{TITLE}name.csv", rows)


def rendered(app) -> str:
    return "\n".join("".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips())


def assert_safe(text: str) -> None:
    assert not any(c in text for c in CONTROLS), repr(text[:400])


async def test_labels_and_file_names_never_reach_the_terminal(hostile_csv, tmp_path):
    app = make_app(LabelConfig(data=str(hostile_csv), session=str(tmp_path / "s.db")))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = rendered(app)
        assert_safe(screen)
        assert "␛" in screen  # shown, not obeyed
        for _ in range(10):
            await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert_safe(rendered(app))
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = rendered(app)
        assert_safe(help_text)
        assert "[link=https" in help_text  # markup in data stays text
        await pilot.press("escape", "p")
        await pilot.pause()
        assert_safe(rendered(app))
        app.notify(f"a server said {OSC52}")
        await pilot.pause()
        assert_safe(rendered(app))
        assert app.is_running  # [@click=app.quit] did nothing


def test_status_export_and_errors_show_controls_visibly(hostile_csv, tmp_path, monkeypatch):
    session = tmp_path / "s.db"
    app = make_app(LabelConfig(data=str(hostile_csv), session=str(session)))
    for _ in range(4):
        app.session.answer(0)
    app.session.close()
    status = runner.invoke(cli, ["status", str(session)])
    assert status.exit_code == 0, status.output
    assert_safe(status.stdout)
    piped = runner.invoke(cli, ["export", str(session)])  # a pipe gets the exact bytes
    rows = list(csv.DictReader(io.StringIO(piped.stdout)))
    with open(hostile_csv, newline="", encoding="utf-8") as fh:
        original = {r["id"]: (r["text"], r["label"]) for r in csv.DictReader(fh)}
    assert len(rows) == 4 and all(original[r["id"]][0] == r["text"] for r in rows)
    assert {r["label"] for r in rows} == {sorted(LABELS)[0]}
    with monkeypatch.context() as patch:
        patch.setattr("altui.cli.main.stdout_is_terminal", lambda: True)
        shown = runner.invoke(cli, ["export", str(session)])
    assert shown.exit_code == 0
    assert_safe(shown.stdout)
    bad = write_csv(tmp_path / "bad.csv", [[f"body{CLEAR}", f"tag{OSC52}"], ["a", "b"]])
    error = runner.invoke(cli, ["simulate", str(bad), "--text-col", f"x{TITLE}"])
    assert error.exit_code == 1 and "Traceback" not in error.output
    assert_safe(error.output)
    assert "␛" in error.output and len(error.output.strip().splitlines()) == 1


@pytest.mark.parametrize("names", [["[reverse]rv", "[link=http://e.vil]ok[/link]"], ["[b]x", "[/]", "y"]])
async def test_short_markup_label_names_are_text_in_every_line(tmp_path, names):
    """A label short enough to be shown whole ("enter accepts [link=…]ok[/link]") is text: no MarkupError, no
    style from it, before and after a resume (issue 29)."""
    rows = [["id", "text", "label"]] + [[f"r{i}", f"text number {i} about {names[i % len(names)][1:4]}",
                                         names[i % len(names)]] for i in range(60)]
    data = write_csv(tmp_path / "markup.csv", rows)
    for attempt in range(2):  # a new session, then its resume
        app = make_app(LabelConfig(data=str(data), session=str(tmp_path / "s.db")))
        async with app.run_test(size=(120, 40)) as pilot:
            for i in range(10 if attempt == 0 else 2):
                await pilot.press(str(1 + i % 2))  # both labels: the model is taught after the batch
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = rendered(app)
            assert "enter accepts [" in screen  # the name as written (abbreviated), not its markup obeyed
            for n in names:
                assert n in screen  # the legend and the panel show the name as written
            await pilot.press("h")
            await pilot.pause()
            assert names[0][:6] in rendered(app)  # the label column cuts names to 10 cells
            await pilot.press("escape", "p")
            await pilot.pause()
            await pilot.press("escape")
            assert app.is_running
