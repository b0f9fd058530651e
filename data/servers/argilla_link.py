"""What a session sends to an Argilla 2.x dataset and takes back from it.

push: every answered item (a label -> the pushing user's ``submitted`` response; a skip -> ``discarded``)
and the pending batch, each with the model's prediction as a suggestion. The records go into the
session's outbox first (committed, in a server-independent form), then the outbox is drained: whatever
Argilla does not take stays there for the next push, so nothing is lost while it is down.

pull: responses of *other* users become answers (source ``argilla:<username>``): submitted -> the label,
discarded -> a skip; several responders who disagree -> the majority, a tie is reported and left
unanswered. An item answered differently in the terminal keeps the terminal answer (reported). A pull
that completes the batch teaches the round and queries the next batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from altui.data.servers.argilla import ArgillaClient, RemoteDataset, none_option
from altui.data.servers.pull_report import PullReport, new_report, apply_answer, teach_if_complete
from altui.data.sessions.session import LabelingSession
from altui.data.sessions.store import SessionStore
from altui.engine.label_masks import mask_of, names_of

METADATA_KEYS = ("round", "author", "date")
METADATA_LIMIT = 200
SKIP = object()


def outbox_name(workspace: str, dataset: str) -> str:
    """The outbox key of an Argilla dataset (apart from Rubrix datasets of the same name)."""
    return f"argilla:{workspace}/{dataset}"


def build_records(session: LabelingSession) -> list[dict]:
    """Server-independent records: answered items, then the pending batch (with the model's suggestion)."""
    corpus = session.corpus
    names = list(session.labels)
    train = corpus.train
    records = []
    for index, stored, proba in session.outgoing():
        round_ = stored.answer.round if stored else session.loop.round_
        metadata = {"round": str(round_ + 1)}
        for key, value in (("author", train.author(index)), ("date", train.date(index))):
            if value:
                metadata[key] = value[:METADATA_LIMIT]
        item_id = corpus.train.ids[index]
        record = {"id": item_id, "external_id": item_id, "text": corpus.train.texts[index], "metadata": metadata,
                  "answer": None, "suggestion": None}
        multi_label = session.multi_label
        if stored is not None:
            label = stored.answer.label
            if label is None:
                record["answer"] = ""  # a skip
            elif multi_label:  # a set: the names in it ([] for the empty set)
                record["answer"] = names_of(label, names)
            else:
                record["answer"] = names[label]
        if proba is not None and multi_label:  # the predicted set, each label's probability as its score
            chosen = [j for j, p in enumerate(proba.tolist()) if p > 0.5]
            record["suggestion"] = {"value": [names[j] for j in chosen], "score": [round(float(proba[j]), 6)
                                                                                  for j in chosen]}
        elif proba is not None:
            best = int(proba.argmax())
            record["suggestion"] = {"value": names[best], "score": round(float(proba[best]), 6)}
        records.append(record)
    return records


def to_item(record: dict, dataset: RemoteDataset, user_id: str, agent: str, metadata_keys: set[str]) -> dict:
    """One bulk-upsert item of the v1 API from an outbox record."""
    item = {"external_id": record["external_id"], "fields": {"text": record["text"]},
            "metadata": {k: v for k, v in record.get("metadata", {}).items() if k in metadata_keys}}
    suggestion = record.get("suggestion")
    none = dataset.options[-1] if dataset.multi_label else None
    if suggestion and dataset.multi_label and isinstance(suggestion.get("value"), list) \
            and set(suggestion["value"]) <= set(dataset.options):
        value, score = suggestion["value"], suggestion["score"]
        if not value:  # the empty set: its option, scored by how sure the model is that no label applies
            value, score = [none], None
        item["suggestions"] = [{"question_id": dataset.question_id, "value": value, "score": score, "agent": agent,
                                "type": "model"}]
    elif suggestion and not dataset.multi_label and suggestion.get("value") in dataset.options:
        item["suggestions"] = [{"question_id": dataset.question_id, "value": suggestion["value"],
                                "score": suggestion["score"], "agent": agent, "type": "model"}]
    answer = record.get("answer")
    if answer == "":
        item["responses"] = [{"user_id": user_id, "values": {}, "status": "discarded"}]
    elif isinstance(answer, list) and dataset.multi_label:
        item["responses"] = [{"user_id": user_id, "values": {"label": {"value": answer or [none]}},
                              "status": "submitted"}]
    elif answer is not None and not isinstance(answer, list):
        item["responses"] = [{"user_id": user_id, "values": {"label": {"value": answer}}, "status": "submitted"}]
    return item


def metadata_keys(session: LabelingSession) -> list[str]:
    train = session.corpus.train
    keys = ["round"]
    if len(train) and train.author(0) is not None:
        keys.append("author")
    if len(train) and train.date(0) is not None:
        keys.append("date")
    return keys


@dataclass(frozen=True)
class PushReport:
    sent: int
    dataset: str


def push(session: LabelingSession, client: ArgillaClient, dataset: str) -> PushReport:
    """Queue the session's records in the outbox (committed), then drain it; on failure they stay queued."""
    session.store.outbox_put(outbox_name(client.config.workspace, dataset), build_records(session))
    return PushReport(drain(session.store, client, dataset, SessionShape.of(session)), dataset)


@dataclass(frozen=True)
class SessionShape:
    """What a drain needs to know of the session (a worker thread has its own store, not the session)."""

    labels: tuple[str, ...]
    metadata: tuple[str, ...]
    model: str
    multi_label: bool = False

    @classmethod
    def of(cls, session: LabelingSession) -> "SessionShape":
        return cls(tuple(session.labels), tuple(metadata_keys(session)), session.store.info.model,
                   session.multi_label)


def drain(store: SessionStore, client: ArgillaClient, dataset: str, shape: SessionShape) -> int:
    """Send what waits in the outbox for this dataset; each accepted chunk leaves the outbox."""
    waiting = store.outbox(outbox_name(client.config.workspace, dataset))
    if not waiting:
        return 0
    me = client.me()
    remote = client.ensure_dataset(dataset, list(shape.labels), list(shape.metadata),
                                   guidelines="Labels from altui: " + ", ".join(shape.labels), multi_label=shape.multi_label)
    agent = f"altui-{shape.model}"
    sent = 0
    for start in range(0, len(waiting), 500):
        chunk = waiting[start:start + 500]
        latest: dict[str, dict] = {}
        for _, _, record in chunk:  # the newest record of an item wins within a chunk
            latest[record["external_id"]] = record
        client.upsert(remote, [to_item(r, remote, str(me["id"]), agent, set(shape.metadata)) for r in latest.values()])
        store.outbox_remove(seq for seq, _, _ in chunk)
        sent += len(chunk)
    return sent


def _label_value(response: dict):
    """The label a submitted response chose (``values.label.value``): a name, or (multi-label) a sorted tuple
    of names; None when the shape differs."""
    values = response.get("values")
    label = values.get("label") if isinstance(values, dict) else None
    value = label.get("value") if isinstance(label, dict) else None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(sorted(set(value)))
    return value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


def verdicts(records: Iterable[dict], me: str, usernames, answered_here: set[str] = frozenset()) -> Iterator:
    """(external_id, value, responders) per record with responses: value is a label name, :data:`SKIP`
    (discarded), or None for a tie. Every other user's response counts; the key's own user's response counts
    only on a record the terminal has not answered (``answered_here``): there it was given in the web UI
    (a solo user on a Hugging Face Space answers as the key's user), elsewhere it is the terminal's own answer,
    pushed earlier."""
    for record in records:
        if not isinstance(record, dict):
            continue
        external_id = str(record.get("external_id"))
        votes: dict[object, list[str]] = {}
        responses = record.get("responses")
        for response in responses if isinstance(responses, list) else []:
            if not isinstance(response, dict):
                continue
            if str(response.get("user_id")) == me and external_id in answered_here:
                continue
            status = response.get("status")
            if status == "submitted":
                value = _label_value(response)
                if value is None:
                    continue  # no label, or a response of another shape: not a vote
                vote = value if isinstance(value, tuple) else str(value)
            elif status == "discarded":
                vote = SKIP
            else:
                continue
            votes.setdefault(vote, []).append(str(response.get("user_id")))
        if not votes:
            continue
        counts = Counter({vote: len(users) for vote, users in votes.items()})
        (top, n), *rest = counts.most_common()
        if rest and rest[0][1] == n:
            yield external_id, None, []
        else:
            yield external_id, top, sorted(usernames(u) for u in votes[top])


def apply_responses(session: LabelingSession, records: Iterable[dict], me: str, usernames) -> PullReport:
    report = new_report(session, "argilla")
    names = list(session.labels)
    index_of = {item_id: i for i, item_id in enumerate(session.corpus.train.ids)}
    answered = {a.index: a.label for a in session.answers()}
    answered_here = {session.corpus.train.ids[i] for i in answered}
    for external_id, value, responders in verdicts(records, me, usernames, answered_here):
        index = index_of.get(external_id)
        if index is None:
            report.unknown_ids += 1
            continue
        if value is None:
            if index not in answered:
                report.ties.append(external_id)
            continue
        if value is SKIP:
            label = None
        elif isinstance(value, tuple) and session.multi_label:  # a set; the none option alone is the empty set
            unknown = [v for v in value if v not in names and v != none_option(names)]
            if unknown:
                report.unknown_labels.extend(unknown)
                continue
            label = mask_of(names.index(v) for v in value if v in names)
        elif not isinstance(value, tuple) and value in names and not session.multi_label:
            label = names.index(value)
        else:
            report.unknown_labels.append(", ".join(value) if isinstance(value, tuple) else value)
            continue
        applied_before = report.applied
        apply_answer(session, report, answered, index, label, external_id, f"argilla:{responders[0]}")
        if report.applied > applied_before:
            report.taken_from.update(responders)
    return report


def pull_bound(session) -> int:
    """The most records a pull of ``session`` reads: its texts and a page more (a server paging forever stops)."""
    from altui.data.servers.argilla import PAGE

    return len(session.corpus.train) + PAGE


@dataclass(frozen=True)
class Fetched:
    """A dataset's records with responses, read in a worker; applied on the UI thread."""

    records: list[dict]
    me: str
    usernames: dict[str, str]


def fetch(client: ArgillaClient, dataset: str, labels: list[str], multi_label: bool = False,
          max_records: int | None = None) -> Fetched:
    """Every record of the dataset with its responses, and the names of the users who answered."""
    from altui.data.servers.argilla import ArgillaNotFound

    me = str(client.me()["id"])
    found = client.find_dataset(client.workspace_id(), dataset)
    if found is None:
        raise ArgillaNotFound(f"workspace {client.config.workspace!r} has no Argilla dataset {dataset!r}; "
                              "push to it first, or check the name")
    records = list(client.records(client.remote(found, dataset, labels, multi_label), max_records))
    users = {str(r.get("user_id")) for rec in records for r in (rec.get("responses") or [])
             if isinstance(r, dict)} if all(isinstance(rec.get("responses") or [], list) for rec in records) else set()
    names = {u: client.username(u) for u in sorted(users - {me})}
    names[me] = client.username(me)  # the key's own user: answers made in the web UI count too
    return Fetched(records, me, names)


def pull(session: LabelingSession, client: ArgillaClient, dataset: str) -> PullReport:
    """Fetch the dataset's responses, apply them, and teach a round if that completes the batch."""
    fetched = fetch(client, dataset, list(session.labels), session.multi_label, pull_bound(session))
    report = apply_responses(session, fetched.records, fetched.me, lambda u: fetched.usernames.get(u, u))
    return teach_if_complete(session, report)
