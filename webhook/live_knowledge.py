"""What staff teach reaches every worker within a minute, without a restart.

Each worker checks the knowledge version in the database at most every
POLL_SECONDS, on the next request; when it changed, the worker rebuilds its
parser, actions and engine from the shipped knowledge base plus what is learned,
and swaps the app's runtime in one assignment (turns in flight finish on the
old one).
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app

from bot.knowledge import KnowledgeBase
from bot.runtime import Runtime, learned_knowledge, with_knowledge
from bot.storage.learning import Learning

logger = logging.getLogger(__name__)

POLL_SECONDS = 15.0
REFRESHER_KEY = "faqbot_live_knowledge"


class LiveKnowledge:
    """Keeps one app's runtime in step with the learned knowledge in storage."""

    def __init__(self, app: Flask, base: KnowledgeBase, *, poll: float) -> None:
        self._app = app
        self._base = base
        self._poll = poll
        self._version: int | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def maybe_refresh(self) -> None:
        """Rebuild if the poll interval passed and the version moved."""
        if time.monotonic() - self._checked < self._poll:
            return
        # One thread checks; the others serve on the current runtime meanwhile.
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._refresh()
        finally:
            self._lock.release()

    def refresh_now(self) -> None:
        """Rebuild at once if the version moved (after a change in this worker)."""
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        from webhook import RUNTIME_KEY

        self._checked = time.monotonic()
        current: Runtime = self._app.extensions[RUNTIME_KEY]
        learning = Learning(current.store)
        version = learning.version()
        if version == self._version:
            return
        if version:
            knowledge = learned_knowledge(self._base, learning.learned())
            self._app.extensions[RUNTIME_KEY] = with_knowledge(current, knowledge)
            logger.info("knowledge version %d loaded", version)
        self._version = version


def init_app(app: Flask, runtime: Runtime) -> None:
    """Load what is learned now, and check for more before requests."""
    poll = float(app.config.get("KNOWLEDGE_POLL_SECONDS", POLL_SECONDS))
    live = LiveKnowledge(app, runtime.knowledge, poll=poll)
    app.extensions[REFRESHER_KEY] = live
    live.refresh_now()
    app.before_request(live.maybe_refresh)


def refresh_now() -> None:
    """Pick up a change this worker just made, without waiting for the poll."""
    current_app.extensions[REFRESHER_KEY].refresh_now()
