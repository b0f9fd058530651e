"""The plot screen: test accuracy and F1 after each round, and the labels per class."""

from __future__ import annotations

import math

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual_plotext import PlotextPlot

from data.session import LabelingSession
from tui.text import one_line


class PlotScreen(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back"), ("p", "app.pop_screen", "Back"), ("q", "app.quit", "Quit")]

    def __init__(self, session: LabelingSession):
        super().__init__(id="plot")
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal():
            yield PlotextPlot(id="curve")
            yield Static(id="counts")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#counts").border_title = "labels"
        self.redraw()

    def redraw(self) -> None:
        history = [m for m in self.session.loop.history_ if not math.isnan(m.accuracy)]
        plot = self.query_one("#curve", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.title("test set after each round")
        plt.xlabel("labels")
        if history:
            x = [m.n_labels for m in history]
            plt.plot(x, [m.accuracy for m in history], label="accuracy", marker="braille")
            plt.plot(x, [m.f1 for m in history], label="macro F1", marker="braille")
            plt.ylim(0, 1)
        else:
            plt.title("no round taught yet (or no test set)")
        plot.refresh()
        table = Table(box=None, show_header=True, pad_edge=False)
        table.add_column("label")
        table.add_column("count", justify="right")
        counts = self.session.loop.pool.label_counts(len(self.session.labels))
        for name, count in zip(self.session.labels, counts):
            table.add_row(Text(one_line(name, 24)), str(int(count)))  # data: never markup
        table.add_row("skipped", str(self.session.loop.pool.n_skipped))
        if history:
            last = history[-1]
            table.add_row("", "")
            table.add_row("accuracy", f"{last.accuracy:.3f}")
            table.add_row("macro F1", f"{last.f1:.3f}")
            table.add_row("rounds", str(len(history)))
        self.query_one("#counts", Static).update(table)
