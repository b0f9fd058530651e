"""The app's link to a Rubrix 0.18 (or Argilla 1.0-1.4) dataset (``altui label --rubrix-dataset NAME``).

Each batch is logged as it is queried: the records go into the session's outbox on the UI thread (committed),
and a worker drains the outbox with its own connection to the session file. ``r`` loads the dataset in a
worker and applies the annotations made in the web UI on the UI thread. Failures are notifications.
"""

from __future__ import annotations

from textual import work

from altui.data.servers.pull_report import label_counts_text
from altui.data.servers.rubrix import RubrixClient, RubrixConfig
from altui.data.servers.rubrix_link import apply_annotations, build_records, drain
from altui.data.sessions.store import SessionStore
from altui.engine.errors import AltuiError
from altui.tui.messages import RubrixFetched, RubrixSent


class RubrixSync:
    """Mixed into :class:`tui.app.AltuiApp`: set ``rubrix`` (config or None) and ``rubrix_dataset``."""

    rubrix: RubrixConfig | None = None
    rubrix_dataset: str | None = None

    def push_to_rubrix(self) -> None:
        """Queue the session's records in the outbox (UI thread, committed), then drain it in a worker."""
        try:
            self.session.store.outbox_put(self.rubrix_dataset, build_records(self.session))
        except AltuiError as exc:
            self.notify(f"Rubrix: {exc}", severity="error", markup=False)
            return
        self.drain_rubrix_outbox()

    @work(thread=True, exclusive=True, group="rubrix-push", exit_on_error=False)
    def drain_rubrix_outbox(self) -> None:
        store = SessionStore.open_existing(self.session.store.path)  # this thread's own connection
        try:
            with RubrixClient(self.rubrix) as client:
                self.post_message(RubrixSent(drain(store, client)))
        finally:
            store.close()

    def on_rubrix_sent(self, message: RubrixSent) -> None:
        self.sub_title = self._subtitle(f"Rubrix: {message.sent} records sent to {self.rubrix_dataset}")

    def action_rubrix_pull(self) -> None:
        if self.rubrix is None:
            return
        self.notify(f"pulling annotations from Rubrix dataset {self.rubrix_dataset}…", timeout=2)
        self.fetch_rubrix_annotations()

    @work(thread=True, exclusive=True, group="rubrix-pull", exit_on_error=False)
    def fetch_rubrix_annotations(self) -> None:
        with RubrixClient(self.rubrix) as client:
            self.post_message(RubrixFetched(client.load(self.rubrix_dataset)))

    def on_rubrix_fetched(self, message: RubrixFetched) -> None:
        if self.teaching:  # apply once the loop is not being taught
            self.set_timer(0.05, lambda: self.on_rubrix_fetched(message))
            return
        try:
            report = apply_annotations(self.session, message.records)
        except AltuiError as exc:  # e.g. the disk is full: what was applied is saved, the rest is not
            self.notify(f"Rubrix: {exc}", severity="error", timeout=10)
            self.annotate_screen.refresh_view()
            return
        text = f"Rubrix: {report.applied} new answers ({label_counts_text(report.labeled)}, {report.discarded} skipped)"
        if report.conflicts:
            text += f"; {len(report.conflicts)} answered differently here, kept as answered here"
        self.notify(text, timeout=6, markup=False)
        if report.applied and self.session.needs_teaching and not self.session.finished:
            self.start_teaching()
        self.annotate_screen.refresh_view()

    def rubrix_failed(self, group: str, message: str) -> bool:
        """The worker error handler's part for Rubrix workers; True when it was one."""
        if group == "rubrix-push":
            waiting = len(self.session.store.outbox(self.rubrix_dataset))
            self.notify(f"Rubrix: {message}. {waiting} records wait in the session's outbox; they are sent "
                        "with the next batch or start.", severity="warning", timeout=10)
            self.sub_title = self._subtitle(f"Rubrix: {waiting} records waiting")
            return True
        if group == "rubrix-pull":
            self.notify(f"Rubrix pull failed: {message}", severity="error", timeout=10)
            self.annotate_screen.refresh_view()
            return True
        return False
