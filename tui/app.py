"""The altui Textual app. Build it with :func:`make_app` (the CLI and the tests both do)."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.worker import Worker, WorkerState

from altui.data.sessions.session import LabelingSession, RoundResult
from altui.engine.errors import AltuiError
from altui.tui.argilla_sync import ArgillaSync
from altui.tui.rubrix_sync import RubrixSync
from altui.tui.text import one_line
from altui.data.servers.argilla import ArgillaConfig
from altui.data.servers.rubrix import RubrixConfig
from altui.tui.messages import BatchReady
from altui.tui.screens.annotate import AnnotateScreen
from altui.tui.notices import os_user
from altui.tui.user_config import UserConfig
from altui.tui.screens.help import HelpScreen
from altui.tui.screens.history import HistoryScreen
from altui.tui.screens.plot import PlotScreen
from altui.tui.screens.review import ConflictsScreen, ReviewScreen
from altui.tui.screens.search import SearchScreen


ASYNC_ROUND_SECONDS = 0.05  # rounds quicker than this run on the event loop (see start_teaching)
SIGNAL_GRACE = 3.0  # seconds a signal's exit may take before the watchdog ends the process


class AltuiApp(ArgillaSync, RubrixSync, App[None]):
    """Owns the labeling session; screens render it, the teach worker advances it."""

    CSS_PATH = "altui.tcss"
    TITLE = "altui"
    COMMAND_PALETTE_BINDING = "ctrl+p"  # themes, keys, help, and altui's screens

    def __init__(self, session: LabelingSession, rubrix: RubrixConfig | None = None,
                 rubrix_dataset: str | None = None, argilla: ArgillaConfig | None = None,
                 argilla_dataset: str | None = None, notices: list[str] | None = None, review: bool | str = False,
                 user_config: UserConfig | None = None):
        super().__init__()
        self.user_config = user_config or UserConfig()
        if self.user_config.keymap:
            self.set_keymap(self.user_config.keymap)
        self.review = review  # open on the review of likely wrong labels (altui review)
        self.notices = notices or []  # said once the app has the screen (resume, settings kept)
        self.session = session
        self._meaning = None  # the search by meaning (data.embeddings.meaning_search), made when first asked
        self._meaning_lock = threading.Lock()
        self.rubrix = rubrix if rubrix_dataset else None
        self.rubrix_dataset = rubrix_dataset
        self.argilla = argilla if argilla_dataset else None
        self.argilla_dataset = argilla_dataset
        self.teaching = False
        self._undos_waiting = 0
        self._last_round_seconds: float | None = None  # teach + query of the last round, in its worker
        self.clock = time.monotonic  # this sitting's pace (tests pin it)
        self.sitting_started = self.clock()
        self.sitting_answers = 0
        self.sub_title = self._subtitle()

    def on_mount(self) -> None:
        if self.user_config.theme:
            self.theme = self.user_config.theme
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):  # leave like `q`: the terminal is restored, answers are saved
            loop.add_signal_handler(signum, self._leave_on_signal, signum)
        self.annotate_screen = AnnotateScreen(self.session, rubrix=self.rubrix is not None,
                                              argilla=self.argilla is not None)
        self.push_screen(self.annotate_screen)
        if self.review == "conflicts":
            self.push_screen(ConflictsScreen(self.session, os_user() or "adjudicator"))
        elif self.review:
            self.push_screen(ReviewScreen(self.session))
        for notice in self.notices:
            self.notify(notice, timeout=10)
        if self.session.changes:
            self.notify(self.session.changes, severity="warning", timeout=15)
        if self.session.notice:
            self.notify(self.session.notice, severity="information", timeout=10)
        if self.session.needs_teaching and not self.session.finished:
            self.start_teaching()
        else:
            self.prepare_next_query()
            if self.rubrix:
                self.push_to_rubrix()
            if self.argilla:
                self.push_to_argilla()

    def _leave_on_signal(self, signum: int) -> None:
        """SIGTERM/SIGHUP: leave like `q`, with 128 + the signal. Every answer is already committed, so if
        leaving blocks (a terminal that is gone: writes to it can hang), a watchdog ends the process after
        :data:`SIGNAL_GRACE` seconds with the same code."""
        code = 128 + signum

        def watchdog() -> None:
            time.sleep(SIGNAL_GRACE)
            os._exit(code)

        threading.Thread(target=watchdog, name="altui-signal-watchdog", daemon=True).start()
        self.exit(None, code)

    def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(signum)
        self.session.close()

    # -- answers (UI thread; each is committed before the screen changes)
    def action_help_quit(self) -> None:
        """ctrl+c: say how to quit (Textual's own notice carries markup that showed as text)."""
        key = self.user_config.keymap.get("quit", "q") if getattr(self, "user_config", None) else "q"
        self.notify(f"Press {key} to quit; every answer is already saved.", title="Do you want to quit?",
                    markup=False)

    def answer(self, label: int | None, source: str = "terminal") -> None:
        if self.teaching or self.session.current() is None:
            return
        try:
            self.session.answer(label, source)
        except AltuiError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.sitting_answers += 1
        if self.session.finished:
            self.notify("every comment is answered: see the screen for export, train and review", timeout=8)
        if self.session.needs_teaching:
            self.start_teaching()
            if self.session.loop.learner.incremental:
                return  # the next batch is on screen within milliseconds (BatchReady refreshes)
        self.annotate_screen.refresh_view()

    def undo(self) -> None:
        if self.teaching:  # applied as soon as the worker is done; the loop is not touched meanwhile
            self._undos_waiting += 1
            return
        try:
            undone = self.session.undo()
        except AltuiError as exc:
            self.notify(f"undo not saved: {exc}", severity="error")
            return
        if undone is None:
            self.notify("nothing to undo", timeout=2)
        else:
            self.notify(self._undone_text(undone), timeout=3)
        self.annotate_screen.refresh_view()

    def pace(self) -> str:
        """Round, place in the batch, answers per hour in this sitting, and the time it has lasted."""
        done, size = self.session.batch_progress()
        seconds = max(0.0, self.clock() - self.sitting_started)
        minutes, secs = divmod(int(seconds), 60)
        hours, minutes = divmod(minutes, 60)
        elapsed = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
        rate = f"{self.sitting_answers / seconds * 3600:.0f}/h" if seconds >= 30 and self.sitting_answers else "—/h"
        return f" round {self.session.loop.round_ + 1} · {min(done + 1, max(size, 1))}/{size} · {rate} · {elapsed}"

    def _undone_text(self, undone) -> str:
        """What an undo took back, naming the item: a new answer (asked again next) or a change."""
        session = self.session
        said = "skip" if undone.label is None else session.label_text(undone.label)
        text = f"“{one_line(session.text(undone.index), 40)}”"
        now = session.answer_of(undone.index)
        if now is None:
            return f"undone: {one_line(said, 20)} for {text}; it is asked again now"
        back = "skip" if now.label is None else session.label_text(now.label)
        return f"undone: the change to {one_line(said, 20)} for {text}; it is {one_line(back, 20)} again"

    def label_item(self, index: int, label: int | None, source: str) -> bool:
        """Answer any item of the pool (a search result), or change its answer if it has one (history, search,
        review); False (said) when it cannot be done now. Multi-label: ``label`` is the key's label, toggled in the
        item's set (an unanswered or skipped item starts from the empty set)."""
        if self.teaching:
            self.notify("the model is being taught: try again in a moment", timeout=2)
            return False
        if self.session.multi_label and label is not None:
            answer = self.session.answer_of(index)  # None when unanswered; a skip's label is None too
            label = ((answer.label or 0) if answer is not None else 0) ^ (1 << label)
        try:
            if self.session.is_answered(index):
                self.session.change(index, label, source)
            else:
                self.session.answer_item(index, label, source)
        except AltuiError as exc:
            self.notify(str(exc), severity="error")
            return False
        if self.session.needs_teaching and not self.session.finished:
            self.start_teaching()
        self.annotate_screen.refresh_view()
        return True

    def toggle_flag(self, index: int) -> None:
        try:
            flagged = self.session.toggle_flag(index)
        except AltuiError as exc:
            self.notify(f"flag not saved: {exc}", severity="error")
            return
        state = "flagged for later (export's flagged column, altui status)" if flagged else "flag removed"
        self.notify(f"{state}: “{one_line(self.session.text(index), 40)}”", timeout=3)

    # -- teach + query in a worker thread
    def start_teaching(self) -> None:
        """Teach the finished batch and query the next one in a worker.

        The incremental learner (MultinomialNB counts) does this in ~2 ms and NB-LR's refit in ~5-20 ms; a
        thread hop back to the event loop costs ~10-25 ms more here, and the person waits for the next
        comment either way. So a round whose previous round took under :data:`ASYNC_ROUND_SECONDS` runs as
        an async worker (a key pressed meanwhile waits that long, and is never lost); anything slower (the
        first round, a model that takes seconds) runs in a thread so keys stay responsive.
        """
        self.teaching = True
        quick = self.session.loop.learner.incremental or (
            self._last_round_seconds is not None and self._last_round_seconds < ASYNC_ROUND_SECONDS)
        if quick:
            self.teach_and_query_async()
        else:
            self.teach_and_query_in_thread()

    @work(exclusive=True, group="teach", exit_on_error=False)
    async def teach_and_query_async(self) -> None:
        self.post_message(BatchReady(self.session.teach_and_query()))

    @work(thread=True, exclusive=True, group="teach", exit_on_error=False)
    def teach_and_query_in_thread(self) -> None:
        self.post_message(BatchReady(self.session.teach_and_query()))

    @work(thread=True, exclusive=True, group="prepare", exit_on_error=False)
    def prepare_next_query(self) -> None:
        """Draw the next query's candidates while the person answers (a large pool's batch then closes in
        milliseconds); the loop's lock keeps it apart from teaching."""
        self.session.loop.prepare_next_query()

    def on_batch_ready(self, message: BatchReady) -> None:
        self._finish_round(message.result)

    def _finish_round(self, result: RoundResult) -> None:
        self._last_round_seconds = result.seconds
        try:
            self.session.commit_round(result)
        except AltuiError as exc:
            self.notify(f"could not save the round: {exc}", severity="error", markup=False)
        self.teaching = False
        waiting, self._undos_waiting = self._undos_waiting, 0
        for _ in range(waiting):
            self.undo()
        self.annotate_screen.refresh_view()
        self.call_after_refresh(self.prepare_next_query)  # after the next comment is drawn: no race for the GIL
        if isinstance(self.screen, PlotScreen):
            self.screen.redraw()
        if self.rubrix:
            self.push_to_rubrix()
        if self.argilla:
            self.push_to_argilla()

    def _subtitle(self, extra: str = "") -> str:
        session = self.session
        text = f"{Path(session.corpus.train.path).name} · {session.loop.strategy.name} · session {session.store.path.name}"
        return one_line(f"{text} · {extra}" if extra else text)  # file names are data

    def notify(self, message: str, **kwargs) -> None:
        """Every notification may hold data (errors, labels, server answers): controls shown, never markup."""
        super().notify(one_line(str(message)), **{**kwargs, "markup": False})

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker failures are handled: say what went wrong, keep the session usable."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        message = str(error) if isinstance(error, AltuiError) else f"{type(error).__name__}: {error}"
        if self.argilla_failed(event.worker.group, message) or self.rubrix_failed(event.worker.group, message):
            return
        if event.worker.group == "teach":
            self.teaching = False
            self.notify(f"teaching failed: {message}. Your answers are saved; press a key to retry.",
                        severity="error", timeout=10, markup=False)
        elif event.worker.group == "prepare":
            self.notify(f"could not prepare the next query ahead ({message}); it is done when the batch closes",
                        severity="warning", timeout=6, markup=False)
        else:
            self.notify(f"{event.worker.name} failed: {message}", severity="error", timeout=10, markup=False)
        self.annotate_screen.refresh_view()

    # -- screens
    def action_show_help(self) -> None:
        names = self.session.labels
        keys = tuple(names[cls] for cls in self.session.key_order)
        self.push_screen(HelpScreen(keys, rubrix=self.rubrix is not None, argilla=self.argilla is not None))

    def action_show_plot(self) -> None:
        self.push_screen(PlotScreen(self.session))

    def action_show_history(self) -> None:
        self.push_screen(HistoryScreen(self.session))

    def action_show_search(self) -> None:
        self.push_screen(SearchScreen(self.session))

    def show_like(self, index: int) -> None:
        """The unlabeled texts nearest in meaning to the text of ``index`` (key m), in the search screen."""
        self.push_screen(SearchScreen(self.session, like=index))

    def meaning_search(self):
        """The session's search by meaning, made once (called from a worker thread: it may embed the pool)."""
        with self._meaning_lock:
            if self._meaning is None:
                from altui.data.embeddings.meaning_search import MeaningSearch

                self._meaning = MeaningSearch.for_session(self.session)
            return self._meaning

    def get_system_commands(self, screen):
        """The command palette (ctrl+p): Textual's own (themes, keys, quit) and altui's screens."""
        yield from super().get_system_commands(screen)
        yield SystemCommand("History", "Every answer, newest first: change one (h)", self.action_show_history)
        yield SystemCommand("Search", "Search the texts and label what you find (/)", self.action_show_search)
        yield SystemCommand("Plot", "Accuracy, F1 or stability per round, labels per class (p)",
                            self.action_show_plot)
        yield SystemCommand("Help", "Every key (?)", self.action_show_help)
