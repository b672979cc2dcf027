"""A turn stores everything or nothing: the request, the turn and its outbox.

A failure after the request is confirmed but before the turn is stored must not
leave the request behind: the visitor gets an error, their "yes" is still
pending, and saying it again files exactly one request.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import event, text

from bot.messages import IncomingMessage, Reply
from bot.runtime import Runtime
from bot.storage import Store
from bot.storage.handoffs import HANDOFF_NOTICE
from bot.storage.turn_lock import ADVISORY_NAMESPACE

CONSULTATION = [
    "I'd like to book a consultation",
    "Grace Whitfield",
    "513-555-0163",
    "grace.whitfield@example.com",
    "weekday mornings",
    "chronic back pain",
]


def say(runtime: Runtime, text: str, **options: Any) -> list[Reply]:
    message = IncomingMessage(channel="rest", sender_id="grace", text=text)
    return runtime.engine.handle(message, **options)


FAIL_ON_NOTICE = {
    # The database refuses the request's notice: the last write of the turn,
    # after the request's own row.
    "sqlite": [
        "CREATE TRIGGER refuse_notice BEFORE INSERT ON outbox"
        " WHEN NEW.kind = 'handoff.new' BEGIN SELECT RAISE(ABORT, 'refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_notice() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
        "CREATE TRIGGER refuse_notice BEFORE INSERT ON outbox FOR EACH ROW"
        " WHEN (NEW.kind = 'handoff.new') EXECUTE FUNCTION refuse_notice()",
    ],
}
LET_NOTICE_BE = {
    "sqlite": ["DROP TRIGGER refuse_notice"],
    "postgresql": [
        "DROP TRIGGER refuse_notice ON outbox",
        "DROP FUNCTION refuse_notice()",
    ],
}


def _run_sql(store: Store, statements: dict[str, list[str]]) -> None:
    engine = store._engine
    with engine.begin() as conn:
        for statement in statements[engine.dialect.name]:
            conn.execute(text(statement))


def test_a_failed_turn_keeps_no_request_and_a_retried_yes_files_one(
    runtime: Runtime,
) -> None:
    from bot.errors import StorageError

    for text_ in CONSULTATION:
        say(runtime, text_)
    _run_sql(runtime.store, FAIL_ON_NOTICE)
    with pytest.raises(StorageError):
        say(runtime, "yes")
    _run_sql(runtime.store, LET_NOTICE_BE)
    assert runtime.store.handoffs() == []
    assert runtime.store.outbox.entries(kind=HANDOFF_NOTICE) == []

    replies = say(runtime, "yes")
    assert "received your consultation request" in replies[0].text
    [handoff] = runtime.store.handoffs()
    assert handoff.phone == "+15135550163"
    # The transcript of the request ends with the visitor's "yes".
    assert handoff.transcript[-1].text == "yes"
    [notice] = runtime.store.outbox.entries(kind=HANDOFF_NOTICE)
    assert notice["payload"]["handoff_id"] == handoff.id
    # The form is over: another "yes" files nothing more.
    say(runtime, "yes")
    assert len(runtime.store.handoffs()) == 1


def _synchronous_levels(store: Store) -> list[tuple[bool, int]]:
    """(inserted a handoff, PRAGMA synchronous) for each commit from now on."""
    engine = store._engine
    seen: list[tuple[bool, int]] = []
    wrote = threading.local()

    @event.listens_for(engine, "before_cursor_execute")
    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO HANDOFFS"):
            wrote.handoff = True

    @event.listens_for(engine, "commit")
    def commit(conn: Any) -> None:
        driver = conn.connection.driver_connection
        level = driver.execute("PRAGMA synchronous").fetchone()[0]
        seen.append((getattr(wrote, "handoff", False), level))
        wrote.handoff = False

    return seen


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_sqlite_syncs_the_commit_of_a_request_to_disk(runtime: Runtime) -> None:
    seen = _synchronous_levels(runtime.store)
    for text_ in [*CONSULTATION, "yes"]:
        say(runtime, text_)
    assert len(runtime.store.handoffs()) == 1
    full, normal = 2, 1
    with_request = [level for wrote, level in seen if wrote]
    assert with_request == [full]
    # Other commits keep the cheaper setting, and the connection goes back to it.
    assert {level for wrote, level in seen if not wrote} == {normal}


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_request_outside_a_turn_is_synced_too(store: Store) -> None:
    from datetime import UTC, datetime

    from bot.storage import HandoffDetails

    seen = _synchronous_levels(store)
    store.save_handoff(
        HandoffDetails(
            name="Ann Lee",
            phone="+15135550100",
            email=None,
            preferred_time=None,
            condition=None,
            consent_at=datetime.now(UTC),
        ),
        channel="rest",
        sender_id="ann",
        transcript=[],
    )
    assert seen == [(True, 2)]


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_postgres_turn_holds_one_connection(runtime: Runtime) -> None:
    engine = runtime.store._engine
    out = 0
    most = 0

    @event.listens_for(engine, "checkout")
    def checkout(*_args: Any) -> None:
        nonlocal out, most
        out += 1
        most = max(most, out)

    @event.listens_for(engine, "checkin")
    def checkin(*_args: Any) -> None:
        nonlocal out
        out -= 1

    for text_ in [*CONSULTATION, "yes"]:
        say(runtime, text_)
    assert len(runtime.store.handoffs()) == 1
    assert most == 1


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_postgres_turn_locks_are_namespaced(runtime: Runtime, database: str) -> None:
    store = runtime.store
    probe = Store.from_url(database)
    try:
        with store.turn("rest", "grace"):
            with probe._engine.connect() as conn:
                rows = conn.execute(
                    text(
                        "SELECT classid::bigint, objsubid FROM pg_locks"
                        " WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
                    )
                ).all()
        # The two-key form (objsubid 2), faqbot's namespace as the first key.
        assert (ADVISORY_NAMESPACE, 2) in [tuple(row) for row in rows]
        # Released with the turn's transaction.
        with probe._engine.connect() as conn:
            held = conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND classid::bigint = :ns"
                ),
                {"ns": ADVISORY_NAMESPACE},
            ).scalar_one()
        assert held == 0
    finally:
        probe.dispose()


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_postgres_turns_do_not_exhaust_a_small_pool(database: str) -> None:
    """More concurrent turns than connections queue instead of deadlocking."""
    store = Store.from_url(database, pool_size=1)
    store.upgrade()
    errors: list[BaseException] = []
    barrier = threading.Barrier(12)

    def turn(n: int) -> None:
        try:
            barrier.wait(10)
            with store.turn("rest", f"v{n}"):
                conversation = store.conversation("rest", f"v{n}")
                store.record_turn(conversation.id, [], state={"n": n})
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=turn, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    store.dispose()
    assert errors == []
