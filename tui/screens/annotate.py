"""The annotate screen: one comment at a time, one key per label."""

from __future__ import annotations

import math

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Sparkline, Static

from data.session import LabelingSession
from engine.pool import UNLABELED
from engine.stopping import THRESHOLD, WINDOW, stop_round
from tui.text import one_line, safe_text

LABEL_STYLES = ("bold green", "bold red", "bold blue", "bold magenta", "bold yellow", "bold cyan")
ANSWER_LOG_SIZE = 12


def label_style(index: int) -> str:
    return LABEL_STYLES[index % len(LABEL_STYLES)]


class AnnotateScreen(Screen):
    """Query/annotate: the comment, its metadata, the model's guess, progress and the last answers."""

    BINDINGS = [
        ("space", "skip", "Skip"),
        ("u", "undo", "Undo"),
        ("backspace", "undo", "Undo"),
        ("p", "app.show_plot", "Plot"),
        ("question_mark", "app.show_help", "Help"),
        ("q", "app.quit", "Quit"),
    ]

    def __init__(self, session: LabelingSession, rubrix: bool = False, argilla: bool = False):
        super().__init__(id="annotate")
        self.session = session
        # one key per label (1..9), first in the footer: "1 ham  2 spam  space Skip ..."
        names = session.labels
        label_keys = [Binding(str(key + 1), f"label({cls})", one_line(names[cls], 20))
                      for key, cls in enumerate(session.key_order[:9])]
        screen_keys = [b for keys in self._bindings.key_to_bindings.values() for b in keys]
        if rubrix:
            screen_keys.insert(2, Binding("r", "app.rubrix_pull", "Pull Rubrix"))
        if argilla:
            screen_keys.insert(2, Binding("r", "app.argilla_pull", "Pull Argilla"))
        self._bindings = BindingsMap(label_keys + screen_keys)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="main"):
            with Vertical(id="item"):
                with VerticalScroll(id="comment-box"):
                    yield Static(id="comment")
                yield Static(id="meta")
                yield Static(id="prediction")
            with Vertical(id="side"):
                yield Static(id="answers")
                yield Static(id="round-metrics")
                yield Sparkline([], id="accuracy-spark")
        yield Static(id="progress")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#comment-box").border_title = "comment"
        self.query_one("#answers").border_title = "last answers"
        no_test = self.session.loop.test_scores_ is None
        self.query_one("#round-metrics").border_title = "model stability" if no_test else "test set"
        self.refresh_view()

    # -- actions
    def action_label(self, label: int) -> None:
        self.app.answer(label)

    def action_skip(self) -> None:
        self.app.answer(None)

    def action_undo(self) -> None:
        self.app.undo()

    # -- rendering
    def refresh_view(self) -> None:
        session = self.session
        index = session.current()
        comment = self.query_one("#comment", Static)
        meta = self.query_one("#meta", Static)
        prediction = self.query_one("#prediction", Static)
        if index is None:
            if session.finished:
                comment.update(Text("Every comment is labeled or skipped. Press p for the plot, q to quit.", style="bold"))
            else:
                comment.update(Text("Teaching the model and picking the next comments…", style="italic"))
            meta.update("")
            prediction.update("")
        else:
            comment.update(safe_text(session.text(index)))
            meta.update(self._meta(index))
            prediction.update(self._prediction(index))
        self.query_one("#answers", Static).update(self._answers())
        self.query_one("#round-metrics", Static).update(self._metrics())
        history = [m.accuracy for m in session.loop.history_ if not math.isnan(m.accuracy)]
        spark = self.query_one("#accuracy-spark", Sparkline)
        spark.data = history
        spark.display = len(history) >= 2
        self.query_one("#progress", Static).update(self._progress())

    def _meta(self, index: int) -> Text:
        train = self.session.corpus.train
        parts = [("id ", "dim"), (one_line(self.session.item_id(index), 60), "")]
        if author := train.author(index):
            parts += [("  ·  by ", "dim"), (one_line(author, 40), "")]
        if date := train.date(index):
            parts += [("  ·  ", "dim"), (one_line(date, 30), "")]
        return Text.assemble(*parts)

    def _prediction(self, index: int) -> Text:
        guess = self.session.predict(index)
        if guess is None:
            return Text("model: not trained yet — it needs one label of each class", style="dim")
        label_index = list(self.session.labels).index(guess.label)
        text = Text.assemble(("model: ", "dim"), (one_line(guess.label, 30), label_style(label_index)),
                             (f" {guess.confidence:.0%}", "bold"))
        if guess.pushed_by:
            text.append("   pushed by: ", style="dim")
            for i, (ngram, _) in enumerate(guess.pushed_by):
                if i:
                    text.append(", ", style="dim")
                text.append(f'"{one_line(ngram, 30)}"')
        return text

    def _answers(self) -> Text:
        names = self.session.labels
        lines = []
        for answer in reversed(self.session.answers()[-ANSWER_LOG_SIZE:]):
            if answer.label is None:
                tag = Text(f"{'skip':<6}", style="dim italic")
            else:
                tag = Text(f"{one_line(names[answer.label], 6):<6}", style=label_style(answer.label))
            lines.append(tag + Text(" " + one_line(self.session.text(answer.index), 80)))
        if not lines:
            return Text("no answers yet", style="dim")
        return Text("\n").join(lines)

    def _metrics(self) -> Text:
        history = self.session.loop.history_
        if not history:
            if self.session.loop.test_scores_ is None:
                return Text("after each round: how much the model's predictions still change (κ)", style="dim")
            return Text("accuracy after each round\nappears here", style="dim")
        last = history[-1]
        if math.isnan(last.accuracy):
            return self._stability(history)
        text = Text.assemble(("after round ", "dim"), (str(last.round + 1), "bold"), (" · ", "dim"),
                             (str(last.n_labels), "bold"), (" labels\n", "dim"), ("acc ", "dim"),
                             (f"{last.accuracy:.3f}", "bold"), ("  F1 ", "dim"), (f"{last.f1:.3f}", "bold"))
        if len(history) > 1 and not math.isnan(history[-2].accuracy):
            delta = last.accuracy - history[-2].accuracy
            text.append(f"\n{delta:+.3f}", style="green" if delta >= 0 else "red")
            text.append(f" vs round {history[-2].round + 1}", style="dim")
        return text

    def _stability(self, history) -> Text:
        """Without a test set: how much the model still changes (kappa on the stop set), and when to stop."""
        last = history[-1]
        text = Text.assemble(("after round ", "dim"), (str(last.round + 1), "bold"), (" · ", "dim"),
                             (str(last.n_labels), "bold"), (" labels\n", "dim"))
        if math.isnan(last.kappa):
            text.append("κ from the next round", style="dim")
            return text
        text.append("κ ", style="dim")
        text.append(f"{last.kappa:.3f}", style="bold")
        text.append(f" vs round {last.round}", style="dim")
        if stop_round([m.kappa for m in history], WINDOW, THRESHOLD) is not None:
            text.append(f"\npredictions stable over {WINDOW} rounds: more labels are unlikely to change the "
                        "model much", style="bold green")
        return text

    def _progress(self) -> Text:
        loop = self.session.loop
        batch = loop.batch_
        done = sum(1 for i in batch if loop.pool.state[i] != UNLABELED)
        counts = loop.pool.label_counts(len(self.session.labels))
        text = Text.assemble(("round ", "dim"), (str(loop.round_ + 1), "bold"),
                             ("  ·  ", "dim"), (f"{min(done + 1, len(batch))}/{len(batch)}", "bold"),
                             (" in batch  ·  ", "dim"), (str(loop.pool.n_labeled), "bold"), (" labeled (", "dim"))
        for i, (name, count) in enumerate(zip(self.session.labels, counts)):
            if i:
                text.append(", ", style="dim")
            text.append(f"{one_line(name, 20)} {count}", style=label_style(i))
        text.append(")", style="dim")
        skipped = loop.pool.n_skipped
        if skipped:
            text.append(f"  ·  {skipped} skipped", style="dim")
        text.append(f"  ·  {loop.pool.n_unlabeled} left", style="dim")
        waiting = self.app.argilla_waiting() if hasattr(self.app, "argilla_waiting") else None
        if waiting:
            text.append(f"  ·  {waiting} waiting for Argilla", style="yellow")
        return text
