"""The ``altui`` command line (Typer): one module per command group, the Typer app in :mod:`altui.cli.main`."""

from altui.cli.main import app

__all__ = ["app"]
