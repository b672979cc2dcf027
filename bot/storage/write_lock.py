"""One writer at a time for SQLite, across threads and worker processes.

SQLite has a single write lock, and a writer that finds it taken sleeps in
growing steps (1, 2, 5, 10 ms and up) before retrying. Under concurrent load
those sleeps, not the writes, set the latency. Queueing writers on a lock file
instead wakes the next one the moment the previous commits.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path


class FileWriteLock:
    """An exclusive lock shared by every thread and process using one database."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._thread_lock = threading.Lock()
        self._fd: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        # flock excludes other processes; threads of this one share the file
        # descriptor, so they queue on the thread lock first.
        with self._thread_lock:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._thread_lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


class NoWriteLock:
    """For servers with real concurrency control (PostgreSQL)."""

    def held(self) -> AbstractContextManager[None]:
        return nullcontext()

    def close(self) -> None:
        return None
