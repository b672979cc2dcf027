"""FAQBOT_RETENTION_DAYS: the server purges old data daily, in the background.

Every worker process runs the thread, but the database lets one of them claim
each day's run, whichever hosts they are on.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from bot.errors import StorageError
from bot.storage import Store
from bot.storage.privacy import Privacy

logger = logging.getLogger(__name__)

JOB = "retention_purge"
EVERY = timedelta(days=1)
CHECK_SECONDS = 3600.0


class RetentionPurge:
    """Deletes conversations and closed requests older than `days`, once a day."""

    def __init__(self, store: Store, days: int) -> None:
        self._privacy = Privacy(store)
        self._age = timedelta(days=days)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> bool:
        """Purge if no process has today; True if this call purged."""
        if not self._privacy.claim(JOB, every=EVERY):
            return False
        purged = self._privacy.purge(self._age)
        logger.info(
            "retention purge: %d conversations, %d messages, %d closed requests",
            purged.conversations,
            purged.messages,
            purged.requests,
        )
        return True

    def start(self, *, interval: float = CHECK_SECONDS) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._loop, args=(interval,), name="faqbot-retention", daemon=True
        )
        self._thread.start()

    def _loop(self, interval: float) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except StorageError:
                logger.exception("retention purge failed; will try again")
            self._stop.wait(interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
