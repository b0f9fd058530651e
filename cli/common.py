"""What every `altui` command shares: the consoles, one-line output of data, and the one error handler."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
import time

import typer
from rich.console import Console

from altui.engine.errors import AltuiError
from altui.tui.text import one_line

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


def say(text: str, err: bool = False) -> None:
    """Print one line that may hold data (paths, labels, server answers): controls shown, never markup."""
    (stderr if err else stdout).print(one_line(text), markup=False, highlight=False, soft_wrap=True)


def domain_errors(command):
    """Render an AltuiError as one red line on stderr and exit 1; never a traceback for user errors."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except AltuiError as exc:
            stderr.print("[bold red]error:[/] ", end="")
            stderr.print(one_line(str(exc)), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            stderr.print("interrupted", markup=False)
            raise typer.Exit(130) from None

    return wrapper


@contextlib.contextmanager
def data_progress():
    """A progress bar on stderr while data is read and vectorized (a terminal only); yields the callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=stderr, disable=not sys.stderr.isatty(), transient=True,
    ) as progress:
        tasks: dict[str, int] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield on_progress


def say_pull_report(report, source: str) -> None:
    """What a pull applied (stdout) and what it left out (stderr), one line each."""
    for line in report.summary(source):
        say(line)
    for line in report.warnings():
        say(f"warning: {line}", err=True)


# click's exception types, reached through typer's public BadParameter (typer >= 0.20 carries its own click,
# older ones use click itself): no private import, whichever it is
UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def usage_error(message: str):
    """A mistake in how the command was called (exit 2, like every usage error), not in the data (exit 1)."""
    return UsageError(message)


def check_positive(name: str, value: int, minimum: int = 1) -> None:
    if value < minimum:
        raise usage_error(f"{name} must be at least {minimum}, got {value}")


SETTLE_SECONDS = 5.0


def leave_after_app(code: int = 0, timeout: float = SETTLE_SECONDS) -> None:
    """After the app: wait (up to ``timeout``) for the threads still working — a teach in a thread worker can be
    inside liblinear's C++ when q is pressed. A daemon thread still in native code while the interpreter
    finalizes is torn down by ``pthread_exit``, whose unwinding through C++ frames aborts the process
    ("terminate called without an active exception", 1 run in 39 before). If one is still busy at the deadline,
    leave at once with ``code`` (every answer is committed already, the session lock is the kernel's). A non-zero
    ``code`` (a crash, or 128 + the signal after SIGTERM/SIGHUP) is the command's exit code."""
    deadline = time.monotonic() + timeout
    busy = [t for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()
            and not t.name.startswith("altui-signal")]
    for thread in busy:
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() for t in busy):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)
    if code:
        raise typer.Exit(code)
