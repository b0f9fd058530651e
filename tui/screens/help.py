"""The help overlay: every key, on top of the annotate screen."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from altui.tui.keys import key_shown, legend, uses_legend
from altui.tui.user_config import config_path
from altui.tui.text import one_line


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
            yield Static(Text(f"keys and theme: {one_line(str(config_path()))} · esc, ? or q to close"), id="help-close")

    def key_table(self) -> Table:
        """Every key and what it does, label keys first; keys remapped in the config file as remapped."""
        keymap = getattr(getattr(self.app, "user_config", None), "keymap", None) or {}

        def key(binding_id: str, default: str) -> str:
            return keymap.get(binding_id, default).replace(",", ", ")

        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        if uses_legend(self.labels) and not keymap:  # many labels: the legend, as on the screen
            order = getattr(getattr(self.app, "session", None), "key_order", None) or list(range(len(self.labels)))
            table.add_row("label keys", Text("1-0, shift+1-0 (! @ # …), then l NN; the key is before the name"))
            table.add_row("", legend(tuple(self.labels), order, 56, max_rows=10))
        else:
            for i, name in enumerate(self.labels):
                what = "toggle the label" if getattr(getattr(self.app, "session", None), "multi_label", False) \
                    else "label the comment"
                table.add_row(key(f"label-{i + 1}", key_shown(i)), Text(f"{what} {one_line(name, 40)}"))
        if len(self.labels) > 10:
            table.add_row(key("pick-label", "l") + " NN", "pick a label by its number (or arrows + enter)")
        multi_label = getattr(getattr(self.app, "session", None), "multi_label", False)
        accept = ("confirm the set the label keys toggled (none toggled: the empty set, an answer)" if multi_label
                  else "accept the model's suggestion (its top class, shown under the model panel; recorded as "
                  "source accepted)")
        rows = [
            ("accept", "enter", accept),
            ("skip", "space", "skip it (it is never asked again)"),
            ("undo", "u", "undo the last answer or change (also from an earlier round; backspace too)"),
            ("history", "h", "history: every answer, newest first; a label key changes one"),
            ("search", "/", "search the texts (substring; ctrl+r: regex; ~words: by meaning) and label what you "
             "find (x marks results, a label key labels every marked one)"),
            ("like", "m", "like this: the unlabeled texts nearest in meaning to this one"),
            ("flag", "f", "flag the comment for later (export's flagged column, altui status)"),
            ("plot", "p", "plot: test accuracy and F1 (or stability) per round, labels per class"),
            ("scroll-down", "shift+↓", "scroll a long comment (shift+↑ back)"),
        ]
        if self.rubrix:
            rows.append(("pull", "r", "pull annotations made in the Rubrix web UI"))
        if self.argilla:
            rows.append(("pull", "r", "pull responses made in Argilla (other users' answers become yours)"))
        rows += [("help", "?", "this help"), ("quit", "q", "quit (every answer is already saved)")]
        for binding_id, default, what in rows:
            table.add_row(key(binding_id, default), what)
        table.add_row("ctrl+p", "command palette: themes, keys, screens")
        return table
