"""A Rubrix client over httpx, speaking the REST contract of rubrix 0.18 / argilla 1.0-1.4
(../shared/rubrix/CONTRACT.md): init (GET /api/me), log (POST :bulk), load (GET dataset + NDJSON data).

The API key comes only from ``RUBRIX_API_KEY`` (default ``rubrix.apikey``, as the official client); it is
sent in headers and never written anywhere or put in a message. Network failures (refused, timeout,
5xx) are retried with exponential backoff, then raised as :class:`RubrixUnavailable` so the caller can
keep the records in the session's outbox.
"""

from __future__ import annotations

import json
import os
import re
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from altui.data.errors import DataError
from altui.data.servers.http_retry import check_url, send

DEFAULT_URL = "http://localhost:6900"
DEFAULT_KEY = "rubrix.apikey"
URL_ENV, KEY_ENV, WORKSPACE_ENV = "RUBRIX_API_URL", "RUBRIX_API_KEY", "RUBRIX_WORKSPACE"
DATASET_NAME = re.compile(r"^(?!-|_)[a-z0-9-_]+$")
WORKSPACE_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_\-]*$")
CHUNK = 500
PAGE = 1000


class RubrixError(DataError):
    """Rubrix answered, but not as hoped (bad request, validation error, wrong task)."""


class RubrixUnavailable(RubrixError):
    """Rubrix could not be reached: refused, timed out or 5xx, after retries."""


class RubrixAuthError(RubrixError):
    """Rubrix refused the API key (401) or the operation (403)."""


class RubrixNotFound(RubrixError):
    """The dataset (or workspace) does not exist."""


@dataclass(frozen=True)
class RubrixConfig:
    url: str = DEFAULT_URL
    api_key: str = field(default=DEFAULT_KEY, repr=False)
    workspace: str | None = None
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5  # seconds before the first retry; doubled each time

    @classmethod
    def from_env(cls, url: str | None = None, workspace: str | None = None, **kwargs) -> "RubrixConfig":
        """URL from the argument or RUBRIX_API_URL, key only from RUBRIX_API_KEY, workspace from the
        argument or RUBRIX_WORKSPACE."""
        workspace = workspace or os.environ.get(WORKSPACE_ENV) or None
        if workspace is not None and not WORKSPACE_NAME.match(workspace):
            raise RubrixError(f"workspace {workspace!r} is not a valid name (letters, digits, - and _)")
        return cls(
            url=check_url(url or os.environ.get(URL_ENV) or DEFAULT_URL, URL_ENV),
            api_key=os.environ.get(KEY_ENV) or DEFAULT_KEY,
            workspace=workspace, **kwargs,
        )


def check_dataset_name(name: str) -> str:
    if not DATASET_NAME.match(name):
        raise RubrixError(
            f"dataset name {name!r} is not valid for Rubrix: use lowercase letters, digits, - and _ "
            "(not starting with - or _)"
        )
    return name


class RubrixClient:
    def __init__(self, config: RubrixConfig, transport: httpx.BaseTransport | None = None,
                 sleep=time.sleep, jitter=random.random):
        self.config = config
        self._sleep = sleep
        self._jitter = jitter
        headers = {"X-Rubrix-Api-Key": config.api_key, "X-Argilla-Api-Key": config.api_key}
        if config.workspace:
            headers["X-Rubrix-Workspace"] = config.workspace
            headers["X-Argilla-Workspace"] = config.workspace
        self._http = httpx.Client(base_url=config.url, headers=headers, timeout=config.timeout,
                                  transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "RubrixClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transport with retries and one error vocabulary
    def _request(self, method: str, path: str, *, dataset: str | None = None, **kwargs) -> httpx.Response:
        config = self.config
        # Rubrix's POSTs are upserts by record id and searches: sending one twice changes nothing
        response, problem = send(self._http, method, path, retries=config.retries, backoff=config.backoff,
                                 timeout=config.timeout, sleep=self._sleep, idempotent=True, jitter=self._jitter,
                                 **kwargs)
        if response is None:
            raise RubrixUnavailable(
                f"Rubrix at {config.url} is not available: {problem} after {config.retries + 1} tries"
            )
        return self._check(response, dataset)

    def _check(self, response: httpx.Response, dataset: str | None) -> httpx.Response:
        status = response.status_code
        if status < 400:
            return response
        detail = _detail(response)
        if status == 401:
            raise RubrixAuthError(
                f"Rubrix at {self.config.url} refused the API key (HTTP 401); set {KEY_ENV} to a valid key"
            )
        if status == 403:
            raise RubrixAuthError(
                f"Rubrix at {self.config.url} forbids this (HTTP 403{': ' + detail if detail else ''}); "
                "check the workspace and the key's rights"
            )
        if status == 404 and "json" not in response.headers.get("content-type", ""):
            raise RubrixError(f"{self.config.url} answered HTTP 404 with a web page, not Rubrix's JSON: is --url a "
                              "Rubrix 0.18 (or Argilla 1.0-1.4) server? For Argilla 2.x use `altui argilla`")
        if status == 404:
            what = _param(response, "type")
            if what == "Workspace":
                raise RubrixNotFound(
                    f"workspace {self.config.workspace!r} is not available to this key; check {WORKSPACE_ENV}"
                )
            raise RubrixNotFound(f"Rubrix has no dataset {dataset!r}; push to it first, or check the name")
        raise RubrixError(f"Rubrix refused the request (HTTP {status}{': ' + detail if detail else ''})")

    # -- the three calls of the contract
    def me(self) -> dict:
        """``GET /api/me``; also checks the configured workspace is one of the user's."""
        info = _json(self._request("GET", "/api/me"), self.config.url)
        workspace = self.config.workspace
        if workspace and workspace not in info.get("workspaces", []) and workspace != info.get("username"):
            raise RubrixNotFound(f"workspace {workspace!r} is not available to this key; check {WORKSPACE_ENV}")
        return info

    def log(self, dataset: str, records: list[dict]) -> int:
        """Log records (each replaces a stored record with the same id); returns how many were processed."""
        check_dataset_name(dataset)
        processed = 0
        for start in range(0, len(records), CHUNK):
            body = {"tags": {}, "metadata": {}, "records": records[start:start + CHUNK]}
            reply = _json(self._request("POST", f"/api/datasets/{dataset}/TextClassification:bulk", dataset=dataset,
                                        json=body), self.config.url)
            try:
                processed += int(reply.get("processed", 0))
            except (TypeError, ValueError):
                raise RubrixError(_unexpected(self.config.url, "a bulk answer without a count")) from None
            if reply.get("failed"):
                raise RubrixError(f"Rubrix failed to store {reply['failed']} of the records sent to {dataset!r}")
        return processed

    def load(self, dataset: str, max_records: int | None = None) -> list[dict]:
        """Every record of a TextClassification dataset, page by page (sorted by id); past ``max_records`` (a
        server that pages forever) one RubrixError."""
        check_dataset_name(dataset)
        info = _json(self._request("GET", f"/api/datasets/{dataset}", dataset=dataset), self.config.url)
        if info.get("task") != "TextClassification":
            raise RubrixError(f"dataset {dataset!r} is a {info.get('task')} dataset, not TextClassification")
        records: list[dict] = []
        last_id = None
        while True:
            params = {"limit": PAGE}
            if last_id is not None:
                params["id_from"] = last_id
            response = self._request("POST", f"/api/datasets/{dataset}/TextClassification/data", dataset=dataset,
                                     params=params, json={})
            page = list(_ndjson(response.text, dataset, self.config.url))
            records.extend(page)
            if len(page) < PAGE:
                return records
            if max_records is not None and len(records) > max_records:
                raise RubrixError(f"{self.config.url} kept sending records of {dataset!r} ({len(records)} so far, more "
                                  f"than the {max_records} a pull of this session can use): stopped; is --url a "
                                  "Rubrix server, and the right dataset?")
            if page[-1].get("id") == last_id:
                raise RubrixError(_unexpected(self.config.url, "the same page again"))
            last_id = page[-1].get("id")
            if last_id is None:
                raise RubrixError(_unexpected(self.config.url, "records without an id"))


def _unexpected(url: str, what: str) -> str:
    return (f"{url} answered {what}: not a Rubrix server, or an unexpected answer; check --url "
            "(altui rubrix speaks Rubrix 0.18 / Argilla 1.0-1.4)")


def _json(response: httpx.Response, url: str) -> dict:
    """The JSON object of an answer; anything else (HTML, a list, garbage) is one clear error."""
    try:
        value = response.json()
    except ValueError:
        kind = response.headers.get("content-type", "").split(";")[0] or "no content type"
        raise RubrixError(_unexpected(url, f"something that is not JSON ({kind})")) from None
    if not isinstance(value, dict):
        raise RubrixError(_unexpected(url, f"a JSON {type(value).__name__} where an object was expected"))
    return value


def _ndjson(body: str, dataset: str, url: str = "the server") -> Iterator[dict]:
    for line in body.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise RubrixError(_unexpected(url, "a record that is not JSON")) from None
        if not isinstance(record, dict):
            raise RubrixError(_unexpected(url, f"a record that is a JSON {type(record).__name__}"))
        if "detail" in record and "id" not in record:
            raise RubrixError(f"Rubrix stopped sending dataset {dataset!r} midway ({_short(record['detail'])})")
        yield record


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return ""
    return _short(detail)


def _param(response: httpx.Response, key: str):
    try:
        return response.json()["detail"]["params"].get(key)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _short(detail) -> str:
    if isinstance(detail, dict):
        code = str(detail.get("code", "")).rsplit("::", 1)[-1]
        params = detail.get("params") or {}
        errors = params.get("errors")
        if errors:
            return f"{code}: " + "; ".join(str(e.get("msg")) for e in errors[:3])
        return f"{code}: {params.get('detail') or params.get('message') or ''}".rstrip(": ")
    return str(detail)[:200]
