"""What `altui simulate` prints: a table of mean±std accuracy at a few label counts and an ASCII chart."""

from __future__ import annotations

import re
import sys

import numpy as np
from rich.console import Console
from rich.table import Table

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def checkpoints(n: int, count: int = 6) -> list[int]:
    """Iteration positions shown in the table: evenly spread, always the last."""
    return sorted({max(0, int(round(x)) - 1) for x in np.linspace(n / count, n, count)} | {n - 1})


def print_summary(curves, n_test: int, width: int, model: str = "") -> None:
    """Accuracy and macro F1 (mean±std) at a few label counts, ms per iteration and where predictions
    stabilized, per strategy; then the ASCII chart."""
    first = next(iter(curves.values()))
    points = checkpoints(len(first.n_labels))
    wide = Console(width=max(width, 160), highlight=False)
    learner = f"model {model}; " if model else ""
    for measure, title in (("accuracy", f"test accuracy ({learner}mean±std over repeats, {n_test} test items) at n labels"),
                           ("f1", "test macro F1 (mean±std over repeats) at n labels")):
        table = Table(title=title, box=None, pad_edge=False, min_width=len(title))
        table.add_column("strategy", no_wrap=True)
        for p in points:
            table.add_column(f"n={int(first.n_labels[p])}", justify="right", no_wrap=True)
        if measure == "accuracy":
            table.add_column("ms/iter", justify="right", no_wrap=True)
            table.add_column("stable at (acc)", justify="right", no_wrap=True)
        for name, c in curves.items():
            mean, std = (c.mean, c.std) if measure == "accuracy" else (c.f1_mean, c.f1_std)
            cells = [f"{mean[p]:.3f}±{std[p]:.3f}" for p in points]
            if measure == "accuracy":
                cells += [f"{1000 * c.seconds / (len(c.n_labels) * c.runs):.2f}", stop_cell(c)]
            table.add_row(name, *cells)
        wide.print(table)
        wide.print()
    if "modal-tutorial" in curves:
        wide.print("modal-tutorial: the tutorial's own loop (modAL ActiveLearner + MultinomialNB on word 1-5-gram "
                   "counts, whole pool, items can be asked again)", markup=False)
    sys.stdout.write(plot_curves(curves) + "\n")


def stop_cell(curve) -> str:
    """Where "stabilizing predictions" fired: mean±std labels (accuracy there), and in how many runs."""
    stopped = curve.stop_labels.shape[0]
    if stopped == 0:
        return f"not by {int(curve.n_labels[-1])}"
    where = f"{curve.stop_labels.mean():.0f}±{curve.stop_labels.std():.0f} ({curve.stop_accuracy.mean():.3f})"
    return where if stopped == curve.runs else f"{where} {stopped}/{curve.runs} runs"


def plot_curves(curves, width: int = 80, height: int = 20) -> str:
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    # colours are stripped (files, pipes), so each curve gets its own marker character
    for (name, c), marker in zip(curves.items(), "*o+x#@%"):
        plt.plot(c.n_labels.tolist(), c.mean.tolist(), label=name, marker=marker)
    plt.title("test accuracy vs number of labels (mean over repeats)")
    plt.xlabel("labels")
    return ANSI_ESCAPE.sub("", plt.build())
