"""The transactional outbox and its delivery worker, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery import Backoff, DeliveryWorker
from bot.errors import DeliveryError, UndeliverableError
from bot.messages import IncomingMessage, Reply
from bot.runtime import Runtime
from bot.storage import Delivery, OutboxEntry, Store

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def worker(
    store: Store, clock: Clock, handler: object, **options: object
) -> DeliveryWorker:
    return DeliveryWorker(store, {"note": handler}, clock=clock, **options)  # type: ignore[arg-type]


def test_entries_of_one_key_are_delivered_in_order(store: Store, clock: Clock) -> None:
    store.outbox.enqueue(
        [OutboxEntry("note", "alice", {"n": i}) for i in range(3)]
        + [OutboxEntry("note", "bob", {"n": i}) for i in range(2)],
        now=clock(),
    )
    seen: list[tuple[str, int]] = []
    delivered = worker(
        store, clock, lambda d: seen.append((d.key, d.payload["n"]))
    ).run_once()
    assert delivered == 5
    assert [n for key, n in seen if key == "alice"] == [0, 1, 2]
    assert [n for key, n in seen if key == "bob"] == [0, 1]
    assert store.outbox.pending_count() == 0


def test_a_failing_entry_is_retried_with_backoff_and_holds_back_its_key(
    store: Store, clock: Clock
) -> None:
    store.outbox.enqueue(
        [OutboxEntry("note", "alice", {"n": n}) for n in (0, 1)],
        now=clock(),
    )
    failures = 2
    seen: list[int] = []

    def flaky(delivery: Delivery) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise DeliveryError("receiver answered 503")
        seen.append(delivery.payload["n"])

    backoff = Backoff(first=timedelta(seconds=10), most=timedelta(seconds=60))
    delivering = worker(store, clock, flaky, backoff=backoff)
    assert delivering.run_once() == 0
    # Not due yet: the second entry waits behind the first.
    clock.advance(seconds=9)
    assert delivering.run_once() == 0
    assert seen == []
    clock.advance(seconds=1)
    assert delivering.run_once() == 0  # second failure: now 20 s
    clock.advance(seconds=20)
    assert delivering.run_once() == 2
    assert seen == [0, 1]
    [first, _] = store.outbox.entries(kind="note")
    assert first["attempts"] == 2
    assert first["state"] == "delivered"
    assert first["last_error"] == "receiver answered 503"


def test_an_undeliverable_entry_is_dropped_and_the_next_goes_on(
    store: Store, clock: Clock
) -> None:
    store.outbox.enqueue(
        [OutboxEntry("note", "k", {"n": 0}), OutboxEntry("note", "k", {"n": 1})],
        now=clock(),
    )
    seen: list[int] = []

    def refuse_first(delivery: Delivery) -> None:
        if delivery.payload["n"] == 0:
            raise UndeliverableError("receiver answered 400")
        seen.append(delivery.payload["n"])

    worker(store, clock, refuse_first).run_once()
    assert seen == [1]
    states = [e["state"] for e in store.outbox.entries()]
    assert states == ["dropped", "delivered"]


def test_a_handler_bug_is_logged_and_retried_not_lost(
    store: Store, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    store.outbox.enqueue([OutboxEntry("note", "k", {"secret": "x"})], now=clock())

    def buggy(delivery: Delivery) -> None:
        raise KeyError("oops")

    worker(store, clock, buggy).run_once()
    [entry] = store.outbox.entries()
    assert entry["state"] == "pending"
    assert entry["attempts"] == 1
    assert any(r.levelname == "ERROR" for r in caplog.records)
    assert "secret" not in caplog.text


def test_an_entry_is_dropped_after_the_last_attempt(store: Store, clock: Clock) -> None:
    store.outbox.enqueue([OutboxEntry("note", "k", {})], now=clock())

    def failing(delivery: Delivery) -> None:
        raise DeliveryError("down")

    backoff = Backoff(first=timedelta(seconds=1), give_up_after=3)
    delivering = worker(store, clock, failing, backoff=backoff)
    for _ in range(3):
        delivering.run_once()
        clock.advance(minutes=1)
    [entry] = store.outbox.entries()
    assert (entry["state"], entry["attempts"]) == ("dropped", 3)


def test_a_claim_is_a_lease_that_a_dead_worker_gives_back(
    store: Store, clock: Clock
) -> None:
    store.outbox.enqueue([OutboxEntry("note", "k", {})], now=clock())
    lease = timedelta(minutes=2)
    # A worker claims the entry and dies before settling it.
    assert len(store.outbox.claim(["note"], now=clock(), lease=lease)) == 1
    assert store.outbox.claim(["note"], now=clock(), lease=lease) == []
    clock.advance(minutes=2, seconds=1)
    seen: list[int] = []
    worker(store, clock, lambda d: seen.append(d.id)).run_once()
    assert len(seen) == 1


def test_workers_deliver_each_entry_once(store: Store) -> None:
    """Concurrent workers (threads here; processes on several hosts in production)."""
    store.outbox.enqueue(
        [OutboxEntry("note", f"k{i % 7}", {"n": i}) for i in range(60)],
        now=datetime.now(UTC),
    )
    seen: list[int] = []
    lock = threading.Lock()

    def record(delivery: Delivery) -> None:
        with lock:
            seen.append(delivery.payload["n"])

    workers = [DeliveryWorker(store, {"note": record}) for _ in range(4)]
    threads = [threading.Thread(target=w.run_once) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(60))


def test_other_kinds_are_left_for_their_own_handlers(
    store: Store, clock: Clock
) -> None:
    store.outbox.enqueue(
        [OutboxEntry("sms", "k", {}), OutboxEntry("note", "k", {})], now=clock()
    )
    assert worker(store, clock, lambda d: None).run_once() == 1
    assert store.outbox.pending_count(["sms"]) == 1


def test_the_thread_delivers_until_stopped(store: Store) -> None:
    delivered = threading.Event()
    delivering = DeliveryWorker(store, {"note": lambda d: delivered.set()})
    delivering.start(interval=0.01)
    try:
        store.outbox.enqueue([OutboxEntry("note", "k", {})], now=datetime.now(UTC))
        assert delivered.wait(10)
    finally:
        delivering.stop()
    assert store.outbox.pending_count() == 0


# -- written with the turn ----------------------------------------------------------


@pytest.fixture
def engine_runtime(runtime: Runtime) -> Iterator[Runtime]:
    yield runtime


def test_a_turns_outbox_entries_are_stored_with_it(engine_runtime: Runtime) -> None:
    def send_later(replies: list[Reply]) -> list[OutboxEntry]:
        return [OutboxEntry("send", "visitor", {"text": r.text}) for r in replies]

    replies = engine_runtime.engine.handle(
        IncomingMessage("test", "visitor", "is ketamine safe?"), outbox=send_later
    )
    entries = engine_runtime.store.outbox.entries(kind="send")
    assert [e["payload"]["text"] for e in entries] == [r.text for r in replies]


def test_no_entries_when_the_turn_is_not_stored(engine_runtime: Runtime) -> None:
    def broken(replies: list[Reply]) -> list[OutboxEntry]:
        # Not JSON: the turn's transaction fails, and takes its entries with it.
        return [OutboxEntry("send", "visitor", {"text": object()})]

    with pytest.raises(Exception):  # noqa: B017 - the JSON encoder's own error
        engine_runtime.engine.handle(
            IncomingMessage("test", "visitor", "hello"), outbox=broken
        )
    assert engine_runtime.store.outbox.entries() == []
    conversation = engine_runtime.store.conversation("test", "visitor")
    assert engine_runtime.store.transcript(conversation.id) == []
