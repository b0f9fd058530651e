"""Where simulate's runs go: joblib's own processes (loky), or a dask.distributed cluster.

With dask, joblib's ``dask`` backend sends the runs to the cluster's workers: the features are scattered
to the workers once (``scatter``), not shipped with every task, and joblib's auto-batching packs several
short runs into one task. Without ``--address`` a local cluster of single-threaded worker processes is
started (and stopped) for the run. The workers need altui installed (``pip install 'altui[dask]'``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

from data.errors import DataError

BACKENDS = ("loky", "dask")
CONNECT_TIMEOUT = "10s"


@dataclass(frozen=True)
class Backend:
    """Where joblib's ``Parallel`` calls run: ``n_jobs`` to give them, and :meth:`sending` around them."""

    name: str
    n_jobs: int
    client: object = None

    @contextlib.contextmanager
    def sending(self, scatter: list) -> Iterator[None]:
        """Inside, joblib runs on this backend; with dask, ``scatter`` (the features) is sent to every worker
        once and the tasks refer to it."""
        if self.client is None:
            yield
            return
        from joblib import parallel_config

        with self.client.as_current(), parallel_config(backend="dask", scatter=scatter, wait_for_workers_timeout=60):
            yield


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
    try:
        if address:
            client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        else:
            workers = (os.cpu_count() or 1) if n_jobs == -1 else n_jobs
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise DataError(f"cannot reach the dask scheduler at {address} ({type(exc).__name__}: {exc}); start one "
                        "with `dask scheduler` and workers with `dask worker ADDRESS`, or check --address") from None
    try:
        yield Backend("dask", -1, client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
