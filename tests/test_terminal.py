"""`altui label` in a real pseudo-terminal: SIGTERM and SIGHUP restore the terminal and keep every answer;
without a terminal it says so and exits (issue 9)."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, TEST_CSV, TRAIN_CSV

ALT_SCREEN_OFF = b"\x1b[?1049l"


def read_until(fd: int, needle: bytes, seconds: float) -> bytes:
    out = b""
    deadline = time.monotonic() + seconds
    while needle not in out and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_restores_the_terminal_and_keeps_the_answers(tmp_path, signum):
    session = tmp_path / "s.db"
    main, child = pty.openpty()
    env = dict(os.environ, COLUMNS="100", LINES="30", TERM="xterm-256color")
    process = subprocess.Popen(
        [sys.executable, "-m", "altui", "label", str(TRAIN_CSV), "--test", str(TEST_CSV),
         "--session", str(session)],
        stdin=child, stdout=child, stderr=child, env=env, cwd=ROOT, start_new_session=True,
    )
    os.close(child)
    try:
        screen = read_until(main, b"Quit", 60)  # the footer: the app is on screen
        assert b"Quit" in screen, screen[-2000:]
        for key in (b"1", b"2", b"1"):
            os.write(main, key)
            time.sleep(0.3)
        read_until(main, b"never-printed", 1.5)  # let the answers land
        process.send_signal(signum)
        rest = read_until(main, b"session saved", 20)
        assert process.wait(20) == 128 + signum
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    assert ALT_SCREEN_OFF in rest  # the alternate screen was left, so the shell's screen is back
    assert rest.rfind(ALT_SCREEN_OFF) > rest.rfind(b"\x1b[?1049h")
    from altui.data.sessions.store import SessionStore

    store = SessionStore.open_existing(session, readonly=True)
    assert len(store.answers()) == 3
    store.close()


def test_without_a_terminal_label_says_so_and_exits(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "altui", "label", str(TRAIN_CSV), "--test", str(TEST_CSV),
         "--session", str(tmp_path / "s.db")],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: altui label needs a terminal (stdin and stdout are not one); run it in a terminal, or use "
        "`altui simulate` for runs without a person"
    ]


def test_an_ssh_drop_closed_terminal_then_sighup_exits_129_and_keeps_the_answers(tmp_path):
    """Issue 20: the pty is gone (the SSH connection dropped) before SIGHUP arrives; the app must still leave,
    with 129, within its deadline, every answer kept."""
    session = tmp_path / "s.db"
    main, child = pty.openpty()
    env = dict(os.environ, COLUMNS="100", LINES="30", TERM="xterm-256color")
    process = subprocess.Popen(
        [sys.executable, "-m", "altui", "label", str(TRAIN_CSV), "--test", str(TEST_CSV), "--session", str(session)],
        stdin=child, stdout=child, stderr=child, env=env, cwd=ROOT, start_new_session=True,
    )
    os.close(child)
    try:
        screen = read_until(main, b"Quit", 60)
        assert b"Quit" in screen, screen[-2000:]
        for key in (b"1", b"2"):
            os.write(main, key)
            time.sleep(0.3)
        read_until(main, b"never-printed", 1.5)
        os.close(main)  # the terminal goes away first
        main = None
        time.sleep(0.3)
        process.send_signal(signal.SIGHUP)
        assert process.wait(15) == 129  # a hang guard: the app leaves by itself well before this
    finally:
        if process.poll() is None:
            process.kill()
        if main is not None:
            os.close(main)
    from altui.data.sessions.store import SessionStore

    store = SessionStore.open_existing(session, readonly=True)
    assert len(store.answers()) == 2
    store.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_review_exits_with_128_plus_the_signal(tmp_path, signum):
    """Issue 29: SIGTERM/SIGHUP to `altui review` exited 0."""
    from altui.data.files.corpus import load_corpus
    from altui.data.sessions.session import LabelingSession

    session = tmp_path / "s.db"
    s = LabelingSession.open(load_corpus(str(TRAIN_CSV)), session)
    for i in range(12):
        s.answer(i % 2)
        if s.needs_teaching:
            s.commit_round(s.teach_and_query())
    s.close()
    main, child = pty.openpty()
    env = dict(os.environ, COLUMNS="100", LINES="30", TERM="xterm-256color")
    process = subprocess.Popen([sys.executable, "-m", "altui", "review", str(session)], stdin=child, stdout=child,
                               stderr=child, env=env, cwd=ROOT, start_new_session=True)
    os.close(child)
    try:
        screen = read_until(main, b"Back", 60)
        assert b"Back" in screen, screen[-2000:]
        process.send_signal(signum)
        read_until(main, b"session saved", 20)
        assert process.wait(20) == 128 + signum
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
