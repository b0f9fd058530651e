"""The help overlay: every key, on top of the annotate screen."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.keys import key_shown
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
        with VerticalScroll(id="help-box"):
            yield Static("altui keys", id="help-title")
            yield Static(self.key_table())
            yield Static("Each answer is saved the moment you press the key. After every batch the model is "
                         "taught in the background and the next batch holds the comments it is least sure about.",
                         id="help-note")
            yield Static("esc, ? or q to close", id="help-close")

    def key_table(self) -> Table:
        """Every key and what it does, label keys first."""
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for i, name in enumerate(self.labels):
            table.add_row(key_shown(i), Text(f"label the comment {one_line(name, 40)}"))  # data: never markup
        if len(self.labels) > 10:
            table.add_row("l NN", "pick a label by its number (or arrows + enter)")
        table.add_row("space", "skip it (it is never asked again)")
        table.add_row("u, backspace", "undo the last answer or change (also from an earlier round)")
        table.add_row("h", "history: every answer, newest first; a label key changes one")
        table.add_row("/", "search the texts (substring; ctrl+r: regex) and label what you find")
        table.add_row("f", "flag the comment for later (export's flagged column, altui status)")
        table.add_row("p", "plot: test accuracy and F1 (or stability) per round, labels per class")
        table.add_row("shift+↑ ↓", "scroll a long comment")
        table.add_row("ctrl+p", "command palette: themes, keys, screens")
        if self.rubrix:
            table.add_row("r", "pull annotations made in the Rubrix web UI")
        if self.argilla:
            table.add_row("r", "pull responses made in Argilla (other users' answers become yours)")
        table.add_row("?", "this help")
        table.add_row("q", "quit (every answer is already saved)")
        return table
