"""Privacy and retention: redacting, forgetting a visitor, purging old data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, select

from bot.storage import schema
from bot.storage.store import Store


@dataclass(frozen=True)
class Forgotten:
    """What was deleted for a visitor who asked to be forgotten."""

    messages: int
    requests: int


@dataclass(frozen=True)
class Purged:
    """What a retention purge deleted."""

    conversations: int
    messages: int
    requests: int


class Privacy:
    """Deleting what visitors asked to delete and what is past retention."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def forget(self, channel: str, sender_id: str) -> Forgotten:
        """Delete a visitor's conversation, its messages and their requests."""
        conversations = schema.conversations
        messages = schema.messages
        handoffs = schema.handoffs
        with self._store.transaction("forget the visitor", write=True) as conn:
            found = conn.execute(
                select(conversations.c.id).where(
                    conversations.c.channel == channel,
                    conversations.c.sender_id == sender_id,
                )
            ).scalar_one_or_none()
            message_count = 0
            conditions = [
                (handoffs.c.channel == channel) & (handoffs.c.sender_id == sender_id)
            ]
            if found is not None:
                message_count = conn.execute(
                    select(func.count()).where(messages.c.conversation_id == found)
                ).scalar_one()
                conditions.append(handoffs.c.conversation_id == found)
            requests = conn.execute(delete(handoffs).where(or_(*conditions))).rowcount
            if found is not None:
                # Messages, crisis flags and the state go with the conversation.
                conn.execute(
                    delete(messages).where(messages.c.conversation_id == found)
                )
                conn.execute(delete(conversations).where(conversations.c.id == found))
        return Forgotten(messages=message_count, requests=requests)

    def purge(self, older_than: timedelta, *, now: datetime | None = None) -> Purged:
        """Delete conversations idle longer than `older_than`, and closed requests."""
        cutoff = (now or datetime.now(UTC)) - older_than
        conversations = schema.conversations
        messages = schema.messages
        handoffs = schema.handoffs
        old = select(conversations.c.id).where(conversations.c.updated_at < cutoff)
        with self._store.transaction("purge old data", write=True) as conn:
            message_count = conn.execute(
                delete(messages).where(messages.c.conversation_id.in_(old))
            ).rowcount
            conversation_count = conn.execute(
                delete(conversations).where(conversations.c.updated_at < cutoff)
            ).rowcount
            request_count = conn.execute(
                delete(handoffs).where(
                    handoffs.c.status == "closed", handoffs.c.updated_at < cutoff
                )
            ).rowcount
        return Purged(conversation_count, message_count, request_count)

    def claim(self, job: str, *, every: timedelta, now: datetime | None = None) -> bool:
        """True for exactly one caller per `every`, across processes and hosts."""
        now = now or datetime.now(UTC)
        table = schema.housekeeping
        with self._store.transaction("claim the periodic job", write=True) as conn:
            claimed = conn.execute(
                table.update()
                .where(table.c.job == job, table.c.last_run_at <= now - every)
                .values(last_run_at=now)
            ).rowcount
            if claimed:
                return True
            exists = conn.execute(
                select(table.c.job).where(table.c.job == job)
            ).scalar_one_or_none()
            if exists is None:
                conn.execute(table.insert().values(job=job, last_run_at=now))
                return True
        return False
