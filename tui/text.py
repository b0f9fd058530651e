"""Untrusted text, made safe to show: never markup, never terminal control.

The one place that makes a data string safe for a terminal: the TUI (comments, labels, file names, titles,
notifications) and the CLI (errors, status, export to a terminal) both call :func:`printable` or
:func:`one_line`.

Comments contain HTML, URLs, emoji, ``[tags]`` that look like Rich markup, ANSI escapes and bidi
controls. They are rendered as :class:`rich.text.Text` (no markup parsing), and every control
character is replaced by a visible stand-in so it cannot move the cursor, recolour the terminal or
reorder the line: ESC becomes ␛, other C0 controls their Unicode "control picture", C1 controls and
bidi overrides a ⟨U+XXXX⟩ tag. Newlines and tabs stay.
"""

from __future__ import annotations

import os
import re

from rich.text import Text

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DROPPED = {0xFE0F: None, 0xFEFF: None, 0x200B: None}
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


def _visible(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀..␟ (ESC -> ␛)
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"⟨U+{code:04X}⟩"


def printable(text: str) -> str:
    """``text`` with every control character replaced by a visible stand-in.

    Variation selector 16 (emoji presentation) is dropped: terminals draw "❤️" two cells wide while
    Rich counts one, which shifts everything after it on the line. So are the zero-width no-break space
    (a BOM inside YouTube comments) and the zero-width space, which some terminals draw one cell wide.
    """
    return _UNSAFE.sub(_visible, text.replace("\r\n", "\n").translate(_DROPPED))


def safe_text(text: str, style: str = "") -> Text:
    """A Text that shows ``text`` literally: no markup, no control codes."""
    return Text(printable(text), style=style)


def one_line(text: str, width: int | None = None) -> str:
    """``text`` made safe, on one line (runs of white space become one space), at most ``width`` characters."""
    flat = " ".join(printable(text).split())
    return flat if width is None or len(flat) <= width else flat[: max(0, width - 1)] + "…"


LABEL_STYLES = ("bold green", "bold red", "bold blue", "bold magenta", "bold yellow", "bold cyan")


NO_COLOR_STYLES = ("bold", "bold underline", "bold italic", "reverse")


def label_style(index: int) -> str:
    """The colour of label ``index`` wherever a label is shown (cycles past six labels). With NO_COLOR set,
    labels differ by weight and underline instead: a colour mapped to grey read as dark grey on black."""
    if os.environ.get("NO_COLOR"):
        return NO_COLOR_STYLES[index % len(NO_COLOR_STYLES)]
    return LABEL_STYLES[index % len(LABEL_STYLES)]
