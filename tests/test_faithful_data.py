"""The annotator's data made faithful (issue 21): --id-col and --meta-cols."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from conftest import write_csv
from test_cli import assert_one_line_error
from altui.cli import app
from altui.data.errors import DataError
from altui.data.files.corpus import load_corpus
from altui.data.sessions.session import LabelingSession

runner = CliRunner()


def packages_csv(tmp_path, repeat_id: bool = False):
    rows = [["package", "author", "description", "section"]]
    for i in range(40):
        name = "dup" if repeat_id and i in (3, 17) else f"pkg-{i}"
        rows.append([name, f"author [b]{i}[/b]", f"{'perl module' if i % 2 else 'python library'} number {i}",
                     "perl" if i % 2 else "python"])
    return write_csv(tmp_path / "packages.csv", rows)


async def test_id_col_and_meta_cols_go_to_the_screen_and_the_export(tmp_path):
    from altui.tui.app import make_app
    from altui.tui.config import LabelConfig

    data = packages_csv(tmp_path)
    config = LabelConfig(data=str(data), text_col="description", label_col="section", id_col="package",
                         meta_cols=("package", "author"), session=str(tmp_path / "s.db"), batch=5)
    tui_app = make_app(config)
    async with tui_app.run_test(size=(110, 30)) as pilot:
        index = tui_app.session.current()
        meta = tui_app.screen.query_one("#meta").render().plain
        assert f"package {tui_app.session.item_id(index)}" in meta and "author author [b]" in meta  # text, not markup
        await pilot.press("1")
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["export", str(tmp_path / "s.db")]).stdout)))
    assert rows and rows[0]["id"].startswith("pkg-") and rows[0]["package"] == rows[0]["id"]
    assert rows[0]["author"].startswith("author [b]")
    resumed = LabelingSession.resume(tmp_path / "s.db", readonly=True)  # the settings are kept
    assert resumed.corpus.train.ids[0] == "pkg-0" and resumed.corpus.train.meta_columns == ("package", "author")
    resumed.close()


def test_id_col_must_be_unique_and_present(tmp_path):
    data = packages_csv(tmp_path, repeat_id=True)
    result = runner.invoke(app, ["simulate", str(data), "--text-col", "description", "--label-col", "section"])
    assert result.exit_code == 0, result.output  # without --id-col: rows numbered, nothing refused
    with pytest.raises(DataError, match="has 'dup' on rows 4 and 18; ids must be unique"):
        load_corpus(str(data), text_col="description", label_col="section", id_col="package")
    with pytest.raises(DataError, match="unknown column 'nope' for --meta-col"):
        load_corpus(str(data), text_col="description", label_col="section", meta_cols=["nope"])
    result = runner.invoke(app, ["label", str(data), "--text-col", "description", "--id-col", "package"])
    assert_one_line_error(result, "ids must be unique")
