"""A table of items with their answers (history, search results): one row per item, label keys change it."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable, Static

from altui.data.sessions.session import LabelingSession
from altui.tui.text import label_style, one_line, safe_text

COLUMNS = (("label", 10), ("round", 5), ("source", 10), ("⚑", 1), ("text", None))


def label_cell(session: LabelingSession, answer) -> Text:
    """An answer: its label (coloured), "skip", or "—" when there is none."""
    if answer is None:
        return Text("—", style="dim")
    if answer.label is None:
        return Text("skip", style="dim italic")
    if session.multi_label:
        return Text(one_line(session.label_text(answer.label), 24), style="bold")
    return Text(one_line(session.labels[answer.label], 10), style=label_style(answer.label))


class AnswersTable(DataTable):
    """Rows keyed by pool row; every cell is a Text (data is never markup). home/end go to the first/last row."""

    BINDINGS = [Binding("home", "scroll_top", "First", show=False), Binding("end", "scroll_bottom", "Last", show=False)]

    COLUMNS = COLUMNS

    def __init__(self, session: LabelingSession, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.session = session
        self._sources: dict[int, str] = {}
        self._flagged: set[str] = set()
        self.answers: dict = {}  # pool row -> its answer, for the rows shown (one pass, not one scan per row)

    def on_mount(self) -> None:
        self._add_columns(0)

    def _add_columns(self, text_width: int) -> None:
        """The columns, the last (text) as wide as its widest cell (at least its name)."""
        for name, width in self.COLUMNS:
            self.add_column(name, key=name, width=max(len(name), text_width) if width is None else width)

    def show(self, rows: list[int], sources: dict[int, str] | None = None) -> None:
        """Replace the rows by ``rows`` (pool rows, in the order given).

        The text column's width is measured here, before the rows are drawn. Left to DataTable's auto width,
        it is measured when the app is next idle, and a row drawn before that could stay cached 4 cells wide
        (seen on a busy machine: the review snapshot and so the screen showed "chec" for every text).
        """
        self._sources = sources or {}
        self._flagged = self.session.flagged()
        self.answers = {a.index: a for a in self.session.answers()}
        cells = [self._cells(index) for index in rows]
        self.clear(columns=True)
        self._add_columns(max((row[-1].cell_len for row in cells), default=0))
        for index, row in zip(rows, cells):
            self.add_row(*row, key=str(index))

    def _cells(self, index: int) -> list[Text]:
        session = self.session
        answer = self.answers.get(index)
        flagged = session.item_id(index) in self._flagged
        return [
            label_cell(session, answer),
            Text("" if answer is None else str(answer.round + 1), style="dim"),
            Text(one_line(self._sources.get(index, ""), 10), style="dim"),
            Text("⚑" if flagged else "", style="bold yellow"),
            Text(one_line(session.text(index), 300)),
        ]

    def update_row(self, index: int, source: str | None = None) -> None:
        if source is not None:
            self._sources[index] = source
        self._flagged = self.session.flagged()
        answer = self.session.answer_of(index)
        if answer is None:
            self.answers.pop(index, None)
        else:
            self.answers[index] = answer
        for (name, _), cell in zip(self.COLUMNS, self._cells(index)):
            self.update_cell(str(index), name, cell)

    @property
    def current_item(self) -> int | None:
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return int(row_key.value)


class Preview(Static):
    """The full text of the row under the cursor (history, search, review), the search's matches highlighted."""

    DEFAULT_CLASSES = "preview"

    def __init__(self, session: LabelingSession, **kwargs):
        super().__init__("", **kwargs)
        self.session = session
        self.query_text: str | None = None  # the search, when there is one
        self.regex = False

    def show_item(self, index: int | None) -> None:
        if index is None:
            self.update(Text(""))
            return
        text = safe_text(self.session.text(index))
        for start, end in self._matches(text.plain):
            text.stylize("bold reverse", start, end)
        meta = Text(f"{one_line(self.session.item_id(index), 60)}", style="dim")
        self.update(Text.assemble(meta, "\n", text))

    def _matches(self, plain: str) -> list[tuple[int, int]]:
        if not self.query_text:
            return []
        if self.regex:
            from altui.data.errors import DataError
            from altui.data.files.search import compile_pattern

            try:
                pattern = compile_pattern(self.query_text)
                return [m.span() for m in pattern.finditer(plain, timeout=0.1, concurrent=True) if m.end() > m.start()]
            except (DataError, TimeoutError):
                return []
        needle, haystack, found, at = self.query_text.lower(), plain.lower(), [], 0
        if len(haystack) != len(plain):  # a letter whose lower case is longer: nothing to align with
            return []
        while needle and (at := haystack.find(needle, at)) >= 0:
            found.append((at, at + len(needle)))
            at += len(needle)
        return found


class PreviewOnHighlight:
    """For screens with an AnswersTable and a Preview: the preview follows the cursor."""

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        previews = self.query(Preview)
        if previews and event.row_key is not None and event.row_key.value is not None:
            previews.first().show_item(int(event.row_key.value))
