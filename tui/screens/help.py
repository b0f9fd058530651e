"""The help overlay: every key, on top of the annotate screen."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.text import one_line


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape", "dismiss", "Close"), ("question_mark", "dismiss", "Close"), ("q", "dismiss", "Close")]

    def __init__(self, labels: tuple[str, ...], rubrix: bool = False, argilla: bool = False):
        """``labels``: the name of each key's label, key 1 first."""
        super().__init__(id="help")
        self.labels = labels
        self.rubrix = rubrix
        self.argilla = argilla

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for i, name in enumerate(self.labels[:9]):
            table.add_row(str(i + 1), Text(f"label the comment {one_line(name, 40)}"))  # data: never markup
        table.add_row("space", "skip it (it is never asked again)")
        table.add_row("u, backspace", "undo the last answer (also from an earlier round)")
        table.add_row("p", "plot: test accuracy and F1 per round, labels per class")
        if self.rubrix:
            table.add_row("r", "pull annotations made in the Rubrix web UI")
        if self.argilla:
            table.add_row("r", "pull responses made in Argilla (other users' answers become yours)")
        table.add_row("?", "this help")
        table.add_row("q", "quit (every answer is already saved)")
        with Vertical(id="help-box"):
            yield Static("altui keys", id="help-title")
            yield Static(table)
            yield Static("Each answer is saved the moment you press the key. After every batch the model is "
                         "taught in the background and the next batch holds the comments it is least sure about.",
                         id="help-note")
            yield Static("esc, ? or q to close", id="help-close")
