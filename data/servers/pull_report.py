"""What a pull from an annotation server did to a session (Rubrix or Argilla): one report, one wording."""

from __future__ import annotations

from dataclasses import dataclass, field


def label_counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items()) or "no labels"


@dataclass
class PullReport:
    labeled: dict[str, int] = field(default_factory=dict)
    discarded: int = 0
    conflicts: list[str] = field(default_factory=list)
    ties: list[str] = field(default_factory=list)  # responders disagree without a majority (Argilla)
    unknown_ids: int = 0
    unknown_labels: list[str] = field(default_factory=list)
    round_taught: bool = False
    taken_from: set[str] = field(default_factory=set)  # whose answers were applied (Argilla user names)
    undone: set[tuple[str, str | None]] = field(default_factory=set)  # (item id, label name) the person undid
    kept_undone: int = 0  # server answers not applied again: the person had undone them

    @property
    def applied(self) -> int:
        return sum(self.labeled.values()) + self.discarded

    def count(self, label: str | None) -> None:
        """One applied answer: a label's name, or None for a skip."""
        if label is None:
            self.discarded += 1
        else:
            self.labeled[label] = self.labeled.get(label, 0) + 1

    def summary(self, source: str) -> list[str]:
        """``source`` says what was applied from where, e.g. "annotations from 'spam'"."""
        lines = [f"applied {self.applied} {source}: {label_counts_text(self.labeled)}, {self.discarded} discarded"]
        if self.taken_from:
            lines.append("answers taken from: " + ", ".join(sorted(self.taken_from)))
        if self.round_taught:
            lines.append("the batch was complete: the model was taught and the next batch queried")
        return lines

    def warnings(self) -> list[str]:
        lines = []
        if self.conflicts:
            lines.append(f"{len(self.conflicts)} items were answered differently in the terminal; the terminal "
                         f"answers are kept (first: {', '.join(self.conflicts[:5])})")
        if self.ties:
            lines.append(f"{len(self.ties)} items have responders who disagree without a majority; they stay "
                         f"unanswered (first: {', '.join(self.ties[:5])})")
        if self.unknown_labels:
            lines.append(f"ignored labels that are not in this session: {', '.join(sorted(set(self.unknown_labels)))}")
        if self.unknown_ids:
            lines.append(f"{self.unknown_ids} records are not items of this data set")
        if self.kept_undone:
            lines.append(f"{self.kept_undone} answers you undid were not taken again from the server (change them in "
                         "the web UI to send a new one)")
        return lines


def apply_answer(session, report: PullReport, answered: dict[int, int | None], index: int, label: int | None,
                 item_id: str, source: str) -> None:
    """One answer from a server: kept if the item is unanswered, else a conflict when it differs (the
    terminal answer wins). ``answered`` (item -> label) is kept up to date."""
    if index in answered:
        if answered[index] != label:
            report.conflicts.append(item_id)
        return
    if (item_id, None if label is None else session.store.info.answer_name(label)) in report.undone:
        report.kept_undone += 1  # the person undid this very answer: an undo is not put back by the next pull
        return
    session.answer_item(index, label, source=source)
    answered[index] = label
    report.count(None if label is None else session.label_text(label))


def new_report(session, prefix: str) -> PullReport:
    """A report that knows which answers from this server (``source`` starting with ``prefix``) were undone."""
    return PullReport(undone={(s.item_id, s.label_name) for s in session.store.undone() if s.source.startswith(prefix)})


def teach_if_complete(session, report: PullReport) -> PullReport:
    """After a pull: teach the round and query the next batch when the pulled answers completed it."""
    if report.applied and session.needs_teaching and not session.finished:
        session.commit_round(session.teach_and_query())
        report.round_taught = True
    return report

