"""Label keys: up to 30 labels, Prodigy-style, and the one picker every screen with label keys shares.

Keys 1-9 and 0 answer labels 1-10; shift+digit (! @ # … on a US layout) labels 11-20; ``l`` opens a picker
where a label's two-digit number (or arrows + enter) answers any of the 30. Every binding has an id, so a
keymap in the user's config file can move it (see :mod:`tui.user_config`).
"""

from __future__ import annotations

import dataclasses

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from altui.tui.text import one_line

MAX_LABELS = 30
DIGITS = "1234567890"
SHIFTED = ("exclamation_mark", "at", "number_sign", "dollar_sign", "percent_sign", "circumflex_accent",
           "ampersand", "asterisk", "left_parenthesis", "right_parenthesis")  # shift+1 .. shift+0, US layout
SHIFTED_SHOWN = "!@#$%^&*()"


def key_of(position: int) -> str | None:
    """The key of the label at ``position`` (0-based, in key order); None past 20 (the picker only)."""
    if position < 10:
        return DIGITS[position]
    if position < 20:
        return SHIFTED[position - 10]
    return None


def key_shown(position: int) -> str:
    """How the key of the label at ``position`` is written in help and footer."""
    if position < 10:
        return DIGITS[position]
    if position < 20:
        return f"shift+{DIGITS[position - 10]} ({SHIFTED_SHOWN[position - 10]})"
    return f"l {position + 1:02d}"


LEGEND_FROM = 4
"""With this many labels or more, the labels and their keys are a legend on the screen (every one, always
visible) instead of footer entries (80 columns hold three names beside the other keys, not sixteen)."""
FOOTER_ROOM = 12
"""Cells the 80-column footer has for label names beside the other keys ("ham" and "spam" fit)."""


def uses_legend(names) -> bool:
    """True when the labels go in an on-screen legend: four or more, or names too long for the footer."""
    return len(names) >= LEGEND_FROM or sum(len(one_line(n, 20)) for n in names) > FOOTER_ROOM


def key_short(position: int) -> str:
    """The key of the label at ``position`` as the legend writes it: ``1``, ``!`` (shift+1), ``l21``."""
    if position < 10:
        return DIGITS[position]
    if position < 20:
        return SHIFTED_SHOWN[position - 10]
    return f"l{position + 1:02d}"


def abbreviate(name: str, width: int) -> str:
    """A label name in at most ``width`` cells, the same way everywhere: whole if it fits, else its start and
    its end around "…" (``label-number-12`` → ``label…r-12``), so names that differ at the end stay apart."""
    whole = one_line(name, 200)
    if len(whole) <= width:
        return whole
    if width < 5:
        return whole[: max(width - 1, 0)] + "…"
    tail = max(1, (width - 1) // 3)
    return whole[: width - 1 - tail] + "…" + whole[-tail:]


def legend(names: tuple[str, ...], key_order: list[int], width: int, styles=None, max_rows: int = 6) -> Text:
    """Every label with its key, column-major (like ``ls``) in ``width`` cells: as few columns as keep it to
    ``max_rows`` rows; names are cut (:func:`abbreviate`) only when a column is narrower than the name."""
    n = len(key_order)
    keys = [key_short(p) for p in range(n)]
    key_width = max(len(k) for k in keys)
    natural = key_width + 1 + max(len(one_line(names[c], 60)) for c in key_order) + 2
    columns = max(1, min(n, width // natural))
    while -(-n // columns) > max_rows and width // (columns + 1) >= key_width + 1 + 6 + 2:
        columns += 1
    rows = -(-n // columns)
    cell = width // columns
    lines = []
    for r in range(rows):
        line = Text()
        for c in range(columns):
            position = c * rows + r
            if position >= n:
                break
            cls = key_order[position]
            name = abbreviate(names[cls], cell - key_width - 3)
            line.append(f"{keys[position]:>{key_width}} ", style="bold cyan")
            line.append(name, style=styles(cls) if styles else "")
            if c < columns - 1 and position + rows < n:
                line.append(" " * (cell - key_width - 1 - len(name)))
        lines.append(line)
    return Text("\n").join(lines)


def label_bindings(names: tuple[str, ...], key_order: list[int]) -> list[Binding]:
    """One binding per label (action ``label(CLASS)``, id ``label-N``), then ``l`` for the picker. With few
    labels the footer shows them; with :data:`LEGEND_FROM` or more, the on-screen legend does (and help)."""
    bindings = []
    in_footer = not uses_legend([names[c] for c in key_order])
    for position, cls in enumerate(key_order):
        key = key_of(position)
        if key is not None:
            bindings.append(Binding(key, f"label({cls})", one_line(names[cls], 20), show=in_footer and position < 10,
                                    id=f"label-{position + 1}"))
    if len(key_order) > 10:
        bindings.append(Binding("l", "pick_label", "Label #", id="pick-label"))
    return bindings


class LabelPicker(ModalScreen[int | None]):
    """Pick a label by its number (two digits when there are more than 9) or with arrows + enter."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, names: tuple[str, ...], key_order: list[int]):
        super().__init__(id="label-picker")
        self.names = names
        self.key_order = key_order
        self.typed = ""

    def compose(self) -> ComposeResult:
        width = 2 if len(self.key_order) > 9 else 1
        options = [Option(Text.assemble((f"{n + 1:0{width}d} ", "bold cyan"), one_line(self.names[cls], 50)),
                          id=str(cls)) for n, cls in enumerate(self.key_order)]
        with Vertical(id="picker-box"):
            yield Static(f"label number ({width} digit{'s' if width > 1 else ''}), or arrows + enter; esc cancels",
                         id="picker-title")
            yield OptionList(*options, id="picker-options")

    def on_key(self, event: events.Key) -> None:
        if event.character is None or not event.character.isdigit():
            return
        event.stop()
        self.typed += event.character
        width = 2 if len(self.key_order) > 9 else 1
        if len(self.typed) < width:
            self.query_one(OptionList).highlighted = min(int(self.typed) * 10, len(self.key_order)) - 1 \
                if int(self.typed) else 0
            return
        number, self.typed = int(self.typed), ""
        if 1 <= number <= len(self.key_order):
            self.dismiss(self.key_order[number - 1])
        else:
            self.app.notify(f"no label {number}: the labels are 1-{len(self.key_order)}", severity="warning")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class LabelKeys:
    """For screens with label keys: ``action_label(cls)`` is the screen's; ``l`` opens the picker."""

    def bind_label_keys(self, names: tuple[str, ...], key_order: list[int], extra: list[Binding] = (),
                        hide: set[str] = frozenset()) -> None:
        """The screen's bindings: a key per label first (footer order), then ``extra``, then its BINDINGS; those
        whose id is in ``hide`` work but leave the footer (help lists them)."""
        screen_keys = [b for keys in self._bindings.key_to_bindings.values() for b in keys]
        every = label_bindings(names, key_order) + list(extra) + screen_keys
        self._bindings = BindingsMap([dataclasses.replace(b, show=False) if b.id in hide else b for b in every])

    def action_pick_label(self) -> None:
        session = self.app.session
        self.app.push_screen(LabelPicker(session.labels, session.key_order),
                             lambda cls: None if cls is None else self.action_label(cls))
