"""The staff inbox's queries: requests, their history, transcripts, crisis flags."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from bot.errors import HandoffNotFound, StorageError
from bot.storage import schema
from bot.storage.records import HANDOFF_STATUSES, Handoff
from bot.storage.store import Store, _checked_status, _handoff

MAX_NOTE_CHARS = 4000
_LIST_COLUMNS = [c for c in schema.handoffs.c if c.name != "transcript"]


@dataclass(frozen=True)
class HandoffEvent:
    """One entry of a request's history: a status change or a note."""

    kind: str
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class StoredMessage:
    """A transcript line with what the bot understood of it."""

    sender: str
    text: str
    created_at: datetime
    intent: str | None
    confidence: float | None


@dataclass(frozen=True)
class CrisisConversation:
    """A conversation flagged as a crisis, and whether staff have reviewed it."""

    conversation_id: int
    channel: str
    started_at: datetime
    flagged_at: datetime
    reviewed_at: datetime | None
    reviewed_by: str | None
    handoff_id: int | None

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None and self.reviewed_at >= self.flagged_at


class Inbox:
    """What staff read and change about consultation requests."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def requests(
        self,
        *,
        status: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        with_transcripts: bool = False,
    ) -> list[Handoff]:
        """Requests newest first, filtered by status and a name or phone search."""
        table = schema.handoffs
        columns = list(table.c) if with_transcripts else _LIST_COLUMNS
        query = select(*columns).order_by(table.c.created_at.desc(), table.c.id.desc())
        if status:
            query = query.where(table.c.status == _checked_status(status))
        condition = _search_condition(search or "")
        if condition is not None:
            query = query.where(condition)
        if limit is not None:
            query = query.limit(limit)
        with self._store.transaction("list requests") as conn:
            rows = conn.execute(query).all()
        if with_transcripts:
            return [_handoff(row) for row in rows]
        return [Handoff(**{**row._mapping, "transcript": ()}) for row in rows]

    def counts(self) -> dict[str, int]:
        """The number of requests in each status."""
        table = schema.handoffs
        query = select(table.c.status, func.count()).group_by(table.c.status)
        with self._store.transaction("count requests") as conn:
            found = {status: n for status, n in conn.execute(query)}
        return {status: found.get(status, 0) for status in HANDOFF_STATUSES}

    def request(self, handoff_id: int) -> Handoff | None:
        """One request with its stored transcript, or None."""
        return self._store.handoff(handoff_id)

    def history(self, handoff_id: int) -> list[HandoffEvent]:
        """The request's status changes and notes, oldest first."""
        table = schema.handoff_events
        query = (
            select(table.c.kind, table.c.author, table.c.text, table.c.created_at)
            .where(table.c.handoff_id == handoff_id)
            .order_by(table.c.id)
        )
        with self._store.transaction("read the request's history") as conn:
            return [HandoffEvent(**row._mapping) for row in conn.execute(query)]

    def set_status(self, handoff_id: int, status: str, *, author: str) -> Handoff:
        """Change the status, recording who did it; HandoffNotFound if none."""
        status = _checked_status(status)
        table = schema.handoffs
        now = datetime.now(UTC)
        with self._store.transaction("change the request's status", write=True) as c:
            current = c.execute(
                select(table.c.status).where(table.c.id == handoff_id)
            ).scalar_one_or_none()
            if current is None:
                raise HandoffNotFound(f"no request with id {handoff_id}")
            if current != status:
                c.execute(
                    table.update()
                    .where(table.c.id == handoff_id)
                    .values(status=status, updated_at=now)
                )
                _event(c, handoff_id, "status", author, f"{current} → {status}", now)
        found = self._store.handoff(handoff_id)
        if found is None:
            raise HandoffNotFound(f"no request with id {handoff_id}")
        return found

    def add_note(self, handoff_id: int, text: str, *, author: str) -> None:
        """Append a note to the request's history; ValueError if it is empty."""
        text = text.strip()
        if not text:
            raise ValueError("a note cannot be empty")
        if len(text) > MAX_NOTE_CHARS:
            raise ValueError(f"a note is at most {MAX_NOTE_CHARS} characters")
        table = schema.handoffs
        now = datetime.now(UTC)
        with self._store.transaction("add the note", write=True) as c:
            notes = c.execute(
                select(table.c.notes).where(table.c.id == handoff_id)
            ).scalar_one_or_none()
            if notes is None:
                raise HandoffNotFound(f"no request with id {handoff_id}")
            # The notes column keeps the history readable in exports too.
            line = f"[{now:%Y-%m-%d %H:%M} UTC, {author}] {text}"
            c.execute(
                table.update()
                .where(table.c.id == handoff_id)
                .values(notes=f"{notes}\n{line}" if notes else line, updated_at=now)
            )
            _event(c, handoff_id, "note", author, text, now)

    def messages(self, conversation_id: int) -> list[StoredMessage]:
        """A conversation's stored messages with the intent understood of each."""
        table = schema.messages
        query = (
            select(table.c.sender, table.c.text, table.c.created_at, table.c.parse)
            .where(table.c.conversation_id == conversation_id)
            .order_by(table.c.id)
        )
        with self._store.transaction("read the transcript") as conn:
            rows = conn.execute(query).all()
        return [
            StoredMessage(row.sender, row.text, row.created_at, *_understood(row.parse))
            for row in rows
        ]

    def conversation(self, conversation_id: int) -> dict[str, Any] | None:
        """A conversation's channel, start and crisis flag, or None."""
        table = schema.conversations
        query = select(
            table.c.id, table.c.channel, table.c.created_at, table.c.crisis
        ).where(table.c.id == conversation_id)
        with self._store.transaction("read the conversation") as conn:
            row = conn.execute(query).one_or_none()
        return None if row is None else dict(row._mapping)

    def crisis_conversations(self) -> list[CrisisConversation]:
        """Every crisis-flagged conversation, unreviewed first, newest first."""
        with self._store.transaction("list crisis conversations") as conn:
            rows = conn.execute(_crisis_query()).all()
        found = [
            CrisisConversation(
                conversation_id=row.id,
                channel=row.channel,
                started_at=row.created_at,
                # Flagged before flags were recorded: the last activity stands in.
                flagged_at=row.flagged_at or row.updated_at,
                reviewed_at=row.reviewed_at,
                reviewed_by=row.reviewed_by,
                handoff_id=row.handoff_id,
            )
            for row in rows
        ]
        return sorted(found, key=lambda c: (c.reviewed, -c.flagged_at.timestamp()))

    def unreviewed_crises(self) -> int:
        """How many crisis-flagged conversations staff have not reviewed."""
        return sum(not c.reviewed for c in self.crisis_conversations())

    def review_crisis(self, conversation_id: int, *, author: str) -> None:
        """Mark a crisis-flagged conversation reviewed; StorageError if not one."""
        flags = schema.crisis_flags
        conversations = schema.conversations
        now = datetime.now(UTC)
        with self._store.transaction("review the crisis", write=True) as conn:
            flagged = conn.execute(
                select(conversations.c.crisis).where(
                    conversations.c.id == conversation_id
                )
            ).scalar_one_or_none()
            if not flagged:
                raise StorageError(f"conversation {conversation_id} is not flagged")
            values = {"reviewed_at": now, "reviewed_by": author}
            updated = conn.execute(
                flags.update()
                .where(flags.c.conversation_id == conversation_id)
                .values(values)
            )
            if updated.rowcount == 0:
                conn.execute(
                    flags.insert().values(
                        conversation_id=conversation_id, flagged_at=now, **values
                    )
                )


def _event(
    conn: Connection,
    handoff_id: int,
    kind: str,
    author: str,
    text: str,
    now: datetime,
) -> None:
    conn.execute(
        schema.handoff_events.insert().values(
            handoff_id=handoff_id, kind=kind, author=author, text=text, created_at=now
        )
    )


def _understood(parse: dict[str, Any] | None) -> tuple[str | None, float | None]:
    intent = (parse or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return intent.get("name"), (
        float(confidence) if isinstance(confidence, int | float) else None
    )


def _search_condition(search: str) -> Any:
    """Names containing the words, or phones containing the digits typed."""
    search = search.strip()
    if not search:
        return None
    table = schema.handoffs
    conditions = []
    # National numbers start with a trunk 0 that E.164 numbers do not carry.
    digits = re.sub(r"\D", "", search).lstrip("0")
    if len(digits) >= 3:
        conditions.append(table.c.phone.contains(digits, autoescape=True))
    words = search.split()
    if any(ch.isalpha() for ch in search):
        conditions.append(
            and_(
                *(
                    func.lower(table.c.name).contains(w.lower(), autoescape=True)
                    for w in words
                )
            )
        )
    if not conditions:
        # Neither letters nor three digits: match nothing rather than everything.
        return table.c.id < 0
    return or_(*conditions)


def _crisis_query() -> Any:
    conversations = schema.conversations
    flags = schema.crisis_flags
    handoffs = schema.handoffs
    latest_handoff = (
        select(func.max(handoffs.c.id))
        .where(handoffs.c.conversation_id == conversations.c.id)
        .scalar_subquery()
    )
    return (
        select(
            conversations.c.id,
            conversations.c.channel,
            conversations.c.created_at,
            conversations.c.updated_at,
            flags.c.flagged_at,
            flags.c.reviewed_at,
            flags.c.reviewed_by,
            latest_handoff.label("handoff_id"),
        )
        .select_from(
            conversations.outerjoin(
                flags, flags.c.conversation_id == conversations.c.id
            )
        )
        .where(conversations.c.crisis.is_(True))
    )
