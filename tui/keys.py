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


def label_bindings(names: tuple[str, ...], key_order: list[int]) -> list[Binding]:
    """One binding per label (action ``label(CLASS)``, id ``label-N``), then ``l`` for the picker. The first
    ten are shown in the footer; the rest are listed in help."""
    bindings = []
    for position, cls in enumerate(key_order):
        key = key_of(position)
        if key is not None:
            bindings.append(Binding(key, f"label({cls})", one_line(names[cls], 20), show=position < 10,
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
        screen_keys = [dataclasses.replace(b, show=False) if b.id in hide else b
                       for keys in self._bindings.key_to_bindings.values() for b in keys]
        self._bindings = BindingsMap(label_bindings(names, key_order) + list(extra) + screen_keys)

    def action_pick_label(self) -> None:
        session = self.app.session
        self.app.push_screen(LabelPicker(session.labels, session.key_order),
                             lambda cls: None if cls is None else self.action_label(cls))
