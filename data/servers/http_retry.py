"""One HTTP call to an annotation server with retries: what the Rubrix and Argilla clients share.

``timeout`` is a deadline for the whole answer, not for each read: a server that trickles one byte every
half second is cut off when the deadline passes (httpx's own timeout restarts at every byte). The body is
read in chunks and the clock is checked between them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

_DROPPED = {"content-encoding", "content-length", "transfer-encoding"}  # the body below is already decoded


class _DeadlinePassed(Exception):
    pass


def _fetch(http: httpx.Client, method: str, path: str, deadline: float, **kwargs) -> httpx.Response:
    """The whole answer (status, headers, decoded body) before ``deadline`` (time.monotonic), or _DeadlinePassed."""
    with http.stream(method, path, **kwargs) as streamed:
        chunks = []
        for chunk in streamed.iter_bytes():
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise _DeadlinePassed()
        headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _DROPPED]
        return httpx.Response(streamed.status_code, headers=headers, content=b"".join(chunks),
                              request=streamed.request)


def send(http: httpx.Client, method: str, path: str, *, retries: int, backoff: float, timeout: float,
         sleep: Callable[[float], None], **kwargs) -> tuple[httpx.Response | None, str]:
    """The first answer below HTTP 500, or (None, what went wrong the last time) after ``retries + 1``
    tries. Refused connections, timeouts (each try has ``timeout`` seconds for the whole answer), dropped
    connections and 5xx are retried, waiting ``backoff`` seconds before the first retry and twice as long
    before each next one."""
    problem = ""
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        try:
            response = _fetch(http, method, path, time.monotonic() + timeout, **kwargs)
        except (httpx.TimeoutException, _DeadlinePassed):
            problem = f"no complete answer within {timeout:g} s"
            continue
        except httpx.DecodingError:
            problem = "an answer that could not be decoded (a compressed body that is not)"
            continue
        except httpx.TransportError as exc:
            problem = f"cannot connect ({type(exc).__name__})"
            continue
        if response.status_code >= 500:
            problem = f"server error HTTP {response.status_code}"
            continue
        return response, ""
    return None, problem
