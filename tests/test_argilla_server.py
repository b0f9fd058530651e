"""Integration with the real argilla-server 2.8.0 app (../shared/argilla/server), installed into its own venv
(.argilla-server-venv) by this test set-up and started on a free 127.0.0.1 port."""

from __future__ import annotations

import os
import subprocess

import httpx
import pytest
from typer.testing import CliRunner

from altui.cli.main import app as cli
from conftest import ROOT
from test_rubrix_server import free_port, make_session

SERVER = ROOT.parent / "shared" / "argilla" / "server"
VENV = ROOT / ".argilla-server-venv"
OWNER_KEY, ANNOTATOR_KEY = "test-key", "team-key"
runner = CliRunner()

pytestmark = pytest.mark.argilla_server


@pytest.fixture(scope="module")
def argilla_url(tmp_path_factory):
    subprocess.run(["bash", str(SERVER / "install.sh"), str(VENV)], check=True, capture_output=True, timeout=900)
    port = free_port()
    started = subprocess.run(["bash", str(SERVER / "start.sh"), str(VENV), str(port)], check=True,
                             capture_output=True, text=True, timeout=180)
    pid = int(started.stdout.strip())
    yield f"http://127.0.0.1:{port}"
    os.kill(pid, 15)


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("ARGILLA_API_KEY", OWNER_KEY)
    monkeypatch.delenv("ARGILLA_WORKSPACE", raising=False)
    monkeypatch.delenv("ARGILLA_API_URL", raising=False)


def run(*args):
    return runner.invoke(cli, [str(a) for a in args])


def dataset_records(url: str, name: str, workspace: str = "team-a") -> list[dict]:
    with httpx.Client(base_url=url + "/api/v1", headers={"X-Argilla-Api-Key": OWNER_KEY}) as http:
        spaces = {w["name"]: w["id"] for w in http.get("/me/workspaces").json()["items"]}
        found = http.get("/me/datasets", params={"workspace_id": spaces[workspace], "name": name}).json()["items"]
        return http.get(f"/datasets/{found[0]['id']}/records",
                        params={"include": "responses,suggestions", "limit": 1000}).json()["items"]


def respond(url: str, record_id: str, value: str | None, key: str = ANNOTATOR_KEY) -> None:
    body = {"values": {}, "status": "discarded"} if value is None else \
        {"values": {"label": {"value": value}}, "status": "submitted"}
    with httpx.Client(base_url=url + "/api/v1", headers={"X-Argilla-Api-Key": key}) as http:
        assert http.post(f"/records/{record_id}/responses", json=body).status_code == 201


def test_push_then_an_annotator_responds_then_pull_teaches_and_exports_12(argilla_url, env, tmp_path):
    """Issue 12, acceptance 1 (the CLI part)."""
    path = tmp_path / "s.db"
    labeling, corpus, y = make_session(path, answers=10)
    labeling.close()
    result = run("argilla", "push", path, "--dataset", "d", "--workspace", "team-a", "--url", argilla_url)
    assert result.exit_code == 0, result.output
    records = dataset_records(argilla_url, "d")
    answered = [r for r in records if r["responses"]]
    pending = [r for r in records if not r["responses"]]
    assert len(answered) == 10 and all(r["responses"][0]["status"] == "submitted" for r in answered)
    assert len(pending) == 10 and all(r["suggestions"] and r["suggestions"][0]["agent"] == "altui-nblr" for r in pending)
    index = {item_id: i for i, item_id in enumerate(corpus.train.ids)}
    truth = {r["external_id"]: ("ham", "spam")[y[index[r["external_id"]]]] for r in pending[:2]}
    for record in pending[:2]:
        respond(argilla_url, record["id"], truth[record["external_id"]])
    result = run("argilla", "pull", path, "--dataset", "d", "--workspace", "team-a", "--url", argilla_url)
    assert result.exit_code == 0, result.output
    assert "applied 2 responses" in result.stdout
    exported = run("export", path)
    lines = [line for line in exported.stdout.splitlines()[1:] if ",duplicate," not in line]  # copies: issue 21
    assert len(lines) == 12 and sum("argilla:altui" in line for line in lines) == 2
    for path_ in [path, path.with_name(path.name + "-wal")]:
        if path_.exists():
            assert OWNER_KEY.encode() not in path_.read_bytes()  # the key is in no file
    assert OWNER_KEY not in result.output + exported.stdout


def test_a_solo_user_answers_in_the_web_ui_and_pull_takes_them(argilla_url, env, tmp_path):
    """Issue 21, acceptance 5: one account (the key's own user) pushes, answers two pending records in the web
    UI, pulls: both are applied, named as that user; the terminal's own pushed answers are not counted again."""
    path = tmp_path / "solo.db"
    labeling, corpus, y = make_session(path, answers=10)
    labeling.close()
    assert run("argilla", "push", path, "--dataset", "solo", "--workspace", "team-a", "--url", argilla_url).exit_code == 0
    pending = [r for r in dataset_records(argilla_url, "solo") if not r["responses"]]
    index = {item_id: i for i, item_id in enumerate(corpus.train.ids)}
    for record in pending[:2]:
        respond(argilla_url, record["id"], ("ham", "spam")[y[index[record["external_id"]]]], key=OWNER_KEY)
    result = run("argilla", "pull", path, "--dataset", "solo", "--workspace", "team-a", "--url", argilla_url)
    assert result.exit_code == 0, result.output
    assert "applied 2 responses" in result.stdout and "answers taken from:" in result.stdout
    assert "conflict" not in result.output  # the ten answered here are ours, not the web UI's
    lines = [line for line in run("export", path).stdout.splitlines()[1:] if ",duplicate," not in line]
    assert len(lines) == 12 and sum(",argilla:" in line for line in lines) == 2


def test_a_stopped_server_is_one_line_and_the_outbox_drains_later(argilla_url, env, tmp_path):
    path = tmp_path / "o.db"
    labeling, _, _ = make_session(path, answers=10)
    labeling.close()
    dead = f"http://127.0.0.1:{free_port()}"
    result = run("argilla", "push", path, "--dataset", "later", "--url", dead, "--timeout", "1")
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "not available" in lines[0] and "20 records wait in the outbox" in lines[0]
    result = run("argilla", "push", path, "--dataset", "later", "--url", argilla_url)
    assert result.exit_code == 0 and "sent 20 records" in result.stdout  # one record per item: the newest
    assert len(dataset_records(argilla_url, "later", workspace="argilla")) == 20


def test_a_discard_is_a_skip_and_a_pull_that_completes_the_batch_teaches_it(argilla_url, env, tmp_path, monkeypatch):
    path = tmp_path / "m.db"
    labeling, _, _ = make_session(path, answers=10)
    labeling.close()
    assert run("argilla", "push", path, "--dataset", "votes", "--workspace", "team-a", "--url", argilla_url).exit_code == 0
    pending = [r for r in dataset_records(argilla_url, "votes") if not r["responses"]]
    respond(argilla_url, pending[0]["id"], None)  # the annotator discards it: a skip
    result = run("argilla", "pull", path, "--dataset", "votes", "--workspace", "team-a", "--url", argilla_url)
    assert "applied 1 responses" in result.stdout and "1 discarded" in result.stdout
    assert "the batch was complete" not in result.stdout
    for record in pending[1:]:  # the rest of the batch: the pull completes it, teaches and queries the next
        respond(argilla_url, record["id"], "ham")
    result = run("argilla", "pull", path, "--dataset", "votes", "--workspace", "team-a", "--url", argilla_url)
    assert "applied 9 responses" in result.stdout and "the batch was complete" in result.stdout
    status = run("status", path).stdout
    assert "round     3" in status and "labeled   19" in status


def test_errors_are_one_line_naming_the_fix(argilla_url, env, tmp_path, monkeypatch):
    path = tmp_path / "e.db"
    labeling, _, _ = make_session(path, answers=10)
    labeling.close()
    monkeypatch.setenv("ARGILLA_API_KEY", "wrong-key-123")
    result = run("argilla", "push", path, "--dataset", "x", "--url", argilla_url)
    assert result.exit_code == 1 and "ARGILLA_API_KEY" in result.stderr and "wrong-key-123" not in result.output
    monkeypatch.setenv("ARGILLA_API_KEY", OWNER_KEY)
    result = run("argilla", "push", path, "--dataset", "x", "--workspace", "nowhere", "--url", argilla_url)
    assert result.exit_code == 1 and "workspace 'nowhere'" in result.stderr
    result = run("argilla", "pull", path, "--dataset", "never-pushed", "--url", argilla_url)
    assert result.exit_code == 1 and "push to it first" in result.stderr
    monkeypatch.delenv("ARGILLA_API_KEY")
    result = run("argilla", "push", path, "--dataset", "x", "--url", argilla_url)
    assert result.exit_code == 1 and "set ARGILLA_API_KEY" in result.stderr


async def test_the_app_logs_each_batch_and_r_pulls_responses(argilla_url, env, tmp_path):
    """`altui label --argilla-dataset`: the first batch is logged at start, `r` applies the annotator's answers."""
    from conftest import TEST_CSV, TRAIN_CSV
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    app = make_app(LabelConfig(data=str(TRAIN_CSV), test=str(TEST_CSV), session=str(tmp_path / "t.db"),
                               argilla_dataset="live", argilla_url=argilla_url, argilla_workspace="team-a"))
    async with app.run_test(size=(110, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        records = dataset_records(argilla_url, "live")
        assert len(records) == 10 and app.argilla_waiting() == 0
        pending = set(app.session.loop.pending())
        by_id = {r["external_id"]: r for r in records}
        first = [i for i in app.session.loop.pending()][:2]
        for index in first:
            respond(argilla_url, by_id[app.session.item_id(index)]["id"], "spam")
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        answers = {a.index: a.label for a in app.session.answers()}
        assert set(first) <= set(answers) and all(answers[i] == 1 for i in first) and set(first) <= pending
        sources = {s.answer.index: s.source for s in app.session.store.answers()}
        assert all(sources[i] == "argilla:altui" for i in first)


async def test_the_status_line_says_what_waits_for_a_stopped_server(env, tmp_path):
    from conftest import TEST_CSV, TRAIN_CSV
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    dead = f"http://127.0.0.1:{free_port()}"
    app = make_app(LabelConfig(data=str(TRAIN_CSV), test=str(TEST_CSV), session=str(tmp_path / "d.db"),
                               argilla_dataset="later", argilla_url=dead))
    app.argilla = type(app.argilla)(url=dead, api_key=OWNER_KEY, workspace="argilla", timeout=0.5, retries=0)
    async with app.run_test(size=(110, 30), notifications=True) as pilot:
        said = ""
        for _ in range(100):  # the drain fails in its worker; the failure is a notification
            await pilot.pause(0.05)
            said = " ".join(str(n.message) for n in app._notifications)
            if "wait in the session's outbox" in said:
                break
        shown = app.annotate_screen._progress().plain  # the status line (a toast may cover its end on screen)
        assert "10 waiting for Argilla" in shown and "not available" in said and OWNER_KEY not in said
        await pilot.press("1")  # the app stays usable
        assert len(app.session.answers()) == 1


def test_a_multi_label_session_pushes_label_sets_and_pulls_them_back(argilla_url, env, tmp_path):
    """Issue 22: a multi-label session makes a multi_label_selection question (with "(none)" for the empty
    set, which Argilla cannot submit empty); sets go out as lists and come back as sets."""
    import json

    from test_multi_label import answered_session

    path, _, _ = answered_session(tmp_path, 7)  # its first answer is the empty set
    pushed = run("argilla", "push", path, "--dataset", "sets", "--workspace", "team-a", "--url", argilla_url)
    assert pushed.exit_code == 0, pushed.output
    records = dataset_records(argilla_url, "sets")
    answered = [r for r in records if r["responses"]]
    values = [r["responses"][0]["values"]["label"]["value"] for r in answered]
    assert all(isinstance(v, list) and v for v in values) and ["(none)"] in values
    pending = [r for r in records if not r["responses"]]
    assert pending and all(isinstance(s["value"], list) for r in pending for s in r["suggestions"])
    with httpx.Client(base_url=argilla_url + "/api/v1", headers={"X-Argilla-Api-Key": ANNOTATOR_KEY}) as http:
        for record, value in zip(pending[:2], (["audio", "video"], ["(none)"])):
            body = {"values": {"label": {"value": value}}, "status": "submitted"}
            assert http.post(f"/records/{record['id']}/responses", json=body).status_code == 201
    result = run("argilla", "pull", path, "--dataset", "sets", "--workspace", "team-a", "--url", argilla_url)
    assert result.exit_code == 0, result.output
    assert "applied 2 responses" in result.stdout
    rows = {r["id"]: r for r in map(json.loads, run("export", path, "-f", "jsonl").stdout.splitlines())}
    assert rows[pending[0]["external_id"]]["labels"] == ["audio", "video"]
    assert rows[pending[1]["external_id"]]["labels"] == []
    single = tmp_path / "single.db"
    make_session(single, answers=10)[0].close()
    refused = run("argilla", "push", single, "--dataset", "sets", "--workspace", "team-a", "--url", argilla_url)
    assert refused.exit_code != 0 and "several labels" in refused.stderr
