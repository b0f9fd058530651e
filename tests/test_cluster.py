"""simulate on a real dask cluster: a scheduler and two workers started here on loopback (issue 13)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from altui.cli.main import app
from conftest import TEST_CSV, TRAIN_CSV
from test_cli import assert_one_line_error

pytest.importorskip("distributed")
runner = CliRunner()
DASK = [sys.executable, "-m", "distributed.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """`dask scheduler` and two single-threaded `dask worker`s, as a user starts them by hand."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask")
    env = dict(os.environ)  # the workers import the installed altui, as a user's cluster would
    dask = Path(sys.executable).with_name("dask")
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--dashboard-address", ":0"], stdout=open(logs / "scheduler.log", "w"),
                              stderr=subprocess.STDOUT, env=env, cwd=logs)]
    try:
        _wait_for_port(port)
        for i in range(2):
            procs.append(subprocess.Popen([str(dask), "worker", address, "--nthreads", "1", "--nworkers", "1",
                                           "--host", "127.0.0.1", "--dashboard-address", ":0", "--no-nanny"],
                                          stdout=open(logs / f"worker{i}.log", "w"), stderr=subprocess.STDOUT,
                                          env=env, cwd=logs))
        _wait_for_workers(address, 2)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the dask scheduler did not listen on {port}")


def _wait_for_workers(address: str, n: int) -> None:
    from dask.distributed import Client

    with Client(address, timeout="30s", set_as_default=False) as client:
        client.wait_for_workers(n, timeout=90)


ARGS = [TRAIN_CSV, "--test", TEST_CSV, "--iterations", "4", "--repeats", "6", "-s", "uncertainty", "-s", "random"]


def test_dask_cluster_prints_the_same_table_and_writes_the_same_out_as_jobs_1(scheduler, tmp_path):
    """Acceptance 1: same table and same --out as --jobs 1."""
    one = runner.invoke(app, ["simulate", *map(str, ARGS), "--jobs", "1", "--out", str(tmp_path / "one.csv")])
    assert one.exit_code == 0, one.output
    dask = runner.invoke(app, ["simulate", *map(str, ARGS), "--backend", "dask", "--address", scheduler,
                               "--out", str(tmp_path / "dask.csv")])
    assert dask.exit_code == 0, dask.output
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "dask.csv").read_bytes()

    def rows(text: str) -> list[str]:  # the table's rows, without the wall-time column (ms per iteration)
        return [" ".join(w for w in line.split() if not re.fullmatch(r"\d+\.\d+", w))
                for line in text.splitlines() if line.strip().startswith(("uncertainty", "random"))]

    one_rows, dask_rows = rows(one.stdout), rows(dask.stdout)
    assert len(one_rows) == 4 and one_rows == dask_rows


def test_the_workers_ran_the_tasks(scheduler, tmp_path):
    from dask.distributed import Client

    def executed() -> dict:
        with Client(scheduler, set_as_default=False) as client:
            return client.run(lambda dask_worker: dask_worker.state.executed_count)

    before = executed()
    result = runner.invoke(app, ["simulate", *map(str, ARGS), "--backend", "dask", "--address", scheduler])
    assert result.exit_code == 0, result.output
    after = executed()
    assert len(after) == 2 and all(after[w] > before.get(w, 0) for w in after)  # both workers ran runs


def test_an_unreachable_scheduler_is_one_line():
    port = free_port()  # nobody listens there
    result = runner.invoke(app, ["simulate", str(TRAIN_CSV), "--backend", "dask", "--address",
                                 f"tcp://127.0.0.1:{port}"])
    assert_one_line_error(result, f"cannot reach the dask scheduler at tcp://127.0.0.1:{port}")


def test_address_without_dask_is_refused():
    result = runner.invoke(app, ["simulate", str(TRAIN_CSV), "--address", "tcp://x:1"])
    assert result.exit_code == 2 and "add --backend dask" in result.output  # options that do not go together


def test_a_socket_that_sends_garbage_is_not_a_scheduler():
    """Issue 29: dask read garbage as a message size (ArrayMemoryError "2.02 EiB"), then timed out."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(20)

    def garbage():
        try:
            for _ in range(4):
                conn, _ = server.accept()
                conn.sendall(b"\xff" * 64 + b"HTTP/1.1 200 OK\r\n")
                conn.close()
        except OSError:
            pass

    threading.Thread(target=garbage, daemon=True).start()
    port = server.getsockname()[1]
    try:
        result = runner.invoke(app, ["simulate", str(TRAIN_CSV), "--backend", "dask", "--address",
                                     f"tcp://127.0.0.1:{port}"])
    finally:
        server.close()
    assert_one_line_error(result, "does not speak dask's protocol")
