"""One HTTP call to an annotation server with retries: what the Rubrix and Argilla clients share."""

from __future__ import annotations

from collections.abc import Callable

import httpx


def send(http: httpx.Client, method: str, path: str, *, retries: int, backoff: float, timeout: float,
         sleep: Callable[[float], None], **kwargs) -> tuple[httpx.Response | None, str]:
    """The first answer below HTTP 500, or (None, what went wrong the last time) after ``retries + 1``
    tries. Refused connections, timeouts, dropped connections and 5xx are retried, waiting ``backoff``
    seconds before the first retry and twice as long before each next one."""
    problem = ""
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        try:
            response = http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            problem = f"no answer within {timeout:g} s"
            continue
        except httpx.TransportError as exc:
            problem = f"cannot connect ({type(exc).__name__})"
            continue
        if response.status_code >= 500:
            problem = f"server error HTTP {response.status_code}"
            continue
        return response, ""
    return None, problem
