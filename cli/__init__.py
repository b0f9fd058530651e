"""The ``altui`` command line (Typer): one module per command group, the Typer app in :mod:`altui.cli.main`."""

from altui.cli.main import app


def run() -> None:
    """The console script: the Typer app, and after an error a plain exit.

    An error (exit code 1, 2, 130 or 128 + a signal) is rendered once and every file is closed by then; leaving with
    ``os._exit`` skips the interpreter's finalization, where a native thread pool (pyarrow's CSV reader, liblinear
    in a worker) can still be torn down mid-flight and abort the process ("terminate called without an active
    exception", exit -6) after the error line was printed.
    """
    import os
    import sys

    try:
        app(prog_name="altui")
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if code == 0:
            raise
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # a closed pipe: nothing more can be said
                pass
        os._exit(code)


__all__ = ["app", "run"]
