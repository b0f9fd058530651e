"""Where simulate's runs go: joblib's own processes (loky), or a dask.distributed cluster.

With dask, the runs go to the cluster's workers: the features are scattered to the workers once, not shipped
with every task, and several runs are packed into one task (about four tasks per worker). (joblib's own dask
backend ran the same YouTube grid no faster than one core here; explicit scatter and packing gave the
speed-up: bench/bench_simulate_cluster.py.) Without ``--address`` a local cluster of single-threaded worker processes is
started (and stopped) for the run. The workers need altui installed (``pip install 'altui[dask]'``).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from altui.data.errors import DataError

BACKENDS = ("loky", "dask")
CONNECT_TIMEOUT = "10s"
TASKS_PER_WORKER = 4  # runs are packed into about this many tasks per worker


@dataclass(frozen=True)
class Backend:
    """Where simulate's runs go. ``n_jobs`` is for joblib (loky); a dask backend has a client and runs them with
    :meth:`run_tasks`."""

    name: str
    n_jobs: int
    client: object = None

    @property
    def run_tasks(self):
        """None (joblib on this machine), or a function that runs joblib ``delayed`` calls on the cluster."""
        return None if self.client is None else self._on_cluster

    def _on_cluster(self, calls: list) -> Iterator:
        """Run ``calls`` on the workers and yield their results in order.

        Arrays and matrices (the features, the labels) are scattered to every worker once and the tasks refer
        to them; the calls are packed into tasks of several runs (about four tasks per worker), so short runs
        are worth shipping."""
        client = self.client
        shared: dict[int, object] = {}
        for _, args, _ in calls:
            for arg in args:
                if isinstance(arg, (np.ndarray, sp.spmatrix)) and id(arg) not in shared:
                    shared[id(arg)] = arg
        futures = dict(zip(shared, client.scatter(list(shared.values()), broadcast=True))) if shared else {}
        packed = [(fn, tuple(futures.get(id(a), a) for a in args), kwargs)
                  for fn, args, kwargs in calls]
        workers = max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
        size = max(1, math.ceil(len(packed) / (TASKS_PER_WORKER * workers)))
        chunks = [packed[i : i + size] for i in range(0, len(packed), size)]
        tasks = [client.submit(_run_chunk, chunk, pure=False) for chunk in chunks]
        for task in tasks:
            yield from task.result()


def _run_chunk(calls: list) -> list:
    """On a worker: a few runs, one after the other (scattered arguments arrive as their values)."""
    return [fn(*args, **kwargs) for fn, args, kwargs in calls]


ADDRESS = re.compile(r"(?:(tcp|tls)://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})")
PROBE_SECONDS = 5.0


def check_scheduler(address: str) -> str:
    """``address`` checked before dask sees it: ``tcp://HOST:PORT`` (or ``tls://``, or ``HOST:PORT``), and for tcp
    a scheduler that answers as one. A dask scheduler speaks first (its handshake) the moment a connection
    opens; a web server or anything else stays silent, and dask would wait for it without end."""
    match = ADDRESS.fullmatch(address.strip())
    if match is None:
        raise DataError(f"--address {address!r} is not a dask scheduler address; give tcp://HOST:PORT (a "
                        "scheduler prints it when it starts, e.g. tcp://10.0.0.5:8786)")
    scheme, host, port = match.group(1) or "tcp", match.group(2).strip("[]"), int(match.group(3))
    if not 0 < port < 65536:
        raise DataError(f"--address {address!r}: the port must be 1-65535")
    if scheme == "tcp":
        try:
            with socket.create_connection((host, port), timeout=PROBE_SECONDS) as probe:
                probe.settimeout(PROBE_SECONDS)
                first = _first_bytes(probe, 8)
        except socket.timeout:
            raise DataError(f"{scheme}://{host}:{port} accepts connections but does not answer as a dask scheduler "
                            f"(nothing in {PROBE_SECONDS:g} s: a web server?); check --address") from None
        except OSError as exc:
            raise DataError(f"cannot reach the dask scheduler at {scheme}://{host}:{port} ({exc.strerror or exc}); "
                            "start one with `dask scheduler`, or check --address") from None
        if not first:
            raise DataError(f"{scheme}://{host}:{port} closed the connection at once: not a dask scheduler; "
                            "check --address")
        # dask's TCP messages start with their size (8 bytes, little-endian): garbage read as one is exabytes
        if len(first) == 8 and int.from_bytes(first, "little") > MAX_HANDSHAKE:
            raise DataError(f"{scheme}://{host}:{port} does not speak dask's protocol (its first message would be "
                            f"{int.from_bytes(first, 'little'):,} bytes): not a dask scheduler; check --address")
    return f"{scheme}://{match.group(2)}:{port}"


MAX_HANDSHAKE = 64 * 1024 * 1024  # bytes: a scheduler's first message is a few hundred


def _first_bytes(probe: socket.socket, n: int) -> bytes:
    """Up to ``n`` bytes of what the peer says first (fewer if it stops or closes)."""
    got = b""
    while len(got) < n:
        try:
            chunk = probe.recv(n - len(got))
        except socket.timeout:
            if got:
                break
            raise
        if not chunk:
            break
        got += chunk
    return got


@contextlib.contextmanager
def connect(backend: str, address: str | None, n_jobs: int) -> Iterator[Backend]:
    """The backend, connected (a dask scheduler that cannot be reached is one DataError), closed afterwards."""
    if backend == "loky":
        if address:
            raise DataError("--address goes with --backend dask")
        yield Backend("loky", n_jobs)
        return
    if backend != "dask":
        raise DataError(f"unknown backend {backend!r}: use --backend loky or --backend dask")
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise DataError("--backend dask needs dask.distributed: pip install 'altui[dask]'") from None
    cluster = None
    if address:
        address = check_scheduler(address)
    try:
        if address:
            client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        else:
            workers = (os.cpu_count() or 1) if n_jobs == -1 else n_jobs
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster, set_as_default=False)
    except (OSError, TimeoutError, ValueError, MemoryError) as exc:
        if cluster is not None:
            cluster.close()
        raise DataError(f"cannot reach the dask scheduler at {address} ({type(exc).__name__}: {exc}); start one "
                        "with `dask scheduler` and workers with `dask worker ADDRESS`, or check --address") from None
    try:
        client.wait_for_workers(1, timeout=60)
        yield Backend("dask", -1, client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
