"""Messages between the workers and the screens (small dataclasses, one place)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from altui.data.sessions.session import RoundResult


@dataclass
class BatchReady(Message):
    """A worker taught the finished batch and queried the next one."""

    result: RoundResult


@dataclass
class RubrixSent(Message):
    """A worker drained the Rubrix outbox: ``sent`` records were accepted."""

    sent: int


@dataclass
class RubrixFetched(Message):
    """A worker loaded the Rubrix dataset; the records are applied on the UI thread."""

    records: list[dict]
