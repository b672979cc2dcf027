"""In-memory rate-limit counters that expire lazily: the default limit store.

The `limits` package's own memory storage expires keys from a timer that runs
every 10 ms while counters exist and walks every key each time. A per-sender
limit makes one key per visitor per window, so on a busy site that walk grew
with the visitors of the last minute and, under gevent, ran inside the worker
between requests: at 800 new visitors a second it took a tenth of the worker's
CPU and held `/health` back for tens of milliseconds at a time.

Here each counter's expiry goes on a heap when the counter starts, and a call
drops the expired ones from the top of the heap before it counts: no thread, no
timer, and the work per request is a heap pop or push (O(log n)). Only fixed
windows (`incr`, `get`, `get_expiry`), the strategy `webhook.limits` uses.
The class registers the `faqbot-memory://` scheme with `limits` (its documented
way to add a storage) when this module is imported, which `webhook.limits`
does.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable
from typing import Any

from limits.storage import Storage

SCHEME = "faqbot-memory"


class ExpiringMemoryStorage(Storage):
    """Fixed-window counters in one process's memory, expired lazily."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        *,
        clock: Callable[[], float] = time.time,
        **options: Any,
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._clock = clock
        # key -> (count, time it expires at)
        self._counters: dict[str, tuple[int, float]] = {}
        # (time it expires at, key), one per counter started; a key cleared and
        # started again has a stale entry, which expiring skips.
        self._expiries: list[tuple[float, str]] = []
        # Greenlets never interleave inside a call; threads (a threaded server in
        # tests) could.
        self._lock = threading.Lock()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    def _expire(self, now: float) -> None:
        expiries, counters = self._expiries, self._counters
        while expiries and expiries[0][0] <= now:
            _, key = heapq.heappop(expiries)
            found = counters.get(key)
            if found is not None and found[1] <= now:
                del counters[key]

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = self._clock()
        with self._lock:
            self._expire(now)
            found = self._counters.get(key)
            if found is None:
                expires = now + expiry
                heapq.heappush(self._expiries, (expires, key))
                count = amount
            else:
                count, expires = found[0] + amount, found[1]
            self._counters[key] = (count, expires)
            return count

    def get(self, key: str) -> int:
        with self._lock:
            self._expire(self._clock())
            found = self._counters.get(key)
            return 0 if found is None else found[0]

    def get_expiry(self, key: str) -> float:
        now = self._clock()
        with self._lock:
            self._expire(now)
            found = self._counters.get(key)
            return now if found is None else found[1]

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            count = len(self._counters)
            self._counters.clear()
            self._expiries.clear()
            return count

    def clear(self, key: str) -> None:
        with self._lock:
            self._counters.pop(key, None)

    def live_counters(self) -> int:
        """How many counters are live (expired ones are dropped first)."""
        with self._lock:
            self._expire(self._clock())
            return len(self._counters)
