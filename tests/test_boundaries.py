"""Validation at every boundary (issue 20): each root cause of the red team's tracebacks and raw output, once.

Files (JSONL shapes, nesting, duplicate keys, UTF-32), session paths that are not files, grid names and grid
CSV cells, config keys, JSON on a terminal. Every case: one line on stderr, exit code != 0, no traceback,
nothing raw on the terminal.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import TRAIN_CSV
from test_cli import assert_one_line_error
from altui.cli import app
from altui.tui.user_config import load_user_config

runner = CliRunner()


@pytest.mark.parametrize("content, fragment", [
    ('{"text": "a", "label": "x"}\n5\n', "line 2 is a number or a constant, not a JSON object"),
    ('[1, 2]\n[3, 4]\n', "line 1 is an array, not a JSON object"),
    ('{"text": "a", "label": "x", "meta.id": "1", "meta": {"id": "2"}}\n', "the key 'meta.id' is there twice"),
    ('{"text": ' + "[" * 100000 + "]" * 100000 + ', "label": "x"}\n', "nested too deeply"),
])
def test_jsonl_of_the_wrong_shape_is_one_line(tmp_path, content, fragment):
    data = tmp_path / "bad.jsonl"
    data.write_text(content)
    assert_one_line_error(runner.invoke(app, ["simulate", str(data)]), fragment)


def test_a_utf32_file_is_read_as_utf32_not_utf16(tmp_path):
    from altui.data.files.readers import read_table

    data = tmp_path / "u32.csv"
    data.write_bytes(b"\xff\xfe\x00\x00" + "text,label\nпривет,a\nmonde,b\n".encode("utf-32-le"))
    table = read_table(str(data))
    assert table.encoding == "utf-32" and table.columns["text"] == ["привет", "monde"]


@pytest.mark.parametrize("where, fragment", [("folder", "is a folder, not a session file"),
                                             ("/dev/null", "is not a regular file")])
def test_a_session_path_that_is_not_a_file_says_so(tmp_path, where, fragment):
    path = tmp_path / "a-folder" if where == "folder" else where
    if where == "folder":
        path.mkdir()
    for command in ("status", "export"):
        assert_one_line_error(runner.invoke(app, [command, str(path)]), fragment)


def test_grid_names_and_cells_are_text_never_markup(tmp_path):
    rows = [["text", "label"]] + [[f"{'win a prize now' if i % 2 else 'lovely song'} {i}", str(i % 2)]
                                  for i in range(60)]
    from conftest import write_csv

    write_csv(tmp_path / "d.csv", rows)
    grid = tmp_path / "grid.toml"
    grid.write_text('repeats = 1\niterations = 2\nbatches = [5]\nstrategies = ["random"]\nmodels = ["nb"]\n'
                    '[[datasets]]\nname = "a[/]b [link=http://evil.example]x[/link]"\ndata = "d.csv"\n')
    result = runner.invoke(app, ["simulate", "--grid", str(grid), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "a[/]b" in result.stdout and "[link=http://ev" in result.stdout  # shown as written (cut to 30)
    assert "\x1b]8" not in result.output  # no OSC 8 hyperlink
    out = grid.with_suffix(".csv")
    lines = out.read_text().splitlines()
    cells = lines[1].split(",")
    cells[7] = "abc"  # accuracy: a cell edited by hand
    out.write_text("\n".join([lines[0], ",".join(cells)] + lines[2:]) + "\n")
    resumed = runner.invoke(app, ["simulate", "--grid", str(grid), "--jobs", "1"])
    assert resumed.exit_code == 0, resumed.output  # the bad row is dropped and its run done again
    assert "abc" not in out.read_text() and len(out.read_text().splitlines()) == len(lines)
    from altui.data.errors import DataError
    from altui.data.runs.grid import read_results

    out.write_text(out.read_text().replace(out.read_text().splitlines()[1].split(",")[8], "abc", 1))
    with pytest.raises(DataError, match="row 2: .abc. in column [a-z1]+ is not a number"):
        read_results(out)


@pytest.mark.parametrize("keys, fragment", [
    ('skip = "1"', "gives the key '1' to both label-1 and skip"),
    ('quit = "1"', "gives the key '1' to both label-1 and quit"),
    ('help = "[red]x"', "must be key names"),
    ('accept = "space"', "gives the key 'space' to both accept and skip"),
])
def test_config_keys_that_collide_or_are_not_key_names_are_refused(tmp_path, keys, fragment):
    from altui.engine.errors import AltuiError

    config = tmp_path / "config.toml"
    config.write_text(f"[keys]\n{keys}\n")
    with pytest.raises(AltuiError, match=fragment.replace("[", r"\[")):
        load_user_config(config)
    config.write_text('[keys]\nskip = "s"\nlabel-1 = "j"\n')
    assert load_user_config(config).keymap == {"skip": "s", "label-1": "j"}


def test_status_json_on_a_terminal_escapes_what_the_data_holds(tmp_path, monkeypatch):
    from altui.data.files.corpus import load_corpus
    from altui.data.sessions.session import LabelingSession
    from conftest import write_csv

    rows = [["text", "label"]] + [[f"text {i}", "ok\u202eko" if i % 2 else "fine\x1b[31m"] for i in range(40)]
    data = write_csv(tmp_path / "d.csv", rows)
    session = LabelingSession.open(load_corpus(str(data), seed=0), tmp_path / "s.db")
    session.close()
    monkeypatch.setattr("altui.cli.main.stdout_is_terminal", lambda: True)
    shown = runner.invoke(app, ["status", str(tmp_path / "s.db"), "--json"]).stdout
    assert "\u202e" not in shown and "\x1b" not in shown
    assert set(json.loads(shown)["labels"]) == {"ok\u202eko", "fine\x1b[31m"}
    monkeypatch.setattr("altui.cli.main.stdout_is_terminal", lambda: False)
    piped = runner.invoke(app, ["status", str(tmp_path / "s.db"), "--json"]).stdout
    assert "\u202e" in piped  # a pipe gets the exact UTF-8


def test_a_simulate_of_the_default_data_still_runs():
    result = runner.invoke(app, ["simulate", str(TRAIN_CSV), "--iterations", "2", "--repeats", "1", "--jobs", "1"])
    assert result.exit_code == 0, result.output


def test_a_feature_cache_entry_of_other_texts_under_this_key_is_not_used(tmp_path):
    """Issue 20: the cache trusted its file name; an entry of another data set with the same row count, put
    under this data's key, changed the features silently."""
    import shutil

    from altui.data.files.feature_cache import cache_key, cached_features
    from altui.engine.features import NB_FEATURES

    mine = [f"lovely song number {i}" for i in range(30)]
    theirs = [f"win a free prize now {i}" for i in range(30)]
    root = tmp_path / "cache"
    cached_features(theirs, None, NB_FEATURES, root=root)
    (entry,) = root.glob("*.npz")
    shutil.copy(entry, root / f"{cache_key(mine, None, NB_FEATURES)}.npz")  # planted under my key
    features = cached_features(mine, None, NB_FEATURES, root=root)
    fresh = cached_features(mine, None, NB_FEATURES, root=tmp_path / "clean")
    assert (features.X != fresh.X).nnz == 0 and list(features.space.buckets) == list(fresh.space.buckets)


def test_a_dask_address_that_is_not_a_scheduler_ends_in_one_line(tmp_path):
    """Issue 20: a plain HTTP server as --address hung for minutes; a malformed address reached dask."""
    import threading
    from http.server import HTTPServer, SimpleHTTPRequestHandler

    pytest.importorskip("dask.distributed")
    server = HTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        address = f"tcp://127.0.0.1:{server.server_address[1]}"
        result = runner.invoke(app, ["simulate", str(TRAIN_CSV), "--backend", "dask", "--address", address])
        assert_one_line_error(result, "does not answer as a dask scheduler")
    finally:
        server.shutdown()
    for bad in ("http://127.0.0.1:8786", "tcp://host:port", "tcp://127.0.0.1:1\x1b[31m"):
        result = runner.invoke(app, ["simulate", str(TRAIN_CSV), "--backend", "dask", "--address", bad])
        assert_one_line_error(result, "is not a dask scheduler address")
        assert "\x1b" not in result.stderr


@pytest.mark.parametrize("url", ["http://127.0.0.1:1/\x1b[2J", "ftp://example", "http://exa mple"])
def test_a_server_url_with_control_characters_or_another_scheme_is_one_line(url, monkeypatch):
    from altui.data.errors import DataError
    from altui.data.servers.argilla import ArgillaConfig
    from altui.data.servers.rubrix import RubrixConfig

    monkeypatch.setenv("ARGILLA_API_KEY", "k")
    for config in (RubrixConfig, ArgillaConfig):
        with pytest.raises(DataError, match="is not a server URL") as caught:
            config.from_env(url)
        assert "\x1b" not in str(caught.value)


def test_a_web_page_404_is_not_taken_for_a_missing_rubrix_dataset():
    import httpx

    from altui.data.servers.rubrix import RubrixClient, RubrixConfig, RubrixError

    page = httpx.MockTransport(lambda r: httpx.Response(404, text="<html>Not Found</html>",
                                                        headers={"content-type": "text/html"}))
    client = RubrixClient(RubrixConfig(url="http://web.example", api_key="k", retries=0), transport=page)
    with pytest.raises(RubrixError, match="with a web page, not Rubrix's JSON"):
        client.load("comments")
