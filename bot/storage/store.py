"""The Store: conversations, messages and handoffs behind one SQLAlchemy Core API."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, select
from sqlalchemy.exc import IntegrityError

from bot.errors import HandoffNotFound, StorageError
from bot.storage import schema
from bot.storage.engines import DEFAULT_POOL_SIZE, engine_for_url
from bot.storage.handoffs import handoff_values, insert_handoff
from bot.storage.outbox import Outbox, insert_entries
from bot.storage.prepared import Prepared
from bot.storage.records import (
    HANDOFF_STATUSES,
    Conversation,
    Handoff,
    HandoffDetails,
    NewMessage,
    OutboxEntry,
    TranscriptLine,
    as_utc,
)
from bot.storage.redaction import redact_conversation
from bot.storage.transactions import Transactions, TurnScope
from bot.storage.turn_lock import TurnLocks
from bot.storage.write_lock import FileWriteLock, NoWriteLock

logger = logging.getLogger(__name__)


# The per-message statements, built once: constructing them per call costs more
# than SQLite takes to run them.
_FIND_CONVERSATION = select(
    schema.conversations.c.id,
    schema.conversations.c.channel,
    schema.conversations.c.sender_id,
    schema.conversations.c.state,
    schema.conversations.c.crisis,
    schema.conversations.c.created_at,
).where(
    schema.conversations.c.channel == bindparam("channel"),
    schema.conversations.c.sender_id == bindparam("sender_id"),
)
_SET_STATE = (
    schema.conversations.update()
    .where(schema.conversations.c.id == bindparam("conversation"))
    .values(state=bindparam("state"), updated_at=bindparam("now"))
)
_RAISE_CRISIS = _SET_STATE.values(crisis=True)
_NEW_CONVERSATION = schema.conversations.insert()
_NEW_MESSAGES = schema.messages.insert()
_NEW_CONVERSATION_ID = schema.conversations.insert().returning(
    schema.conversations.c.id
)
_CONVERSATION_KEYS = (
    "channel", "sender_id", "created_at", "updated_at", "state", "crisis"
)
_MESSAGE_KEYS = ("conversation_id", "sender", "text", "created_at", "parse", "data")
_FIND_INBOUND = select(schema.inbound_messages.c.replies).where(
    schema.inbound_messages.c.conversation_id == bindparam("conversation"),
    schema.inbound_messages.c.message_id == bindparam("message_id"),
)
_NEW_INBOUND = schema.inbound_messages.insert()


def _now() -> datetime:
    return datetime.now(UTC)


class _TurnStatements:
    """The statements every turn runs, prepared for one dialect (see Prepared)."""

    def __init__(self, engine: Engine) -> None:
        dialect = engine.dialect
        self.find = Prepared(_FIND_CONVERSATION, dialect)
        self.new_conversation = Prepared(
            _NEW_CONVERSATION_ID, dialect, keys=_CONVERSATION_KEYS
        )
        self.set_state = Prepared(_SET_STATE, dialect)
        self.raise_crisis = Prepared(_RAISE_CRISIS, dialect)
        self.new_messages = Prepared(_NEW_MESSAGES, dialect, keys=_MESSAGE_KEYS)


@dataclass(frozen=True)
class HandledMessage:
    """A channel's message id and the replies it got, recorded with its turn."""

    message_id: str
    replies: list[dict[str, Any]]


class Store:
    """Persistence for conversations, their messages and staff handoffs.

    Safe to share between threads (and gevent's greenlets): the turn a thread
    is running is its own (`turn`).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        write_lock: FileWriteLock | NoWriteLock | None = None,
        turn_locks: TurnLocks | None = None,
    ) -> None:
        self._engine = engine
        self._write_lock = write_lock or NoWriteLock()
        self._turn_locks = turn_locks
        self._transactions = Transactions(engine, self._write_lock, turn_locks)
        self._statements = _TurnStatements(engine)
        self._begin = self._transactions.begin
        self.outbox = Outbox(
            self._begin, skip_locked=engine.dialect.name == "postgresql"
        )

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = DEFAULT_POOL_SIZE) -> Store:
        """A Store for a sqlite:/// file or a postgresql+psycopg:// URL.

        `pool_size` connections per process: as many turns as run at once.
        ConfigurationError if the URL is malformed, names another database or a
        driver that is not installed, or is in-memory SQLite.
        """
        engine, write_lock, turn_locks = engine_for_url(url, pool_size=pool_size)
        return cls(engine, write_lock=write_lock, turn_locks=turn_locks)

    @contextmanager
    def turn(self, channel: str, sender_id: str) -> Iterator[TurnScope]:
        """Run one turn of a conversation: its turns run one at a time, and what
        the turn stores commits together (see `Transactions.turn`).

        Inside, `save_handoff` only notes the request: `record_turn` writes it
        in the turn's transaction, with the turn's messages, state and outbox
        entries.
        """
        with self._transactions.turn(channel, sender_id) as scope:
            yield scope

    def _scope(self) -> TurnScope | None:
        return self._transactions.scope()

    @contextmanager
    def transaction(self, action: str, *, write: bool = False) -> Iterator[Connection]:
        """A connection in one transaction, for the staff modules' queries.

        `action` names what failed in the StorageError; `write` takes SQLite's
        write lock first.
        """
        with self._begin(action, write=write) as conn:
            yield conn

    @property
    def dialect(self) -> str:
        """The backend's name: "sqlite" or "postgresql"."""
        return self._engine.dialect.name

    def upgrade(self) -> int:
        """Create missing tables and apply pending migrations; return the version."""
        with self._begin("upgrade the schema", write=True) as conn:
            return schema.upgrade_schema(conn)

    def find_conversation(self, channel: str, sender_id: str) -> Conversation | None:
        """The conversation of this channel user, None if they have none yet.

        A turn of a new visitor passes None as the id to `record_turn`, which
        creates the conversation in the turn's own transaction.
        """
        return self._find_conversation(channel, sender_id)

    def conversation(self, channel: str, sender_id: str) -> Conversation:
        """Return the conversation of this channel user, creating it if new."""
        found = self._find_conversation(channel, sender_id)
        if found is not None:
            return found
        now = _now()
        try:
            with self._begin("create the conversation", write=True) as conn:
                result = conn.execute(
                    _NEW_CONVERSATION,
                    {
                        "channel": channel,
                        "sender_id": sender_id,
                        "created_at": now,
                        "updated_at": now,
                        "state": {},
                        "crisis": False,
                    },
                )
            return Conversation(
                id=result.inserted_primary_key[0],
                channel=channel,
                sender_id=sender_id,
                state={},
                crisis=False,
                created_at=now,
            )
        except StorageError as e:
            if not isinstance(e.__cause__, IntegrityError) or self._scope():
                raise
            # Another thread, outside any turn, inserted it between our read and
            # write: use theirs. (Inside a turn the turn lock rules that out.)
        found = self._find_conversation(channel, sender_id)
        if found is None:
            raise StorageError("could not create the conversation")
        return found

    def _find_conversation(self, channel: str, sender_id: str) -> Conversation | None:
        find = self._statements.find
        with self._begin("read the conversation") as conn:
            rows = find.rows(conn, {"channel": channel, "sender_id": sender_id})
        if not rows:
            return None
        return Conversation(**dict(zip(find.columns, rows[0], strict=True)))

    def handled_replies(
        self, conversation_id: int, message_id: str
    ) -> list[dict[str, Any]] | None:
        """The replies stored for a conversation's message id, None if it is new."""
        with self._begin("read a handled message") as conn:
            found: list[dict[str, Any]] | None = conn.execute(
                _FIND_INBOUND,
                {"conversation": conversation_id, "message_id": message_id},
            ).scalar_one_or_none()
        return found

    def record_turn(
        self,
        conversation_id: int | None,
        messages: Sequence[NewMessage],
        *,
        state: dict[str, Any],
        crisis: bool = False,
        handled: HandledMessage | None = None,
        outbox: Sequence[OutboxEntry] = (),
        new_conversation: tuple[str, str] | None = None,
        redact: Callable[[str], str] | None = None,
    ) -> int:
        """Store a turn in one transaction: messages, state, its outbox entries,
        the requests confirmed during the turn, and the channel's message id
        with its replies when `handled` is given; return the conversation's id.

        With `conversation_id` None, the conversation of `new_conversation`
        (channel, sender id) is created in the same transaction. `redact`, when
        given, rewrites every stored message of the conversation (this turn's
        included) in the same transaction.
        """
        now = _now()
        rows = [
            {
                "sender": message.sender,
                "text": message.text,
                "created_at": as_utc(message.timestamp or now),
                "parse": message.parse,
                "data": message.data,
            }
            for message in messages
        ]
        statements = self._statements
        # Never written back to false: a crisis flag stays for staff to see.
        update = statements.raise_crisis if crisis else statements.set_state
        scope = self._scope()
        handoffs = list(scope.handoffs) if scope is not None else []
        saved: list[int] = []
        with self._begin("record the turn", write=True, durable=bool(handoffs)) as conn:
            if conversation_id is None:
                if new_conversation is None:
                    raise ValueError("a new conversation needs its channel and sender")
                channel, sender_id = new_conversation
                [(created,)] = statements.new_conversation.rows(
                    conn,
                    {
                        "channel": channel,
                        "sender_id": sender_id,
                        "created_at": now,
                        "updated_at": now,
                        "state": state,
                        "crisis": crisis,
                    },
                )
                conversation_id = int(created)
            else:
                # The update goes first so the write lock is taken before any read.
                changed = update.execute(
                    conn, {"conversation": conversation_id, "state": state, "now": now}
                )
                if changed != 1:
                    raise StorageError(f"no conversation with id {conversation_id}")
            for row in rows:
                row["conversation_id"] = conversation_id
            statements.new_messages.execute_many(conn, rows)
            if crisis:
                flag_crisis(conn, conversation_id, now)
            if redact is not None:
                redact_conversation(conn, conversation_id, redact)
            if handled is not None:
                conn.execute(
                    _NEW_INBOUND,
                    {
                        "message_id": handled.message_id,
                        "conversation_id": conversation_id,
                        "replies": handled.replies,
                        "created_at": now,
                    },
                )
            insert_entries(conn, outbox, now=now)
            saved = [insert_handoff(conn, values, now=now) for values in handoffs]
        if scope is not None:
            scope.handoffs.clear()
        for handoff_id, values in zip(saved, handoffs, strict=True):
            _log_saved(handoff_id, values)
        return conversation_id

    def transcript(self, conversation_id: int) -> list[TranscriptLine]:
        """Return the conversation's messages, oldest first."""
        table = schema.messages
        query = (
            select(table.c.sender, table.c.text, table.c.created_at)
            .where(table.c.conversation_id == conversation_id)
            .order_by(table.c.id)
        )
        with self._begin("read the transcript") as conn:
            rows = conn.execute(query).all()
        return [
            TranscriptLine(sender=row.sender, text=row.text, timestamp=row.created_at)
            for row in rows
        ]

    def save_handoff(
        self,
        details: HandoffDetails,
        *,
        channel: str,
        sender_id: str,
        transcript: Sequence[TranscriptLine],
        crisis: bool = False,
    ) -> int | None:
        """Store a consented consultation request with its notice to staff.

        Outside a turn, commit it now (synced to disk) and return its id. Inside
        one (`turn`), it is written with the turn by `record_turn`: None.
        ValueError if the phone is not in E.164 form or the time is naive.
        """
        values = handoff_values(
            details,
            channel=channel,
            sender_id=sender_id,
            transcript=transcript,
            crisis=crisis,
        )
        scope = self._scope()
        if scope is not None:
            scope.handoffs.append(values)
            return None
        with self._begin("save the handoff", write=True, durable=True) as conn:
            handoff_id = insert_handoff(conn, values, now=_now())
        _log_saved(handoff_id, values)
        return handoff_id

    def handoffs(self, *, status: str | None = None) -> list[Handoff]:
        """Return handoffs oldest first, only those in `status` if given."""
        table = schema.handoffs
        query = select(table).order_by(table.c.created_at, table.c.id)
        if status is not None:
            query = query.where(table.c.status == _checked_status(status))
        with self._begin("list handoffs") as conn:
            rows = conn.execute(query).all()
        return [_handoff(row) for row in rows]

    def handoff(self, handoff_id: int) -> Handoff | None:
        """Return one handoff, or None if there is no such id."""
        table = schema.handoffs
        with self._begin("read the handoff") as conn:
            row = conn.execute(select(table).where(table.c.id == handoff_id)).first()
        return None if row is None else _handoff(row)

    def update_handoff(
        self, handoff_id: int, *, status: str | None = None, notes: str | None = None
    ) -> Handoff:
        """Change a handoff's status and/or notes and return it as stored."""
        values: dict[str, Any] = {}
        if status is not None:
            values["status"] = _checked_status(status)
        if notes is not None:
            values["notes"] = notes
        table = schema.handoffs
        with self._begin("update the handoff", write=True) as conn:
            if values:
                values["updated_at"] = _now()
                conn.execute(
                    table.update().where(table.c.id == handoff_id).values(values)
                )
            row = conn.execute(select(table).where(table.c.id == handoff_id)).first()
            if row is None:
                raise HandoffNotFound(f"no handoff with id {handoff_id}")
        return _handoff(row)

    def is_opted_out(self, channel: str, sender_id: str) -> bool:
        """True when this sender opted out of messages (SMS STOP) and not back in."""
        table = schema.opt_outs
        query = select(table.c.sender_id).where(
            table.c.channel == channel, table.c.sender_id == sender_id
        )
        with self._begin("read the opt-out") as conn:
            return conn.execute(query).first() is not None

    def set_opted_out(self, channel: str, sender_id: str, opted_out: bool) -> None:
        """Record an opt-out (STOP) or an opt-in (START); repeating one is harmless."""
        table = schema.opt_outs
        where = (table.c.channel == channel) & (table.c.sender_id == sender_id)
        try:
            with self._begin("record the opt-out", write=True) as conn:
                found = conn.execute(select(table.c.sender_id).where(where)).first()
                if not opted_out:
                    conn.execute(table.delete().where(where))
                elif found is None:
                    conn.execute(
                        table.insert().values(
                            channel=channel, sender_id=sender_id, opted_out_at=_now()
                        )
                    )
        except StorageError as e:
            # A concurrent STOP from the same sender got there first: same result.
            if not isinstance(e.__cause__, IntegrityError):
                raise

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()
        self._write_lock.close()
        if self._turn_locks is not None:
            self._turn_locks.close()


def _log_saved(handoff_id: int, values: dict[str, Any]) -> None:
    logger.info(
        "saved handoff %d from %s (crisis: %s)",
        handoff_id,
        values["channel"],
        values["crisis"],
    )


def flag_crisis(conn: Connection, conversation_id: int, now: datetime) -> None:
    """Record that the conversation was flagged now: unreviewed until staff say."""
    flags = schema.crisis_flags
    updated = conn.execute(
        flags.update()
        .where(flags.c.conversation_id == conversation_id)
        .values(flagged_at=now)
    )
    if updated.rowcount == 0:
        conn.execute(
            flags.insert().values(conversation_id=conversation_id, flagged_at=now)
        )


def _checked_status(status: str) -> str:
    if status not in HANDOFF_STATUSES:
        raise ValueError(f"status must be one of {', '.join(HANDOFF_STATUSES)}")
    return status


def _handoff(row: Row[Any]) -> Handoff:
    # The handoffs columns are the Handoff fields, name for name.
    lines = tuple(TranscriptLine.from_json(line) for line in row.transcript)
    return Handoff(**{**row._mapping, "transcript": lines})
