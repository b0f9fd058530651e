"""The plot screen: how the model got better, round by round, with or without a test set.

With a test set: accuracy and macro F1 per round (top), the model's stability below. Without one:
stability (Cohen's kappa between consecutive rounds' predictions on the stop set, with the stop
threshold) on top and the labels per class, per round, below. Before the first round: what to do, not
an empty frame. Every series has a marker per round; x ticks are label counts (integers) and the y
range fits the data.
"""

from __future__ import annotations

import math

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual_plotext import PlotextPlot

from altui.data.sessions.session import LabelingSession
from altui.engine.stopping import THRESHOLD, WINDOW, stop_round
from altui.tui.keys import abbreviate, uses_legend
from altui.tui.text import label_style, one_line

MAX_TICKS = 8


def integer_ticks(xs: list[int], max_ticks: int = MAX_TICKS) -> list[int]:
    """At most ``max_ticks`` of the x values, evenly picked, always the first and the last."""
    if len(xs) <= max_ticks:
        return list(xs)
    step = (len(xs) - 1) / (max_ticks - 1)
    return sorted({xs[round(i * step)] for i in range(max_ticks)})


def fitted_range(values: list[float], low: float = 0.0, high: float = 1.0, min_span: float = 0.05) -> tuple[float, float]:
    """A y range around ``values`` (with a margin, at least ``min_span`` wide), inside [low, high]."""
    finite = [v for v in values if not math.isnan(v)]
    if not finite:
        return low, high
    lo, hi = min(finite), max(finite)
    margin = max((hi - lo) * 0.1, (min_span - (hi - lo)) / 2, 0.0)
    lo, hi = max(low, lo - margin), min(high, hi + margin)
    if hi - lo < min_span:  # pressed against a bound
        lo, hi = (max(low, hi - min_span), hi) if hi >= high else (lo, min(high, lo + min_span))
    return lo, hi


def line_with_markers(plt, x, y, label: str, marker: str, color: str | None = None) -> None:
    """A thin line through the points and a marker on each (one legend entry)."""
    plt.plot(x, y, marker="braille", color=color)
    plt.scatter(x, y, marker=marker, color=color, label=label)


class PlotScreen(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back"), ("p", "app.pop_screen", "Back"), ("q", "app.quit", "Quit")]

    def __init__(self, session: LabelingSession):
        super().__init__(id="plot")
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal():
            with Vertical(id="charts"):
                yield Static(id="plot-empty")
                yield PlotextPlot(id="curve")
                with Horizontal(id="lower-row"):
                    yield PlotextPlot(id="lower")
                    yield PlotextPlot(id="classes")
            with VerticalScroll(id="counts-box"):
                yield Static(id="counts")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#counts-box").border_title = "per class" + (" · test F1" if self.has_test_set else "")
        self.redraw()

    @property
    def has_test_set(self) -> bool:
        return self.session.loop.test_scores_ is not None

    def redraw(self) -> None:
        history = list(self.session.loop.history_)
        empty = self.query_one("#plot-empty", Static)
        empty.display = not history
        for plot in self.query(PlotextPlot):
            plot.display = bool(history)
        many = uses_legend(self.session.labels)  # many lines would be unreadable: the side list has them
        self.query_one("#classes").display = bool(history) and self.has_test_set and not many
        self.query_one("#lower").display = bool(history) and not (many and not self.has_test_set)
        self.query_one("#lower-row").display = bool(history) and (self.has_test_set or not many)
        if not history:
            batch = self.session.loop.batch_size
            empty.update(Text(
                f"Nothing to plot yet: answer the first batch ({batch} comments) and the model's first round "
                "appears here" + (" (accuracy and F1 on the test set)." if self.has_test_set else
                                  " (how much its predictions still change, and the labels per class).")
            ))
        elif self.has_test_set:
            self._quality(self.query_one("#curve", PlotextPlot), history)
            self._stability(self.query_one("#lower", PlotextPlot), history)
            self._class_counts(self.query_one("#classes", PlotextPlot), history)
        else:
            self._stability(self.query_one("#curve", PlotextPlot), history)
            self._class_counts(self.query_one("#lower", PlotextPlot), history)
        self._table(history)

    @property
    def _accuracy_name(self) -> str:
        """Multi-label: the share of texts whose whole set is right (subset accuracy)."""
        return "exact sets" if self.session.multi_label else "accuracy"

    def _quality(self, plot: PlotextPlot, history) -> None:
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        x = [m.n_labels for m in history]
        acc, f1 = [m.accuracy for m in history], [m.f1 for m in history]
        line_with_markers(plt, x, acc, self._accuracy_name, "●", "green")
        line_with_markers(plt, x, f1, "macro F1", "▲", "orange")
        plt.title("test set after each round")
        plt.xticks(integer_ticks(x))
        plt.ylim(*fitted_range(acc + f1))
        plt.xlabel("labels")
        plot.refresh()

    def _stability(self, plot: PlotextPlot, history) -> None:
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        points = [(m.n_labels, m.kappa) for m in history if not math.isnan(m.kappa)]
        if not points:
            plt.title("model stability: kappa appears after round 2")
            plot.refresh()
            return
        x, kappa = [p[0] for p in points], [p[1] for p in points]
        if len(x) > 1:
            plt.plot([x[0], x[-1]], [THRESHOLD, THRESHOLD], label=f"stop at {THRESHOLD} ({WINDOW} rounds)",
                     marker="braille", color="gray")
        line_with_markers(plt, x, kappa, "kappa vs previous round", "●", "cyan")
        stop = stop_round([m.kappa for m in history])
        title = "model stability: kappa vs previous round"
        if stop is not None:
            title = f"predictions stable at {history[stop].n_labels} labels"
        plt.title(title)
        plt.xticks(integer_ticks(x))
        plt.ylim(*fitted_range(kappa + [THRESHOLD], low=min(0.0, min(kappa)), high=1.0))
        plt.xlabel("labels")
        plot.refresh()

    def _class_counts(self, plot: PlotextPlot, history) -> None:
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        x = [m.n_labels for m in history]
        markers = "●▲■◆✚✖"
        top = max((max(m.label_counts, default=0) for m in history), default=0)
        plt.yticks(integer_ticks(list(range(0, top + 1)), 5))
        for cls, name in enumerate(self.session.labels):
            counts = [m.label_counts[cls] if cls < len(m.label_counts) else 0 for m in history]
            line_with_markers(plt, x, counts, one_line(name, 20), markers[cls % len(markers)])
        plt.title("labels per class")
        plt.xticks(integer_ticks(x))
        plt.xlabel("labels")
        plot.refresh()

    def _table(self, history) -> None:
        """Labels per class as a bar list with names (and test F1 per class), then the last round's numbers."""
        table = Table(box=None, show_header=True, pad_edge=False)
        table.add_column("label", no_wrap=True, width=14)
        table.add_column("n", justify="right", no_wrap=True, width=4)
        table.add_column("", no_wrap=True, width=8)
        last_f1 = history[-1].class_f1 if history else ()
        if last_f1:
            table.add_column("F1", justify="right", no_wrap=True, width=5)  # 5: the summary figures below (0.382) too
        counts = self.session.loop.pool.label_counts(len(self.session.labels))
        top = max(int(counts.max()) if counts.shape[0] else 0, 1)
        for cls in self.session.key_order:
            name, count = self.session.labels[cls], int(counts[cls])
            bar = Text("█" * round(8 * count / top) or ("▏" if count else ""), style=label_style(cls))
            row = [Text(abbreviate(name, 14)), str(count), bar]  # data: never markup
            if last_f1:
                f1 = last_f1[cls] if cls < len(last_f1) else float("nan")
                row.append("-" if math.isnan(f1) else f"{f1:.2f}")
            table.add_row(*row)
        table.add_row("skipped", str(self.session.loop.pool.n_skipped), "", *([""] if last_f1 else []))
        if history:
            last = history[-1]
            pad = [""] * (2 if last_f1 else 1)
            table.add_row("", "", *pad)
            # the figures in the last column, the widest of the numbers (the counts' column is narrow at 80x24)
            if not math.isnan(last.accuracy):
                table.add_row(self._accuracy_name, *pad, f"{last.accuracy:.3f}")
                table.add_row("macro F1", *pad, f"{last.f1:.3f}")
            if not math.isnan(last.kappa):
                table.add_row("kappa", *pad, f"{last.kappa:.3f}")
            table.add_row("rounds", *pad, str(len(history)))
        self.query_one("#counts", Static).update(table)
