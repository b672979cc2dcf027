"""Delivering the outbox: a background worker that calls one handler per kind.

A handler takes a `Delivery` and either returns (delivered), raises
`DeliveryError` (try again later, with exponential backoff) or
`UndeliverableError` (drop it for good: a receiver that refuses the payload
will not accept it on the next try either). Any other exception is a bug in
the handler: logged at ERROR and retried like a temporary failure, so nothing
is lost while it is fixed. Logs name entries by id and kind only: payloads may
carry personal data.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.errors import DeliveryError, StorageError, UndeliverableError
from bot.storage import Delivery, Store

logger = logging.getLogger(__name__)

Handler = Callable[[Delivery], None]


@dataclass(frozen=True)
class Backoff:
    """Delay before the next attempt: `first` doubled per attempt, up to `most`."""

    first: timedelta = timedelta(seconds=2)
    most: timedelta = timedelta(minutes=10)
    # Past this many attempts an entry is dropped and stays visible as dropped.
    give_up_after: int = 50

    def delay(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt (1 for the first)."""
        return min(self.first * 2 ** max(attempts - 1, 0), self.most)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DeliveryWorker:
    """Delivers due outbox entries of the kinds it has handlers for."""

    def __init__(
        self,
        store: Store,
        handlers: Mapping[str, Handler],
        *,
        backoff: Backoff | None = None,
        lease: timedelta = timedelta(minutes=2),
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._store = store
        self._handlers = dict(handlers)
        self._backoff = backoff or Backoff()
        self._lease = lease
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self._handlers)

    def run_once(self) -> int:
        """Attempt every entry due now, key by key; return how many were delivered."""
        delivered = 0
        while not self._stop.is_set():
            claimed = self._store.outbox.claim(
                self.kinds, now=self._clock(), lease=self._lease
            )
            if not claimed:
                break
            delivered += sum(self._attempt(entry) for entry in claimed)
        return delivered

    def _attempt(self, entry: Delivery) -> bool:
        outbox = self._store.outbox
        attempt = entry.attempts + 1
        try:
            self._handlers[entry.kind](entry)
        except UndeliverableError as e:
            logger.warning("outbox %d (%s) dropped: %s", entry.id, entry.kind, e)
            outbox.drop(entry.id, now=self._clock(), error=str(e))
            return False
        except Exception as e:  # noqa: BLE001 - a handler's bug must not lose the entry
            if not isinstance(e, DeliveryError):
                logger.exception("outbox %d (%s): handler failed", entry.id, entry.kind)
            if attempt >= self._backoff.give_up_after:
                logger.error(
                    "outbox %d (%s) dropped after %d attempts",
                    entry.id,
                    entry.kind,
                    attempt,
                )
                outbox.drop(entry.id, now=self._clock(), error=str(e))
                return False
            retry_at = self._clock() + self._backoff.delay(attempt)
            logger.info(
                "outbox %d (%s) attempt %d failed; retrying at %s",
                entry.id,
                entry.kind,
                attempt,
                retry_at.isoformat(),
            )
            outbox.retry(entry.id, at=retry_at, error=str(e) or type(e).__name__)
            return False
        outbox.delivered(entry.id, now=self._clock())
        return True

    def start(self, *, interval: float = 1.0) -> None:
        """Deliver in a daemon thread every `interval` seconds until `stop`."""
        if self._thread is not None or not self._handlers:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, args=(interval,), name="faqbot-outbox", daemon=True
        )
        self._thread.start()

    def _loop(self, interval: float) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except StorageError:
                logger.exception("outbox: storage unavailable; will try again")
            self._stop.wait(interval)

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop the thread after the attempt in progress (a graceful shutdown)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
