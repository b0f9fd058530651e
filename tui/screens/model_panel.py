"""The annotate screen's model panel: what the model thinks of the text on screen.

One label: every class's probability as a bar (they sum to 1), with the n-grams of the text that push towards it.
Label sets (multi-label): the set the label keys are putting together, then each label's own probability (each in
0-1; a label is in the predicted set above 50 %). Every name and n-gram is data: shown as text, never markup.
"""

from __future__ import annotations

from rich.text import Text

from altui.data.sessions.session import Prediction
from altui.engine.label_masks import labels_of
from altui.tui.text import label_style, one_line

BAR_WIDTH = 12
MAX_BAR_CLASSES = 5
SHORT_BARS = 3  # 80x24 with a legend: the text being labeled keeps its room


def _bar(guess: Prediction, cls: int, width: int, bold: bool, mark: str = "") -> Text:
    p = guess.probabilities[cls]
    filled = round(p * BAR_WIDTH)
    line = Text.assemble((mark, "bold"), (f"{one_line(guess.labels[cls], 14):<{width}} ", label_style(cls)),
                         ("█" * filled, label_style(cls)), ("░" * (BAR_WIDTH - filled), "dim"),
                         (f" {p:4.0%}", "bold" if bold else ""))
    if guess.pushes[cls]:
        line.append("  ← ", style="dim")
        for i, (ngram, weight) in enumerate(guess.pushes[cls]):
            if i:
                line.append(", ", style="dim")
            line.append(f'"{one_line(ngram, 24)}"')
            line.append(f" +{weight:.2g}", style="dim")
    return line


def _most_likely(guess: Prediction, bars: int) -> list[int]:
    return sorted(range(len(guess.labels)), key=lambda c: (-guess.probabilities[c], c))[:max(bars, 1)]


def class_panel(guess: Prediction | None, short: bool) -> Text:
    """One label: the most likely classes' bars (fewer when ``short``), and how many more there are."""
    if guess is None:
        return Text("not trained yet: it is taught after a batch, once it has labels of two classes", style="dim")
    shown = _most_likely(guess, SHORT_BARS if short else MAX_BAR_CLASSES)
    width = max(len(one_line(guess.labels[c], 14)) for c in shown)
    lines = [_bar(guess, cls, width, cls == guess.best) for cls in shown]
    if len(guess.labels) > len(shown):
        lines.append(Text(f"… {len(guess.labels) - len(shown)} more classes", style="dim"))
    return Text("\n").join(lines)


def label_set_panel(names: tuple[str, ...], chosen: int, guess: Prediction | None, short: bool) -> Text:
    """Label sets: the set chosen so far (a bit mask over ``names``), then each label's probability, ✓ on the
    chosen ones (every label, or :data:`SHORT_BARS` when ``short``)."""
    line = Text("set: ", style="dim")
    picked = list(labels_of(chosen))
    for n, j in enumerate(picked):
        if n:
            line.append(", ", style="dim")
        line.append(one_line(names[j], 24), style=label_style(j))
    if not picked:
        line.append("no label yet (enter confirms an empty set)", style="dim italic")
    lines = [line]
    if guess is None:
        lines.append(Text("model: not trained yet (after a batch whose answers differ on a label)", style="dim"))
        return Text("\n").join(lines)
    # the chosen labels' bars first (their ✓ stays in view at 80x24), then the most likely others
    room = SHORT_BARS if short else len(names)
    shown = picked + [c for c in _most_likely(guess, len(names)) if c not in picked][:max(room - len(picked), 0)]
    width = max(len(one_line(names[c], 14)) for c in shown)
    lines += [_bar(guess, cls, width, guess.probabilities[cls] > 0.5, "✓ " if (chosen >> cls) & 1 else "  ")
              for cls in shown]
    if len(names) > len(shown):
        lines.append(Text(f"… {len(names) - len(shown)} more labels", style="dim"))
    return Text("\n").join(lines)
