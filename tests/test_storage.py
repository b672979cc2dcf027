"""Store behaviour, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, func, select, text
from sqlalchemy.pool import NullPool

from bot.errors import ConfigurationError, HandoffNotFound, StorageError
from bot.storage import (
    SCHEMA_VERSION,
    HandoffDetails,
    NewMessage,
    Store,
    schema,
)
from bot.storage.schema import stored_version, upgrade_schema

EASTERN = timezone(timedelta(hours=-5))


# `database` (a fresh database's URL, per backend) and `store` come from conftest.


@pytest.fixture
def engine(database: str) -> Iterator[Engine]:
    """A second, plain way into the same database, to look at raw rows."""
    engine = create_engine(database, poolclass=NullPool)
    yield engine
    engine.dispose()


def details(**overrides: object) -> HandoffDetails:
    fields: dict[str, object] = {
        "name": "Test Visitor",
        "phone": "+15135550134",
        "email": "visitor@example.com",
        "preferred_time": "weekday mornings",
        "condition": "CRPS",
        "consent_at": datetime(2024, 5, 1, 9, 30, tzinfo=EASTERN),
    }
    fields.update(overrides)
    return HandoffDetails(**fields)  # type: ignore[arg-type]


def assert_utc(value: datetime) -> None:
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(0)


# -- schema ------------------------------------------------------------------


def test_upgrade_creates_the_schema_and_is_idempotent(database: str) -> None:
    store = Store.from_url(database)
    try:
        assert store.upgrade() == 1
        assert store.upgrade() == 1
        assert SCHEMA_VERSION == 1
        assert (
            store.conversation("rest", "u1").id == store.conversation("rest", "u1").id
        )
    finally:
        store.dispose()


def test_migrations_run_once_from_the_stored_version(
    store: Store, engine: Engine
) -> None:
    applied: list[int] = []

    def add_table(conn: Connection) -> None:
        applied.append(stored_version(conn))
        conn.execute(text("CREATE TABLE extra (id INTEGER PRIMARY KEY)"))

    for _ in range(2):
        with engine.begin() as conn:
            assert upgrade_schema(conn, migrations=(add_table,)) == 2
    assert applied == [1]
    with engine.connect() as conn:
        assert stored_version(conn) == 2
        assert conn.execute(text("SELECT count(*) FROM extra")).scalar_one() == 0
    with pytest.raises(StorageError, match="newer than this code"):
        store.upgrade()


def test_a_fresh_database_starts_at_the_latest_version(engine: Engine) -> None:
    def never(conn: Connection) -> None:
        raise AssertionError("a fresh database replays no migration")

    with engine.begin() as conn:
        assert upgrade_schema(conn, migrations=(never,)) == 2
    with engine.connect() as conn:
        assert stored_version(conn) == 2


def test_a_failing_migration_keeps_the_stored_version(
    store: Store, engine: Engine
) -> None:
    def broken(conn: Connection) -> None:
        raise RuntimeError("step failed")

    with pytest.raises(RuntimeError), engine.begin() as conn:
        upgrade_schema(conn, migrations=(broken,))
    with engine.connect() as conn:
        assert stored_version(conn) == 1


# -- from_url ------------------------------------------------------------------


def test_sqlite_from_url_creates_the_folder_and_tunes_connections(
    tmp_path: Path,
) -> None:
    path = tmp_path / "instance" / "nested" / "faqbot.db"
    store = Store.from_url(f"sqlite:///{path}")
    try:
        store.upgrade()
        # The pragmas live on pooled connections only, hence the private engine.
        with store._engine.connect() as conn:
            pragma = conn.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar_one() == "wal"
            assert pragma("PRAGMA synchronous").scalar_one() == 1  # NORMAL
            assert pragma("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        store.dispose()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="in-memory"):
        Store.from_url(url)


# -- conversations and turns -------------------------------------------------------


def test_conversation_is_created_once_per_channel_and_sender(store: Store) -> None:
    first = store.conversation("sms", "+15135550134")
    assert first.state == {}
    assert first.crisis is False
    assert_utc(first.created_at)
    again = store.conversation("sms", "+15135550134")
    assert again == first
    assert store.conversation("messenger", "+15135550134").id != first.id
    assert store.conversation("sms", "+15135550199").id != first.id


def test_concurrent_first_messages_make_one_conversation(store: Store) -> None:
    threads = 8
    barrier = threading.Barrier(threads)
    ids: list[int] = []
    errors: list[BaseException] = []

    def open_conversation() -> None:
        try:
            barrier.wait()
            ids.append(store.conversation("widget", "same-visitor").id)
        except BaseException as e:  # a thread's failure must reach the test
            errors.append(e)

    workers = [threading.Thread(target=open_conversation) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    # (channel, sender_id) is unique, so one id means one row.
    assert len(ids) == threads
    assert set(ids) == {store.conversation("widget", "same-visitor").id}


def test_record_turn_keeps_messages_in_order_and_replaces_state(
    store: Store, engine: Engine
) -> None:
    conv = store.conversation("rest", "visitor")
    parse = {"intent": {"name": "cost", "confidence": 0.91}, "entities": []}
    buttons = {"buttons": [{"title": "Book a consult", "payload": "/handoff"}]}
    said_at = datetime(2024, 5, 1, 8, 0, tzinfo=EASTERN)
    store.record_turn(
        conv.id,
        [NewMessage("user", "how much does it cost?", parse=parse)],
        state={"topic": "cost", "asked": 1},
    )
    store.record_turn(
        conv.id,
        [
            NewMessage("bot", "Infusions are priced per session.", data=buttons),
            NewMessage("bot", "Anything else? ✨", timestamp=said_at),
        ],
        state={"asked": 2},
    )

    lines = store.transcript(conv.id)
    assert [(line.sender, line.text) for line in lines] == [
        ("user", "how much does it cost?"),
        ("bot", "Infusions are priced per session."),
        ("bot", "Anything else? ✨"),
    ]
    for line in lines:
        assert_utc(line.timestamp)
    assert lines[2].timestamp == said_at
    assert store.conversation("rest", "visitor").state == {"asked": 2}

    table = schema.messages
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c.parse, table.c.data).order_by(table.c.id)
        ).all()
        nulls = conn.execute(
            select(func.count()).where(table.c.parse.is_(None))
        ).scalar_one()
    assert [tuple(row) for row in rows] == [
        (parse, None),
        (None, buttons),
        (None, None),
    ]
    assert nulls == 2  # SQL NULL, not the JSON text 'null'


def test_a_failed_turn_leaves_nothing_behind(store: Store) -> None:
    conv = store.conversation("sms", "+15135550134")
    store.record_turn(conv.id, [NewMessage("user", "hello")], state={"step": 1})
    bad_turn = [
        NewMessage("user", "second"),
        NewMessage("robot", "not a sender"),  # type: ignore[arg-type]
    ]
    with pytest.raises(StorageError):
        store.record_turn(conv.id, bad_turn, state={"step": 2}, crisis=True)
    assert [line.text for line in store.transcript(conv.id)] == ["hello"]
    after = store.conversation("sms", "+15135550134")
    assert after.state == {"step": 1}
    assert after.crisis is False


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ((False,), False),
        ((True,), True),
        ((True, False), True),
        ((False, True, False, False), True),
    ],
)
def test_crisis_only_goes_up(
    store: Store, flags: tuple[bool, ...], expected: bool
) -> None:
    conv = store.conversation("widget", "w1")
    for flag in flags:
        store.record_turn(conv.id, [], state={}, crisis=flag)
    assert store.conversation("widget", "w1").crisis is expected


def test_record_turn_for_an_unknown_conversation_fails(store: Store) -> None:
    with pytest.raises(StorageError):
        store.record_turn(424242, [NewMessage("user", "hi")], state={})


def test_record_turn_refuses_a_naive_timestamp(store: Store) -> None:
    conv = store.conversation("rest", "naive")
    naive = NewMessage("user", "hi", timestamp=datetime(2024, 5, 1, 8, 0))
    with pytest.raises(ValueError, match="naive"):
        store.record_turn(conv.id, [naive], state={})
    assert store.transcript(conv.id) == []


# -- handoffs ----------------------------------------------------------------------


def test_save_handoff_links_the_conversation_and_round_trips(store: Store) -> None:
    conv = store.conversation("sms", "+15135550134")
    store.record_turn(
        conv.id,
        [NewMessage("user", "I want a consult"), NewMessage("bot", "Sure.")],
        state={},
    )
    transcript = store.transcript(conv.id)
    given = details()
    before = datetime.now(UTC)

    handoff_id = store.save_handoff(
        given,
        channel="sms",
        sender_id="+15135550134",
        transcript=transcript,
        crisis=True,
    )

    saved = store.handoff(handoff_id)
    assert saved is not None
    assert saved.id == handoff_id
    assert saved.conversation_id == conv.id
    assert (saved.channel, saved.sender_id) == ("sms", "+15135550134")
    assert (saved.name, saved.phone, saved.email) == (
        given.name,
        given.phone,
        given.email,
    )
    assert (saved.preferred_time, saved.condition) == (
        given.preferred_time,
        given.condition,
    )
    assert saved.consent is True
    assert saved.consent_at == given.consent_at
    assert saved.crisis is True
    assert (saved.status, saved.notes) == ("new", "")
    assert saved.transcript == tuple(transcript)
    for moment in (saved.created_at, saved.updated_at, saved.consent_at):
        assert_utc(moment)
    for line in saved.transcript:
        assert_utc(line.timestamp)
    assert before - timedelta(seconds=5) <= saved.created_at <= datetime.now(UTC)


def test_save_handoff_without_a_conversation_and_optional_fields(
    store: Store,
) -> None:
    handoff_id = store.save_handoff(
        details(email=None, preferred_time=None, condition=None),
        channel="rest",
        sender_id="nobody-yet",
        transcript=[],
    )
    saved = store.handoff(handoff_id)
    assert saved is not None
    assert saved.conversation_id is None
    assert (saved.email, saved.preferred_time, saved.condition) == (None, None, None)
    assert saved.crisis is False
    assert saved.transcript == ()


@pytest.mark.parametrize(
    "phone", ["5135550134", "+0135550134", "+1 513 555 0134", "", "+1234567890123456"]
)
def test_save_handoff_refuses_a_phone_not_in_e164(store: Store, phone: str) -> None:
    with pytest.raises(ValueError, match="E.164"):
        store.save_handoff(
            details(phone=phone), channel="rest", sender_id="x", transcript=[]
        )
    assert store.handoffs() == []


def test_save_handoff_refuses_a_naive_consent_time(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.save_handoff(
            details(consent_at=datetime(2024, 5, 1, 9, 30)),
            channel="rest",
            sender_id="x",
            transcript=[],
        )


def test_handoffs_are_listed_oldest_first_and_filtered(store: Store) -> None:
    ids = [
        store.save_handoff(details(), channel="rest", sender_id=f"s{n}", transcript=[])
        for n in range(3)
    ]
    store.update_handoff(ids[1], status="contacted")
    store.update_handoff(ids[2], status="closed")

    assert [h.id for h in store.handoffs()] == ids
    assert [h.id for h in store.handoffs(status="new")] == [ids[0]]
    assert [h.id for h in store.handoffs(status="contacted")] == [ids[1]]
    assert [h.id for h in store.handoffs(status="closed")] == [ids[2]]
    with pytest.raises(ValueError, match="status"):
        store.handoffs(status="archived")


def test_update_handoff_changes_status_and_notes(store: Store) -> None:
    handoff_id = store.save_handoff(
        details(), channel="rest", sender_id="s", transcript=[]
    )
    original = store.handoff(handoff_id)
    assert original is not None

    contacted = store.update_handoff(handoff_id, status="contacted")
    assert (contacted.status, contacted.notes) == ("contacted", "")
    noted = store.update_handoff(handoff_id, notes="Left a voicemail.")
    assert (noted.status, noted.notes) == ("contacted", "Left a voicemail.")
    assert noted.updated_at >= original.updated_at
    assert noted.created_at == original.created_at
    assert store.handoff(handoff_id) == noted


def test_update_handoff_rejects_a_bad_status(store: Store) -> None:
    handoff_id = store.save_handoff(
        details(), channel="rest", sender_id="s", transcript=[]
    )
    with pytest.raises(ValueError, match="status"):
        store.update_handoff(handoff_id, status="done", notes="ignored")
    unchanged = store.handoff(handoff_id)
    assert unchanged is not None
    assert (unchanged.status, unchanged.notes) == ("new", "")


@pytest.mark.parametrize(
    "change",
    [{"status": "closed"}, {"notes": "n"}, {}],
    ids=["status", "notes", "none"],
)
def test_an_unknown_handoff_is_not_found(store: Store, change: dict[str, str]) -> None:
    with pytest.raises(HandoffNotFound):
        store.update_handoff(999, **change)
    assert store.handoff(999) is None


def test_opt_outs_are_stored_per_channel_and_sender(store: Store) -> None:
    assert not store.is_opted_out("sms", "+15135550134")
    store.set_opted_out("sms", "+15135550134", True)
    store.set_opted_out("sms", "+15135550134", True)  # repeating is harmless
    assert store.is_opted_out("sms", "+15135550134")
    assert not store.is_opted_out("whatsapp", "+15135550134")
    assert not store.is_opted_out("sms", "+15135550199")
    store.set_opted_out("sms", "+15135550134", False)
    store.set_opted_out("sms", "+15135550134", False)
    assert not store.is_opted_out("sms", "+15135550134")
