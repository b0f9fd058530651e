"""`altui rubrix push|pull`: the link to a Rubrix 0.18 (or Argilla 1.0-1.4) server."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Optional

import typer

from altui.cli.conventions import AltuiCommand, AltuiGroup

from altui.cli.common import domain_errors, say, say_pull_report
from altui.engine.errors import AltuiError

UrlOpt = Annotated[
    Optional[str], typer.Option("--url", envvar="RUBRIX_API_URL", help="Rubrix URL (default http://localhost:6900).")
]
WorkspaceOpt = Annotated[Optional[str], typer.Option("--workspace", envvar="RUBRIX_WORKSPACE", help="Rubrix workspace.")]
rubrix_app = typer.Typer(
    cls=AltuiGroup,
    help="Link a session to a Rubrix (or Argilla 1.0-1.4) server. The key comes from RUBRIX_API_KEY.",
    no_args_is_help=True,
)
SessionArg = Annotated[Path, typer.Argument(help="Session file written by `altui label`.")]
DatasetOpt = Annotated[str, typer.Option("--dataset", "-d", help="Rubrix dataset name (lowercase, digits, - _).")]


TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds to wait for each Rubrix answer.")]


def _rubrix_client(url: str | None, workspace: str | None, timeout: float):
    from altui.data.servers.rubrix import RubrixClient, RubrixConfig

    if timeout <= 0:
        raise AltuiError(f"--timeout must be more than 0 seconds, got {timeout:g}")
    return RubrixClient(RubrixConfig.from_env(url, workspace, timeout=timeout))


@contextlib.contextmanager
def _rubrix_session(session: Path, dataset: str, url: str | None, workspace: str | None, timeout: float):
    """The resumed session and a Rubrix client, both closed afterwards."""
    from altui.data.servers.rubrix import check_dataset_name
    from altui.data.sessions.session import LabelingSession

    check_dataset_name(dataset)
    labeling = LabelingSession.resume(session, writer=True)
    try:
        with _rubrix_client(url, workspace, timeout) as client:
            yield labeling, client
    finally:
        labeling.close()


@rubrix_app.command("push", cls=AltuiCommand)
@domain_errors
def rubrix_push(
    session: SessionArg, dataset: DatasetOpt, url: UrlOpt = None, workspace: WorkspaceOpt = None,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Send answered items (Validated/Discarded) and the pending batch (Default, with predictions).

    \b
    Example: RUBRIX_API_KEY=... altui rubrix push my.db --dataset comments --url http://localhost:6900
    """
    from altui.data.servers.rubrix import RubrixUnavailable
    from altui.data.servers.rubrix_link import push

    with _rubrix_session(session, dataset, url, workspace, timeout) as (labeling, client):
        try:
            report = push(labeling, client, dataset)
        except RubrixUnavailable as exc:
            waiting = len(labeling.store.outbox(dataset))
            raise AltuiError(f"{exc}; {waiting} records wait in the outbox of {session} "
                             "and are sent on the next push or `altui label --rubrix-dataset` start") from None
    say(f"sent {report.sent} records to Rubrix dataset {dataset!r} at {client.config.url}")


@rubrix_app.command("pull", cls=AltuiCommand)
@domain_errors
def rubrix_pull(
    session: SessionArg, dataset: DatasetOpt, url: UrlOpt = None, workspace: WorkspaceOpt = None,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Apply annotations made in the Rubrix web UI to the session (the next round uses them).

    \b
    Example: altui rubrix pull my.db --dataset comments
    """
    from altui.data.servers.rubrix_link import pull

    with _rubrix_session(session, dataset, url, workspace, timeout) as (labeling, client):
        report = pull(labeling, client, dataset)
    say_pull_report(report, f"annotations from {dataset!r}")
