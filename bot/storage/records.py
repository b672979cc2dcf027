"""Frozen records that cross the storage boundary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

Sender = Literal["user", "bot"]

SENDERS: tuple[Sender, ...] = ("user", "bot")
HANDOFF_STATUSES = ("new", "contacted", "closed")
OUTBOX_STATES = ("pending", "delivered", "dropped")


def as_utc(value: datetime) -> datetime:
    """Return an aware datetime in UTC; a naive one is refused, not guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: give a timezone")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class TranscriptLine:
    """One line of a conversation as staff read it."""

    sender: Sender
    text: str
    timestamp: datetime

    def to_json(self) -> dict[str, str]:
        """Return the line as a JSON object with an ISO 8601 UTC timestamp."""
        if self.sender not in SENDERS:
            raise ValueError(f"sender must be one of {', '.join(SENDERS)}")
        return {
            "sender": self.sender,
            "text": self.text,
            "timestamp": as_utc(self.timestamp).isoformat(),
        }

    @classmethod
    def from_json(cls, value: dict[str, str]) -> TranscriptLine:
        """Read a line written by to_json."""
        timestamp = datetime.fromisoformat(value["timestamp"])
        return cls(value["sender"], value["text"], as_utc(timestamp))


@dataclass(frozen=True)
class NewMessage:
    """A message to record; a timestamp of None means now."""

    sender: Sender
    text: str
    parse: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    timestamp: datetime | None = None


@dataclass(frozen=True)
class Conversation:
    """A channel user's conversation and the engine's slots for it."""

    id: int
    channel: str
    sender_id: str
    state: dict[str, Any]
    crisis: bool
    created_at: datetime


@dataclass(frozen=True)
class HandoffDetails:
    """What the consultation form collected, consent included."""

    name: str
    phone: str
    email: str | None
    preferred_time: str | None
    condition: str | None
    consent_at: datetime


@dataclass(frozen=True)
class Handoff:
    """A consultation request as staff see it."""

    id: int
    created_at: datetime
    updated_at: datetime
    status: str
    channel: str
    sender_id: str
    conversation_id: int | None
    name: str
    phone: str
    email: str | None
    preferred_time: str | None
    condition: str | None
    consent: bool
    consent_at: datetime
    crisis: bool
    notes: str
    transcript: tuple[TranscriptLine, ...]


@dataclass(frozen=True)
class OutboxEntry:
    """Work for the outside world, stored with the change that caused it.

    `kind` names the handler that delivers it; entries with the same kind and
    `key` (a recipient, say) are delivered one at a time, oldest first.
    `payload` must be JSON and must carry no more personal data than the
    receiver needs.
    """

    kind: str
    key: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    """An outbox entry claimed by a worker for one delivery attempt."""

    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
