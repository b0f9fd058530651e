"""What `altui simulate` prints: a table of mean±std accuracy at a few label counts and an ASCII chart."""

from __future__ import annotations

import re
import sys

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def checkpoints(n: int, count: int = 6) -> list[int]:
    """Iteration positions shown in the table: evenly spread, always the last."""
    return sorted({max(0, int(round(x)) - 1) for x in np.linspace(n / count, n, count)} | {n - 1})


def positions_at(n_labels, at: list[int]) -> list[int]:
    """Iteration positions of the label counts ``at`` (each: the last round with at most that many labels)."""
    points = []
    for target in at:
        reached = np.flatnonzero(np.asarray(n_labels) <= target)
        if reached.shape[0]:
            points.append(int(reached[-1]))
    return sorted(set(points))


def print_summary(curves, n_test: int, width: int, model: str = "", at: list[int] | None = None,
                  labels: list[str] | None = None) -> None:
    """Accuracy and macro F1 (mean±std) at a few label counts (``at``, or spread evenly), ms per iteration and
    where predictions stabilized, per strategy; test F1 per class at the last round; then the ASCII chart."""
    first = next(iter(curves.values()))
    points = positions_at(first.n_labels, at) if at else checkpoints(len(first.n_labels))
    if not points:
        points = checkpoints(len(first.n_labels))
    wide = Console(width=max(width, 160), highlight=False)
    learner = f"model {model}; " if model else ""
    multi_label = first.micro_f1_mean is not None
    accuracy = "test subset accuracy (the whole label set right" if multi_label else "test accuracy ("
    measures = [("accuracy", f"{accuracy}{'; ' if multi_label else ''}{learner}mean±std over repeats, {n_test} test "
                 "items) at n labels"),
                ("f1", "test macro F1 (mean±std over repeats) at n labels")]
    if multi_label:
        measures.append(("micro", "test micro F1 (every text x label decision; mean over repeats) at n labels"))
    for measure, title in measures:
        table = Table(title=title, box=None, pad_edge=False, min_width=len(title))
        table.add_column("strategy", no_wrap=True)
        zero_shot = measure != "micro" and any(c.before_answers is not None for c in curves.values())
        if zero_shot:  # the model before any answer (label names only)
            table.add_column("n=0", justify="right", no_wrap=True)
        for p in points:
            table.add_column(f"n={int(first.n_labels[p])}", justify="right", no_wrap=True)
        if measure == "accuracy":
            table.add_column("ms/iter", justify="right", no_wrap=True)
            table.add_column("stable at (acc)", justify="right", no_wrap=True)
        for name, c in curves.items():
            if measure == "micro":
                table.add_row(name, *[f"{c.micro_f1_mean[p]:.3f}" for p in points])
                continue
            mean, std = (c.mean, c.std) if measure == "accuracy" else (c.f1_mean, c.f1_std)
            cells = [f"{mean[p]:.3f}±{std[p]:.3f}" for p in points]
            if zero_shot:
                before = c.before_answers
                offset = 0 if measure == "accuracy" else 2
                cells.insert(0, "—" if before is None else f"{before[offset]:.3f}±{before[offset + 1]:.3f}")
            if measure == "accuracy":
                cells += [f"{1000 * c.seconds / (len(c.n_labels) * c.runs):.2f}", stop_cell(c)]
            table.add_row(name, *cells)
        wide.print(table)
        wide.print()
    if labels and (len(labels) > 2 or multi_label):
        print_class_f1(wide, curves, labels)
    if "modal-tutorial" in curves:
        tutorial = curves["modal-tutorial"]
        distinct = "" if tutorial.distinct_mean is None else \
            f"; its n labels are answers, of which {tutorial.distinct_mean[-1]:.0f} distinct items at n=" \
            f"{int(tutorial.n_labels[-1])}"
        wide.print("modal-tutorial: the tutorial's own loop (modAL ActiveLearner + MultinomialNB on word 1-5-gram "
                   f"counts, whole pool, items can be asked again{distinct})", markup=False)
    sys.stdout.write(plot_curves(curves) + "\n")


def print_class_f1(console, curves, labels: list[str]) -> None:
    """Test F1 per class at the last round (mean over repeats), one row per class, one column per strategy."""
    from altui.tui.text import one_line

    usable = {name: c for name, c in curves.items() if c.class_f1_mean is not None}
    if not usable:
        return
    last = int(next(iter(usable.values())).n_labels[-1])
    title = f"test F1 per class at n={last} (mean over repeats; -: no test item and no prediction)"
    table = Table(title=title, box=None, pad_edge=False, min_width=len(title))
    table.add_column("class", no_wrap=True)
    for name in usable:
        table.add_column(name, justify="right", no_wrap=True)
    for k, label in enumerate(labels):
        cells = []
        for c in usable.values():
            value = c.class_f1_mean[-1][k] if k < c.class_f1_mean.shape[1] else float("nan")
            cells.append("-" if value != value else f"{value:.3f}")
        table.add_row(Text(one_line(label, 30)), *cells)  # a label is data: shown as text, never markup
    console.print(table)
    console.print()


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
    multi_label = next(iter(curves.values())).micro_f1_mean is not None
    plt.title(f"test {'subset ' if multi_label else ''}accuracy vs number of labels (mean over repeats)")
    plt.xlabel("labels")
    return ANSI_ESCAPE.sub("", plt.build())
