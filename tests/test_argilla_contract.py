"""The Argilla 2.x client against the golden exchanges (../shared/argilla/golden) and faults, with
httpx.MockTransport; and the pull's rules (majority, ties, own responses) on records of the contract's shape."""

from __future__ import annotations

import json

import httpx
import pytest

from conftest import ROOT
from altui.data.servers.argilla import (
    ArgillaAuthError, ArgillaClient, ArgillaConfig, ArgillaError, ArgillaUnavailable, RemoteDataset,
)
from altui.data.servers.argilla_link import SKIP, verdicts

GOLDEN = ROOT.parent / "shared" / "argilla" / "golden"
KEY = "secret-key-42"


def golden(name: str) -> list[dict]:
    return json.loads((GOLDEN / name).read_text())["exchanges"]


def replay(exchanges: list[dict]):
    """A transport answering each (method, path) with the golden reply recorded for it."""
    by_request = {}
    for exchange in exchanges:
        request = exchange["request"]
        by_request.setdefault((request["method"], request["path"].split("?")[0]), exchange["response"])

    def handler(request: httpx.Request) -> httpx.Response:
        reply = by_request.get((request.method, request.url.path))
        if reply is None:
            return httpx.Response(404, json={"detail": "not in the golden exchanges"})
        return httpx.Response(reply["status"], json=reply.get("json"))

    return httpx.MockTransport(handler)


def client(transport, workspace="team-a", **kwargs) -> ArgillaClient:
    config = ArgillaConfig(url="http://argilla.test", api_key=KEY, workspace=workspace, retries=2, backoff=0, **kwargs)
    return ArgillaClient(config, transport=transport, sleep=lambda s: None)


def test_whoami_and_workspace_from_the_golden_exchanges():
    with client(replay(golden("01_whoami.json"))) as c:
        me = c.me()
        assert me["username"] and me["role"]
        assert c.workspace_id()
    with client(replay(golden("01_whoami.json")), workspace="elsewhere") as c, \
            pytest.raises(ArgillaError, match="workspace 'elsewhere' is not one of"):
        c.workspace_id()


def test_the_key_goes_in_the_header_only():
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(401, json={"detail": {"code": "argilla.api.errors::UnauthorizedError",
                                                    "params": {"detail": "Could not validate credentials"}}})

    with client(httpx.MockTransport(handler)) as c, pytest.raises(ArgillaAuthError) as error:
        c.me()
    assert seen[0].headers["X-Argilla-Api-Key"] == KEY and KEY not in str(seen[0].url)
    assert "ARGILLA_API_KEY" in str(error.value) and KEY not in str(error.value)


@pytest.mark.parametrize("status, body, fragment", [
    (403, {"detail": {"code": "argilla.api.errors::ForbiddenOperationError", "params": {"detail": "Operation not allowed"}}},
     "HTTP 403: Operation not allowed"),
    (404, {"detail": "Dataset with id `0` not found"}, "Dataset with id `0` not found"),
    (409, {"detail": "Dataset with name `d` already exists"}, "HTTP 409: Dataset with name `d` already exists"),
    (422, {"detail": "'eggs' is not a valid label for label selection question.\nValid labels are: ['ham', 'spam']"},
     "'eggs' is not a valid label"),
    (422, {"detail": {"code": "argilla.api.errors::ValidationError",
                      "params": {"errors": [{"msg": "List should have at most 500 items after validation, not 501"}]}}},
     "at most 500 items"),
])
def test_refusals_carry_the_servers_message(status, body, fragment):
    with client(httpx.MockTransport(lambda r: httpx.Response(status, json=body))) as c, \
            pytest.raises(ArgillaError) as error:
        c.workspace_id()
    assert fragment in str(error.value) and "\n" not in str(error.value)


def test_down_5xx_and_timeouts_are_retried_then_unavailable():
    calls = []

    def flaky(request):
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused")
        if len(calls) == 2:
            return httpx.Response(500, json={"detail": {"code": "argilla.api.errors::GenericServerError"}})
        return httpx.Response(200, json={"id": "u", "username": "argilla", "role": "owner"})

    with client(httpx.MockTransport(flaky)) as c:
        assert c.me()["username"] == "argilla" and len(calls) == 3

    def slow(request):
        raise httpx.ReadTimeout("slow")

    with client(httpx.MockTransport(slow)) as c, pytest.raises(ArgillaUnavailable, match="no complete answer within"):
        c.me()


def test_an_html_page_or_an_old_server_is_not_argilla_2():
    with client(httpx.MockTransport(lambda r: httpx.Response(200, text="<html>login</html>"))) as c, \
            pytest.raises(ArgillaError, match="not an Argilla 2.x server.*altui rubrix"):
        c.me()
    with client(httpx.MockTransport(lambda r: httpx.Response(404, json={"detail": "Not Found"}))) as c, \
            pytest.raises(ArgillaError, match="no /api/v1.*altui rubrix"):
        c.me()


def test_records_are_read_page_by_page():
    pages = []

    def handler(request):
        offset = int(request.url.params["offset"])
        pages.append(offset)
        items = [{"id": str(i), "external_id": f"c-{i}", "responses": []} for i in range(offset, min(offset + 1000, 2500))]
        return httpx.Response(200, json={"items": items, "total": 2500})

    from altui.data.servers.argilla import RemoteDataset

    with client(httpx.MockTransport(handler)) as c:
        records = list(c.records(RemoteDataset("ds", "d", "q", ("ham", "spam"))))
    assert len(records) == 2500 and pages == [0, 1000, 2000]


def response(user, status, value=None):
    return {"user_id": user, "status": status, "values": {} if value is None else {"label": {"value": value}}}


def test_the_pull_takes_the_majority_reports_ties_and_ignores_our_own_responses():
    records = [
        {"external_id": "a", "responses": [response("u1", "submitted", "spam"), response("u2", "submitted", "spam"),
                                           response("u3", "submitted", "ham")]},
        {"external_id": "b", "responses": [response("u1", "submitted", "spam"), response("u2", "submitted", "ham")]},
        {"external_id": "c", "responses": [response("u2", "discarded")]},
        {"external_id": "d", "responses": [response("me", "submitted", "ham")]},  # ours: pushed from the terminal
        {"external_id": "e", "responses": [response("u1", "draft", "ham")]},  # a draft is not an answer
    ]
    names = {"u1": "alice", "u2": "bob", "u3": "carol"}
    got = list(verdicts(records, "me", names.get, answered_here={"d"}))
    assert got == [("a", "spam", ["alice", "bob"]), ("b", None, []), ("c", SKIP, ["bob"])]
    # issue 21: a solo user's own answer made in the web UI counts on a text the terminal has not answered
    names["me"] = "owner"
    solo = list(verdicts(records, "me", names.get, answered_here=set()))
    assert ("d", "ham", ["owner"]) in solo


def test_a_reply_cut_midway_is_one_line_not_a_traceback():
    cut = '{"items": [{"id": "5422cda6", "name": "team-a", "inserted_at": "2026-11-25T09:2'
    with client(httpx.MockTransport(lambda r: httpx.Response(200, text=cut))) as c, \
            pytest.raises(ArgillaError, match="not Argilla JSON") as error:
        c.workspace_id()
    assert "\n" not in str(error.value)

    def dropped(request):
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

    with client(httpx.MockTransport(dropped)) as c, pytest.raises(ArgillaUnavailable, match="cannot connect"):
        c.me()


def test_a_trickling_server_is_cut_off_at_the_deadline_and_paging_follows_what_arrived():
    """Issue 20: the timeout bounds the whole answer (a body that trickles forever ends), and a `total` of 10**12
    or "lots" does not page forever; `items` that is not a list is one line."""
    import threading
    import time as clock
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Trickle(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                for _ in range(400):  # 40 s at most: the server ends by itself
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    clock.sleep(0.1)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = ArgillaConfig(url=f"http://127.0.0.1:{server.server_address[1]}", api_key="k", timeout=0.5,
                               retries=0)
        with ArgillaClient(config) as c, pytest.raises(ArgillaUnavailable, match="no complete answer within 0.5 s"):
            c.me()
    finally:
        server.shutdown()

    pages = []

    def endless(request):
        pages.append(request.url.params.get("offset"))
        return httpx.Response(200, json={"items": [{"id": "r1", "external_id": "a"}], "total": 10**12})

    dataset = RemoteDataset("d1", "spam", "q1", ("ham", "spam"))
    with client(httpx.MockTransport(endless)) as c:
        assert len(list(c.records(dataset))) == 1 and len(pages) == 1
    with client(httpx.MockTransport(lambda r: httpx.Response(200, json={"items": [], "total": "lots"}))) as c:
        assert list(c.records(dataset)) == []
    with client(httpx.MockTransport(lambda r: httpx.Response(200, json={"items": 5, "total": 1}))) as c, \
            pytest.raises(ArgillaError, match="not a list"):
        list(c.records(dataset))


def test_responses_of_unexpected_shapes_are_no_votes_and_missing_ids_are_one_line():
    """Issue 20: values="spam", a record that is not an object, no id: no traceback. A list value is a label
    set (issue 22): a vote for a multi-label session, an unknown label for a single-label one."""
    records = [
        {"external_id": "a", "responses": [{"user_id": "u1", "status": "submitted", "values": "spam"}]},
        {"external_id": "b", "responses": "lots"},
        "not a record",
        {"external_id": "c", "responses": [{"user_id": "u1", "status": "submitted",
                                            "values": {"label": {"value": ["x"]}}}]},
    ]
    assert list(verdicts(records, "me", str)) == [("c", ("x",), ["u1"])]

    def no_id(request):
        if request.url.path.endswith("/me"):
            return httpx.Response(200, json={"username": "owner", "role": "owner"})
        return httpx.Response(200, json={"items": []})

    with client(httpx.MockTransport(no_id)) as c, pytest.raises(ArgillaError, match="without a usable 'id'"):
        c.me()


def test_a_create_whose_answer_is_lost_is_looked_up_not_sent_twice():
    """Issue 21: POST /datasets times out after the server created the dataset; the client does not POST again
    (a 409 and a half-made dataset) but finds it and goes on."""
    created = []

    def server(request):
        path, method = request.url.path, request.method
        if path.endswith("/me"):
            return httpx.Response(200, json={"id": "u0", "username": "owner", "role": "owner"})
        if path.endswith("/me/workspaces"):
            return httpx.Response(200, json={"items": [{"id": "w1", "name": "team-a"}]})
        if path.endswith("/me/datasets"):
            return httpx.Response(200, json={"items": [{"id": "d1", "name": "spam", "status": "draft"}] if created
                                             else []})
        if path.endswith("/datasets") and method == "POST":
            created.append(1)
            if len(created) == 1:
                raise httpx.ReadTimeout("the answer was lost")
            return httpx.Response(409, json={"detail": "exists"})
        if path.endswith("/questions") and method == "GET":
            return httpx.Response(200, json={"items": [{"id": "q1", "name": "label", "settings": {
                "type": "label_selection", "options": [{"value": "ham"}, {"value": "spam"}]}}]})
        return httpx.Response(201 if method == "POST" else 200, json={"id": "d1", "status": "ready"})

    with client(httpx.MockTransport(server)) as c:
        remote = c.ensure_dataset("spam", ["ham", "spam"], [])
    assert remote.id == "d1" and len(created) == 1
