"""`altui argilla push|pull`: the link to an Argilla 2.x server (v1 REST API)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Optional

import typer

from altui.cli.conventions import AltuiCommand, AltuiGroup

from altui.cli.common import domain_errors, say, say_pull_report
from altui.engine.errors import AltuiError

argilla_app = typer.Typer(
    cls=AltuiGroup,
    help="Link a session to an Argilla 2.x dataset. The key comes from ARGILLA_API_KEY (never stored). "
         "Example: ARGILLA_API_KEY=... altui argilla push labels.db --dataset spam --workspace team-a",
    no_args_is_help=True,
)
SessionArg = Annotated[Path, typer.Argument(help="Session file written by `altui label`.")]
DatasetOpt = Annotated[str, typer.Option("--dataset", "-d", help="Argilla dataset name (letters, digits, - _).")]
UrlOpt = Annotated[
    Optional[str], typer.Option("--url", envvar="ARGILLA_API_URL", help="Argilla URL (default http://localhost:6900).")
]
WorkspaceOpt = Annotated[
    Optional[str], typer.Option("--workspace", envvar="ARGILLA_WORKSPACE", help="Argilla workspace (default argilla).")
]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds to wait for each Argilla answer.")]


@contextlib.contextmanager
def _argilla_session(session: Path, dataset: str, url: str | None, workspace: str | None, timeout: float):
    """The resumed session (holding its lock) and an Argilla client, both closed afterwards."""
    from altui.data.servers.argilla import ArgillaClient, ArgillaConfig, check_name
    from altui.data.sessions.session import LabelingSession

    check_name(dataset)
    if timeout <= 0:
        raise AltuiError(f"--timeout must be more than 0 seconds, got {timeout:g}")
    config = ArgillaConfig.from_env(url, workspace, timeout=timeout)
    labeling = LabelingSession.resume(session, writer=True)
    try:
        with ArgillaClient(config) as client:
            yield labeling, client
    finally:
        labeling.close()


@argilla_app.command("push", cls=AltuiCommand)
@domain_errors
def argilla_push(session: SessionArg, dataset: DatasetOpt, url: UrlOpt = None, workspace: WorkspaceOpt = None,
                 timeout: TimeoutOpt = 10.0) -> None:
    """Send answered items (your submitted/discarded responses) and the pending batch (with suggestions).

    \b
    Example: ARGILLA_API_KEY=... altui argilla push my.db --dataset comments --workspace team-a
    """
    from altui.data.servers.argilla import ArgillaUnavailable
    from altui.data.servers.argilla_link import outbox_name, push

    with _argilla_session(session, dataset, url, workspace, timeout) as (labeling, client):
        try:
            report = push(labeling, client, dataset)
        except ArgillaUnavailable as exc:
            waiting = labeling.store.outbox_count(outbox_name(client.config.workspace, dataset))
            raise AltuiError(f"{exc}; {waiting} records wait in the outbox of {session} and are sent on the "
                             "next push") from None
    say(f"sent {report.sent} records to Argilla dataset {dataset!r} in workspace {client.config.workspace!r} "
        f"at {client.config.url}")


@argilla_app.command("pull", cls=AltuiCommand)
@domain_errors
def argilla_pull(session: SessionArg, dataset: DatasetOpt, url: UrlOpt = None, workspace: WorkspaceOpt = None,
                 timeout: TimeoutOpt = 10.0) -> None:
    """Apply the responses made in Argilla (submitted -> label, discarded -> skip) to the session.

    Whose answers count: every other user's, and your own (the key's user) on texts this session has not
    answered (a solo user answering in the web UI); on texts answered here, the terminal's answer stays.
    The report names the users whose answers were taken.

    \b
    Example: ARGILLA_API_KEY=... altui argilla pull my.db --dataset comments --workspace team-a
    """
    from altui.data.servers.argilla_link import pull

    with _argilla_session(session, dataset, url, workspace, timeout) as (labeling, client):
        report = pull(labeling, client, dataset)
    say_pull_report(report, f"responses from Argilla dataset {dataset!r}")
