"""Servers cannot outlast a deadline (issue 29): real HTTP servers on 127.0.0.1 that page forever, answer 429
with a Retry-After of an hour, or redirect to another host. Each stops by itself."""

from __future__ import annotations

import http.server
import json
import threading
import time

import pytest
from typer.testing import CliRunner

from conftest import TRAIN_CSV
from altui.cli.main import app as cli
from altui.data.files.corpus import load_corpus
from altui.data.sessions.session import LabelingSession

runner = CliRunner()
STOP_AFTER = 30.0  # seconds: every fake server shuts itself down by then


class Fake(http.server.BaseHTTPRequestHandler):
    behaviour = "pages"
    requests = 0

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, headers: dict | None = None, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _answer(self):
        type(self).requests += 1
        path = self.path.split("?")[0]
        if self.behaviour == "busy":
            return self._send(429, b'{"detail": "slow down"}', {"Retry-After": "3600"})
        if self.behaviour == "redirect":
            return self._send(302, b"", {"Location": "http://evil.example/api"})
        # "pages": a Rubrix 0.18 server whose data endpoint returns a full page, the same one, forever
        if path == "/api/me":
            return self._send(200, json.dumps({"username": "u", "workspaces": []}).encode())
        if path.startswith("/api/datasets/") and path.endswith("/data"):
            start = 0 if self.behaviour == "same-page" else type(self).requests * 1000  # new ids, or the same page
            page = "".join(json.dumps({"id": f"r{start + i}", "inputs": {"text": "x"}, "status": "Default"}) + "\n"
                           for i in range(1000))
            return self._send(200, page.encode(), content_type="application/x-ndjson")
        if path.startswith("/api/datasets/"):
            return self._send(200, json.dumps({"name": "d", "task": "TextClassification"}).encode())
        return self._send(404, b'{"detail": "not found"}')

    do_GET = do_POST = do_PUT = do_PATCH = _answer


@pytest.fixture
def server():
    started = []

    def start(behaviour: str) -> str:
        handler = type("Handler", (Fake,), {"behaviour": behaviour, "requests": 0})
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        timer = threading.Timer(STOP_AFTER, srv.shutdown)  # stops by itself, whatever the test does
        timer.daemon = True
        timer.start()
        started.append((srv, timer, handler))
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield start
    for srv, timer, _ in started:
        timer.cancel()
        srv.shutdown()
        srv.server_close()


@pytest.fixture
def session(tmp_path, monkeypatch):
    monkeypatch.setenv("RUBRIX_API_KEY", "k")
    monkeypatch.setenv("ARGILLA_API_KEY", "k")
    path = tmp_path / "s.db"
    s = LabelingSession.open(load_corpus(str(TRAIN_CSV)), path)
    for label in (0, 1, 0):
        s.answer(label)
    s.close()
    return path


@pytest.mark.parametrize("behaviour, said", [("pages", "kept sending records"), ("same-page", "the same page")])
def test_a_server_that_pages_forever_is_stopped_by_the_sessions_size(server, session, behaviour, said):
    url = server(behaviour)
    started = time.monotonic()
    result = runner.invoke(cli, ["rubrix", "pull", str(session), "--dataset", "d", "--url", url, "--timeout", "5"])
    assert result.exit_code == 1 and said in result.output, result.output
    assert time.monotonic() - started < STOP_AFTER and "Traceback" not in result.output


@pytest.mark.parametrize("command", ["rubrix", "argilla"])
def test_a_long_retry_after_ends_the_command_at_once(server, session, command):
    url = server("busy")
    started = time.monotonic()
    result = runner.invoke(cli, [command, "push", str(session), "--dataset", "d", "--url", url, "--timeout", "2"])
    assert result.exit_code == 1, result.output
    assert time.monotonic() - started < 10, "waited on a Retry-After of an hour"
    assert "429" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", ["rubrix", "argilla"])
def test_a_redirect_is_an_error_and_the_outbox_keeps_the_records(server, session, command):
    url = server("redirect")
    result = runner.invoke(cli, [command, "push", str(session), "--dataset", "d", "--url", url, "--timeout", "2"])
    assert result.exit_code == 1, result.output
    assert "redirect" in result.output and "evil.example" in result.output and "sent 3" not in result.output
    from altui.data.sessions.store import SessionStore

    store = SessionStore.open_existing(session, readonly=True)
    try:
        waiting = len(store.outbox())
    finally:
        store.close()
    assert waiting >= 3  # nothing was stored: every record waits for the next push
