"""The `altui` command line (Typer). Thin: parse options, call data/engine/tui, render errors once."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from altui import __version__
from rich.console import Console

from altui.cli.common import check_positive, data_progress, domain_errors, leave_after_app, say, stdout, usage_error
from altui.cli.argilla import argilla_app
from altui.cli.model import predict, review, train
from altui.cli.search import search
from altui.data.files.label_descriptions import read_label_descriptions
from altui.cli.team import agreement, merge
from altui.cli.rubrix import UrlOpt, WorkspaceOpt, rubrix_app
from altui.engine.errors import AltuiError
from altui.tui.text import printable
from altui.engine.learners import DEFAULT_MODEL
from altui.engine.names import (
    DEFAULT_COLD_START, DEFAULT_MAX_CANDIDATES, default_strategy,
)
from altui.cli.conventions import AltuiCommand, AltuiGroup, value
from altui.cli.options import (
    DataArg, TestOpt, TextColOpt, LabelColOpt, SepOpt, NoHeaderOpt, DataFormat, Quoting, Model,
    ColdStart, Strategy, Backend, ExportFormat, SimulatedStrategy, FormatOpt, QuotingOpt, EncodingOpt, CandidatesOpt,
    ColdStartOpt, SeedTermsOpt, SeedOpt, BatchOpt, MultiLabelOpt, LabelSepOpt, ModelOpt, EmbedderOpt, LabelPriorOpt,
    LabelDescriptionsOpt,
)


def parse_at(text: str | None) -> list[int] | None:
    """``--at 50,100,200`` as positive whole numbers (a usage error otherwise)."""
    if text is None:
        return None
    try:
        values = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise typer.BadParameter(f"{text!r}: give label counts separated by commas, e.g. 50,100,200",
                                 param_hint="'--at'")
    return sorted(set(values))


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


app = typer.Typer(
    name="altui",
    cls=AltuiGroup,
    help="Build a text-classification training set with active learning, in the terminal.",
    no_args_is_help=True,
    add_completion=True,  # altui --install-completion: commands, options and their choices
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},  # inherited by every command and group
)
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


@app.command(cls=AltuiCommand)
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
        Optional[list[SimulatedStrategy]],
        typer.Option("--strategy", "-s", metavar="<strategy>",
                     help="Strategy to compare (repeatable; default typiclust and random, with --multi-label "
                     "uncertainty and random): uncertainty, margin, entropy, random, ranked-batch, typiclust, "
                     "modal-tutorial. typiclust asks typical texts of uncovered clusters until 10 labels per class, "
                     "then breaks ties (margin); on two labels it is margin, and margin and entropy pick as "
                     "uncertainty does; modal-tutorial is the tutorial's own modAL loop, for reference (needs "
                     "altui\\[tutorial]).")
    ] = None,
    repeats: Annotated[int, typer.Option("--repeats", help="Seeded runs per strategy (the table shows their "
                                         "mean±std).")] = 10,
    iterations: Annotated[int, typer.Option("--iterations", help="Rounds per run.")] = 30,
    batch: BatchOpt = 10,
    model: ModelOpt = Model(DEFAULT_MODEL),
    candidates: CandidatesOpt = DEFAULT_MAX_CANDIDATES,
    seed: SeedOpt = 0,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel runs (joblib); -1 = all cores. The results "
                                      "are the same for any value.")] = -1,
    out: Annotated[Optional[Path], typer.Option("--out", help="CSV: one row per strategy, repeat, iteration.")] = None,
    queries: Annotated[Optional[Path], typer.Option("--queries", help="CSV: one row per queried item.")] = None,
    json_path: Annotated[Optional[Path], typer.Option("--json", help="JSON summary: config and curves.")] = None,
    cold_start: ColdStartOpt = ColdStart(DEFAULT_COLD_START),
    seed_terms: SeedTermsOpt = None,
    backend: Annotated[Backend, typer.Option("--backend", help="Where the runs go: loky (this machine's cores, "
                                              "--jobs) or dask (a cluster; pip install 'altui\\[dask]').")]
    = Backend("loky"),
    address: Annotated[Optional[str], typer.Option("--address", help="With --backend dask: the scheduler, e.g. "
                                                   "tcp://10.0.0.5:8786 (default: a local cluster, --jobs workers).")]
    = None,
    grid: Annotated[Optional[Path], typer.Option("--grid", help="TOML: data sets x strategies x models x batches x "
                                                 "repeats, one long CSV (--out, default GRID.csv); resumes from it.")]
    = None,
    at: Annotated[Optional[str], typer.Option("--at", help="Label counts the table shows, e.g. 50,100,200 "
                                              "(default: six spread over the run).")] = None,
    multi_label: MultiLabelOpt = False,
    label_sep: LabelSepOpt = None,
    embedder: EmbedderOpt = "wordllama",
    label_prior: LabelPriorOpt = True,
    label_descriptions: LabelDescriptionsOpt = None,
) -> None:
    """Run the loop without a person (labels from the label column) and compare strategies.

    \b
    Example: altui simulate train.csv --test test.csv -s modal-tutorial -s uncertainty -s random
             altui simulate train.csv --backend dask --address tcp://scheduler:8786 --repeats 50
             altui simulate --grid grid.toml --out grid.csv   (Ctrl-C, then the same command resumes)
    """
    if address and value(backend) != "dask":
        raise usage_error("--address names a dask scheduler: add --backend dask, or drop --address")
    if grid is not None:
        from altui.cli.grid import run_grid

        if data is not None or test is not None or strategy:
            raise usage_error("with --grid, the data sets and strategies are named in the grid file; drop DATA, "
                             "--test and --strategy")

        run_grid(grid, out, backend=value(backend), address=address, jobs=jobs, candidates=candidates,
                 cold_start=value(cold_start))
        return
    from altui.cli.simulate import run_simulate

    run_simulate(
        data, test, dict(text_col=text_col, label_col=label_col, sep=sep, header=not no_header, format=value(format),
                         quoting=value(quoting), encoding=encoding, label_sep=checked_label_sep(label_sep, multi_label)),
        strategies=value(strategy) or [default_strategy(multi_label), "random"], repeats=repeats, iterations=iterations,
        batch=batch, model=value(model), candidates=candidates, seed=seed, jobs=jobs, cold_start=value(cold_start),
        seed_terms=seed_terms or [], out=out, queries=queries, json_path=json_path, backend=value(backend),
        address=address, at=parse_at(at), multi_label=multi_label, embedder=embedder, label_prior=label_prior,
        descriptions=read_label_descriptions(label_descriptions) if label_descriptions else None,
        more_inputs=[("seed-terms file", Path(v)) for v in seed_terms or [] if "=" not in v]
        + [("label-descriptions file", label_descriptions)],
    )


def _is_terminal(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


def checked_label_sep(label_sep: str | None, multi_label: bool) -> str | None:
    if label_sep is not None and not multi_label:
        raise usage_error("--label-sep joins the labels of a multi-label cell: add --multi-label, or drop it")
    if label_sep is not None and (not label_sep or label_sep.isspace() and label_sep != "\t"):
        raise usage_error("--label-sep needs a character that joins labels, e.g. ';' or '|'")
    return label_sep


@app.command(cls=AltuiCommand)
@domain_errors
def prepare(
    folder: Annotated[Path, typer.Argument(help="Folder to write train.csv and test.csv into.")],
) -> None:
    """Download the YouTube Spam Collection and write the reference train/test split to FOLDER.

    \b
    Example: altui prepare data/   (writes data/train.csv and data/test.csv)
    """
    from altui.data.files.youtube import ensure_youtube, write_split

    split = ensure_youtube()
    written = write_split(folder, split.train.read_bytes(), split.test.read_bytes())
    say(f"wrote {written.train} and {written.test}")


@app.command(cls=AltuiCommand)
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
    strategy: Annotated[Optional[Strategy], typer.Option("--strategy", "-s", help="Query strategy (default: typiclust, "
                                                         "which is margin on two labels; with --multi-label, "
                                                         "uncertainty).")] = None,
    batch: BatchOpt = 10,
    model: ModelOpt = Model(DEFAULT_MODEL),
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
    cold_start: ColdStartOpt = ColdStart(DEFAULT_COLD_START),
    seed_terms: SeedTermsOpt = None,
    argilla_dataset: Annotated[
        Optional[str], typer.Option("--argilla-dataset", help="Log each batch to this Argilla 2.x dataset "
                                    "(key from ARGILLA_API_KEY); key r pulls responses.")
    ] = None,
    argilla_url: Annotated[Optional[str], typer.Option("--argilla-url", envvar="ARGILLA_API_URL",
                                                       help="Argilla URL (default http://localhost:6900).")] = None,
    argilla_workspace: Annotated[Optional[str], typer.Option("--argilla-workspace", envvar="ARGILLA_WORKSPACE",
                                                             help="Argilla workspace (default argilla).")] = None,
    id_col: Annotated[Optional[str], typer.Option("--id-col", help="Column of unique ids (name or 0-based index): "
                                                  "the export's ids (default: an id-like column, else row numbers).")]
    = None,
    meta_cols: Annotated[Optional[str], typer.Option("--meta-cols", help="Comma-separated columns shown beside the "
                                                     "text and exported as columns, e.g. package,author.")] = None,
    annotator: Annotated[Optional[str], typer.Option("--annotator", help="Who labels in this session (default: "
                                                     "your user name); altui agreement compares annotators.")]
    = None,
    multi_label: MultiLabelOpt = False,
    label_sep: LabelSepOpt = None,
    embedder: EmbedderOpt = "wordllama",
    label_prior: LabelPriorOpt = True,
    label_descriptions: LabelDescriptionsOpt = None,
) -> None:
    """Label comments in the terminal: query -> annotate -> teach -> plot. Every answer is saved at once.

    \b
    Example: altui label comments.csv --text-col body --labels ham,spam --session my.db
             altui label packages.csv --id-col package --meta-cols package,section --text-col description
    """
    from altui.data.files.seed_terms import parse_seed_terms
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    check_positive("--batch", batch)
    check_positive("--candidates", candidates, minimum=0)
    config = LabelConfig(
        data=str(data) if data else None, test=str(test) if test else None, text_col=text_col,
        label_col=label_col, sep=sep, header=not no_header, format=value(format), quoting=value(quoting),
        encoding=encoding,
        max_candidates=candidates or None,
        labels=tuple(n.strip() for n in labels.split(",")) if labels else None,
        strategy=value(strategy) or default_strategy(multi_label), model=value(model), batch=batch, seed=seed,
        session=str(session) if session else None,
        rubrix_dataset=rubrix_dataset, rubrix_url=rubrix_url, rubrix_workspace=rubrix_workspace,
        cold_start=value(cold_start), seed_terms=parse_seed_terms(seed_terms or []) or None,
        argilla_dataset=argilla_dataset, argilla_url=argilla_url, argilla_workspace=argilla_workspace,
        id_col=id_col, meta_cols=tuple(c.strip() for c in meta_cols.split(",") if c.strip()) if meta_cols else None,
        annotator=annotator, multi_label=multi_label, label_sep=checked_label_sep(label_sep, multi_label),
        embedder=embedder, label_prior=label_prior,
        label_descriptions=read_label_descriptions(label_descriptions) if label_descriptions else None,
    )
    with data_progress() as on_progress:
        altui_app = make_app(config, on_progress)
    store = altui_app.session.store
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        altui_app.session.close()
        raise AltuiError("altui label needs a terminal (stdin and stdout are not one); run it in a terminal, "
                         "or use `altui simulate` for runs without a person")
    altui_app.run()
    try:
        say(f"session saved in {store.path}")
    except OSError:  # the terminal is gone (an SSH drop, then SIGHUP): nothing to say it on; the answers are saved
        os._exit(altui_app.return_code or 129)
    leave_after_app(altui_app.return_code or 0)  # a crash, or SIGTERM/SIGHUP: 128 + the signal


@app.command(cls=AltuiCommand)
@domain_errors
def export(
    session: Annotated[Path, typer.Argument(help="Session file written by `altui label`.")],
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="The export's format.")] = ExportFormat("csv"),
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Output file (default: stdout).")] = None,
    skipped: Annotated[bool, typer.Option("--skipped", help="Also export skipped items (label empty).")] = False,
    meta: Annotated[Optional[Path], typer.Option("--meta", help="JSON: settings, counts, metrics and kappa per "
                                                 "round, stop point (default with -o: OUTPUT.meta.json).")] = None,
) -> None:
    """Write the labeled items of a session: id, text, label, answered_at, round, source.

    \b
    Example: altui export labels.db -o labels.csv   (also writes labels.meta.json)
    """
    import json

    from altui.data.files.outputs import export_session, session_inputs, session_metadata, write_text

    from altui.data.files.output_paths import check_outputs, is_stdout, is_stream

    text, count = export_session(session, value(format), skipped)
    # -o - is standard output; the metadata goes beside a file output, or where --meta says
    # beside a file, not beside a device or a pipe (-o /dev/null writes no /dev/null.meta.json)
    meta = meta or (output.with_suffix(".meta.json") if output and not is_stdout(output) and not is_stream(output)
                    else None)
    check_outputs([("-o", output), ("--meta", meta)], session_inputs(session), stdout_ok=("-o",))
    if meta:
        write_text(meta, json.dumps(session_metadata(session), indent=2, ensure_ascii=False) + "\n")
        say(f"wrote the session's metadata to {meta}", err=True)
    if output and not is_stdout(output):
        # a terminal named as a file (-o /dev/stdout, /dev/tty) sees controls as symbols, like stdout
        write_text(output, printable(text) if is_stream(output) and _is_terminal(output) else text)
        say(f"wrote {count} items to {output}", err=True)
    elif stdout_is_terminal():
        sys.stdout.write(printable(text))  # a terminal sees controls, as `ls` shows them; pipes get exact bytes
    else:
        sys.stdout.write(text)


@app.command(cls=AltuiCommand)
@domain_errors
def status(
    session: Annotated[Path, typer.Argument(help="Session file written by `altui label`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts: settings, counts, every "
                                          "round's metrics and kappa, the stop point.")] = False,
) -> None:
    """Print a session's counts and its last metrics.

    \b
    Example: altui status labels.db --json | jq .counts
    """
    from altui.data.files.outputs import session_metadata, status_lines

    if as_json:
        import json

        # on a terminal, every non-ASCII character is escaped (still the same JSON): a U+202E or an escape code
        # from the data never reaches the terminal raw; a pipe gets UTF-8
        on_terminal = stdout_is_terminal()
        sys.stdout.write(json.dumps(session_metadata(session), indent=2, ensure_ascii=on_terminal) + "\n")
        return
    out = Console(width=max(stdout.width, 100), highlight=False)
    for line in status_lines(session):
        out.print(" ".join(printable(line).splitlines()), markup=False, highlight=False, soft_wrap=True)


app.command(cls=AltuiCommand)(train)
app.command(cls=AltuiCommand)(predict)
app.command(cls=AltuiCommand)(review)
app.command(cls=AltuiCommand)(search)
app.command(cls=AltuiCommand)(agreement)
app.command(cls=AltuiCommand)(merge)
app.add_typer(rubrix_app, name="rubrix")
app.add_typer(argilla_app, name="argilla")


if __name__ == "__main__":
    app()
