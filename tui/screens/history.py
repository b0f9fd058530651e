"""History: every answer, newest first; a label key changes one, space turns it into a skip."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from altui.data.sessions.session import LabelingSession
from altui.tui.keys import LabelKeys
from altui.tui.screens.answers_table import AnswersTable, Preview, PreviewOnHighlight


class HistoryScreen(PreviewOnHighlight, LabelKeys, Screen):
    BINDINGS = [
        Binding("space", "skip", "Make it a skip", id="history-skip"),
        Binding("f", "flag", "Flag", id="history-flag"),
        Binding("u", "undo", "Undo", id="history-undo"),
        Binding("enter", "back", "Back", id="history-back", priority=True),
        Binding("escape", "back", "Back", show=False),
        Binding("h", "back", "Back", show=False),
    ]

    def __init__(self, session: LabelingSession):
        super().__init__(id="history")
        self.session = session
        self.bind_label_keys(session.labels, session.key_order)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="history-note")
        yield AnswersTable(self.session, id="history-table")
        yield Preview(self.session, id="preview")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        session = self.session
        source_of = {s.item_id: s.source for s in session.store.answers()}  # where each answer came from
        rows = [a.index for a in reversed(session.answers())]  # newest first
        sources = {index: source_of.get(session.item_id(index), "") for index in rows}
        table = self.query_one(AnswersTable)
        table.show(rows, sources)
        self.query_one("#history-note", Static).update(
            f"{len(rows)} answers, newest first · a label key changes the answer, space makes it a skip, "
            "u undoes · the model learns changes with the next batch")
        table.focus()

    def action_label(self, label: int) -> None:
        self._change(label)

    def action_skip(self) -> None:
        self._change(None)

    def _change(self, label: int | None) -> None:
        table = self.query_one(AnswersTable)
        index = table.current_item
        if index is not None and self.app.label_item(index, label, "history"):
            table.update_row(index, "history")

    def action_flag(self) -> None:
        index = self.query_one(AnswersTable).current_item
        if index is not None:
            self.app.toggle_flag(index)
            self.query_one(AnswersTable).update_row(index)

    def action_undo(self) -> None:
        self.app.undo()
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
