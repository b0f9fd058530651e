"""The `altui` command line (Typer). Thin: parse options, call data/engine/tui, render errors once."""

from __future__ import annotations

import contextlib
import functools
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from engine.errors import AltuiError
from tui.text import one_line, printable
from engine.learner import DEFAULT_MODEL
from engine.strategies import DEFAULT_MAX_CANDIDATES

__version__ = "0.1.0"

app = typer.Typer(
    name="altui",
    help="Build a text-classification training set with active learning, in the terminal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def say(text: str, err: bool = False) -> None:
    """Print one line that may hold data (paths, labels, server answers): controls shown, never markup."""
    (stderr if err else stdout).print(one_line(text), markup=False, highlight=False, soft_wrap=True)


def domain_errors(command):
    """Render an AltuiError as one red line on stderr and exit 1; never a traceback for user errors."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except AltuiError as exc:
            stderr.print("[bold red]error:[/] ", end="")
            stderr.print(one_line(str(exc)), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            stderr.print("interrupted", markup=False)
            raise typer.Exit(130) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        stdout.print(f"altui {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """altui: query -> annotate -> teach -> plot."""


# -- shared options
DataArg = Annotated[
    Optional[Path],
    typer.Argument(help="CSV, TSV, JSONL or Parquet file of texts. Default: the YouTube Spam Collection (downloaded once)."),
]
TestOpt = Annotated[Optional[Path], typer.Option("--test", help="Test CSV (same columns). Default: hold out 20 %.")]
TextColOpt = Annotated[Optional[str], typer.Option("--text-col", help="Text column: name or 0-based index.")]
LabelColOpt = Annotated[Optional[str], typer.Option("--label-col", help="Label column: name or 0-based index.")]
SepOpt = Annotated[Optional[str], typer.Option("--sep", help="Separator: , | tab | ; (default: sniffed).")]
NoHeaderOpt = Annotated[bool, typer.Option("--no-header", help="The file has no header row.")]
FormatOpt = Annotated[
    Optional[str], typer.Option("--format", help="csv | tsv | jsonl | parquet (default: from the file's extension).")
]
QuotingOpt = Annotated[
    Optional[str],
    typer.Option("--quoting", help="csv: quotes enclose fields; none: quotes are text (default for tab-separated)."),
]
EncodingOpt = Annotated[
    Optional[str], typer.Option("--encoding", help="Text encoding (default: BOM, else UTF-8, cp1252, latin-1).")
]
CandidatesOpt = Annotated[
    int,
    typer.Option("--candidates", help="A query scores at most this many unlabeled items (a seeded random "
                 "subsample of a larger pool); 0 = all."),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (cold start, random strategies, hold-out).")]
BatchOpt = Annotated[int, typer.Option("--batch", help="Comments per round.")]
UrlOpt = Annotated[
    Optional[str], typer.Option("--url", envvar="RUBRIX_API_URL", help="Rubrix URL (default http://localhost:6900).")
]
WorkspaceOpt = Annotated[Optional[str], typer.Option("--workspace", envvar="RUBRIX_WORKSPACE", help="Rubrix workspace.")]
ModelOpt = Annotated[
    str, typer.Option("--model", help="nblr: NB-LR on word and char n-grams (default, learns fastest); nb: the "
                      "tutorial's naive Bayes on word 1-5-gram counts; logreg: logistic regression on those counts."),
]


@contextlib.contextmanager
def data_progress():
    """A progress bar on stderr while data is read and vectorized (a terminal only); yields the callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=stderr, disable=not sys.stderr.isatty(), transient=True,
    ) as progress:
        tasks: dict[str, int] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield on_progress


def _check_positive(name: str, value: int, minimum: int = 1) -> None:
    if value < minimum:
        raise AltuiError(f"{name} must be at least {minimum}, got {value}")


@app.command()
@domain_errors
def simulate(
    data: DataArg = None,
    test: TestOpt = None,
    text_col: TextColOpt = None,
    label_col: LabelColOpt = None,
    sep: SepOpt = None,
    no_header: NoHeaderOpt = False,
    format: FormatOpt = None,
    quoting: QuotingOpt = None,
    encoding: EncodingOpt = None,
    strategy: Annotated[
        Optional[list[str]], typer.Option("--strategy", "-s", help="Strategy to compare (repeatable).")
    ] = None,
    repeats: Annotated[int, typer.Option("--repeats", help="Runs per strategy.")] = 5,
    iterations: Annotated[int, typer.Option("--iterations", help="Rounds per run.")] = 30,
    batch: BatchOpt = 10,
    model: ModelOpt = DEFAULT_MODEL,
    candidates: CandidatesOpt = DEFAULT_MAX_CANDIDATES,
    seed: SeedOpt = 0,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel runs (joblib); -1 = all cores.")] = 1,
    out: Annotated[Optional[Path], typer.Option("--out", help="CSV: one row per strategy, repeat, iteration.")] = None,
    queries: Annotated[Optional[Path], typer.Option("--queries", help="CSV: one row per queried item.")] = None,
    json_path: Annotated[Optional[Path], typer.Option("--json", help="JSON summary: config and curves.")] = None,
) -> None:
    """Run the loop without a person (labels from the label column) and compare strategies."""
    from data.corpus import load_corpus
    from cli_report import print_summary
    from data.outputs import write_simulation
    from engine.simulate import max_iterations, simulate as run_simulation, summarize
    from engine.features import features_for
    from engine.learner import make_learner
    from engine.strategies import get_strategy

    strategies = strategy or ["uncertainty", "random"]
    make_learner(model, 2)
    for name in strategies:
        get_strategy(name)
    _check_positive("--batch", batch)
    _check_positive("--iterations", iterations)
    _check_positive("--repeats", repeats)
    if jobs == 0 or jobs < -1:
        raise AltuiError(f"--jobs must be a positive number or -1 (all cores), got {jobs}")
    _check_positive("--candidates", candidates, minimum=0)
    with data_progress() as on_progress:
        corpus = load_corpus(
            str(data) if data else None, str(test) if test else None, text_col=text_col, label_col=label_col,
            sep=sep, header=not no_header, seed=seed, require_labels=True, format=format, quoting=quoting,
            encoding=encoding, on_progress=on_progress, features=features_for(model),
        )
    limit = max_iterations(corpus.X.shape[0], batch)
    if iterations > limit:
        stderr.print(
            f"warning: the pool has {corpus.X.shape[0]} items, enough for {limit} iterations of {batch}; "
            f"running {limit}", markup=False,
        )
        iterations = limit
    total = len(strategies) * repeats
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=stderr, disable=not sys.stderr.isatty(), transient=True,
    ) as progress:
        task = progress.add_task("runs", total=total)
        results = run_simulation(
            corpus.X, corpus.y_train, corpus.X_test, corpus.y_test, n_classes=len(corpus.labels),
            strategies=strategies, repeats=repeats, iterations=iterations, batch_size=batch, random_state=seed,
            n_jobs=jobs, learner=make_learner(model, len(corpus.labels)),
            on_run_done=lambda _: progress.advance(task), max_candidates=candidates or None,
            rankable=corpus.rankable,
        )
    curves = summarize(results)
    print_summary(curves, corpus.X_test.shape[0], stdout.width)
    config = {
        "data": corpus.train.path, "test": corpus.test.path if corpus.test else None, "held_out": corpus.held_out,
        "n_pool": int(corpus.X.shape[0]), "n_test": int(corpus.X_test.shape[0]), "labels": list(corpus.labels.names),
        "strategies": strategies, "model": model, "candidates": candidates, "repeats": repeats,
        "iterations": iterations, "batch": batch, "seed": seed, "jobs": jobs,
    }
    write_simulation(results, curves, config, out=out, queries=queries, summary=json_path)


@app.command()
@domain_errors
def prepare(
    folder: Annotated[Path, typer.Argument(help="Folder to write train.csv and test.csv into.")],
) -> None:
    """Download the YouTube Spam Collection and write the reference train/test split to FOLDER."""
    from data.youtube import ensure_youtube, write_split

    split = ensure_youtube()
    written = write_split(folder, split.train.read_bytes(), split.test.read_bytes())
    say(f"wrote {written.train} and {written.test}")


@app.command()
@domain_errors
def label(
    data: DataArg = None,
    test: TestOpt = None,
    text_col: TextColOpt = None,
    label_col: LabelColOpt = None,
    sep: SepOpt = None,
    no_header: NoHeaderOpt = False,
    format: FormatOpt = None,
    quoting: QuotingOpt = None,
    encoding: EncodingOpt = None,
    labels: Annotated[
        Optional[str], typer.Option("--labels", help="Comma-separated label names, e.g. ham,spam (keys 1, 2, ...).")
    ] = None,
    strategy: Annotated[str, typer.Option("--strategy", "-s", help="Query strategy.")] = "uncertainty",
    batch: BatchOpt = 10,
    model: ModelOpt = DEFAULT_MODEL,
    candidates: CandidatesOpt = DEFAULT_MAX_CANDIDATES,
    seed: SeedOpt = 0,
    session: Annotated[
        Optional[Path], typer.Option("--session", envvar="ALTUI_SESSION", help="Session file (resumed if it exists).")
    ] = None,
    rubrix_dataset: Annotated[
        Optional[str], typer.Option("--rubrix-dataset", help="Log each batch to this Rubrix dataset; key r pulls.")
    ] = None,
    rubrix_url: UrlOpt = None,
    rubrix_workspace: WorkspaceOpt = None,
) -> None:
    """Label comments in the terminal: query -> annotate -> teach -> plot. Every answer is saved at once."""
    from engine.learner import make_learner
    from engine.strategies import get_strategy
    from tui.app import make_app
    from tui.config import LabelConfig

    get_strategy(strategy)
    make_learner(model, 2)
    _check_positive("--batch", batch)
    _check_positive("--candidates", candidates, minimum=0)
    config = LabelConfig(
        data=str(data) if data else None, test=str(test) if test else None, text_col=text_col,
        label_col=label_col, sep=sep, header=not no_header, format=format, quoting=quoting, encoding=encoding,
        max_candidates=candidates or None,
        labels=tuple(n.strip() for n in labels.split(",")) if labels else None,
        strategy=strategy, model=model, batch=batch, seed=seed, session=str(session) if session else None,
        rubrix_dataset=rubrix_dataset, rubrix_url=rubrix_url, rubrix_workspace=rubrix_workspace,
    )
    with data_progress() as on_progress:
        altui_app = make_app(config, on_progress)
    store = altui_app.session.store
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        altui_app.session.close()
        raise AltuiError("altui label needs a terminal (stdin and stdout are not one); run it in a terminal, "
                         "or use `altui simulate` for runs without a person")
    if (store.info.strategy, store.info.batch_size, store.info.model) != (strategy, batch, model) and store.n_events():
        say(f"resuming {store.path} with its own settings: strategy {store.info.strategy}, "
            f"model {store.info.model}, batch {store.info.batch_size}", err=True)
    altui_app.run()
    say(f"session saved in {store.path}")
    if altui_app.return_code:  # a crash, or SIGTERM/SIGHUP (128 + signal): the terminal is restored by now
        raise typer.Exit(altui_app.return_code)


@app.command()
@domain_errors
def export(
    session: Annotated[Path, typer.Argument(help="Session file written by `altui label`.")],
    format: Annotated[str, typer.Option("--format", "-f", help="csv or jsonl.")] = "csv",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Output file (default: stdout).")] = None,
    skipped: Annotated[bool, typer.Option("--skipped", help="Also export skipped items (label empty).")] = False,
) -> None:
    """Write the labeled items of a session: id, text, label, answered_at, round."""
    from data.outputs import export_session, write_text

    text, count = export_session(session, format, skipped)
    if output:
        write_text(output, text)
        say(f"wrote {count} items to {output}", err=True)
    elif stdout_is_terminal():
        sys.stdout.write(printable(text))  # a terminal sees controls, as `ls` shows them; pipes get exact bytes
    else:
        sys.stdout.write(text)


@app.command()
@domain_errors
def status(session: Annotated[Path, typer.Argument(help="Session file written by `altui label`.")]) -> None:
    """Print a session's counts and its last metrics."""
    from data.outputs import status_lines

    out = Console(width=max(stdout.width, 100), highlight=False)
    for line in status_lines(session):
        out.print(" ".join(printable(line).splitlines()), markup=False, highlight=False)  # columns kept


rubrix_app = typer.Typer(
    help="Link a session to a Rubrix (or Argilla 1.0-1.4) server. The key comes from RUBRIX_API_KEY.",
    no_args_is_help=True,
)
app.add_typer(rubrix_app, name="rubrix")
SessionArg = Annotated[Path, typer.Argument(help="Session file written by `altui label`.")]
DatasetOpt = Annotated[str, typer.Option("--dataset", "-d", help="Rubrix dataset name (lowercase, digits, - _).")]


TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds to wait for each Rubrix answer.")]


def _rubrix_client(url: str | None, workspace: str | None, timeout: float):
    from data.rubrix import RubrixClient, RubrixConfig

    if timeout <= 0:
        raise AltuiError(f"--timeout must be more than 0 seconds, got {timeout:g}")
    return RubrixClient(RubrixConfig.from_env(url, workspace, timeout=timeout))


@contextlib.contextmanager
def _rubrix_session(session: Path, dataset: str, url: str | None, workspace: str | None, timeout: float):
    """The resumed session and a Rubrix client, both closed afterwards."""
    from data.rubrix import check_dataset_name
    from data.session import LabelingSession

    check_dataset_name(dataset)
    labeling = LabelingSession.resume(session, writer=True)
    try:
        with _rubrix_client(url, workspace, timeout) as client:
            yield labeling, client
    finally:
        labeling.close()


@rubrix_app.command("push")
@domain_errors
def rubrix_push(
    session: SessionArg, dataset: DatasetOpt, url: UrlOpt = None, workspace: WorkspaceOpt = None,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Send answered items (Validated/Discarded) and the pending batch (Default, with predictions)."""
    from data.rubrix import RubrixUnavailable
    from data.rubrix_link import push

    with _rubrix_session(session, dataset, url, workspace, timeout) as (labeling, client):
        try:
            report = push(labeling, client, dataset)
        except RubrixUnavailable as exc:
            waiting = len(labeling.store.outbox(dataset))
            raise AltuiError(f"{exc}; {waiting} records wait in the outbox of {session} "
                             "and are sent on the next push or `altui label --rubrix-dataset` start") from None
    say(f"sent {report.sent} records to Rubrix dataset {dataset!r} at {client.config.url}")


@rubrix_app.command("pull")
@domain_errors
def rubrix_pull(
    session: SessionArg, dataset: DatasetOpt, url: UrlOpt = None, workspace: WorkspaceOpt = None,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Apply annotations made in the Rubrix web UI to the session (the next round uses them)."""
    from data.rubrix_link import pull

    with _rubrix_session(session, dataset, url, workspace, timeout) as (labeling, client):
        report = pull(labeling, client, dataset)
    for line in report.summary(dataset):
        say(line)
    for line in report.warnings():
        say(f"warning: {line}", err=True)


if __name__ == "__main__":
    app()
