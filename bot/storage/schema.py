"""Tables, the schema version and the migration steps that move it forward."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    select,
)

from bot.errors import StorageError
from bot.storage.records import HANDOFF_STATUSES, OUTBOX_STATES, SENDERS, as_utc

logger = logging.getLogger(__name__)

# Fixed names make constraints addressable by future migrations on both backends.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        return None if value is None else as_utc(value)

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # SQLite keeps no offset; everything was written in UTC.
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


conversations = Table(
    "conversations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("sender_id", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("state", JSON, nullable=False),
    Column("crisis", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("channel", "sender_id"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    # Indexed by ix_messages_conversation_id_id below, whose leading column it is.
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("sender", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # none_as_null: a missing parse is SQL NULL, not the JSON text 'null'.
    Column("parse", JSON(none_as_null=True), nullable=True),
    Column("data", JSON(none_as_null=True), nullable=True),
    CheckConstraint(_in("sender", SENDERS), name="sender"),
    Index(None, "conversation_id", "id"),
)

handoffs = Table(
    "handoffs",
    metadata,
    Column("id", Integer, primary_key=True),
    # A handoff keeps its own transcript, so it outlives a purged conversation.
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="SET NULL"),
        nullable=True,
    ),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("channel", String(32), nullable=False),
    Column("sender_id", String(255), nullable=False),
    Column("name", Text, nullable=False),
    Column("phone", String(32), nullable=False),
    Column("email", String(320), nullable=True),
    Column("preferred_time", Text, nullable=True),
    Column("condition", Text, nullable=True),
    Column("consent", Boolean, nullable=False),
    Column("consent_at", UTCDateTime, nullable=False),
    Column("crisis", Boolean, nullable=False, default=False, server_default=false()),
    Column("status", String(16), nullable=False, default="new", server_default="new"),
    Column("notes", Text, nullable=False, default="", server_default=""),
    Column("transcript", JSON, nullable=False),
    CheckConstraint(_in("status", HANDOFF_STATUSES), name="status"),
    Index(None, "status", "created_at"),
)

inbound_messages = Table(
    "inbound_messages",
    metadata,
    # A channel's own message ids, with the replies they got: a retried message
    # is answered again from here instead of being handled twice. Keyed by
    # conversation, so one visitor's id can never replay another's replies.
    Column("id", Integer, primary_key=True),
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("message_id", String(255), nullable=False),
    Column("replies", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("conversation_id", "message_id"),
)

outbox = Table(
    "outbox",
    metadata,
    # Work for the outside world (a notification, a message to send), written in
    # the same transaction as what caused it and delivered in the background.
    Column("id", Integer, primary_key=True),
    Column("kind", String(64), nullable=False),
    # Entries of one kind and key are delivered one at a time, oldest first.
    Column("key", String(255), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("state", String(16), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("available_at", UTCDateTime, nullable=False),
    # A claim is a lease: a worker that dies leaves the entry to the next one.
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    CheckConstraint(_in("state", OUTBOX_STATES), name="state"),
    Index(None, "state", "available_at"),
    Index(None, "kind", "key", "state", "id"),
)

opt_outs = Table(
    "opt_outs",
    metadata,
    # Senders who texted STOP (or another opt-out keyword): sent nothing more
    # until they text START. A row per opted-out sender; opting in deletes it.
    Column("channel", String(32), primary_key=True),
    Column("sender_id", String(255), primary_key=True),
    Column("opted_out_at", UTCDateTime, nullable=False),
)

# Staff: who may sign in, and the failed sign-ins that slow the next ones down.
staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("password_changed_at", UTCDateTime, nullable=False),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    # "address" or "user": a failure counts against both the address and the name.
    Column("scope", String(8), nullable=False),
    Column("key", String(255), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "scope", "key", "at"),
)

# A request's history: status changes and notes, with who and when.
handoff_events = Table(
    "handoff_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "handoff_id",
        Integer,
        ForeignKey("handoffs.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(8), nullable=False),
    Column("author", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint(_in("kind", ("note", "status")), name="kind"),
    Index(None, "handoff_id", "id"),
)

# When a conversation was last flagged as a crisis, and when staff reviewed it.
crisis_flags = Table(
    "crisis_flags",
    metadata,
    Column(
        "conversation_id",
        Integer,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("flagged_at", UTCDateTime, nullable=False),
    Column("reviewed_at", UTCDateTime, nullable=True),
    Column("reviewed_by", String(64), nullable=True),
)

# What staff taught the bot: new wordings of topics and the clinic's own topics.
learned_phrasings = Table(
    "learned_phrasings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("intent", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

clinic_topics = Table(
    "clinic_topics",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("sms", Text, nullable=False),
    Column("examples", JSON, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Unanswered wordings staff dealt with (taught or dismissed): no longer listed.
unanswered_resolutions = Table(
    "unanswered_resolutions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text_key", String(512), nullable=False),
    Column("action", String(16), nullable=False),
    Column("target", String(128), nullable=True),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "text_key"),
)

# One row: bumped with every change staff make to what the bot knows, so every
# worker can tell cheaply that it must rebuild its parser.
knowledge_version = Table(
    "knowledge_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

# Periodic jobs (the daily purge): the last run, claimed by one process at a time.
housekeeping = Table(
    "housekeeping",
    metadata,
    Column("job", String(32), primary_key=True),
    Column("last_run_at", UTCDateTime, nullable=False),
)

schema_version = Table(
    "schema_version",
    metadata,
    # One row only: the CHECK pins its key.
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

Migration = Callable[[Connection], None]

# The version a fresh database is created at, straight from the tables above.
BASELINE_VERSION = 1

# MIGRATIONS[i] moves an existing database from version i + 1 to i + 2. To change
# the schema: edit the tables above (what fresh databases get) and append the step
# that brings an existing database to the same shape.
MIGRATIONS: tuple[Migration, ...] = ()

SCHEMA_VERSION = BASELINE_VERSION + len(MIGRATIONS)


def stored_version(conn: Connection) -> int:
    """Return the version recorded in the database, 0 if it has none."""
    schema_version.create(conn, checkfirst=True)
    return conn.execute(select(schema_version.c.version)).scalar_one_or_none() or 0


def upgrade_schema(
    conn: Connection, *, migrations: Sequence[Migration] = MIGRATIONS
) -> int:
    """Create missing tables, apply pending migrations; return the new version."""
    current = stored_version(conn)
    latest = BASELINE_VERSION + len(migrations)
    if current > latest:
        raise StorageError(
            f"database schema is version {current}, newer than this code ({latest})"
        )
    if current == 0:
        # A fresh database gets today's tables in one go, so no step ever has to
        # cope with tables newer than itself.
        metadata.create_all(conn)
        conn.execute(schema_version.insert().values(id=1, version=latest))
        logger.info("created storage schema version %d", latest)
        return latest
    for version, step in enumerate(
        migrations[current - BASELINE_VERSION :], start=current
    ):
        step(conn)
        logger.info("migrated storage schema %d -> %d", version, version + 1)
    # A table added after the baseline needs no step of its own.
    metadata.create_all(conn)
    conn.execute(schema_version.update().values(version=latest))
    return latest
