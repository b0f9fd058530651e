"""Several annotators' sessions of the same data, brought together by item id: who said what, and how much
they agree (``altui agreement``). Read-only: every session is opened without write access."""

from __future__ import annotations

import contextlib
import errno
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from altui.data.errors import DataError
from altui.data.files.output_paths import fsync_folder
from altui.engine.agreement import disagreements, kappa, label_set_kappa, per_label_kappa
from altui.engine.label_masks import mask_of, names_of


@dataclass(frozen=True)
class Agreement:
    annotators: list[str]
    labels: list[str]  # the label names, in the first session's order
    item_ids: list[str]  # the items every annotator labeled
    texts: list[str]
    matrix: np.ndarray  # (items, annotators) class indices; multi-label: label-set bit masks
    overall: float  # Cohen's kappa for two annotators, Fleiss' kappa for more (multi-label: over every text x label)
    per_label: list[float]
    only_some: int  # items labeled by some annotators but not all (left out)
    multi_label: bool = False

    def label_text(self, value: int) -> str:
        """A cell of :attr:`matrix` for a person: the label, or the set's labels joined by "+" ("none": empty)."""
        if not self.multi_label:
            return self.labels[value]
        return "+".join(names_of(value, self.labels)) or "none"

    def label_value(self, value: int):
        """A cell of :attr:`matrix` for JSON: the label's name, or the set's names (a list)."""
        if not self.multi_label:
            return self.labels[value]
        return names_of(value, self.labels)

    def given(self, label: int) -> int:
        """How many answers hold ``label``."""
        if self.multi_label:
            return int(((self.matrix >> label) & 1).sum())
        return int((self.matrix == label).sum())

    @property
    def measure(self) -> str:
        return "Cohen's kappa" if len(self.annotators) == 2 else "Fleiss' kappa"

    @property
    def disagreeing(self) -> np.ndarray:
        return disagreements(self.matrix)


def answer_value(name: str, labels: list[str], multi_label: bool) -> int | None:
    """A stored answer's name as the team session's class index, or (multi-label: a JSON list of names) its bit
    mask whatever order the names are in; None for a name the team's labels do not have."""
    if not multi_label:
        return labels.index(name) if name in labels else None
    try:
        names = json.loads(name)
    except ValueError:
        return None
    if not isinstance(names, list) or any(n not in labels for n in names):
        return None
    return mask_of(labels.index(n) for n in set(names))


def _normalized(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def check_one_task(paths: list[Path], infos: list, texts: list[dict[str, str | None]], what: str) -> None:
    """The sessions are of one labeling task: one kind (single or multi-label), the same label names, and every
    item they share by id holds the same text in each (two sessions of two files without an id column share ids
    like ``row-1`` over unrelated texts). Refused in one line naming the sessions and the fix."""
    if len({info.multi_label for info in infos}) > 1:
        raise DataError(f"some of these sessions are multi-label and some are not: {what} sessions of one task")
    labels = list(infos[0].label_names)
    for path, info in zip(paths[1:], infos[1:]):
        if sorted(info.label_names) != sorted(labels):
            raise DataError(f"{path} uses the labels {', '.join(info.label_names)}, not {', '.join(labels)}: "
                            f"{what} sessions of one labeling task")
    first = texts[0]
    for path, other in zip(paths[1:], texts[1:]):
        shared = [item for item in other if item in first and first[item] is not None and other[item] is not None]
        differ = [item for item in shared if _normalized(first[item]) != _normalized(other[item])]
        if differ:
            raise DataError(f"{paths[0]} and {path} are not of the same data: item {differ[0]!r} holds other texts "
                            f"in them ({len(differ)} of the {len(shared)} items they share by id); {what} sessions "
                            "made on one data file (give it an --id-col, or label the same file)")


def agreement(paths: list[Path]) -> Agreement:
    """Agreement of the sessions at ``paths`` (two or more) over the items all of them labeled (skips left out)."""
    from altui.data.sessions.store import SessionStore

    if len(paths) < 2:
        raise DataError("agreement needs two sessions or more: altui agreement alice.db bob.db")
    answers, names, label_sets, texts, infos, item_texts = [], [], [], {}, [], []
    for path in paths:
        store = SessionStore.open_existing(path, readonly=True)
        try:
            infos.append(store.info)
            stored = store.answers()
            given = {s.item_id: s.label_name for s in stored if s.answer.label is not None}
            texts.update({s.item_id: s.text or "" for s in stored})
            item_texts.append({s.item_id: s.text for s in stored})
            names.append(store.info.annotator or Path(path).stem)
            label_sets.append(list(store.info.label_names))
        finally:
            store.close()
        answers.append(given)
    check_one_task(paths, infos, item_texts, "agreement compares")
    multi_label = infos[0].multi_label
    labels = label_sets[0]
    for path, given in zip(paths, answers):
        unknown = next((item for item, name in given.items() if answer_value(name, labels, multi_label) is None), None)
        if unknown is not None:
            raise DataError(f"{path}: the answer to item {unknown!r} ({given[unknown][:60]!r}) is not one of the "
                            f"labels {', '.join(labels)}: the session is damaged; export what can be read with "
                            "`altui export`")
    if len(set(names)) < len(names):  # two sessions of one annotator (or unnamed): tell them apart by file
        names = [f"{name} ({Path(path).name})" for name, path in zip(names, paths)]
    common = sorted(set.intersection(*(set(a) for a in answers)))
    every = set.union(*(set(a) for a in answers))
    if not common:
        raise DataError("no item is labeled in every session: label the same data (the sessions match items by id)")
    if multi_label:  # a stored set is a JSON list of names (its label order may differ between sessions)
        matrix = np.array([[answer_value(a[item], labels, True) for a in answers] for item in common],
                          dtype=np.int64)
        overall, per_label = label_set_kappa(matrix, len(labels))
    else:
        matrix = np.array([[answer_value(a[item], labels, False) for a in answers] for item in common],
                          dtype=np.int64)
        overall, per_label = kappa(matrix, len(labels)), per_label_kappa(matrix, len(labels))
    return Agreement(names, labels, common, [texts.get(i, "") for i in common], matrix, overall, per_label,
                     len(every) - len(common), multi_label)


def merge(paths: list[Path], out: Path) -> tuple[int, int, list[str]]:
    """A new session at ``out`` on the same data as ``paths`` (the first one's settings): every item on which
    all the annotators who labeled it agree is labeled (source ``merged``); the others are conflicts, left
    unanswered for ``altui review --conflicts``. Every annotator's answer is kept in the session. Returns
    (agreed, conflicts, annotators)."""
    from altui.data.sessions.session import LabelingSession
    from altui.data.sessions.store import SessionStore

    if len(paths) < 2:
        raise DataError("merge needs two sessions or more: altui merge alice.db bob.db -o team.db")
    if out.exists():
        raise DataError(f"{out} exists: merge writes a new session; pick another -o")
    given: dict[str, dict[str, str]] = {}
    texts: dict[str, str | None] = {}
    names, infos, item_texts = [], [], []
    for path in paths:
        store = SessionStore.open_existing(path, readonly=True)
        try:
            infos.append(store.info)
            item_texts.append({s.item_id: s.text for s in store.answers()})
            name = store.info.annotator or Path(path).stem
            names.append(name if name not in names else f"{name} ({Path(path).name})")
            for stored in store.answers():
                if stored.answer.label is not None:
                    given.setdefault(stored.item_id, {})[names[-1]] = stored.label_name
                    texts[stored.item_id] = stored.text
        finally:
            store.close()
    check_one_task(paths, infos, item_texts, "merge brings together")
    first = LabelingSession.resume(paths[0], readonly=True)
    try:
        corpus, info = first.corpus, first.store.info
    finally:
        first.close()
    extra = {k: getattr(info, k) for k in ("test_path", "text_col", "label_col", "sep", "header", "format",
                                          "quoting", "encoding", "id_col", "meta_cols", "read_encoding", "embedder",
                                          "label_prior", "label_descriptions")}
    extra["annotator"] = "team: " + ", ".join(names)
    # built aside and renamed into place when whole: a merge killed or stopped half-way leaves no session at -o
    _remove_stale(out)
    building = out.with_name(f".{out.name}.merging-{os.getpid()}")
    team = LabelingSession.open(corpus, building, strategy=info.strategy, model=info.model,
                                batch_size=info.batch_size, seed=info.seed, writer=True, info_extra=extra)
    whole = False
    try:
        row_of = {item_id: row for row, item_id in enumerate(team.corpus.train.ids)}
        labels = list(team.labels)
        agreed = conflicts = 0
        for item_id, answers in given.items():
            row = row_of.get(item_id)
            if row is None:
                continue
            values = {answer_value(name, labels, team.multi_label) for name in answers.values()}
            if len(values) == 1 and None not in values:
                team.answer_item(row, values.pop(), source="merged")
                agreed += 1
            else:
                conflicts += 1
        team.store.record_team_answers([(item_id, who, label, texts.get(item_id))
                                        for item_id, answers in given.items() for who, label in answers.items()])
        whole = True
    finally:
        team.close()  # checkpoints: the whole session is in its one file
        if whole:
            _place(building, out)
        _remove_aside(building)
    return agreed, conflicts, names


def _place(building: Path, out: Path) -> None:
    """Rename the finished session into place, refusing to replace a file made at ``out`` meanwhile."""
    try:
        os.link(building, out)  # fails if out exists: never over a file that appeared since the check
    except FileExistsError:
        raise DataError(f"{out} appeared while merging: merge writes a new session; pick another -o") from None
    except OSError as exc:
        if out.exists() or exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise DataError(f"cannot write {out} ({exc.strerror}); pick a writable -o") from None
        os.replace(building, out)  # a file system without hard links: the check just above, then a rename
    fsync_folder(out.parent)


def _remove_stale(out: Path) -> None:
    """The files a killed merge to ``out`` left aside (their process is gone)."""
    for leftover in out.parent.glob(f".{out.name}.merging-*"):
        pid = leftover.name.removeprefix(f".{out.name}.merging-").split("-")[0].split(".")[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            _remove_aside(out.with_name(f".{out.name}.merging-{pid}"))
        except OSError:
            pass  # alive, someone else's: left alone


def _remove_aside(building: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        with contextlib.suppress(OSError):
            os.unlink(f"{building}{suffix}")
