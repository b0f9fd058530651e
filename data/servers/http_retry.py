"""One HTTP call to an annotation server with retries: what the Rubrix and Argilla clients share.

``timeout`` is a deadline for the whole answer, not for each read: a server that trickles one byte every
half second is cut off when the deadline passes (httpx's own timeout restarts at every byte). The body is
read in chunks and the clock is checked between them.
"""

from __future__ import annotations

import random
import re
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


URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f/?#]+(/[^\s\x00-\x1f\x7f-\x9f]*)?")


def check_url(url: str, env: str) -> str:
    """``url`` as given (without a trailing /), or one DataError: http(s), a host, no spaces or control
    characters (which would reach a terminal or an HTTP request line)."""
    if not URL.fullmatch(url or ""):
        from altui.data.errors import DataError

        raise DataError(f"{url!r} is not a server URL: give http://HOST:PORT or https://HOST (--url or {env})")
    return url.rstrip("/")


IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
MAX_RETRY_AFTER = 60.0  # seconds: a longer Retry-After is waited this long at most


def _host(location: str) -> str:
    """Where a redirect points, for a message: its host only (no path, query or credentials), made printable."""
    host = httpx.URL(location).host if "://" in location else "the same host"
    return "".join(c if c.isprintable() else "?" for c in host)[:80] or "an unknown host"


def retry_after(response: httpx.Response, uncapped: bool = False) -> float | None:
    """The server's Retry-After (seconds, or an HTTP date), or None; at most :data:`MAX_RETRY_AFTER` unless
    ``uncapped`` (the caller compares it with its own deadline)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return max(seconds, 0.0) if uncapped else min(max(seconds, 0.0), MAX_RETRY_AFTER)


def send(http: httpx.Client, method: str, path: str, *, retries: int, backoff: float, timeout: float,
         sleep: Callable[[float], None], idempotent: bool | None = None,
         jitter: Callable[[], float] = random.random, **kwargs) -> tuple[httpx.Response | None, str]:
    """The first answer below HTTP 500 (and not 429), or (None, what went wrong the last time).

    What is retried, waiting ``backoff`` seconds before the first retry and twice as long before each next
    one, each wait scaled by 0.5-1.5 (``jitter``) so clients do not retry in step:
    * every request, when it cannot have arrived (the connection was refused or not made), and after 429 or
      503, waiting at least the server's Retry-After;
    * an idempotent request (GET, PUT, DELETE; or ``idempotent=True``, e.g. an upsert by id) also after a
      timeout (``timeout`` seconds for the whole answer), a dropped connection or another 5xx;
    * a create (POST) is not sent twice when the first may have landed: the caller looks it up instead.

    The waits add up to at most ``timeout * (retries + 1)`` seconds (and each attempt to at most ``timeout``): a
    Retry-After longer than what is left ends the call at once, never a silence of minutes. A redirect (3xx) is an
    answer the caller cannot use: nothing was stored, and the key is never sent on to another host.
    """
    idempotent = method.upper() in IDEMPOTENT if idempotent is None else idempotent
    problem = ""
    wait_at_least = 0.0
    budget, waited = timeout * (retries + 1), 0.0
    for attempt in range(retries + 1):
        if attempt:
            wait = max(backoff * 2 ** (attempt - 1) * (0.5 + jitter()), wait_at_least)
            if waited + wait > budget:
                asked = f" (it asked to retry after {wait_at_least:g} s)" if wait_at_least else ""
                return None, problem + asked + f"; this command waits {budget:g} s at most (--timeout)"
            sleep(wait)
            waited += wait
        wait_at_least = 0.0
        try:
            response = _fetch(http, method, path, time.monotonic() + timeout, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # never sent: safe to send again
            problem = f"cannot connect ({type(exc).__name__})"
            continue
        except (httpx.TimeoutException, _DeadlinePassed):
            problem = f"no complete answer within {timeout:g} s"
            if not idempotent:
                return None, problem + " (not sent again: it may have arrived)"
            continue
        except httpx.DecodingError:
            problem = "an answer that could not be decoded (a compressed body that is not)"
            continue
        except httpx.TransportError as exc:
            problem = f"cannot connect ({type(exc).__name__})"
            if not idempotent:
                return None, problem + " (not sent again: it may have arrived)"
            continue
        if 300 <= response.status_code < 400:
            where = response.headers.get("location", "")
            return None, (f"a redirect (HTTP {response.status_code}{' to ' + _host(where) if where else ''}): "
                          "nothing was stored; give the server's own URL with --url")
        if response.status_code in (429, 503):
            problem = f"busy: HTTP {response.status_code}"
            wait_at_least = retry_after(response, uncapped=True) or 0.0
            continue
        if response.status_code >= 500:
            problem = f"server error HTTP {response.status_code}"
            if not idempotent:
                return None, problem + " (not sent again: it may have arrived)"
            continue
        return response, ""
    return None, problem
