"""`altui agreement`: several annotators' sessions of the same data, compared item by item."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from altui.cli.common import check_positive, domain_errors, stdout, usage_error
from altui.tui.text import one_line


def distinct_sessions(sessions: list[Path]) -> None:
    """One session named twice (or through a link) is a usage error: it would agree with itself."""
    for i, path in enumerate(sessions):
        for other in sessions[:i]:
            try:
                same = path.exists() and other.exists() and path.samefile(other)
            except OSError:
                same = False
            if same:
                raise usage_error(f"{other} and {path} are one session: give each annotator's own session file")


def _kappa(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.3f}"


@domain_errors
def agreement(
    sessions: Annotated[list[Path], typer.Argument(metavar="SESSION", help="Two or more session files of the same data, one per "
                                                   "annotator (altui label --annotator NAME).")],
    shown: Annotated[int, typer.Option("-n", help="Disagreements to list.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts: kappa overall and per label, "
                                          "every disagreement.")] = False,
) -> None:
    """How much annotators agree: Cohen's kappa (two) or Fleiss' kappa (more), overall and per label, and the
    items they disagree on. Items are matched by id; only items every session labeled count.

    \b
    Example: altui agreement alice.db bob.db
    """
    from altui.data.sessions.agreement import agreement as compare

    check_positive("-n", shown, minimum=0)
    distinct_sessions(sessions)
    result = compare(sessions)
    rows = result.disagreeing
    if as_json:
        report = {
            "annotators": result.annotators, "measure": result.measure, "items": len(result.item_ids),
            "left_out": result.only_some, "kappa": None if math.isnan(result.overall) else result.overall,
            "per_label": {n: None if math.isnan(k) else k for n, k in zip(result.labels, result.per_label)},
            "disagreements": [{"id": result.item_ids[r], "text": result.texts[r],
                               "labels": {a: result.label_value(c) for a, c in zip(result.annotators, result.matrix[r])}}
                              for r in rows],
        }
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=sys.stdout.isatty()) + "\n")
        return
    annotators = ", ".join(one_line(a, 30) for a in result.annotators)
    stdout.print(Text(f"{len(result.item_ids)} items labeled by all of {annotators}"
                      + (f" ({result.only_some} labeled by only some are left out)" if result.only_some else "")),
                 soft_wrap=True)
    stdout.print(Text(f"{result.measure}: {_kappa(result.overall)} overall · "
                      f"{len(rows)} disagreements ({len(rows) / max(len(result.item_ids), 1):.0%})"), soft_wrap=True)
    title = "agreement per label (kappa of this label or not)"
    table = Table(title=title, box=None, pad_edge=False, title_justify="left", min_width=len(title))
    table.add_column("label")
    table.add_column("kappa", justify="right")
    table.add_column("given", justify="right")
    for k, name in enumerate(result.labels):
        table.add_row(Text(one_line(name, 30)), _kappa(result.per_label[k]), str(result.given(k)))
    stdout.print(table)
    if shown and len(rows):
        heading = f"disagreements (first {min(shown, len(rows))} of {len(rows)})"
        listing = Table(title=heading, box=None, pad_edge=False, title_justify="left", min_width=len(heading))
        listing.add_column("id", no_wrap=True)
        for name in result.annotators:
            listing.add_column(Text(one_line(name, 16)), no_wrap=True)
        listing.add_column("text")
        for r in rows[:shown]:
            listing.add_row(Text(one_line(result.item_ids[r], 30)),
                            *(Text(one_line(result.label_text(c), 16)) for c in result.matrix[r]),
                            Text(one_line(result.texts[r], 60)))
        stdout.print(listing)


@domain_errors
def merge(
    sessions: Annotated[list[Path], typer.Argument(metavar="SESSION", help="Two or more session files of the same data.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The merged session file (new).")],
) -> None:
    """Bring annotators' sessions together: items they agree on are labeled (source merged), the others wait
    for `altui review --conflicts`; every annotator's answer is kept and exported beside the final label.

    \b
    Example: altui merge alice.db bob.db -o team.db && altui review --conflicts team.db
    """
    from altui.data.files.output_paths import check_outputs
    from altui.data.sessions.agreement import merge as merge_sessions

    distinct_sessions(sessions)
    check_outputs([("-o", output)], [(f"session {i + 1}", p) for i, p in enumerate(sessions)])
    agreed, conflicts, names = merge_sessions(sessions, output)
    stdout.print(Text(f"merged {', '.join(one_line(n, 30) for n in names)} into {one_line(str(output))}: "
                      f"{agreed} items agreed (labeled), {conflicts} disagreements for "
                      f"`altui review --conflicts {one_line(str(output))}`"), soft_wrap=True)
