"""The app's link to an Argilla 2.x dataset (``altui label --argilla-dataset NAME``).

Each batch is logged as it is queried: the records go into the session's outbox on the UI thread
(committed), and a worker drains the outbox with its own connection to the session file. ``r`` reads the
dataset's responses in a worker and applies them on the UI thread. The status line says how many
records wait in the outbox; failures are notifications, never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message

from altui.data.servers.argilla import ArgillaClient, ArgillaConfig
from altui.data.servers.argilla_link import pull_bound, Fetched, SessionShape, apply_responses, build_records, drain, fetch, outbox_name
from altui.data.servers.pull_report import label_counts_text
from altui.data.sessions.store import SessionStore
from altui.engine.errors import AltuiError


@dataclass
class ArgillaSent(Message):
    sent: int


@dataclass
class ArgillaFetched(Message):
    fetched: Fetched


class ArgillaSync:
    """Mixed into :class:`tui.app.AltuiApp`: set ``argilla`` (config or None) and ``argilla_dataset``."""

    argilla: ArgillaConfig | None = None
    argilla_dataset: str | None = None

    @property
    def argilla_outbox(self) -> str:
        return outbox_name(self.argilla.workspace, self.argilla_dataset)

    def argilla_waiting(self) -> int | None:
        """Records waiting in the outbox for the Argilla dataset (None without one)."""
        if self.argilla is None:
            return None
        return self.session.store.outbox_count(self.argilla_outbox)

    def push_to_argilla(self) -> None:
        try:
            self.session.store.outbox_put(self.argilla_outbox, build_records(self.session))
        except AltuiError as exc:
            self.notify(f"Argilla: {exc}", severity="error")
            return
        self._refresh_status()
        self.drain_argilla_outbox(SessionShape.of(self.session))

    @work(thread=True, exclusive=True, group="argilla-push", exit_on_error=False)
    def drain_argilla_outbox(self, shape: SessionShape) -> None:
        store = SessionStore.open_existing(self.session.store.path)  # this thread's own connection
        try:
            with ArgillaClient(self.argilla) as client:
                self.post_message(ArgillaSent(drain(store, client, self.argilla_dataset, shape)))
        finally:
            store.close()

    def on_argilla_sent(self, message: ArgillaSent) -> None:
        self.sub_title = self._subtitle(f"Argilla: {message.sent} records sent to {self.argilla_dataset}")
        self._refresh_status()

    def action_argilla_pull(self) -> None:
        if self.argilla is None:
            return
        self.notify(f"pulling responses from Argilla dataset {self.argilla_dataset}…", timeout=2)
        self.fetch_argilla_responses(list(self.session.labels), self.session.multi_label, pull_bound(self.session))

    @work(thread=True, exclusive=True, group="argilla-pull", exit_on_error=False)
    def fetch_argilla_responses(self, labels: list[str], multi_label: bool = False,
                                max_records: int | None = None) -> None:
        with ArgillaClient(self.argilla) as client:
            self.post_message(ArgillaFetched(fetch(client, self.argilla_dataset, labels, multi_label, max_records)))

    def on_argilla_fetched(self, message: ArgillaFetched) -> None:
        if self.teaching:  # apply once the loop is not being taught
            self.set_timer(0.05, lambda: self.on_argilla_fetched(message))
            return
        fetched = message.fetched
        try:
            report = apply_responses(self.session, fetched.records, fetched.me,
                                     lambda u: fetched.usernames.get(u, u))
        except AltuiError as exc:  # e.g. the disk is full: what was applied is saved, the rest is not
            self.notify(f"Argilla: {exc}", severity="error", timeout=10)
            self.annotate_screen.refresh_view()
            return
        text = f"Argilla: {report.applied} new answers ({label_counts_text(report.labeled)}, {report.discarded} skipped)"
        for warning in report.warnings():
            text += f"; {warning}"
        self.notify(text, timeout=8)
        if report.applied and self.session.needs_teaching and not self.session.finished:
            self.start_teaching()
        self.annotate_screen.refresh_view()

    def _refresh_status(self) -> None:
        if self.annotate_screen.is_mounted:
            self.annotate_screen.refresh_view()

    def argilla_failed(self, group: str, message: str) -> bool:
        """The worker error handler's part for Argilla workers; True when it was one."""
        if group == "argilla-push":
            self.notify(f"Argilla: {message}. {self.argilla_waiting()} records wait in the session's outbox; "
                        "they are sent with the next batch.", severity="warning", timeout=10)
            self._refresh_status()
            return True
        if group == "argilla-pull":
            self.notify(f"Argilla: {message}", severity="error", timeout=10)
            return True
        return False
