"""The annotate screen: one comment at a time, one key per label."""

from __future__ import annotations

import math

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, ProgressBar, Static

from altui.data.sessions.session import LabelingSession
from altui.engine.stopping import THRESHOLD, WINDOW, stop_round
from altui.tui.keys import LabelKeys, abbreviate, legend, uses_legend
from altui.tui.screens.model_panel import class_panel, label_set_panel
from altui.tui.text import label_style, one_line, safe_text

ANSWER_LOG_SIZE = 12


class AnnotateScreen(LabelKeys, Screen):
    """Query/annotate: the comment, its metadata, the model's guess, progress and the last answers."""

    BINDINGS = [
        Binding("enter", "accept", "Accept", id="accept"),
        Binding("space", "skip", "Skip", id="skip"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("backspace", "undo", "Undo", show=False, id="undo-backspace"),
        Binding("h", "app.show_history", "History", id="history"),
        Binding("slash", "app.show_search", "Search", id="search"),
        Binding("m", "like_this", "Like this", show=False, id="like"),  # in the help overlay: the footer is full
        Binding("f", "flag", "Flag", id="flag"),
        Binding("p", "app.show_plot", "Plot", id="plot"),
        Binding("question_mark", "app.show_help", "Help", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
        Binding("shift+down", "scroll_comment(3)", "Scroll", show=False, id="scroll-down"),
        Binding("shift+up", "scroll_comment(-3)", "Scroll", show=False, id="scroll-up"),
    ]

    def __init__(self, session: LabelingSession, rubrix: bool = False, argilla: bool = False):
        super().__init__(id="annotate")
        self.session = session
        self._shown: dict[str, Text] = {}  # what each Static shows now
        # one key per label, first in the footer: "1 ham  2 spam  r Pull …  space Skip ..."
        pull = []
        if rubrix:
            pull = [Binding("r", "app.rubrix_pull", "Pull", id="pull")]
        if argilla:
            pull = [Binding("r", "app.argilla_pull", "Pull", id="pull")]
        # 80 columns hold every footer key but f (and p with r); help lists them; with a legend, l is named there
        hide = {"flag", "plot"} if pull else {"flag"}
        if uses_legend(session.labels):
            hide.add("pick-label")
        if session.multi_label:  # a label key toggles the label; enter confirms the set (empty: no label)
            pull = [Binding("enter", "accept", "Confirm", id="confirm"), *pull]
            hide.add("accept")
        self.bind_label_keys(session.labels, session.key_order, pull, hide=hide)
        self.chosen = 0  # multi-label: the set being put together for the current text (a bit mask)
        self._chosen_for: int | None = None  # the text it is for

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
                yield Static(id="spark")
        yield Static(id="legend")
        with Horizontal(id="status"):
            yield ProgressBar(id="batch-bar", show_eta=False, show_percentage=False)
            yield Static(id="pace")
        yield Static(id="progress")
        yield Footer(compact=True, show_command_palette=False)  # ctrl+p is in help: 80 columns hold every key

    def on_mount(self) -> None:
        self.query_one("#comment-box").border_title = "comment"
        self.query_one("#answers").border_title = "last answers"
        self.query_one("#prediction").border_title = "model"
        no_test = self.session.loop.test_scores_ is None
        self.query_one("#round-metrics").border_title = "model stability" if no_test else "test set"
        legend_box = self.query_one("#legend", Static)
        legend_box.display = uses_legend(self.session.labels)
        picker = " · l NN: any label by number" if len(self.session.labels) > 10 else ""
        legend_box.border_title = f"labels: key, name{picker}"
        self.refresh_view()
        self.set_interval(1.0, self._refresh_pace)

    def on_resize(self) -> None:
        self._shown.pop("#progress", None)
        self.refresh_view()

    # -- actions
    def action_label(self, label: int) -> None:
        if not self.session.multi_label:
            self.app.answer(label)
            return
        if self._current_set() is None:
            return
        self.chosen ^= 1 << label  # toggle
        self.refresh_view()

    def _current_set(self) -> int | None:
        """Multi-label: the set being put together for the text on screen (a new text starts empty)."""
        index = self.session.current()
        if index is None:
            return None
        if index != self._chosen_for:
            self._chosen_for, self.chosen = index, 0
        return self.chosen

    def action_accept(self) -> None:
        """enter: answer with the model's top class (recorded as source ``accepted``); multi-label: confirm the
        set the label keys put together (the empty set is an answer: none of the labels)."""
        index = self.session.current()
        if index is None:
            return
        if self.session.multi_label:
            chosen = self._current_set()
            guess = self.session.predict(index)
            self._chosen_for = None  # the next text starts empty, whatever happens to this answer
            self.app.answer(chosen, source="accepted" if guess is not None and guess.label_set == chosen else
                            "terminal")
            return
        guess = self.session.predict(index)
        if guess is None:
            self.app.notify("no suggestion yet: the model is taught after the first batch with two labels",
                            timeout=3)
            return
        self.app.answer(guess.best, source="accepted")

    def action_skip(self) -> None:
        self.app.answer(None)

    def action_undo(self) -> None:
        self.app.undo()

    def action_scroll_comment(self, lines: int) -> None:
        box = self.query_one("#comment-box", VerticalScroll)
        box.scroll_relative(y=lines, animate=False)

    def action_like_this(self) -> None:
        index = self.session.current()
        if index is not None:
            self.app.show_like(index)

    def action_flag(self) -> None:
        index = self.session.current()
        if index is not None:
            self.app.toggle_flag(index)
            self.refresh_view()

    # -- rendering
    def refresh_view(self) -> None:
        session = self.session
        index = session.current()
        prediction = self.query_one("#prediction", Static)
        if index is None:
            self._show("#comment", self._finished() if session.finished else
                       Text("Teaching the model and picking the next comments…", style="italic"))
            self._show("#meta", Text(""))
            prediction.display = False
        else:
            self.query_one("#comment", Static).update(safe_text(session.text(index)))  # always: the next item
            self._shown.pop("#comment", None)
            self._show("#meta", self._meta(index))
            self._show("#prediction", self._prediction(index))
            prediction.display = True
        box = self.query_one("#comment-box", VerticalScroll)
        if box.scroll_y:
            box.scroll_home(animate=False)
        self._show("#answers", self._answers(), layout=False)  # a fixed height: no layout pass per keypress
        self._show("#round-metrics", self._metrics())
        self._show("#spark", self._spark())
        done, size = session.batch_progress()
        self.query_one("#batch-bar", ProgressBar).update(total=max(size, 1), progress=done)
        self._refresh_pace()
        self._show("#progress", self._progress())
        if uses_legend(session.labels):
            width = max(self.app.size.width - 4, 20)
            rows = 6 if self.app.size.height < 30 else 8  # 80x24 keeps room for the text
            self._show("#legend", legend(session.labels, session.key_order, width, label_style, max_rows=rows),
                       layout=True)

    def _show(self, selector: str, content: Text, layout: bool = True) -> None:
        """Update a Static only when its content changed: each update costs a repaint, and one of a Static of
        automatic height a layout pass too (``layout=False`` for the fixed-size ones)."""
        if self._shown.get(selector) == content:
            return
        self._shown[selector] = content
        self.query_one(selector, Static).update(content, layout=layout)

    def _finished(self) -> Text:
        """The end of the data: what there is, and how to take it away."""
        session = self.session
        path = session.store.path
        return Text.assemble(
            ("Every comment is answered", "bold"),
            (f": {session.loop.pool.n_labeled} labeled, {session.loop.pool.n_skipped} skipped.\n\n", ""),
            ("Take the labels away:  ", "dim"), (f"altui export {one_line(str(path))} -o labels.csv\n", "bold"),
            ("A trained model:       ", "dim"), (f"altui train {one_line(str(path))} -o model.joblib\n", "bold"),
            ("Find your own mistakes: ", "dim"), (f"altui review {one_line(str(path))}\n\n", "bold"),
            ("h changes an answer, p shows the plot, q quits (everything is saved).", "dim"),
        )

    def _refresh_pace(self) -> None:
        """This sitting: answers per hour and the time spent (the app counts both)."""
        pace = getattr(self.app, "pace", None)
        self._show("#pace", Text(pace() if pace else ""), layout=False)

    def _spark(self) -> Text:
        """The last rounds' test accuracy (or κ without a test set) on a fixed 0-1 scale, with its label."""
        history = self.session.loop.history_
        values = [m.accuracy for m in history if not math.isnan(m.accuracy)]
        name = "exact-set accuracy" if self.session.multi_label else "accuracy"
        if not values:
            values, name = [m.kappa for m in history if not math.isnan(m.kappa)], "κ"
        if len(values) < 2:
            return Text("")
        width = 24
        blocks = "▁▂▃▄▅▆▇█"
        line = "".join(blocks[min(7, max(0, int(v * 8)))] for v in values[-width:])
        return Text.assemble((f"{name} per round, 0–1\n", "dim"), (line, "bold"))

    def _meta(self, index: int) -> Text:
        train = self.session.corpus.train
        parts = [("id ", "dim"), (one_line(self.session.item_id(index), 60), "")]
        for name, value in self.session.meta(index).items():  # --meta-cols: data, shown as text
            parts += [(f"  ·  {one_line(name, 20)} ", "dim"), (one_line(value, 50), "")]
        if self.session.item_id(index) in self.session.flagged():
            parts += [("  ·  ", "dim"), ("⚑ flagged", "bold yellow")]
        group = self.session.loop.pool.group(index).shape[0]
        if group > 1:  # identical texts are asked once; the answer labels every copy
            parts += [("  ·  ", "dim"), (f"×{group} identical", "bold yellow")]
        if author := train.author(index):
            parts += [("  ·  by ", "dim"), (one_line(author, 40), "")]
        if date := train.date(index):
            parts += [("  ·  ", "dim"), (one_line(date, 30), "")]
        return Text.assemble(*parts)

    def _prediction(self, index: int) -> Text:
        """The model panel (:mod:`tui.screens.model_panel`): every class's probability, or the set being put
        together and each label's probability."""
        guess = self.session.predict(index)
        panel = self.query_one("#prediction", Static)
        short = self.app.size.height < 30 and uses_legend(self.session.labels)
        if self.session.multi_label:
            panel.border_subtitle = "keys toggle labels · enter confirms"
            return label_set_panel(self.session.labels, self._current_set() or 0, guess, short)
        # a label name is data: a Text, never markup ("[link=…]" in a name must not be parsed)
        panel.border_subtitle = "" if guess is None else \
            Text(f"enter accepts {abbreviate(guess.labels[guess.best], 24)}"
                 + (" (from the label names)" if guess.from_label_names else ""))
        return class_panel(guess, short)

    def _answers(self) -> Text:
        names = self.session.labels
        # the names whole where the side panel is wide enough, else cut the same way as everywhere else
        width = max(4, min(max(len(one_line(n, 40)) for n in names), 14 if self.app.size.width >= 110 else 6))
        if self.session.multi_label:  # a set: its names joined by "+", given more room
            width = 16 if self.app.size.width >= 110 else 8
        lines = []
        for answer in reversed(self.session.answers()[-ANSWER_LOG_SIZE:]):
            if answer.label is None:
                tag = Text(f"{'skip':<{width}}", style="dim italic")
            elif self.session.multi_label:
                names_in = self.session.label_text(answer.label, sep="+")
                tag = Text(f"{abbreviate(names_in, width):<{width}}", style="bold")
            else:
                tag = Text(f"{abbreviate(names[answer.label], width):<{width}}", style=label_style(answer.label))
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
        if not self.session.loop.learner.is_ready:  # one class so far: the same words as the model panel
            return Text("not trained yet: the test set is scored once the model has labels of two classes",
                        style="dim")
        if math.isnan(last.accuracy):
            return self._stability(history)
        accuracy = "exact " if self.session.multi_label else "acc "  # multi-label: subset accuracy (whole set right)
        text = Text.assemble(("after round ", "dim"), (str(last.round + 1), "bold"), (" · ", "dim"),
                             (str(last.n_labels), "bold"), (" labels\n", "dim"), (accuracy, "dim"),
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
        """Labels per class, skips, what is left, the stop suggestion, the outbox; wraps rather than cut."""
        loop = self.session.loop
        counts = loop.pool.label_counts(len(self.session.labels))
        rest = self._progress_rest()
        text = Text.assemble((str(loop.pool.n_labeled), "bold"), (" labeled (", "dim"))
        # as many classes as one line holds, most labeled first (every class when they fit), then "… N more"
        room = max(self.app.size.width - 2 - len(text) - len(rest) - 1, 12)
        order = sorted(range(len(counts)), key=lambda c: (-counts[c], c)) if uses_legend(self.session.labels) \
            else list(range(len(counts)))
        shown = Text()
        for n, cls in enumerate(order):
            part = f"{abbreviate(self.session.labels[cls], 20)} {counts[cls]}"
            more = f", … {len(order) - n} more" if n < len(order) - 1 else ""
            if len(shown) + 2 + len(part) + len(more) > room and n and uses_legend(self.session.labels):
                shown.append(f", … {len(order) - n} more", style="dim")
                break
            if n:
                shown.append(", ", style="dim")
            shown.append(part, style=label_style(cls))
        text.append_text(shown)
        text.append(")", style="dim")
        return text + rest

    def _progress_rest(self) -> Text:
        """The status line after the counts: skips, what is left, the stop suggestion, flags, the outbox."""
        loop = self.session.loop
        text = Text()
        skipped = loop.pool.n_skipped
        if skipped:
            text.append(f" · {skipped} skipped", style="dim")
        text.append(f" · {loop.pool.n_unlabeled} left", style="dim")
        history = loop.history_
        stop = stop_round([m.kappa for m in history], WINDOW, THRESHOLD)
        kappas = [m.kappa for m in history if not math.isnan(m.kappa)]
        if stop is not None:
            text.append(f" · stable since {history[stop].n_labels} labels: enough?", style="bold green")
        elif kappas:  # the stop suggestion, before it holds: how far the predictions still move
            text.append(f" · κ {kappas[-1]:.2f} (stop at {THRESHOLD} over {WINDOW} rounds)", style="dim")
        flagged = len(self.session.store.flags())
        if flagged:
            text.append(f" · {flagged} flagged", style="yellow")
        waiting = self.app.argilla_waiting() if hasattr(self.app, "argilla_waiting") else None
        if waiting:
            text.append(f" · {waiting} waiting for Argilla", style="yellow")
        return text
