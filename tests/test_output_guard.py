"""No output over a session's own files, devices and pipes written to, links followed (issue 29)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading

import pytest
from typer.testing import CliRunner

from conftest import ROOT, TRAIN_CSV
from altui.cli.main import app as cli

runner = CliRunner()

ANSWER_AND_DIE = """
import os, sys
sys.path.insert(0, sys.argv[3])
from altui.data.files.corpus import load_corpus
from altui.data.sessions.session import LabelingSession
corpus = load_corpus(sys.argv[1])
session = LabelingSession.open(corpus, sys.argv[2], writer=True)
for label in (0, 1, 0, 1, 0):
    session.answer(label)
os._exit(0)  # like kill -9: no close, the answers stay in the write-ahead log
"""


@pytest.fixture
def killed_session(tmp_path):
    """A session whose 5 answers are in its -wal (its writer died), with its lock file beside it."""
    path = tmp_path / "s.db"
    env = dict(os.environ)
    subprocess.run([sys.executable, "-c", ANSWER_AND_DIE, str(TRAIN_CSV), str(path), str(ROOT.parent)],
                   check=True, env=env, cwd=tmp_path)
    assert (tmp_path / "s.db-wal").exists() and (tmp_path / "s.db.lock").exists()
    return path


ROWS = 7  # the 5 answers and 2 identical copies of answered texts (source duplicate)


def answers_in(path) -> int:
    result = runner.invoke(cli, ["export", str(path), "-o", "-"])
    assert result.exit_code == 0, result.output
    return len(result.stdout.strip().splitlines()) - 1


@pytest.mark.parametrize("companion", ["-wal", "-shm", ".lock", "-journal"])
def test_no_output_over_a_sessions_own_files(killed_session, companion):
    target = f"{killed_session}{companion}"
    before = open(target, "rb").read() if os.path.exists(target) else None
    for command in (["export", str(killed_session), "-o", target], ["train", str(killed_session), "-o", target],
                    ["predict", str(killed_session), "-o", target]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 1, (command, result.output)
        assert "would destroy it" in result.output and "Traceback" not in result.output
    after = open(target, "rb").read() if os.path.exists(target) else None
    if companion != "-shm":  # SQLite's own shared-memory index is rebuilt by any reader: ours to leave to it
        assert after == before
    assert answers_in(killed_session) == ROWS  # nothing lost


def test_a_link_to_a_sessions_file_is_refused_too(killed_session, tmp_path):
    link = tmp_path / "innocent.csv"
    link.symlink_to(f"{killed_session}-wal")
    result = runner.invoke(cli, ["export", str(killed_session), "-o", str(link)])
    assert result.exit_code == 1 and "write-ahead log" in result.output
    assert answers_in(killed_session) == ROWS


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root (CI runs as root)")
def test_a_device_is_written_to_never_replaced(killed_session, tmp_path):
    # our own null device, not /dev/null: an altui that renamed over devices would replace this one only
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    result = runner.invoke(cli, ["export", str(killed_session), "-o", str(device)])
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.stat(device).st_mode)  # still the device
    assert not (tmp_path / "null.meta.json").exists()  # nothing written beside a device


def test_a_pipe_receives_the_export(killed_session, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo, encoding="utf-8").read()), daemon=True)
    reader.start()
    result = runner.invoke(cli, ["export", str(killed_session), "-o", str(fifo)])
    reader.join(timeout=20)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and received and received[0].count("\n") == ROWS + 1
    assert not (tmp_path / "pipe.meta.json").exists()


def test_a_link_to_a_file_stays_a_link(killed_session, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "labels.csv"
    link.symlink_to(real)
    result = runner.invoke(cli, ["export", str(killed_session), "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and real.read_text().count("\n") == ROWS + 1


def test_simulate_never_writes_over_its_seed_terms_or_label_descriptions(tmp_path):
    terms = tmp_path / "terms.txt"
    terms.write_text("spam=subscribe,my channel\n")
    descriptions = tmp_path / "labels.txt"
    descriptions.write_text("spam: advertising\n")
    for out, extra in ((terms, ["--seed-terms", str(terms)]), (descriptions, ["--label-descriptions", str(descriptions)])):
        before = out.read_text()
        result = runner.invoke(cli, ["simulate", str(TRAIN_CSV), "--iterations", "1", "--repeats", "1", *extra,
                                     "--out", str(out)])
        assert result.exit_code == 1 and "would destroy it" in result.output, result.output
        assert out.read_text() == before


EXPORT_AND_DIE = """
import os, sys
sys.path.insert(0, sys.argv[1])
import altui.data.files.output_paths as paths
def die(*args):  # killed after the new file is written, before it replaces the old one
    os._exit(9) if sys.argv[4] == "kill" else os.kill(os.getpid(), 15)
paths.os.replace = die
from altui.cli import run
sys.argv = ["altui", "export", sys.argv[2], "-o", sys.argv[3]]
run()
"""


@pytest.mark.parametrize("how", ["kill", "term"])
def test_export_killed_or_stopped_leaves_the_earlier_file_whole(killed_session, tmp_path, how):
    out = tmp_path / "labels.csv"
    out.write_text("the earlier export\n")
    done = subprocess.run([sys.executable, "-c", EXPORT_AND_DIE, str(ROOT.parent), str(killed_session), str(out), how])
    assert done.returncode != 0
    assert out.read_text() == "the earlier export\n"
    assert answers_in(killed_session) == ROWS
