"""`altui train`, `altui predict` and `altui review`: what a session's labels make besides themselves."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from altui.cli.common import check_positive, data_progress, domain_errors, leave_after_app, say, usage_error
from altui.engine.errors import AltuiError
from altui.tui.text import printable

SessionArg = Annotated[Path, typer.Argument(help="Session file written by `altui label`.")]


def _check_output(session: Path, output: Path | None) -> None:
    """Before any work: -o is not the session, its data or test file, and can be written (``-``: stdout)."""
    from altui.data.files.output_paths import check_outputs
    from altui.data.files.outputs import session_inputs

    check_outputs([("-o", output)], session_inputs(session), stdout_ok=("-o",))


def _write_or_print(text: str, count: int, output: Path | None, what: str) -> None:
    from altui.data.files.output_paths import is_stdout
    from altui.data.files.outputs import write_text

    if output and not is_stdout(output):
        write_text(output, text)
        say(f"wrote {count} {what} to {output}", err=True)
    else:
        sys.stdout.write(printable(text) if sys.stdout.isatty() else text)


@domain_errors
def train(
    session: SessionArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The model file (joblib); MODEL.json is written "
                                         "beside it.")] = Path("model.joblib"),
) -> None:
    """Write the session's model as a scikit-learn Pipeline: raw text in, label names out, predict_proba.

    It loads with scikit-learn and joblib alone (no altui needed). MODEL.json holds the labels, counts,
    test metrics, kappa and settings.

    \b
    Example: altui train labels.db -o model.joblib
             python -c "import joblib; print(joblib.load('model.joblib').predict(['check out my channel']))"
    """
    from altui.data.files.output_paths import check_outputs
    from altui.data.files.outputs import session_inputs
    from altui.data.sessions.session_model import train_model

    check_outputs([("-o", output), ("its description", output.with_suffix(".json"))], session_inputs(session))
    json_path, info = train_model(session, output)
    say(f"wrote the model ({info['model']}, {info['n_labels']} labels) to {output}", err=True)
    say(f"wrote its description to {json_path}", err=True)
    test = info["test"]
    if test and "subset_accuracy" in test:  # label sets
        say(f"test subset accuracy {test['subset_accuracy']:.3f}, macro F1 {test['f1']:.3f}, micro F1 "
            f"{test['micro_f1']:.3f} on {test['n']} items")
    elif test:
        say(f"test accuracy {test['accuracy']:.3f}, macro F1 {test['f1']:.3f} on {test['n']} items")
    if info.get("features", "n-grams") != "n-grams":
        say("note: this pipeline reads n-grams only (scikit-learn alone cannot embed texts); the app's model also "
            "read sentence vectors, so `altui predict` is the stronger of the two", err=True)


@domain_errors
def predict(
    session: SessionArg,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="CSV file (default: stdout).")] = None,
) -> None:
    """Predict every unlabeled item of the session: id, label, confidence, one probability per label.

    \b
    Example: altui predict labels.db -o predictions.csv
    """
    from altui.data.sessions.session_model import predict_pool

    _check_output(session, output)
    text, count = predict_pool(session)
    _write_or_print(text, count, output, "predictions")


@domain_errors
def review(
    session: SessionArg,
    list_: Annotated[bool, typer.Option("--list", help="Print the ranking as CSV (id,label,suggested,score) "
                                        "instead of opening the app.")] = False,
    n: Annotated[Optional[int], typer.Option("-n", help="With --list: only the N labels most likely wrong.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="With --list: CSV file "
                                                   "(default: stdout).")] = None,
    conflicts: Annotated[bool, typer.Option("--conflicts", help="On a merged session (altui merge): the items the "
                                            "annotators disagree on; a label key gives the final label.")] = False,
) -> None:
    """Find your own mistakes: labels ranked by how likely they are wrong, most likely first.

    Each label is scored by a model that never saw it (5-fold, the session's learner): the probability
    it gives the label you gave (cleanlab's self-confidence). In the app, a label key confirms or changes
    the label under the cursor.

    \b
    Example: altui review labels.db --list -n 20
    """
    if n is not None:
        check_positive("-n", n)
    if conflicts and list_:
        raise usage_error("--conflicts opens the adjudication app; to list the disagreements use `altui agreement "
                          "SESSIONS` or `altui export TEAM` (source conflict)")
    if list_:
        from altui.data.sessions.session_model import review_csv

        _check_output(session, output)
        text, count = review_csv(session, n)
        _write_or_print(text, count, output, "labels")
        return
    if n is not None or output is not None:
        raise usage_error("-n and -o go with --list; without it altui review opens the app")
    from altui.tui.factory import make_review_app

    with data_progress() as on_progress:
        app = make_review_app(session, on_progress, conflicts=conflicts)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        app.session.close()
        raise AltuiError("altui review needs a terminal; use `altui review SESSION --list` in scripts")
    app.run()
    say(f"session saved in {session}")
    leave_after_app(app.return_code or 0)
