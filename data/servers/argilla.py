"""An Argilla 2.x client over httpx, speaking the v1 REST contract (../shared/argilla/CONTRACT.md).

whoami and workspace check, find-or-create a dataset (TextField ``text``, LabelQuestion ``label`` with the
session's label names, metadata properties, publish), bulk upsert of records keyed by ``external_id``
(≤ 500 per call) with suggestions and responses, and paginated reading of records with responses.

The API key comes only from ``ARGILLA_API_KEY``: it is sent in a header and never written anywhere or put
in a message. Refused connections, timeouts and 5xx are retried with exponential backoff (after a 500 the
server drops the connection, so a retry also reconnects), then raised as :class:`ArgillaUnavailable` so
the caller keeps the records in the session's outbox.
"""

from __future__ import annotations

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
URL_ENV, KEY_ENV, WORKSPACE_ENV = "ARGILLA_API_URL", "ARGILLA_API_KEY", "ARGILLA_WORKSPACE"
DEFAULT_WORKSPACE = "argilla"
NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
BULK = 500  # records per bulk upsert (the server's limit)
PAGE = 1000  # records per page when reading (the server's limit)
FIELD, QUESTION = "text", "label"
NONE_OPTION = "(none)"
"""A multi-label dataset's extra option: the empty set (Argilla refuses a submitted empty selection)."""


def none_option(labels) -> str:
    """:data:`NONE_OPTION`, or a variant no label of the session is called."""
    option = NONE_OPTION
    while option in labels:
        option = f"({option})"
    return option
OLD_SERVER_HINT = "for Rubrix 0.18 or Argilla 1.0-1.4 servers use `altui rubrix`"


class ArgillaError(DataError):
    """Argilla answered, but not as hoped."""


class ArgillaUnavailable(ArgillaError):
    """Argilla could not be reached: refused, timed out or 5xx, after retries."""


class ArgillaAuthError(ArgillaError):
    """Argilla refused the key (401) or the operation (403)."""


class ArgillaNotFound(ArgillaError):
    """A workspace, dataset or record does not exist (or is not visible to this key)."""


@dataclass(frozen=True)
class ArgillaConfig:
    url: str = DEFAULT_URL
    api_key: str = field(default="", repr=False)
    workspace: str = DEFAULT_WORKSPACE
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5  # seconds before the first retry; doubled each time

    @classmethod
    def from_env(cls, url: str | None = None, workspace: str | None = None, **kwargs) -> "ArgillaConfig":
        """URL from the argument or ARGILLA_API_URL, key only from ARGILLA_API_KEY, workspace from the
        argument or ARGILLA_WORKSPACE (default ``argilla``)."""
        key = os.environ.get(KEY_ENV, "")
        if not key:
            raise ArgillaAuthError(f"no API key: set {KEY_ENV} (the key is read from the environment only)")
        workspace = workspace or os.environ.get(WORKSPACE_ENV) or DEFAULT_WORKSPACE
        check_name(workspace, "workspace")
        return cls(url=check_url(url or os.environ.get(URL_ENV) or DEFAULT_URL, URL_ENV), api_key=key,
                   workspace=workspace, **kwargs)


def check_name(name: str, what: str = "dataset") -> str:
    if not NAME.match(name or ""):
        raise ArgillaError(f"{what} name {name!r} is not valid for Argilla: use letters, digits, - and _")
    return name


@dataclass(frozen=True)
class RemoteDataset:
    id: str
    name: str
    question_id: str  # the label question's id (suggestions refer to it)
    options: tuple[str, ...]
    multi_label: bool = False  # a multi_label_selection question; its last option is none_option(labels)


class ArgillaClient:
    def __init__(self, config: ArgillaConfig, transport: httpx.BaseTransport | None = None, sleep=time.sleep,
                 jitter=random.random):
        self.config = config
        self._sleep = sleep
        self._jitter = jitter
        self._http = httpx.Client(base_url=config.url, headers={"X-Argilla-Api-Key": config.api_key},
                                  timeout=config.timeout, transport=transport)
        self._usernames: dict[str, str] = {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "ArgillaClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transport: retries and one error vocabulary
    def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        config = self.config
        response, problem = send(self._http, method, "/api/v1" + path, retries=config.retries,
                                 backoff=config.backoff, timeout=config.timeout, sleep=self._sleep,
                                 jitter=self._jitter, **kwargs)
        if response is None:
            raise ArgillaUnavailable(f"Argilla at {config.url} is not available: {problem} after "
                                     f"{config.retries + 1} tries")
        return self._check(response, path)

    def _check(self, response: httpx.Response, path: str) -> httpx.Response:
        status = response.status_code
        if status < 400:
            return response
        detail = _detail(response)
        if status == 401:
            raise ArgillaAuthError(f"Argilla at {self.config.url} refused the API key (HTTP 401); "
                                   f"set {KEY_ENV} to a valid key")
        if status == 403:
            raise ArgillaAuthError(f"Argilla at {self.config.url} forbids this to the key's user (HTTP 403: "
                                   f"{detail or 'not allowed'}); check the workspace and the user's role")
        if status == 404 and path == "/me":
            raise ArgillaError(f"{self.config.url} has no /api/v1: not an Argilla 2.x server; {OLD_SERVER_HINT}")
        if status == 404:
            raise ArgillaNotFound(f"Argilla has no such item ({detail or 'HTTP 404'})")
        if status == 409:
            raise ArgillaError(f"Argilla refused a duplicate (HTTP 409: {detail})")
        if status == 422:
            raise ArgillaError(f"Argilla refused the data (HTTP 422: {detail})")
        raise ArgillaError(f"Argilla refused the request (HTTP {status}{': ' + detail if detail else ''})")

    def _json(self, method: str, path: str, **kwargs) -> dict:
        response = self._request(method, path, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ArgillaError(f"{self.config.url} answered {path} with something that is not Argilla JSON: "
                               f"not an Argilla 2.x server, or a proxy in the way; check --url ({OLD_SERVER_HINT})")
        return body

    def _field(self, body: dict, key: str, what: str) -> str:
        """``body[key]`` as a string, or one ArgillaError naming the server, the answer and the field."""
        value = body.get(key) if isinstance(body, dict) else None
        if value is None or isinstance(value, (dict, list)):
            raise ArgillaError(f"Argilla at {self.config.url} answered {what} without a usable {key!r}; is this "
                               "Argilla 2.x?")
        return str(value)

    def _items(self, body: dict, what: str) -> list:
        items = body.get("items")
        if items is None:
            return []
        if not isinstance(items, list):
            raise ArgillaError(f"Argilla at {self.config.url} answered {what} with `items` that is not a list "
                               f"({type(items).__name__}); is this Argilla 2.x?")
        return [i for i in items if isinstance(i, dict)]

    # -- who, where
    def me(self) -> dict:
        me = self._json("GET", "/me")
        self._field(me, "id", "/me")
        if "username" not in me or "role" not in me:
            raise ArgillaError(f"{self.config.url} is not an Argilla 2.x server (its /api/v1/me has no user); "
                               f"{OLD_SERVER_HINT}")
        self._usernames[str(me.get("id"))] = str(me["username"])
        return me

    def workspace_id(self) -> str:
        items = self._items(self._json("GET", "/me/workspaces"), "/me/workspaces")
        for workspace in items:
            if workspace.get("name") == self.config.workspace:
                return self._field(workspace, "id", "a workspace")
        names = ", ".join(sorted(str(w.get("name")) for w in items if isinstance(w, dict))) or "none"
        raise ArgillaNotFound(f"workspace {self.config.workspace!r} is not one of this key's user's "
                              f"(they are: {names}); set --workspace or {WORKSPACE_ENV}")

    def username(self, user_id: str) -> str:
        """A user's name (owner/admin keys can read users; otherwise the id stands in)."""
        if user_id not in self._usernames:
            try:
                self._usernames[user_id] = str(self._json("GET", f"/users/{user_id}").get("username") or user_id)
            except (ArgillaAuthError, ArgillaNotFound):
                self._usernames[user_id] = user_id
        return self._usernames[user_id]

    # -- datasets
    def find_dataset(self, workspace_id: str, name: str) -> dict | None:
        items = self._items(self._json("GET", "/me/datasets", params={"workspace_id": workspace_id, "name": name}),
                            "/me/datasets")
        matches = [d for d in items if d.get("name") == name]
        return matches[0] if matches else None

    def ensure_dataset(self, name: str, labels: list[str], metadata: list[str], guidelines: str = "",
                       multi_label: bool = False) -> RemoteDataset:
        """The dataset ``name`` of the workspace, created and published (with ``labels`` as the options of
        its label question and ``metadata`` as terms properties) if it does not exist yet. ``multi_label``: a
        multi_label_selection question, with :func:`none_option` for the empty set."""
        check_name(name)
        workspace = self.workspace_id()
        found = self.find_dataset(workspace, name)
        if found is None:
            body = {"name": name, "workspace_id": workspace, "guidelines": guidelines or None,
                    "allow_extra_metadata": False, "distribution": {"strategy": "overlap", "min_submitted": 1}}
            try:
                found = self._json("POST", "/datasets", json=body)
            except ArgillaUnavailable:
                # the create may have landed before the answer was lost: look it up before creating it again
                found = self.find_dataset(workspace, name) or self._json("POST", "/datasets", json=body)
            dataset_id = self._field(found, "id", "the new dataset")
            self._json("POST", f"/datasets/{dataset_id}/fields", json={
                "name": FIELD, "title": "Text", "required": True,
                "settings": {"type": "text", "use_markdown": False}})
            options = labels + [none_option(labels)] if multi_label else labels
            self._json("POST", f"/datasets/{dataset_id}/questions", json={
                "name": QUESTION, "title": "Labels" if multi_label else "Label", "required": True,
                "settings": {"type": "multi_label_selection" if multi_label else "label_selection",
                             "options": [{"value": n, "text": n} for n in options]}})
            for key in metadata:
                self._json("POST", f"/datasets/{dataset_id}/metadata-properties", json={
                    "name": key, "title": key, "settings": {"type": "terms"}, "visible_for_annotators": True})
            found = self._json("PUT", f"/datasets/{dataset_id}/publish")
        return self.remote(found, name, labels, multi_label)

    def remote(self, dataset: dict, name: str, labels: list[str], multi_label: bool = False) -> RemoteDataset:
        dataset_id = self._field(dataset, "id", f"the dataset {name!r}")
        questions = self._items(self._json("GET", f"/datasets/{dataset_id}/questions"), "the questions")
        question = next((q for q in questions if q.get("name") == QUESTION), None)
        settings = (question or {}).get("settings") or {}
        kind = settings.get("type")
        if question is None or kind not in ("label_selection", "multi_label_selection"):
            raise ArgillaError(f"Argilla dataset {name!r} has no label question {QUESTION!r}: it was not made "
                               "by altui; push to a new --dataset name")
        if (kind == "multi_label_selection") != multi_label:
            raise ArgillaError(f"Argilla dataset {name!r} asks for {'several labels' if not multi_label else 'one label'}"
                               f" a text, this session for {'several' if multi_label else 'one'}; push to a new "
                               "--dataset name")
        options = tuple(str(o.get("value")) for o in settings.get("options") or [] if isinstance(o, dict))
        missing = [n for n in labels if n not in options]
        if missing:
            raise ArgillaError(f"Argilla dataset {name!r} has the labels {', '.join(options)}, not "
                               f"{', '.join(missing)}; push to a new --dataset name")
        if dataset.get("status") != "ready":
            self._json("PUT", f"/datasets/{dataset_id}/publish")
        return RemoteDataset(dataset_id, name, self._field(question, "id", "the label question"), options, multi_label)

    # -- records
    def upsert(self, dataset: RemoteDataset, items: list[dict]) -> int:
        """Create or update records by ``external_id`` (≤ 500 per call); returns how many were written."""
        written = 0
        for start in range(0, len(items), BULK):
            reply = self._json("PUT", f"/datasets/{dataset.id}/records/bulk", json={"items": items[start:start + BULK]})
            written += len(reply.get("items") or [])
        return written

    def records(self, dataset: RemoteDataset, max_records: int | None = None) -> Iterator[dict]:
        """Every record of the dataset with its responses, page by page (oldest first). ``max_records`` bounds a
        server that pages forever (full pages of records again and again): past it, one ArgillaError."""
        offset = 0
        while True:
            if max_records is not None and offset > max_records:
                raise ArgillaError(f"Argilla at {self.config.url} kept sending records of {dataset.name!r} ({offset} "
                                   f"so far, more than the {max_records} a pull of this session can use): stopped; is "
                                   "this Argilla 2.x, and the right dataset?")
            page = self._json("GET", f"/datasets/{dataset.id}/records",
                              params={"include": "responses", "offset": offset, "limit": PAGE})
            raw = page.get("items")
            if raw is None:
                raw = []
            if not isinstance(raw, list):
                raise ArgillaError(f"Argilla at {self.config.url} answered the records of {dataset.name!r} with "
                                   f"`items` that is not a list ({type(raw).__name__}); is this Argilla 2.x?")
            items = [r for r in raw if isinstance(r, dict)]
            yield from items
            offset += len(raw)
            # paging follows what arrived, not what the server claims: a short or empty page is the last one,
            # so a `total` of 10**12 (or "lots") cannot keep a pull going forever
            if len(raw) < PAGE or not raw:
                return


def _detail(response: httpx.Response) -> str:
    """The server's message: ``detail`` is a string (404, 409, data 422) or an object with params."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return ""
    if isinstance(detail, dict):
        params = detail.get("params") or {}
        errors = params.get("errors") if isinstance(params, dict) else None
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("msg", ""))[:300]
        return str(params.get("detail") or params.get("message") or detail.get("code") or "")[:300]
    return " ".join(str(detail).split())[:300]
