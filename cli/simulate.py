"""`altui simulate`: the loop without a person, every strategy repeated, one table and chart out."""

from __future__ import annotations

import sys
from pathlib import Path

from altui.cli.common import check_positive, data_progress, say, stderr, stdout, usage_error


def run_simulate(
    data: Path | None, test: Path | None, read: dict, *, strategies: list[str], repeats: int, iterations: int,
    batch: int, model: str, candidates: int, seed: int, jobs: int, cold_start: str, seed_terms: list[str],
    out: Path | None, queries: Path | None, json_path: Path | None, backend: str = "loky",
    address: str | None = None, at: list[int] | None = None, multi_label: bool = False,
    embedder: str = "wordllama", label_prior: bool = True, descriptions: dict[str, str] | None = None,
    more_inputs: list[tuple[str, Path | None]] = (),
) -> None:
    """Validate, connect the backend (before the data is read: a bad --address fails at once), run, report."""
    from altui.data.files.output_paths import check_outputs
    from altui.data.runs.cluster import connect

    # before the data is read and the runs start: no output over the data, the test file or another output
    check_outputs([("--out", out), ("--queries", queries), ("--json", json_path)],
                  [("data file", data), ("test file", test), *more_inputs], stdout_ok=("--json",))
    if jobs == 0 or jobs < -1:
        raise usage_error(f"--jobs must be a positive number or -1 (all cores), got {jobs}")

    with connect(backend, address, jobs) as where:
        _run(data, test, read, strategies=strategies, repeats=repeats, iterations=iterations, batch=batch,
             model=model, candidates=candidates, seed=seed, cold_start=cold_start, seed_terms=seed_terms,
             out=out, queries=queries, json_path=json_path, where=where, at=at, multi_label=multi_label,
             embedder=embedder, label_prior=label_prior, descriptions=descriptions)


def _run(data, test, read, *, strategies, repeats, iterations, batch, model, candidates, seed, cold_start,
         seed_terms, out, queries, json_path, where, at=None, multi_label=False, embedder="wordllama",
         label_prior=True, descriptions=None) -> None:
    from altui.cli.report import print_summary
    from altui.data.embeddings.meaning import with_meaning
    from altui.data.files.label_descriptions import check_described_labels
    from altui.data.files.corpus import load_corpus, with_features
    from altui.data.files.outputs import write_simulation
    from altui.data.files.seed_terms import match_seed_terms, parse_seed_terms
    from altui.engine.cold_start import SeedTerms, get_cold_start
    from altui.engine.features import NB_FEATURES, features_for
    from altui.engine.learners import make_learner, resolve_model
    from altui.engine.modal_reference import MODAL_TUTORIAL, check_modal_installed
    from altui.engine.simulate import max_iterations, simulate, summarize
    from altui.engine.strategies import get_strategy

    make_learner(model, 2, multi_label)
    for name in strategies:
        if name == MODAL_TUTORIAL and multi_label:
            raise usage_error("the modAL tutorial's loop is single-label: drop -s modal-tutorial with --multi-label")
        if name != MODAL_TUTORIAL:
            get_strategy(name, multi_label)
        else:
            check_modal_installed()
    fallback = get_cold_start(cold_start)
    terms = parse_seed_terms(seed_terms)
    check_positive("--batch", batch)
    check_positive("--iterations", iterations)
    check_positive("--repeats", repeats)
    check_positive("--candidates", candidates, minimum=0)
    with data_progress() as on_progress:
        corpus = load_corpus(
            str(data) if data else None, str(test) if test else None, seed=seed, require_labels=True,
            on_progress=on_progress, features=features_for(model), multi_label=multi_label, **read,
        )
        if descriptions:
            check_described_labels(descriptions, corpus.labels.names, "--label-descriptions")
        meaning = with_meaning(corpus, model, embedder, label_prior=label_prior, descriptions=descriptions,
                               on_progress=on_progress)
        corpus = meaning.corpus
        tutorial = None
        if MODAL_TUTORIAL in strategies and corpus.features.config != NB_FEATURES:
            nb = with_features(corpus, NB_FEATURES, on_progress)
            tutorial = (nb.X, nb.X_test)
    if meaning.notice:
        say(meaning.notice, err=True)
    start = SeedTerms(match_seed_terms(corpus.train.texts, terms, corpus.labels), len(corpus.labels), fallback) \
        if terms else fallback
    distinct = corpus.n_distinct  # identical texts are asked once
    limit = max_iterations(distinct, batch)
    if iterations > limit:
        stderr.print(
            f"warning: the pool has {distinct} distinct texts, enough for {limit} iterations of {batch}; "
            f"running {limit}", markup=False, soft_wrap=True,
        )
        iterations = limit
    from altui.engine.names import resolve_strategy

    strategies = list(dict.fromkeys(resolve_strategy(name, len(corpus.labels), multi_label) for name in strategies))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=stderr, disable=not sys.stderr.isatty(), transient=True,
    ) as progress:
        task = progress.add_task("runs", total=len(strategies) * repeats)
        results = simulate(
            corpus.rows, corpus.y_train, corpus.test_rows, corpus.y_test, n_classes=len(corpus.labels),
            strategies=strategies, repeats=repeats, iterations=iterations, batch_size=batch, random_state=seed,
            n_jobs=where.n_jobs, run_tasks=where.run_tasks,
            learner=make_learner(model, len(corpus.labels), multi_label, meaning.prototypes), multi_label=multi_label,
            on_run_done=lambda _: progress.advance(task), max_candidates=candidates or None,
            rankable=corpus.rankable, tutorial_features=tutorial, cold_start=start, copy_of=corpus.copy_of,
        )
    curves = summarize(results)
    last = max(int(c.n_labels[-1]) for c in curves.values())
    beyond = [a for a in at or [] if a > last]
    if beyond:
        stderr.print(f"warning: --at {','.join(map(str, beyond))}: the runs end at {last} labels "
                     f"({iterations} iterations of {batch}); the table stops there", markup=False, soft_wrap=True)
    json_to_stdout = json_path is not None and str(json_path) == "-"
    if not json_to_stdout:  # `--json -`: stdout is the JSON alone, for scripts
        shown = f"{model} ({resolve_model(model, len(corpus.labels), multi_label)})" if model == "auto" else model
        print_summary(curves, corpus.X_test.shape[0], stdout.width, shown, at, list(corpus.labels.names))
    config = {
        "data": corpus.train.path, "test": corpus.test.path if corpus.test else None, "held_out": corpus.held_out,
        "n_pool": int(corpus.X.shape[0]), "n_test": int(corpus.X_test.shape[0]), "labels": list(corpus.labels.names),
        "strategies": strategies, "model": model, "candidates": candidates, "repeats": repeats,
        "iterations": iterations, "batch": batch, "seed": seed, "backend": where.name, "cold_start": cold_start,
        "seed_terms": terms or None, "multi_label": multi_label,
        "embedder": corpus.embedder, "label_prior": meaning.prototypes is not None,
    }
    summary = write_simulation(results, curves, config, out=out, queries=queries,
                               summary=None if json_to_stdout else json_path)
    if json_to_stdout:
        sys.stdout.write(summary)
    for path in (out, queries, None if json_to_stdout else json_path):
        if path is not None:
            say(f"wrote {path}", err=True)
