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
    from altui.tui.factory import make_app
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


@pytest.mark.parametrize("content, fragment", [
    ("id,text,label\n1,hello, world,spam\n2,fine,ham\n3,ok,ham\n", "line 2 has 4 fields but the header has 3"),
    ("id,text,label\n1,hello, world,spam\n2,fine, thanks,ham\n", "line 2 has 4 fields but the header has 3"),
    ("id,text,label\n1,hello,spam\n2,fine\n3,ok,ham\n", "line 3 has 2 fields but the header has 3"),
])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_ragged_rows_are_refused_naming_the_line_never_read_shifted(tmp_path, content, fragment, encoding):
    data = tmp_path / "ragged.csv"
    data.write_bytes((content.replace("fine", "fïne") if encoding == "cp1252" else content).encode(encoding))
    assert_one_line_error(runner.invoke(app, ["simulate", str(data)]), fragment)
    with pytest.raises(DataError, match="quote the fields|give every row all the fields"):
        load_corpus(str(data))


@pytest.mark.parametrize("text, encoding", [("Привет мир, как дела у тебя сегодня", "cp1251"),
                                            ("こんにちは世界のみなさん、ありがとう", "shift_jis"),
                                            ("Grüße aus München, café crème", "cp1252")])
def test_legacy_encodings_are_detected_not_read_as_mojibake(tmp_path, text, encoding):
    from altui.data.files.readers import read_table

    data = tmp_path / "legacy.csv"
    data.write_bytes(f"text,label\n\"{text}\",a\n\"{text} 2\",b\n".encode(encoding))
    table = read_table(str(data))
    assert table.columns["text"] == [text, f"{text} 2"]
    assert table.encoding.replace("_", "").replace("-", "") in {encoding.replace("_", ""), "cp932"}


def test_a_headerless_tsv_names_no_header_in_its_error(tmp_path):
    data = tmp_path / "sms.tsv"
    data.write_text("ham\tGo until jurong point\nspam\tFree entry now\nham\tOk lar\nspam\tWin cash\n"
                    "ham\tSee you\nham\tCall me\n")
    assert_one_line_error(runner.invoke(app, ["simulate", str(data)]), "--no-header")
    assert_one_line_error(runner.invoke(app, ["simulate", str(data), "--text-col", "1", "--label-col", "0"]),
                          "the first row looks like data")
    corpus = load_corpus(str(data), text_col="1", label_col="0", header=False)
    assert corpus.train.texts[0] == "Go until jurong point" or "Go until jurong point" in corpus.test.texts


def test_help_keeps_the_extras_brackets_in_a_pipe_and_on_a_terminal():
    import os
    import pty
    import subprocess
    import sys

    plain = runner.invoke(app, ["simulate", "--help"]).stdout
    assert "altui[dask]" in " ".join(plain.split()) and "altui[tutorial]" in " ".join(plain.split())
    main, child = pty.openpty()  # a real terminal: Rich draws the help, and would eat [dask] as markup
    process = subprocess.Popen([sys.executable, "-m", "altui", "simulate", "--help"], stdin=child, stdout=child,
                               stderr=child, env=dict(os.environ, COLUMNS="200", NO_COLOR="1"))
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(main)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "╭" in shown  # it was Rich's help
    flat = "".join(shown.split())
    assert "altui[dask]" in flat and "altui[tutorial]" in flat and "\\[" not in shown


async def test_ctrl_c_flag_mark_and_the_first_batch_panel(tmp_path):
    """ctrl+c names the quit key in plain words; a flagged item shows its mark; with one class taught, the
    test panel says "not trained yet" as the model panel does."""
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    rows = [["text", "label"]] + [[f"{'spam offer now' if i % 2 else 'nice song here'} {i}", str(i % 2)]
                                  for i in range(40)]
    data = write_csv(tmp_path / "d.csv", rows)
    tui_app = make_app(LabelConfig(data=str(data), session=str(tmp_path / "s.db"), batch=5))
    shown = []
    tui_app.notify = lambda message, **kwargs: shown.append((message, kwargs))
    async with tui_app.run_test(size=(110, 30)) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert any(m.startswith("Press q to quit") and k.get("markup") is False for m, k in shown), shown
        await pilot.press("f")
        await pilot.pause()
        assert "⚑ flagged" in tui_app.screen.query_one("#meta").render().plain
        for _ in range(5):  # one class only: the model cannot rank yet
            await pilot.press("1")
        await tui_app.workers.wait_for_complete()
        await pilot.pause()
        panel = tui_app.screen.query_one("#round-metrics").render().plain
        assert "not trained yet" in panel and "acc" not in panel


async def test_status_names_the_encoding_the_data_was_read_with(tmp_path):
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    data = tmp_path / "ru.csv"
    data.write_bytes("text,label\n".encode() + "".join(f"\"Привет мир номер {i}, как дела\",{'ab'[i % 2]}\n"
                                                      for i in range(30)).encode("cp1251"))
    tui_app = make_app(LabelConfig(data=str(data), session=str(tmp_path / "s.db"), batch=5))
    async with tui_app.run_test(size=(110, 30)):
        assert tui_app.session.text(tui_app.session.current()).startswith("Привет мир")
    status = runner.invoke(app, ["status", str(tmp_path / "s.db")]).stdout
    assert "(read as cp1251)" in status
