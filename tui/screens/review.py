"""Review (`altui review`): labels ranked by how likely they are wrong; a label key confirms or changes one."""

from __future__ import annotations

import math

from rich.text import Text
from textual import work
from textual.worker import Worker, WorkerState
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from altui.data.sessions.agreement import answer_value
from altui.data.sessions.session import LabelingSession
from altui.data.sessions.session_model import ReviewItem, review_items
from altui.tui.keys import LabelKeys
from altui.tui.screens.answers_table import AnswersTable, Preview, PreviewOnHighlight, label_cell
from altui.tui.text import one_line


class ReviewTable(AnswersTable):
    COLUMNS = (("score", 6), ("label", 10), ("suggested", 10), ("✓", 1), ("text", None))

    def __init__(self, session: LabelingSession, **kwargs):
        super().__init__(session, **kwargs)
        self.items: dict[int, ReviewItem] = {}
        self.confirmed: set[int] = set()

    def _cells(self, index: int) -> list[Text]:
        item = self.items[index]
        score = "" if math.isnan(item.score) else f"{item.score:.3f}"
        return [Text(score, style="bold red" if item.score < 0.5 else "dim"), label_cell(self.session, self.answers.get(index)),
                Text(one_line(item.suggested, 10), style="dim"),
                Text("✓" if index in self.confirmed else "", style="bold green"),
                Text(one_line(self.session.text(index), 300))]


class ReviewScreen(PreviewOnHighlight, LabelKeys, Screen):
    BINDINGS = [
        Binding("space", "skip", "Make it a skip", id="review-skip"),
        Binding("u", "undo", "Undo", id="review-undo"),
        Binding("escape", "back", "Back to labeling", id="review-back"),
    ]

    source = "review"  # recorded with every answer given here

    def __init__(self, session: LabelingSession):
        super().__init__(id="review")
        self.session = session
        self.bind_label_keys(session.labels, session.key_order)
        # what review did, last first: ("confirm", row) marks only, ("edit", row) a change or skip in the session;
        # u takes back the last of these and nothing else (never an answer of the labeling before)
        self.done: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(Text("scoring every label with a model that never saw it…", style="italic"), id="review-note")
        yield ReviewTable(self.session, id="review-table")
        yield Preview(self.session, id="preview")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.score()

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def score(self) -> None:
        items = review_items(self.session)
        self.app.call_from_thread(self._show, items)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A scoring that failed (a screen's worker messages do not reach the app): said where the table would
        be, and by the app's one handler."""
        if event.state == WorkerState.ERROR:
            self.query_one("#review-note", Static).update(
                Text(one_line(f"could not score the labels: {event.worker.error}"), style="bold red"))
            self.app.on_worker_state_changed(event)

    def _show(self, items: list[ReviewItem]) -> None:
        table = self.query_one(ReviewTable)
        table.items = {item.index: item for item in items}
        table.show([item.index for item in items])
        likely = sum(1 for item in items if item.score < 0.5)
        self.query_one("#review-note", Static).update(Text.assemble(
            (f"{len(items)} labels, most likely wrong first", "bold"),
            (f" · {likely} where a model that never saw them disagrees (score < 0.5) · the label's key confirms "
             "it, another key changes it", "dim")))
        table.focus()

    def action_label(self, label: int) -> None:
        table = self.query_one(ReviewTable)
        index = table.current_item
        if index is None or index not in table.items:
            return
        answer = self.session.answer_of(index)
        if self.session.multi_label:  # the key toggles the label in the final set; the cursor stays for more
            if self.app.label_item(index, label, self.source):
                self.done.append(("edit", index))
                table.confirmed.add(index)
                table.update_row(index)
            return
        if answer is not None and answer.label == label:
            self.done.append(("confirm", index))
        elif self.app.label_item(index, label, self.source):
            self.done.append(("edit", index))
        else:
            return
        table.confirmed.add(index)
        table.update_row(index)
        table.action_cursor_down()

    def action_skip(self) -> None:
        table = self.query_one(ReviewTable)
        index = table.current_item
        if index is not None and index in table.items and self.app.label_item(index, None, self.source):
            self.done.append(("edit", index))
            table.update_row(index)
            table.action_cursor_down()

    def action_undo(self) -> None:
        """Take back review's last confirm or change; outside review's own actions there is nothing to undo."""
        table = self.query_one(ReviewTable)
        if not self.done:
            self.app.notify("nothing to undo in review (answers from labeling are changed with a label key)",
                            timeout=3)
            return
        kind, index = self.done.pop()
        if kind == "edit":
            if self.session.last_edited() != index:
                self.app.notify("that change was already taken back", timeout=3)
                return
            self.app.undo()
        if not any(row == index for _, row in self.done):
            table.confirmed.discard(index)
        table.update_row(index)
        table.move_cursor(row=table.get_row_index(str(index)))

    def action_back(self) -> None:
        self.app.pop_screen()


class ConflictsScreen(ReviewScreen):
    """`altui review --conflicts`: a merged session's disagreements; a label key gives the final label (source
    ``adjudicated:<user>``). The suggested column shows every annotator's answer."""

    def __init__(self, session: LabelingSession, adjudicator: str):
        super().__init__(session)
        self.source = f"adjudicated:{adjudicator}"

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def score(self) -> None:
        team = self.session.store.team_answers()
        row_of = {item_id: row for row, item_id in enumerate(self.session.corpus.train.ids)}
        labels, multi_label = list(self.session.labels), self.session.multi_label

        def shown(name: str) -> str:  # a set (JSON list) as its names joined by "+"
            value = answer_value(name, labels, multi_label)
            return self.session.label_text(value, sep="+") if multi_label and value is not None else name

        items = [ReviewItem(row_of[item_id], item_id, "", " · ".join(f"{who}={shown(label)}"
                                                                    for who, label in answers.items()), float("nan"))
                 for item_id, answers in team.items()
                 if item_id in row_of and len({answer_value(n, labels, multi_label) for n in answers.values()}) > 1]
        self.app.call_from_thread(self._show_conflicts, items)

    def _show_conflicts(self, items: list[ReviewItem]) -> None:
        table = self.query_one(ReviewTable)
        table.items = {item.index: item for item in items}
        table.show([item.index for item in items])
        given = "a label key toggles that label in the final set (the cursor stays: move on with ↓)" \
            if self.session.multi_label else "a label key gives the final label"
        self.query_one("#review-note", Static).update(Text.assemble(
            (f"{len(items)} disagreements", "bold"),
            (f" · each annotator's answer is in the suggested column · {given} (recorded as "
             f"{one_line(self.source, 40)})", "dim")))
        table.focus()
