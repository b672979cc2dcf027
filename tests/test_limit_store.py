"""The default rate-limit store: fixed windows in memory, expired without a timer."""

from __future__ import annotations

import threading

from flask import Flask

from webhook.limit_store import ExpiringMemoryStorage
from webhook.limits import LIMITER_KEY, RateLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_counter_counts_within_its_window_and_starts_again_after() -> None:
    clock = Clock()
    store = ExpiringMemoryStorage(clock=clock)
    assert [store.incr("ann", 60) for _ in range(3)] == [1, 2, 3]
    assert store.get("ann") == 3 and store.get("bob") == 0
    assert store.get_expiry("ann") == 1_060.0
    clock.now = 1_059.9
    assert store.incr("ann", 60) == 4  # the window is fixed: it does not move
    clock.now = 1_060.0
    assert store.get("ann") == 0
    assert store.incr("ann", 60) == 1 and store.get_expiry("ann") == 1_120.0


def test_expired_counters_are_dropped_without_a_thread() -> None:
    clock = Clock()
    threads = threading.active_count()
    store = ExpiringMemoryStorage(clock=clock)
    for n in range(10_000):
        store.incr(f"visitor-{n}", 60)
    assert threading.active_count() == threads
    assert store.live_counters() == 10_000
    clock.now += 30
    store.incr("late", 60)
    assert store.live_counters() == 10_001
    clock.now += 30
    # One call drops everything whose window has ended, the heap included.
    assert store.get("visitor-0") == 0
    assert store.live_counters() == 1
    assert store.get("late") == 1


def test_a_cleared_counter_started_again_keeps_its_own_window() -> None:
    clock = Clock()
    store = ExpiringMemoryStorage(clock=clock)
    store.incr("ann", 60)
    store.clear("ann")
    assert store.get("ann") == 0
    clock.now += 30
    store.incr("ann", 60)
    clock.now += 30  # the first window's end: its heap entry must not drop this one
    assert store.get("ann") == 1
    assert store.reset() == 1 and store.get("ann") == 0


def test_the_app_counts_in_it_by_default(app: Flask) -> None:
    limiter: RateLimits = app.extensions[LIMITER_KEY]
    assert isinstance(limiter.storage, ExpiringMemoryStorage)
    assert limiter.storage.check()
