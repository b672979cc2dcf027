"""A conversation's turns run one at a time, even across worker processes."""

from __future__ import annotations

import multiprocessing
import threading
import time
from typing import Any

from bot.storage import Store


def _hold_turn(url: str, held: Any, release: Any) -> None:
    """In another process: take the turn lock, say so, keep it until told."""
    store = Store.from_url(url)
    with store.turn("rest", "visitor"):
        held.set()
        release.wait(10)
    store.dispose()


def test_a_turn_lock_excludes_another_process(database: str) -> None:
    context = multiprocessing.get_context("spawn")
    held, release = context.Event(), context.Event()
    other = context.Process(target=_hold_turn, args=(database, held, release))
    other.start()
    try:
        assert held.wait(30), "the other process never took the lock"
        store = Store.from_url(database)
        acquired = threading.Event()

        def take() -> None:
            with store.turn("rest", "visitor"):
                acquired.set()

        taker = threading.Thread(target=take)
        taker.start()
        assert not acquired.wait(0.5), "two processes held one conversation's turn"
        with store.turn("rest", "someone else"):
            pass  # another conversation is not held up
        release.set()
        assert acquired.wait(10)
        taker.join(10)
        store.dispose()
    finally:
        release.set()
        other.join(10)


def test_threads_of_one_process_take_turns(store: Store) -> None:
    inside = 0
    most = 0
    guard = threading.Lock()

    def turn() -> None:
        nonlocal inside, most
        with store.turn("rest", "visitor"):
            with guard:
                inside += 1
                most = max(most, inside)
            time.sleep(0.01)
            with guard:
                inside -= 1

    threads = [threading.Thread(target=turn) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert most == 1
