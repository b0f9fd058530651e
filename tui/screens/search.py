"""Search the pool (`/`): a substring, a regex, or by meaning (a query starting with ``~``); or the unlabeled texts
most like the one on screen (key m). Label any result with its key (source "search"), or mark several (x) and
label them all with one key."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.worker import get_current_worker
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from altui.data.files.search import SearchCancelled, SearchResult, search_texts
from altui.data.sessions.session import LabelingSession
from altui.engine.errors import AltuiError
from altui.tui.keys import LabelKeys
from altui.tui.screens.answers_table import COLUMNS, AnswersTable, Preview, PreviewOnHighlight
from altui.tui.text import label_style, one_line

SHOWN_RESULTS = 1000
MEANING = "~"  # a query starting with it searches by meaning


class ResultsTable(AnswersTable):
    """Search results: the answers table with a first column that shows which rows are marked."""

    COLUMNS = (("●", 1), *COLUMNS)

    def __init__(self, session, **kwargs):
        super().__init__(session, **kwargs)
        self.marked: set[int] = set()

    def show(self, rows, sources=None) -> None:
        self.marked &= set(rows)
        super().show(rows, sources)

    def _cells(self, index: int) -> list[Text]:
        return [Text("●" if index in self.marked else "", style="bold"), *super()._cells(index)]

    def toggle_mark(self, index: int) -> None:
        self.marked.symmetric_difference_update({index})
        self.update_row(index)


class SearchScreen(PreviewOnHighlight, LabelKeys, Screen):
    BINDINGS = [
        Binding("space", "skip", "Skip it", id="search-skip"),
        Binding("f", "flag", "Flag", id="search-flag"),
        Binding("slash", "edit", "New search", id="search-edit"),
        Binding("ctrl+r", "toggle_regex", "Regex on/off", id="search-regex", priority=True),
        Binding("x", "mark", "Mark", id="search-mark"),
        Binding("escape", "back", "Back", id="search-back"),
        Binding("down", "results", "Results", show=False),
    ]

    def __init__(self, session: LabelingSession, like: int | None = None):
        super().__init__(id="search")
        self.session = session
        self.like = like  # show the unlabeled texts most like this row's, instead of asking for a search
        self.regex = False
        self.result: SearchResult | None = None
        self.bind_label_keys(session.labels, session.key_order)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Input(placeholder="search the texts, then enter", id="search-input")
        yield Static(id="search-note")
        yield ResultsTable(self.session, id="search-table")
        yield Preview(self.session, id="preview")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._title_input()
        self.query_one("#search-note", Static).update(
            Text("enter searches (~words: by meaning) · ↓ goes to the results · a label key labels the result "
                 "under the cursor, or every marked one (x marks) · esc back", style="dim"))
        self.query_one(Input).focus()
        if self.like is not None:
            self.query_one(Input).value = f"{MEANING}like {one_line(self.session.item_id(self.like), 30)}"
            self.query_one("#search-note", Static).update(Text("finding texts like it…", style="italic"))
            self.run_search("", False, like=self.like)

    def _title_input(self) -> None:
        self.query_one(Input).border_title = "regex (ctrl+r: substring · ~words: by meaning)" if self.regex else \
            "substring, any case (ctrl+r: regex · ~words: by meaning)"

    # -- searching (a worker thread: a million texts take a moment)
    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#search-note", Static).update(Text("searching…", style="italic"))
        self.run_search(event.value, self.regex)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, query: str, regex: bool, like: int | None = None) -> None:
        worker = get_current_worker()  # exclusive: a new search cancels this one; so do esc and quit
        try:
            if like is not None or query.startswith(MEANING):
                meaning = self.app.meaning_search()
                open_rows = self.session.unanswered_rows()
                if like is not None:
                    result = meaning.like(like, SHOWN_RESULTS, among=open_rows,
                                          label=self.session.item_id(like))
                else:
                    result = meaning.query(query.removeprefix(MEANING).strip(), SHOWN_RESULTS,
                                           cancelled=lambda: worker.is_cancelled)
            else:
                result = search_texts(self.session.corpus.train.texts, query, regex,
                                      cancelled=lambda: worker.is_cancelled)
        except SearchCancelled:
            return
        except AltuiError as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, str(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, result)

    def _failed(self, message: str) -> None:
        self.query_one("#search-note", Static).update(Text(one_line(message), style="bold red"))

    def _show(self, result: SearchResult) -> None:
        self.result = result
        preview = self.query_one(Preview)
        preview.query_text, preview.regex = (None, False) if result.meaning else (result.query, result.regex)
        table = self.query_one(AnswersTable)
        table.show(result.matches[:SHOWN_RESULTS])
        preview.show_item(table.current_item)
        self._count()
        if result.matches:
            table.focus()

    def _count(self) -> None:
        """How many matched, how many are still unlabeled, and the labels the others have."""
        result = self.result
        if result is None:
            return
        session = self.session
        counts = [0] * len(session.labels)
        skipped = open_ = 0
        answers = {a.index: a for a in session.answers()}
        for index in result.matches:
            answer = answers.get(index)
            if answer is None:
                open_ += 1
            elif answer.label is None:
                skipped += 1
            else:
                counts[answer.label] += 1
        found = " nearest in meaning to " if result.meaning else " matches for "
        text = Text.assemble((f"{len(result.matches)}", "bold"), (found, "dim"),
                             (one_line(result.query, 40), "bold"), (f" · {open_} unlabeled", "dim"))
        marked = len(self.query_one(ResultsTable).marked)
        if marked:
            text.append(f" · {marked} marked: a label key labels them all", style="bold")
        for cls, count in enumerate(counts):
            if count:
                text.append(" · ", style="dim")
                text.append(f"{one_line(session.labels[cls], 14)} {count}", style=label_style(cls))
        if skipped:
            text.append(f" · {skipped} skipped", style="dim")
        if len(result.matches) > SHOWN_RESULTS:
            text.append(f" · showing the first {SHOWN_RESULTS}", style="dim")
        self.query_one("#search-note", Static).update(text)

    # -- actions on the result under the cursor
    def action_label(self, label: int) -> None:
        self._answer(label)

    def action_skip(self) -> None:
        self._answer(None)

    def _answer(self, label: int | None) -> None:
        table = self.query_one(ResultsTable)
        index = table.current_item
        if index is None or not table.has_focus:
            return
        if table.marked:  # one key for every marked result
            for row in sorted(table.marked):
                if not self.app.label_item(row, label, "search"):
                    break
                table.marked.discard(row)
                table.update_row(row, "search")
            self._count()
            return
        if self.app.label_item(index, label, "search"):
            table.update_row(index, "search")
            self._count()
            table.action_cursor_down()

    def action_mark(self) -> None:
        table = self.query_one(ResultsTable)
        if table.current_item is not None and table.has_focus:
            table.toggle_mark(table.current_item)
            self._count()
            table.action_cursor_down()

    def action_flag(self) -> None:
        table = self.query_one(AnswersTable)
        if table.current_item is not None and table.has_focus:
            self.app.toggle_flag(table.current_item)
            table.update_row(table.current_item)

    def action_results(self) -> None:
        self.query_one(AnswersTable).focus()

    def action_edit(self) -> None:
        self.query_one(Input).focus()

    def action_toggle_regex(self) -> None:
        self.regex = not self.regex
        self._title_input()

    def action_back(self) -> None:
        self.workers.cancel_group(self, "search")  # a running search ends within half a second
        self.app.pop_screen()
