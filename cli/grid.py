"""`altui simulate --grid grid.toml`: every data set x model x batch x strategy x repeat, one CSV, resumable."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from rich.table import Table
from rich.text import Text

from altui.cli.common import data_progress, say, stderr, stdout
from altui.tui.text import one_line


def run_grid(grid_path: Path, out: Path | None, *, backend: str, address: str | None, jobs: int, candidates: int,
             cold_start: str) -> None:
    from altui.data.runs.cluster import connect
    from altui.data.embeddings.meaning import with_meaning
    from altui.data.files.corpus import load_corpus
    from altui.data.errors import DataError
    from altui.data.runs.grid import GridWriter, drop_runs, load_grid, prepare_output, read_results
    from altui.engine.features import features_for
    from altui.engine.learners import MODELS, make_learner
    from altui.engine.modal_reference import MODAL_TUTORIAL
    from altui.engine.simulate import max_iterations, simulate
    from altui.engine.strategies import STRATEGIES

    grid = load_grid(grid_path, [*STRATEGIES, MODAL_TUTORIAL], MODELS)
    if MODAL_TUTORIAL in grid.strategies and grid.models != ["nb"]:
        raise DataError(f"grid {grid_path}: modal-tutorial is the tutorial's own loop (naive Bayes); use it with "
                        "models = [\"nb\"] only")
    out = out or grid_path.with_suffix(".csv")
    done = prepare_output(out)
    total = len(grid.datasets) * len(grid.models) * len(grid.batches) * len(grid.strategies) * grid.repeats
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with connect(backend, address, jobs) as where, Progress(
        TextColumn("{task.description:<30}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=stderr, disable=not sys.stderr.isatty(),
    ) as progress:
        bar = progress.add_task("grid", total=total)
        resumed = 0
        for dataset in grid.datasets:
            for model in grid.models:
                keys = {(dataset.name, s, model, b, r) for s in grid.strategies for b in grid.batches
                        for r in range(grid.repeats)}
                if all(k in done for k in keys) and _all_complete(done, keys, grid.iterations):
                    progress.advance(bar, len(keys))  # this data set and model are done: not even loaded
                    resumed += len(keys)
                    continue
                progress.update(bar, description=one_line(f"{dataset.name} · {model}", 30))
                with data_progress() as on_progress:
                    corpus = load_corpus(dataset.data, dataset.test, seed=grid.seed, require_labels=True,
                                         on_progress=on_progress, features=features_for(model), **dataset.read)
                    meaning = with_meaning(corpus, model, on_progress=on_progress)  # as simulate's default
                    corpus = meaning.corpus
                if meaning.notice:
                    say(meaning.notice, err=True)
                for batch in grid.batches:
                    iterations = min(grid.iterations, max_iterations(corpus.n_distinct, batch))
                    cell = [(s, r) for s in grid.strategies for r in range(grid.repeats)]
                    complete = {(s, r) for s, r in cell if done.get((dataset.name, s, model, batch, r)) == iterations}
                    cut = {(dataset.name, s, model, batch, r) for s, r in cell
                           if (s, r) not in complete and (dataset.name, s, model, batch, r) in done}
                    if cut:
                        drop_runs(out, cut)
                    progress.advance(bar, len(complete))
                    resumed += len(complete)
                    missing = [run for run in cell if run not in complete]
                    if not missing:
                        continue
                    writer = GridWriter(out)
                    try:
                        def finished(result, batch=batch, model=model, writer=writer):
                            writer.add(dataset.name, model, batch, result)
                            progress.advance(bar)

                        simulate(corpus.rows, corpus.y_train, corpus.test_rows, corpus.y_test,
                                 n_classes=len(corpus.labels), strategies=grid.strategies, repeats=grid.repeats,
                                 iterations=iterations, batch_size=batch, random_state=grid.seed,
                                 n_jobs=where.n_jobs, run_tasks=where.run_tasks,
                                 learner=make_learner(model, len(corpus.labels),
                                                      class_prototypes=meaning.prototypes),
                                 on_run_done=finished, max_candidates=candidates or None,
                                 rankable=corpus.rankable, cold_start=cold_start, runs=missing,
                                 copy_of=corpus.copy_of)
                    finally:
                        writer.close()
    if resumed:
        say(f"resumed: {resumed} of {total} runs were already in {out}", err=True)
    print_grid_summary(read_results(out))
    say(f"wrote {out}", err=True)


def _all_complete(done: dict, keys: set, iterations: int) -> bool:
    """Every run has ``iterations`` rows (a capped pool may have fewer: then the data set is loaded to check)."""
    return all(done[k] == iterations for k in keys)


def print_grid_summary(rows: list[dict]) -> None:
    """Per data set, model, batch and strategy: accuracy and macro F1 at the last iteration, mean ± std."""
    last: dict[tuple, dict[int, tuple[float, float, int]]] = {}
    for row in rows:
        key = (row["dataset"], row["model"], int(row["batch"]), row["strategy"])
        repeat, iteration = int(row["repeat"]), int(row["iteration"])
        kept = last.setdefault(key, {}).get(repeat)
        if kept is None or iteration > kept[2]:
            last[key][repeat] = (float(row["accuracy"]), float(row["f1"]), iteration)
    table = Table(title="accuracy and macro F1 at the last iteration (mean ± std over repeats)", box=None,
                  title_justify="left", pad_edge=False)
    for column in ("data set", "model", "batch", "strategy", "labels", "accuracy", "macro F1", "runs"):
        table.add_column(column, justify="right" if column in ("batch", "labels", "runs") else "left")
    labels = {}
    for row in rows:
        key = (row["dataset"], row["model"], int(row["batch"]), row["strategy"])
        labels[key] = max(labels.get(key, 0), int(row["n_labels"]))
    for key, runs in last.items():
        acc = np.array([v[0] for v in runs.values()])
        f1 = np.array([v[1] for v in runs.values()])
        # cells from the grid file and its CSV are data: Text, never markup (a name like [link=…] stays text)
        table.add_row(Text(one_line(key[0], 30)), Text(one_line(key[1], 20)), str(key[2]), Text(one_line(key[3], 20)),
                      str(labels[key]), f"{acc.mean():.3f}±{acc.std():.3f}", f"{f1.mean():.3f}±{f1.std():.3f}",
                      str(len(runs)))
    stdout.print(table)
