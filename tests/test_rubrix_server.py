"""Integration with the real rubrix 0.18 server app (../shared/rubrix/server), installed into its own venv
by this test set-up and started on a free 127.0.0.1 port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time

import httpx
import pytest
from typer.testing import CliRunner

from altui.cli.main import app as cli
from conftest import ROOT, TEST_CSV, TRAIN_CSV
from altui.data.files.corpus import load_corpus
from altui.data.sessions.session import LabelingSession
from altui.tui.factory import make_app
from altui.tui.config import LabelConfig

SERVER = ROOT.parent / "shared" / "rubrix" / "server"
VENV = ROOT / ".rubrix-server-venv"
KEY = "test-key"
runner = CliRunner()

pytestmark = pytest.mark.rubrix_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def rubrix_server(tmp_path_factory):
    subprocess.run(["bash", str(SERVER / "install.sh"), str(VENV)], check=True, capture_output=True, timeout=900)
    port = free_port()
    record = tmp_path_factory.mktemp("rubrix") / "exchanges.jsonl"
    started = subprocess.run(["bash", str(SERVER / "start.sh"), str(VENV), str(port), "--record", str(record)],
                             check=True, capture_output=True, text=True, timeout=120)
    pid = int(started.stdout.strip())
    yield f"http://127.0.0.1:{port}", record
    os.kill(pid, 15)


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("RUBRIX_API_KEY", KEY)
    monkeypatch.delenv("RUBRIX_WORKSPACE", raising=False)


def make_session(path, answers=10):
    corpus = load_corpus(str(TRAIN_CSV), str(TEST_CSV))
    labeling = LabelingSession.open(corpus, path, batch_size=10, info_extra={"test_path": str(TEST_CSV)})
    y = [int(v) for v in corpus.train.labels]
    for _ in range(answers):
        labeling.answer(y[labeling.current()])
        if labeling.needs_teaching:
            labeling.commit_round(labeling.teach_and_query())
    return labeling, corpus, y


def server_records(url, dataset, key=KEY):
    with httpx.Client(base_url=url, headers={"X-Rubrix-Api-Key": key}) as http:
        body = http.post(f"/api/datasets/{dataset}/TextClassification/data", json={}).text
    return {str(r["id"]): r for r in (json.loads(line) for line in body.splitlines() if line.strip())}


def annotate_in_web_ui(url, records: list[dict]):
    """What Rubrix's web UI does: re-log the records with an annotation and a new status."""
    with httpx.Client(base_url=url, headers={"X-Rubrix-Api-Key": KEY}) as http:
        dataset, items = records[0], records[1:]
        reply = http.post(f"/api/datasets/{dataset}/TextClassification:bulk", json={"records": items})
        assert reply.status_code == 200, reply.text


def test_push_annotate_pull_and_the_next_round_uses_them(rubrix_server, env, tmp_path):
    url, _ = rubrix_server
    path = tmp_path / "s.db"
    labeling, corpus, y = make_session(path)
    pending = labeling.loop.pending()
    labeling.close()

    result = runner.invoke(cli, ["rubrix", "push", str(path), "--dataset", "altui-flow", "--url", url])
    assert result.exit_code == 0, result.output
    stored = server_records(url, "altui-flow")
    assert len(stored) == 20
    assert sum(r["status"] == "Validated" for r in stored.values()) == 10
    default = [r for r in stored.values() if r["status"] == "Default"]
    assert len(default) == 10 and all("prediction" in r for r in default)

    names = ["ham", "spam"]
    web = []
    for n, index in enumerate(pending):
        record = dict(stored[corpus.train.ids[index]])
        for key in ("predictions", "annotations", "last_updated", "metrics"):
            record.pop(key, None)
        if n == 0:
            record["status"] = "Discarded"
        else:
            record["status"] = "Validated"
            record["annotation"] = {"agent": "web-annotator", "labels": [{"class": names[y[index]], "score": 1.0}]}
        web.append(record)
    annotate_in_web_ui(url, ["altui-flow"] + web)

    result = runner.invoke(cli, ["rubrix", "pull", str(path), "--dataset", "altui-flow", "--url", url])
    assert result.exit_code == 0, result.output
    assert "applied 10 annotations" in result.stdout and "1 discarded" in result.stdout
    assert "the model was taught and the next batch queried" in result.stdout

    resumed = LabelingSession.resume(path)
    try:
        answers = {a.index: a.label for a in resumed.answers()}
        assert all(index in answers for index in pending)
        assert answers[pending[0]] is None and answers[pending[1]] == y[pending[1]]
        history = resumed.loop.history_
        assert [m.n_labels for m in history] == [10, 19]  # round 2 was taught with the 9 web labels
        assert not set(resumed.loop.pending()) & set(pending)  # and the next batch is new
        assert {s.source for s in resumed.store.answers()[-10:]} == {"rubrix"}
    finally:
        resumed.close()


def test_server_down_then_up_outbox_is_drained(rubrix_server, env, tmp_path):
    url, _ = rubrix_server
    path = tmp_path / "s.db"
    make_session(path)[0].close()
    result = runner.invoke(cli, ["rubrix", "push", str(path), "-d", "altui-outbox", "--url", f"http://127.0.0.1:{free_port()}"])
    assert result.exit_code == 1
    assert "20 records wait in the outbox" in result.stderr and "Traceback" not in result.output
    result = runner.invoke(cli, ["rubrix", "push", str(path), "-d", "altui-outbox", "--url", url])
    assert result.exit_code == 0, result.output
    assert len(server_records(url, "altui-outbox")) == 20
    labeling = LabelingSession.resume(path)
    assert labeling.store.outbox() == []
    labeling.close()


def test_bad_key_missing_dataset_and_workspace(rubrix_server, env, tmp_path, monkeypatch):
    url, _ = rubrix_server
    path = tmp_path / "s.db"
    make_session(path)[0].close()
    result = runner.invoke(cli, ["rubrix", "pull", str(path), "-d", "never-pushed", "--url", url])
    assert result.exit_code == 1 and "no dataset 'never-pushed'" in result.stderr
    monkeypatch.setenv("RUBRIX_API_KEY", "team-key")
    result = runner.invoke(cli, ["rubrix", "push", str(path), "-d", "team-data", "--url", url, "--workspace", "rubrix"])
    assert result.exit_code == 1 and "workspace 'rubrix' is not available" in result.stderr
    result = runner.invoke(cli, ["rubrix", "push", str(path), "-d", "team-data", "--url", url, "--workspace", "team-a"])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("RUBRIX_API_KEY", "wrong-key")
    result = runner.invoke(cli, ["rubrix", "push", str(path), "-d", "team-data", "--url", url])
    assert result.exit_code == 1 and "refused the API key (HTTP 401)" in result.stderr


def test_slow_server_times_out_and_keeps_the_records(env, tmp_path):
    """A server that accepts the connection but answers too late."""
    import http.server
    import threading

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            time.sleep(1.5)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    path = tmp_path / "s.db"
    make_session(path)[0].close()
    try:
        result = runner.invoke(cli, ["rubrix", "push", str(path), "-d", "slow", "--timeout", "0.2",
                                     "--url", f"http://127.0.0.1:{server.server_address[1]}"])
    finally:
        server.shutdown()
    assert result.exit_code == 1 and "no complete answer within 0.2 s" in result.stderr
    labeling = LabelingSession.resume(path)
    assert len(labeling.store.outbox("slow")) == 20
    labeling.close()


async def test_label_logs_each_batch_and_r_pulls_web_annotations(rubrix_server, env, tmp_path):
    url, _ = rubrix_server
    app = make_app(LabelConfig(data=str(TRAIN_CSV), test=str(TEST_CSV), session=str(tmp_path / "t.db"),
                               rubrix_dataset="altui-live", rubrix_url=url))
    y = [int(v) for v in app.session.corpus.train.labels]
    async with app.run_test(size=(110, 30)) as pilot:
        await app.workers.wait_for_complete()
        first_batch = list(app.session.loop.pending())
        stored = server_records(url, "altui-live")
        assert {app.session.item_id(i) for i in first_batch} == set(stored)  # logged as queried
        for _ in range(10):
            await pilot.press(str(y[app.session.current()] + 1))
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        stored = server_records(url, "altui-live")
        assert sum(r["status"] == "Validated" for r in stored.values()) == 10  # answers went up with batch 2
        second = app.session.loop.pending()
        target = second[:3]
        web = []
        for index in target:
            record = dict(stored[app.session.item_id(index)])
            for key in ("predictions", "annotations", "last_updated", "metrics"):
                record.pop(key, None)
            record["status"] = "Validated"
            record["annotation"] = {"agent": "web", "labels": [{"class": ["ham", "spam"][y[index]], "score": 1.0}]}
            web.append(record)
        annotate_in_web_ui(url, ["altui-live"] + web)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        answers = {a.index: a.label for a in app.session.answers()}
        assert all(answers.get(i) == y[i] for i in target)
        assert app.session.current() not in target


def test_the_api_key_is_never_written_or_printed(rubrix_server, env, tmp_path):
    url, record = rubrix_server
    path = tmp_path / "s.db"
    make_session(path)[0].close()
    outputs = []
    for args in (["rubrix", "push", str(path), "-d", "altui-secret", "--url", url],
                 ["rubrix", "pull", str(path), "-d", "altui-secret", "--url", url],
                 ["rubrix", "push", str(path), "-d", "altui-secret", "--url", f"http://127.0.0.1:{free_port()}"],
                 ["status", str(path)], ["export", str(path), "--format", "jsonl"]):
        result = runner.invoke(cli, args)
        outputs.append(result.output)
    for text in outputs:
        assert KEY not in text
    for file in tmp_path.rglob("*"):
        if file.is_file():
            assert KEY.encode() not in file.read_bytes(), file
    sent = [json.loads(line) for line in record.read_text().splitlines()]
    ours = [e for e in sent if "altui-secret" in e["path"]]
    assert ours and all(e["request_headers"].get("x-rubrix-api-key") == "***" for e in ours)
    assert all(e["request_headers"].get("x-argilla-api-key") == "***" for e in ours)


async def test_label_start_drains_what_an_earlier_push_left_in_the_outbox(rubrix_server, env, tmp_path):
    url, _ = rubrix_server
    path = tmp_path / "left.db"
    labeling, _, _ = make_session(path)
    down = runner.invoke(cli, ["rubrix", "push", str(path), "-d", "altui-leftover", "--url", f"http://127.0.0.1:{free_port()}"])
    assert down.exit_code == 1
    labeling.close()
    app = make_app(LabelConfig(data=str(TRAIN_CSV), test=str(TEST_CSV), session=str(path),
                               rubrix_dataset="altui-leftover", rubrix_url=url))
    async with app.run_test(size=(110, 30)):
        await app.workers.wait_for_complete()
        assert app.session.store.outbox() == []
    assert len(server_records(url, "altui-leftover")) == 20


def test_a_multi_label_session_goes_to_rubrix_as_label_sets_and_comes_back(rubrix_server, env, tmp_path):
    """Issue 22: Rubrix 0.18's multi-label records: the annotation is the set (the empty set too), each
    prediction label has its own score; sets annotated in the web UI come back as sets."""
    from test_multi_label import answered_session

    url, _ = rubrix_server
    path, corpus, pending = answered_session(tmp_path, 3)  # its first answer is the empty set
    pushed = runner.invoke(cli, ["rubrix", "push", str(path), "--dataset", "altui-sets", "--url", url])
    assert pushed.exit_code == 0, pushed.output
    stored = server_records(url, "altui-sets")
    assert len(stored) == 20 and all(r["multi_label"] for r in stored.values())
    validated = [r for r in stored.values() if r["status"] == "Validated"]
    assert len(validated) == 10 and any(not r["annotation"]["labels"] for r in validated)  # the empty set
    web = []
    for index, given in zip(pending[:2], (["audio", "video"], [])):
        record = dict(stored[corpus.train.ids[index]])
        for key in ("predictions", "annotations", "last_updated", "metrics"):
            record.pop(key, None)
        record["status"] = "Validated"
        record["annotation"] = {"agent": "web-annotator", "labels": [{"class": c, "score": 1.0} for c in given]}
        web.append(record)
    annotate_in_web_ui(url, ["altui-sets"] + web)
    pulled = runner.invoke(cli, ["rubrix", "pull", str(path), "--dataset", "altui-sets", "--url", url])
    assert pulled.exit_code == 0, pulled.output
    assert "applied 2 annotations" in pulled.stdout
    rows = {r["id"]: r for r in map(json.loads, runner.invoke(cli, ["export", str(path), "-f", "jsonl"]).stdout.splitlines())}
    assert rows[corpus.train.ids[pending[0]]]["labels"] == ["audio", "video"]
    assert rows[corpus.train.ids[pending[1]]]["labels"] == []
