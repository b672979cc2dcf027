"""Statements run on the driver's cursor read and write what SQLAlchemy Core would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import IntegrityError

from bot.storage import Store, schema
from bot.storage.prepared import Prepared

WHEN = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=timezone(timedelta(hours=-5)))
STATE = {"slots": {"name": None, "consent": True}, "options": ["/faq/dose"], "n": 1.5}
VALUES = {
    "channel": "rest",
    "sender_id": "ann",
    "created_at": WHEN,
    "updated_at": WHEN,
    "state": STATE,
    "crisis": True,
}


def test_a_prepared_insert_reads_back_through_sqlalchemy_and_the_other_way(
    store: Store, database: str
) -> None:
    engine = create_engine(database)
    table = schema.conversations
    insert = Prepared(
        table.insert().returning(table.c.id), engine.dialect, keys=list(VALUES)
    )
    find = Prepared(
        select(table.c.id, table.c.state, table.c.crisis, table.c.created_at).where(
            table.c.sender_id == "bob"
        ),
        engine.dialect,
    )
    try:
        with engine.begin() as conn:
            [(ann,)] = insert.rows(conn, VALUES)
            bob = {**VALUES, "sender_id": "bob", "crisis": False}
            conn.execute(table.insert(), bob)
        with engine.connect() as conn:
            read = conn.execute(select(table).where(table.c.id == ann)).one()
            [(bob_id, state, crisis, created)] = find.rows(conn, {})
        # Written by the driver, read by SQLAlchemy: the same values, in UTC.
        assert (read.state, read.crisis) == (STATE, True)
        assert read.created_at == WHEN and read.created_at.tzinfo == UTC
        # Written by SQLAlchemy, read by the driver: converted the same way.
        assert bob_id != ann and find.columns == ["id", "state", "crisis", "created_at"]
        assert (state, crisis, created) == (STATE, False, WHEN)
        assert created.tzinfo == UTC
    finally:
        engine.dispose()


def test_driver_errors_are_sqlalchemys_and_a_missing_value_is_refused(
    store: Store, database: str
) -> None:
    engine = create_engine(database)
    table = schema.conversations
    insert = Prepared(table.insert(), engine.dialect, keys=list(VALUES))
    try:
        with engine.begin() as conn:
            assert insert.execute(conn, VALUES) == 1
        with pytest.raises(IntegrityError), engine.begin() as conn:
            insert.execute(conn, VALUES)  # one conversation per channel and sender
        with pytest.raises(KeyError), engine.begin() as conn:
            insert.execute(conn, {k: v for k, v in VALUES.items() if k != "state"})
    finally:
        engine.dispose()


def test_a_python_side_default_cannot_be_skipped(store: Store) -> None:
    engine = create_engine("sqlite://")
    keys = [k for k in VALUES if k != "crisis"]  # crisis has a Python-side default
    with pytest.raises(ValueError, match="default"):
        Prepared(schema.conversations.insert(), engine.dialect, keys=keys)
