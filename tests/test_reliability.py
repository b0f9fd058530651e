"""The bad-input and fault corpus of issue 9: foreign and damaged session files, odd label values under any
hash seed, servers that are not Rubrix, a full disk. Each case: exit code, one clear line, no traceback,
nothing lost, and files that are not ours left byte-identical."""

from __future__ import annotations

import http.server
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import uuid

import pytest
from typer.testing import CliRunner

from altui.cli.main import app as cli
from conftest import ROOT, TEST_CSV, TRAIN_CSV, write_csv
from altui.data.files.corpus import load_corpus
from altui.data.errors import DataError
from altui.data.sessions.session import LabelingSession
from test_cli import assert_one_line_error
from test_cli_session import labeled_session  # noqa: F401 (a fixture)

runner = CliRunner()


def run(*args):
    return runner.invoke(cli, [str(a) for a in args])


def _foreign_sqlite(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    db.execute("INSERT INTO notes (body) VALUES ('mine, not altui''s')")
    db.commit()
    db.close()


def _session_with_meta(path, **meta):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
    db.commit()
    db.close()


FOREIGN = {
    "a foreign SQLite database": (_foreign_sqlite, "is not an altui session file"),
    "a 0-byte file": (lambda p: p.write_bytes(b""), "is not an altui session file"),
    "a text file": (lambda p: p.write_text("hello, I am a text file\n" * 50), "is not an altui session file"),
    "a newer schema": (lambda p: _session_with_meta(p, schema_version="99", info="{}"), "session schema 99"),
    "settings that are not JSON": (lambda p: _session_with_meta(p, schema_version="1", info="{not json"),
                                   "the session's settings are damaged"),
    "a garbage schema version": (lambda p: _session_with_meta(p, schema_version="one", info="{}"),
                                 "session schema -1"),
}


@pytest.mark.parametrize("command", ["status", "export", "label"])
@pytest.mark.parametrize("case", list(FOREIGN))
def test_files_that_are_not_sessions_are_refused_and_left_byte_identical(tmp_path, case, command):
    make, fragment = FOREIGN[case]
    path = tmp_path / "thing.db"
    make(path)
    before = path.read_bytes()
    listing = sorted(p.name for p in tmp_path.iterdir())
    args = [command, path] if command != "label" else ["label", TRAIN_CSV, "--test", TEST_CSV, "--session", path]
    assert_one_line_error(run(*args), fragment)
    assert path.read_bytes() == before
    extra = sorted(p.name for p in tmp_path.iterdir())
    assert [n for n in extra if n not in listing] in ([], ["thing.db.lock"])  # only our own lock, never -wal/-shm


@pytest.fixture
def session_file(labeled_session):
    return labeled_session[0]


def _truncate(path):
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.truncate(size // 2)


def _corrupt_pages(path):
    data = bytearray(path.read_bytes())
    for offset in range(4096, len(data), 4096):
        data[offset + 8 : offset + 200] = os.urandom(192)
    path.write_bytes(bytes(data))


def _bad_event_row(path):
    db = sqlite3.connect(path)
    db.execute("UPDATE events SET label = 'not a class' WHERE seq = 2")
    db.execute("UPDATE batches SET items = '[not json' ")
    db.commit()
    db.close()


DAMAGE = {"truncated": _truncate, "pages overwritten": _corrupt_pages, "bad rows": _bad_event_row}


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("command", ["status", "export", "label"])
def test_damaged_sessions_are_one_clear_line(session_file, damage, command):
    sqlite3.connect(session_file).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    DAMAGE[damage](session_file)
    args = [command, session_file] if command != "label" else ["label", TRAIN_CSV, "--test", TEST_CSV,
                                                                 "--session", session_file]
    result = run(*args)
    assert_one_line_error(result, "")
    assert any(word in result.stderr for word in ("damaged", "not an altui session")), result.stderr


SEEDS = ["0", "1", "2", "3", "42", "random"]


def test_missing_label_values_mean_unlabeled_whatever_the_hash_seed(tmp_path):
    rows = [["id", "text", "label"]]
    for i in range(40):
        rows.append([f"r{i}", f"text number {i} {'spam offer' if i % 2 else 'nice song'}",
                     ["b", "a", "NaN", "", "None", "null"][i % 6]])
    data = write_csv(tmp_path / "nan.csv", rows)
    code = ("import sys; from altui.data.files.corpus import load_corpus; "
            "c = load_corpus(sys.argv[2], seed=0); "
            "print(list(c.labels.values), int((c.y_train < 0).sum()), c.train.fingerprint[:12])")
    outputs = set()
    for seed in SEEDS:
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", code, str(ROOT), str(data)], capture_output=True, text=True,
                              env=env, check=True)
        outputs.add(done.stdout.strip())
    assert len(outputs) == 1, outputs
    assert outputs.pop().startswith("['a', 'b']")


class _Garbage(http.server.BaseHTTPRequestHandler):
    body = b"<html><body>Welcome to nginx!</body></html>"
    content_type = "text/html"

    def _answer(self):
        self.send_response(200)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("body, content_type", [
    (b"<html><body>Welcome to nginx!</body></html>", "text/html"),
    (b"[1, 2, 3]", "application/json"),
    (b'{"username": "x", "workspaces": "oops"}\n{"detail"', "application/json"),
])
@pytest.mark.parametrize("verb", ["push", "pull"])
def test_a_server_that_is_not_rubrix_is_one_clear_line(session_file, monkeypatch, body, content_type, verb):
    handler = type("Handler", (_Garbage,), {"body": body, "content_type": content_type})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("RUBRIX_API_KEY", "k")
        result = run("rubrix", verb, session_file, "--dataset", "d", "--url",
                     f"http://127.0.0.1:{server.server_address[1]}", "--timeout", "5")
    finally:
        server.shutdown()
    assert_one_line_error(result, "")
    assert "not a Rubrix server" in result.stderr or "unexpected" in result.stderr or "refused" in result.stderr


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs (root only; skipped elsewhere), unmounted afterwards."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk is made with a small tmpfs, which needs root")
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk):
    """Fill the small disk up; the returned file, removed, gives the room back."""
    filler = disk / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_refuses_the_answer_loses_nothing_and_recovers(small_disk):
    corpus = load_corpus(str(TRAIN_CSV), str(TEST_CSV))
    session = LabelingSession.open(corpus, small_disk / "s.db", batch_size=10, info_extra={"test_path": str(TEST_CSV)})
    y = [int(v) for v in corpus.train.labels]
    for _ in range(3):
        session.answer(y[session.current()])
    filler = fill(small_disk)
    current = session.current()
    refused = 0
    for _ in range(200):  # until SQLite has to grow the file: then the answer is refused, not shown as saved
        try:
            session.answer(y[session.current()])
        except DataError as exc:
            assert "could not be written" in str(exc)
            refused += 1
            break
    assert refused == 1
    assert session.current() is not None
    saved = len(session.answers())
    filler.unlink()
    current = session.current()
    session.answer(y[current])  # the disk has room again: the same app goes on
    assert len(session.answers()) == saved + 1
    session.close()
    reopened = LabelingSession.resume(small_disk / "s.db")
    assert len(reopened.answers()) == saved + 1
    reopened.close()


async def test_r_in_the_app_against_a_server_that_is_not_rubrix_keeps_the_app_running(tmp_path):
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app = make_app(LabelConfig(data=str(TRAIN_CSV), test=str(TEST_CSV), session=str(tmp_path / "s.db"),
                                   rubrix_dataset="d", rubrix_url=f"http://127.0.0.1:{server.server_address[1]}"))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("r")
            for _ in range(50):  # the pull fails in its worker (retries with backoff); the app says so
                await pilot.pause(0.1)
                messages = [n.message for n in app._notifications]
                if any("Rubrix pull failed" in m for m in messages):
                    break
            assert any("Rubrix pull failed" in m and "not a Rubrix server" in m for m in messages), messages
            before = len(app.session.answers())
            await pilot.press("1")  # still labeling
            assert len(app.session.answers()) == before + 1
    finally:
        server.shutdown()


def test_resume_and_merge_on_a_full_disk_are_one_line(small_disk):
    """Issue 29: writing the lock on a full disk was an OSError traceback."""
    from typer.testing import CliRunner

    from altui.cli.main import app as cli
    from altui.data.sessions.session_lock import SessionLock

    corpus = load_corpus(str(TRAIN_CSV), str(TEST_CSV))
    for name in ("a.db", "b.db"):
        session = LabelingSession.open(corpus, small_disk / name, writer=True)
        session.answer(0)
        session.close()
    filler = fill(small_disk)
    (small_disk / "a.db.lock").write_bytes(b"")  # the lock file exists, empty: its holder line cannot be written
    lock = SessionLock(small_disk / "a.db").acquire()  # the flock is held all the same
    lock.release()
    result = CliRunner().invoke(cli, ["merge", str(small_disk / "a.db"), str(small_disk / "b.db"), "-o",
                                      str(small_disk / "t.db")])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (small_disk / "t.db").exists()
    filler.unlink()
