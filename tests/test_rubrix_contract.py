"""The Rubrix client against the golden exchanges of ../shared/rubrix/golden (httpx.MockTransport), and
its behaviour on faults: 5xx, timeouts, refused connections, 401, 404, 422."""

from __future__ import annotations

import json

import httpx
import pytest

from conftest import ROOT, TEST_CSV, TRAIN_CSV
from altui.data.files.corpus import load_corpus
from altui.data.servers.rubrix import (
    RubrixAuthError,
    RubrixClient,
    RubrixConfig,
    RubrixError,
    RubrixNotFound,
    RubrixUnavailable,
    check_dataset_name,
)
from altui.data.servers.rubrix_link import apply_annotations, build_records, push, rubrix_id
from altui.data.sessions.session import LabelingSession

GOLDEN = ROOT.parent / "shared" / "rubrix" / "golden"
KEY = "s3cret-key-for-tests"


def golden(name: str) -> list[dict]:
    return json.loads((GOLDEN / name).read_text())["exchanges"]


def response_of(exchange: dict) -> httpx.Response:
    answer = exchange["response"]
    if "ndjson" in answer:
        body = "".join(json.dumps(r) + "\n" for r in answer["ndjson"])
        return httpx.Response(answer["status"], text=body, headers={"content-type": "application/json"})
    return httpx.Response(answer["status"], json=answer["json"])


def client_for(handler, workspace=None, retries=2) -> tuple[RubrixClient, list[float]]:
    slept: list[float] = []
    config = RubrixConfig(url="http://rubrix.test", api_key=KEY, workspace=workspace, timeout=0.5, retries=retries)
    return RubrixClient(config, transport=httpx.MockTransport(handler), sleep=slept.append,
                        jitter=lambda: 0.5), slept  # jitter 0.5: a factor of 1


@pytest.fixture
def session(tmp_path):
    corpus = load_corpus(str(TRAIN_CSV), str(TEST_CSV))
    labeling = LabelingSession.open(corpus, tmp_path / "s.db", batch_size=10)
    y = [int(v) for v in corpus.train.labels]
    for i in range(12):
        labeling.answer(None if i == 4 else y[labeling.current()])
        if labeling.needs_teaching:
            labeling.commit_round(labeling.teach_and_query())
    yield labeling
    labeling.close()


# -- init
def test_me_sends_both_key_headers_and_both_workspace_headers():
    seen = []
    exchange = golden("01_init.json")[0]

    def handler(request: httpx.Request):
        seen.append(request)
        assert (request.method, request.url.path) == (exchange["request"]["method"], exchange["request"]["path"])
        return response_of(exchange)

    client, _ = client_for(handler, workspace="team-a")
    assert client.me()["username"] == "rubrix"
    headers = seen[0].headers
    assert headers["x-rubrix-api-key"] == headers["x-argilla-api-key"] == KEY
    assert headers["x-rubrix-workspace"] == headers["x-argilla-workspace"] == "team-a"


def test_workspace_not_available_to_the_user():
    exchange = golden("01_init.json")[1]  # user altui, workspaces [team-a]
    client, _ = client_for(lambda r: response_of(exchange), workspace="rubrix")
    with pytest.raises(RubrixNotFound, match="workspace 'rubrix' is not available"):
        client.me()


def test_wrong_key_is_one_clear_error_without_the_key():
    client, slept = client_for(lambda r: response_of(golden("01_init.json")[2]))
    with pytest.raises(RubrixAuthError) as info:
        client.me()
    assert "RUBRIX_API_KEY" in str(info.value) and KEY not in str(info.value)
    assert slept == []  # a refused key is not retried


# -- log
def test_log_posts_bulk_bodies_shaped_like_the_golden_ones(session):
    exchange = golden("02_log.json")[0]
    bodies = []

    def handler(request: httpx.Request):
        assert request.method == "POST"
        assert request.url.path == "/api/datasets/altui_demo/TextClassification:bulk"
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"dataset": "altui_demo", "processed": len(bodies[-1]["records"]), "failed": 0})

    records = build_records(session)
    client, _ = client_for(handler)
    assert client.log("altui_demo", records) == len(records) == 20
    body = bodies[0]
    reference = exchange["request"]["json"]
    assert set(body) == set(reference)
    assert {tuple(sorted(r)) for r in body["records"]} == {tuple(sorted(reference["records"][0]))}
    by_status = {}
    for record in body["records"]:
        by_status.setdefault(record["status"], []).append(record)
    assert len(by_status["Validated"]) == 11 and len(by_status["Discarded"]) == 1 and len(by_status["Default"]) == 8
    for record in body["records"]:  # the server's validation rules (CONTRACT.md)
        assert not str(record["id"]).isdigit()
        if record["status"] == "Validated":
            assert len(record["annotation"]["labels"]) == 1 and record["annotation"]["labels"][0]["score"] == 1.0
            assert len(record["annotation"]["agent"]) <= 64
        if record["prediction"] is not None:
            scores = [label["score"] for label in record["prediction"]["labels"]]
            assert sum(scores) <= 1.001 and all(0 <= s <= 1 for s in scores)
            assert len(record["prediction"]["agent"]) <= 64
        assert all(len(str(v)) <= 128 for v in record["metadata"].values())
    assert {r["metadata"]["round"] for r in by_status["Default"]} == {2}  # the app's round 2 (rounds count from 1)


def test_log_sends_chunks_of_500():
    sizes = []

    def handler(request):
        sizes.append(len(json.loads(request.content)["records"]))
        return httpx.Response(200, json={"processed": sizes[-1], "failed": 0})

    client, _ = client_for(handler)
    records = [{"id": f"c-{i}", "inputs": {"text": "x"}} for i in range(1203)]
    assert client.log("big", records) == 1203 and sizes == [500, 500, 203]


def test_validation_error_is_reported():
    exchange = golden("04_errors.json")[1]
    client, _ = client_for(lambda r: response_of(exchange))
    with pytest.raises(RubrixError, match="HTTP 422.*Annotation must include some label"):
        client.log("altui_errors", [{"id": "bad-1", "inputs": {"text": "x"}}])


def test_dataset_names_are_checked_before_any_request():
    for bad in ("Upper", "_x", "-x", "has space", ""):
        with pytest.raises(RubrixError, match="not valid for Rubrix"):
            check_dataset_name(bad)


# -- load
def test_load_reads_the_golden_ndjson_and_maps_statuses(session):
    exchanges = golden("03_load.json")
    requests = []

    def handler(request: httpx.Request):
        requests.append(request)
        if request.method == "GET":
            assert request.url.path == exchanges[0]["request"]["path"]
            return response_of(exchanges[0])
        assert request.url.path == exchanges[1]["request"]["path"]
        return response_of(exchanges[1])

    client, _ = client_for(handler)
    records = client.load("altui_demo")
    assert [r["id"] for r in records] == ["c-001", "c-002", "c-003"]
    assert [r["status"] for r in records] == ["Default", "Validated", "Discarded"]
    assert requests[1].url.params["limit"] == "1000"
    # Validated -> label, Discarded -> skip, Default ignored; ids matched to the session's items
    pending = session.loop.pending()
    ids = [session.item_id(i) for i in pending[:3]]
    for record, item_id in zip(records, ids):
        record["id"] = item_id
        for label in (record.get("annotation") or {}).get("labels", []):
            label["class"] = label["class"].lower()
    report = apply_annotations(session, records)
    assert report.labeled == {"spam": 1} and report.discarded == 1
    assert [(a.index, a.label) for a in session.answers()[-2:]] == [(pending[1], 1), (pending[2], None)]
    assert session.store.answers()[-1].source == "rubrix"


def test_load_follows_pages_with_id_from():
    everything = [{"id": f"c-{i:05d}", "status": "Default", "inputs": {"text": "t"}} for i in range(2500)]
    calls = []

    def handler(request):
        if request.method == "GET":
            return httpx.Response(200, json={"name": "d", "task": "TextClassification"})
        limit = int(request.url.params["limit"])
        start = request.url.params.get("id_from")
        calls.append(start)
        rows = [r for r in everything if start is None or r["id"] > start][:limit]
        return httpx.Response(200, text="".join(json.dumps(r) + "\n" for r in rows))

    client, _ = client_for(handler)
    assert [r["id"] for r in client.load("d")] == [r["id"] for r in everything]
    assert calls == [None, "c-00999", "c-01999"]


def test_missing_dataset_and_a_broken_stream():
    client, _ = client_for(lambda r: response_of(golden("04_errors.json")[0]))
    with pytest.raises(RubrixNotFound, match="no dataset 'no_such_dataset'"):
        client.load("no_such_dataset")

    def broken(request):
        if request.method == "GET":
            return httpx.Response(200, json={"name": "d", "task": "TextClassification"})
        return httpx.Response(200, text='{"id": "a", "status": "Default"}\n{"detail": {"code": "x::GenericError"}}\n')

    client, _ = client_for(broken)
    with pytest.raises(RubrixError, match="stopped sending"):
        client.load("d")


def test_all_digit_ids_get_a_prefix_and_numbers_from_the_server_still_match():
    assert rubrix_id("42") == "id-42" and rubrix_id("007") == "id-007" and rubrix_id("c-9") == "c-9"
    record = golden("05_ids_and_metadata.json")[1]["response"]["ndjson"][0]
    assert record["id"] == 42 and str(record["id"]) != rubrix_id("42")  # never confused with item "42"


# -- faults
def test_5xx_is_retried_with_backoff_then_succeeds():
    answers = iter([httpx.Response(500, json={}), httpx.Response(503), httpx.Response(200, json={"username": "u"})])
    client, slept = client_for(lambda r: next(answers), retries=3)
    assert client.me() == {"username": "u"}
    assert slept == [0.5, 1.0]


@pytest.mark.parametrize(
    "failure, message",
    [
        (httpx.ConnectError("refused"), "cannot connect"),
        (httpx.ReadTimeout("slow"), "no complete answer within 0.5 s"),
        (None, "server error HTTP 500"),
    ],
)
def test_unavailable_after_retries(failure, message):
    def handler(request):
        if failure is not None:
            raise failure
        return httpx.Response(500)

    client, slept = client_for(handler, retries=2)
    with pytest.raises(RubrixUnavailable, match=message):
        client.log("d", [{"id": "c-1", "inputs": {"text": "t"}}])
    assert slept == [0.5, 1.0]


def test_a_failed_push_keeps_every_record_in_the_outbox_and_the_next_push_drains_it(session):
    def down(request):
        raise httpx.ConnectError("refused")

    client, _ = client_for(down)
    with pytest.raises(RubrixUnavailable):
        push(session, client, "altui-demo")
    waiting = session.store.outbox("altui-demo")
    assert len(waiting) == 20
    received = []

    def up(request):
        received.extend(json.loads(request.content)["records"])
        return httpx.Response(200, json={"processed": len(json.loads(request.content)["records"]), "failed": 0})

    session.answer(0)  # the person went on labeling meanwhile
    client, _ = client_for(up)
    report = push(session, client, "altui-demo")
    assert report.sent == 20 and session.store.outbox() == []
    assert len({r["id"] for r in received}) == 20  # the newer record of an item replaced the queued one


def test_429_waits_the_servers_retry_after_and_jitter_spreads_the_backoff():
    """Issue 21: honour 429 / Retry-After; waits vary (0.5-1.5 x) so clients do not retry in step."""
    answers = iter([httpx.Response(429, headers={"Retry-After": "1.5"}), httpx.Response(200, json={"username": "u"})])
    client, slept = client_for(lambda r: next(answers), retries=3)
    assert client.me() == {"username": "u"} and slept == [1.5]
    slept_low = []
    answers = iter([httpx.Response(500), httpx.Response(500), httpx.Response(200, json={"username": "u"})])
    config = RubrixConfig(url="http://rubrix.test", api_key="k", retries=3, backoff=0.5, timeout=0.5)
    low = RubrixClient(config, transport=httpx.MockTransport(lambda r: next(answers)), sleep=slept_low.append,
                       jitter=lambda: 0.0)
    assert low.me() == {"username": "u"} and slept_low == [0.25, 0.5]


def test_an_undone_server_answer_is_not_put_back_by_the_next_pull(session):
    """Issue 29: undo an answer that came from the server; the next pull applied it again."""
    pending = session.loop.pending()
    item = session.item_id(pending[0])
    records = [{"id": item, "status": "Validated", "inputs": {"text": "x"},
                "annotation": {"labels": [{"class": "spam", "score": 1.0}], "agent": "someone"}}]
    report = apply_annotations(session, records)
    assert report.labeled == {"spam": 1}
    undone = session.undo()
    assert undone is not None and undone.index == pending[0]
    again = apply_annotations(session, records)
    assert again.applied == 0 and again.kept_undone == 1 and session.answer_of(pending[0]) is None
    assert any("you undid" in line for line in again.warnings())
    records[0]["annotation"]["labels"][0]["class"] = "ham"  # a new answer in the web UI is taken
    assert apply_annotations(session, records).labeled == {"ham": 1}
