"""The documented contracts (issue 29): exit 2 for options that do not go together, one line for what cannot be
used, a warning instead of a silent change."""

from __future__ import annotations

from typer.testing import CliRunner

from conftest import TRAIN_CSV, write_csv
from altui.cli.main import app as cli

runner = CliRunner()


def test_address_without_the_dask_backend_is_a_usage_error():
    result = runner.invoke(cli, ["simulate", str(TRAIN_CSV), "--address", "tcp://127.0.0.1:8786"])
    assert result.exit_code == 2 and "--backend dask" in result.output


def test_at_beyond_the_run_is_said_not_silently_replaced():
    result = runner.invoke(cli, ["simulate", str(TRAIN_CSV), "--iterations", "2", "--repeats", "1", "-j", "1",
                                 "--at", "10,900"])
    assert result.exit_code == 0, result.output
    assert "--at 900: the runs end at 20 labels" in result.stderr


def test_a_config_with_a_byte_order_mark_is_named(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_bytes(b"\xef\xbb\xbftheme = \"gruvbox\"\n")
    monkeypatch.setenv("ALTUI_CONFIG", str(config))
    from altui.engine.errors import AltuiError
    from altui.tui.user_config import load_user_config

    try:
        load_user_config()
    except AltuiError as exc:
        assert "byte-order mark" in str(exc) and "without BOM" in str(exc)
    else:
        raise AssertionError("a config with a BOM was read")


def test_meta_cols_naming_the_text_or_label_column_is_one_line(tmp_path):
    data = write_csv(tmp_path / "d.csv", [["text", "label", "author"], ["a b", "x", "me"], ["c d", "y", "you"]])
    for cols, what in (("text,author", "text"), ("label", "label")):
        result = runner.invoke(cli, ["label", str(data), "--meta-cols", cols, "--session", str(tmp_path / "s.db")])
        assert result.exit_code == 1 and f"that is the {what} column" in result.output, result.output


def test_review_conflicts_with_list_is_a_usage_error(tmp_path):
    result = runner.invoke(cli, ["review", str(tmp_path / "t.db"), "--conflicts", "--list"])
    assert result.exit_code == 2 and "--conflicts opens the adjudication app" in result.output


def test_key_conflicts_in_history_search_and_review_are_refused(tmp_path, monkeypatch):
    from altui.engine.errors import AltuiError
    from altui.tui.user_config import load_user_config

    for binding, key, screen in (("history-skip", "1", "history"), ("review-undo", "2", "review"),
                                 ("search-mark", "3", "search")):
        config = tmp_path / f"{binding}.toml"
        config.write_text(f'[keys]\n{binding} = "{key}"\n')
        try:
            load_user_config(config)
        except AltuiError as exc:
            assert f"the {screen} screen" in str(exc) and "label-" in str(exc)
        else:
            raise AssertionError(f"{binding} = {key} was accepted over a label key")


async def test_a_labels_session_resumes_without_labels(tmp_path):
    """Issue 29: a session started with --labels on a file without labels, resumed without --labels, failed with
    "found 0 label value(s)"."""
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    data = write_csv(tmp_path / "d.csv", [["text"], ["hello there"], ["buy now cheap"], ["nice song"], ["win money"]])
    first = make_app(LabelConfig(data=str(data), session=str(tmp_path / "s.db"), labels=("good", "bad")))
    async with first.run_test() as pilot:
        await pilot.press("2")
    again = make_app(LabelConfig(data=str(data), session=str(tmp_path / "s.db")))
    async with again.run_test():
        assert again.session.labels == ("good", "bad") and len(again.session.answers()) == 1


def test_a_session_copied_without_its_wal_says_what_happened(tmp_path):
    """Issue 29: a copy made while altui had the session open is an empty SQLite file (the answers are in the
    original's -wal); agreement said only "is not an altui session file"."""
    import sqlite3

    copy = tmp_path / "copy.db"
    db = sqlite3.connect(copy)
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    for command in (["status", str(copy)], ["agreement", str(copy), str(copy) + "2"]):
        result = runner.invoke(cli, command)
        assert result.exit_code != 0 and "still in the original's -wal" in result.output, result.output
