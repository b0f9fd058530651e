"""``python -m altui``: the same command line as the ``altui`` script."""

from altui.cli import run

run()
