"""The transactional outbox: work for the outside world, delivered after commit.

Entries are written by `Store.record_turn` (or `Outbox.enqueue`) in the same
transaction as the change that caused them, so a crash can lose neither the
change nor its notification. Workers claim due entries with a lease: entries of
one kind and key go one at a time, oldest first; PostgreSQL hands concurrent
workers on several hosts disjoint rows (`FOR UPDATE SKIP LOCKED`), SQLite's
writers are already serialized by the store's write lock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, func, select
from sqlalchemy.orm import aliased

from bot.storage import schema
from bot.storage.records import Delivery, OutboxEntry

Begin = Callable[..., AbstractContextManager[Connection]]

MAX_ERROR_CHARS = 500


def insert_entries(
    conn: Connection, entries: Sequence[OutboxEntry], *, now: datetime
) -> None:
    """Add `entries` to the outbox inside the caller's transaction."""
    if not entries:
        return
    conn.execute(
        schema.outbox.insert(),
        [
            {
                "kind": entry.kind,
                "key": entry.key,
                "payload": entry.payload,
                "state": "pending",
                "attempts": 0,
                "created_at": now,
                "available_at": now,
            }
            for entry in entries
        ],
    )


class Outbox:
    """Claims and settles outbox entries; built by the Store, sharing its engine."""

    def __init__(self, begin: Begin, *, skip_locked: bool) -> None:
        self._begin = begin
        self._skip_locked = skip_locked

    def enqueue(self, entries: Sequence[OutboxEntry], *, now: datetime) -> None:
        """Store entries on their own (outside a turn)."""
        with self._begin("queue outbox entries", write=True) as conn:
            insert_entries(conn, entries, now=now)

    def claim(
        self,
        kinds: Sequence[str],
        *,
        now: datetime,
        lease: timedelta,
        limit: int = 20,
    ) -> list[Delivery]:
        """Claim due entries of `kinds`, at most one per kind and key, for `lease`."""
        table = schema.outbox
        earlier = aliased(table)
        # Only the oldest pending entry of its key is eligible: a later one waits
        # even while the earlier one is backing off, so order is kept.
        has_earlier = exists().where(
            and_(
                earlier.c.kind == table.c.kind,
                earlier.c.key == table.c.key,
                earlier.c.state == "pending",
                earlier.c.id < table.c.id,
            )
        )
        query = (
            select(table)
            .where(
                table.c.kind.in_(list(kinds)),
                table.c.state == "pending",
                table.c.available_at <= now,
                (table.c.claimed_until.is_(None)) | (table.c.claimed_until < now),
                ~has_earlier,
            )
            .order_by(table.c.id)
            .limit(limit)
        )
        if self._skip_locked:
            query = query.with_for_update(skip_locked=True, of=table)
        with self._begin("claim outbox entries", write=True) as conn:
            rows = conn.execute(query).all()
            if rows:
                conn.execute(
                    table.update()
                    .where(table.c.id.in_([row.id for row in rows]))
                    .values(claimed_until=now + lease)
                )
        return [
            Delivery(
                id=row.id,
                kind=row.kind,
                key=row.key,
                payload=row.payload,
                attempts=row.attempts,
                created_at=row.created_at,
            )
            for row in rows
        ]

    def delivered(self, entry_id: int, *, now: datetime) -> None:
        """Mark an entry delivered."""
        self._settle(entry_id, state="delivered", finished_at=now, claimed_until=None)

    def retry(self, entry_id: int, *, at: datetime, error: str) -> None:
        """Count a failed attempt and make the entry due again at `at`."""
        table = schema.outbox
        self._settle(
            entry_id,
            attempts=table.c.attempts + 1,
            available_at=at,
            claimed_until=None,
            last_error=error[:MAX_ERROR_CHARS],
        )

    def drop(self, entry_id: int, *, now: datetime, error: str) -> None:
        """Give up on an entry for good; it stays for staff to see."""
        table = schema.outbox
        self._settle(
            entry_id,
            state="dropped",
            attempts=table.c.attempts + 1,
            finished_at=now,
            claimed_until=None,
            last_error=error[:MAX_ERROR_CHARS],
        )

    def pending_count(self, kinds: Sequence[str] | None = None) -> int:
        """How many entries are still to be delivered."""
        table = schema.outbox
        query = select(func.count()).where(table.c.state == "pending")
        if kinds is not None:
            query = query.where(table.c.kind.in_(list(kinds)))
        with self._begin("count outbox entries") as conn:
            return int(conn.execute(query).scalar_one())

    def entries(self, *, kind: str | None = None) -> list[dict[str, Any]]:
        """Every entry, oldest first, as rows (for the CLI and tests)."""
        table = schema.outbox
        query = select(table).order_by(table.c.id)
        if kind is not None:
            query = query.where(table.c.kind == kind)
        with self._begin("list outbox entries") as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def _settle(self, entry_id: int, **values: Any) -> None:
        table = schema.outbox
        with self._begin("update an outbox entry", write=True) as conn:
            conn.execute(table.update().where(table.c.id == entry_id).values(values))
