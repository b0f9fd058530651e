"""What a session sends to Rubrix and takes back from it.

push: every answered item (label -> ``Validated`` with the annotation, skip -> ``Discarded``) and the
current queried-but-unanswered batch as ``Default`` with the model's prediction. Records go into the
session's outbox first (committed), then the outbox is drained; whatever Rubrix does not take stays there
for the next push or start, so nothing is lost while Rubrix is down.

pull: annotations made in the Rubrix web UI (``Validated`` -> label, ``Discarded`` -> skip) for items the
session has not answered yet become answers of the session (source ``rubrix``). An item answered in both
places with different labels is a conflict: the terminal answer is kept and the conflict reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from altui.data.servers.pull_report import PullReport, new_report, apply_answer, teach_if_complete
from altui.data.servers.rubrix import PAGE, RubrixClient
from altui.data.sessions.session import LabelingSession
from altui.data.sessions.store import SessionStore
from altui.engine.label_masks import labels_of, mask_of

USER_AGENT = "altui-terminal"
METADATA_LIMIT = 128  # Rubrix keeps at most 128 characters of a metadata value


def rubrix_id(item_id: str) -> str:
    """Rubrix turns all-digit ids into numbers ("007" -> 7): give those a prefix, keep the rest."""
    return f"id-{item_id}" if item_id.isdigit() else item_id


def prediction_agent(session: LabelingSession) -> str:
    return f"altui-{session.loop.strategy.name}-{session.store.info.model}"


def build_records(session: LabelingSession) -> list[dict]:
    """The records a push sends: answered items, then the pending batch."""
    corpus = session.corpus
    names = list(session.labels)
    agent = prediction_agent(session)
    records = []
    for index, stored, proba in session.outgoing():
        record = {
            "id": rubrix_id(corpus.train.ids[index]),
            "inputs": {"text": corpus.train.texts[index]},
            "prediction": None if proba is None else {
                "agent": agent,
                "labels": [{"class": n, "score": round(float(p), 6)} for n, p in zip(names, proba)],
            },
            "annotation": None,
            "status": "Default",
            "multi_label": session.multi_label,  # label sets: each label's own score, the annotation a set
            "metadata": _metadata(session, index, stored.answer.round if stored else session.loop.round_),
            "event_timestamp": None,
            "metrics": {},
            "search_keywords": None,
            "explanation": None,
        }
        if stored is not None:
            record["event_timestamp"] = _naive_iso(stored.at)
            if stored.answer.label is None:
                record["status"] = "Discarded"
            else:
                record["status"] = "Validated"
                label = stored.answer.label
                chosen = labels_of(label) if session.multi_label else [label]
                record["annotation"] = {"agent": USER_AGENT,
                                        "labels": [{"class": names[j], "score": 1.0} for j in chosen]}
        records.append(record)
    return records


def _metadata(session: LabelingSession, index: int, round_: int) -> dict:
    train = session.corpus.train
    meta = {"row": index, "round": round_ + 1, "source": "altui"}  # rounds count from 1, as in the app and export
    for key, value in (("author", train.author(index)), ("date", train.date(index))):
        if value:
            meta[key] = value[-METADATA_LIMIT:]
    return meta


def _naive_iso(at: str) -> str:
    return datetime.fromisoformat(at).replace(tzinfo=None).isoformat()


@dataclass(frozen=True)
class PushReport:
    sent: int
    dataset: str


def push(session: LabelingSession, client: RubrixClient, dataset: str) -> PushReport:
    """Queue the session's records in the outbox (committed), then drain it. Raises RubrixError on failure
    with the records still queued."""
    session.store.outbox_put(dataset, build_records(session))
    return PushReport(drain(session.store, client, dataset), dataset)


def drain(store: SessionStore, client: RubrixClient, dataset: str | None = None) -> int:
    """Send what waits in the outbox (of one dataset, or all); each accepted chunk leaves the outbox."""
    waiting = store.outbox(dataset)
    sent = 0
    by_dataset: dict[str, list[tuple[int, dict]]] = {}
    for seq, name, record in waiting:
        if dataset is None and name.startswith("argilla:"):
            continue  # an Argilla dataset's records (data.argilla_link) are not Rubrix's to send
        by_dataset.setdefault(name, []).append((seq, record))
    for name, rows in by_dataset.items():
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            client.log(name, [record for _, record in chunk])
            store.outbox_remove(seq for seq, _ in chunk)
            sent += len(chunk)
    return sent


def apply_annotations(session: LabelingSession, records: Iterable[dict]) -> PullReport:
    """Turn Validated/Discarded records into answers of the session (committed one by one)."""
    report = new_report(session, "rubrix")
    names = list(session.labels)
    values = list(session.corpus.labels.values)
    index_of = {rubrix_id(item_id): i for i, item_id in enumerate(session.corpus.train.ids)}
    answered = {a.index: a.label for a in session.answers()}
    for record in records:
        if not isinstance(record, dict):
            continue
        status = record.get("status")
        if status not in ("Validated", "Discarded"):
            continue
        index = index_of.get(str(record.get("id")))
        if index is None:
            report.unknown_ids += 1
            continue
        label = None
        if status == "Validated":
            annotation = record.get("annotation")
            labels = annotation.get("labels") if isinstance(annotation, dict) else None
            if not isinstance(labels, list) or not all(isinstance(given, dict) for given in labels):
                continue
            if not labels and not session.multi_label:  # a multi-label answer may be the empty set
                continue
            found = []
            for given in labels if session.multi_label else labels[:1]:
                name = str(given.get("class"))
                found.append(names.index(name) if name in names else values.index(name) if name in values else None)
                if found[-1] is None:
                    report.unknown_labels.append(name)
            if None in found:
                continue
            label = mask_of(found) if session.multi_label else found[0]
        apply_answer(session, report, answered, index, label, session.corpus.train.ids[index], "rubrix")
    return report


def pull(session: LabelingSession, client: RubrixClient, dataset: str) -> PullReport:
    """Fetch the dataset's annotations, apply them, and teach a round if that completes the batch."""
    bound = len(session.corpus.train) + PAGE  # a server paging forever stops here
    return teach_if_complete(session, apply_annotations(session, client.load(dataset, bound)))
