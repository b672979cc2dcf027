"""One turn at a time per conversation, across threads and worker processes.

A turn reads the conversation's state, decides, and writes the new state. Two
messages of one visitor handled at once by two workers (a double-tapped "yes")
would both read the same state: both could submit the form. Each backend has a
cheap lock keyed by the conversation that spans processes: byte-range locks on
a file beside a SQLite database, transaction-scoped advisory locks in PostgreSQL.
"""

from __future__ import annotations

import fcntl
import os
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, text

from bot.errors import StorageError

STRIPES = 4096  # distinct keys; two conversations sharing one only wait on each other


def _stripe(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) % STRIPES


class FileTurnLocks:
    """Byte `n` of a lock file stands for every conversation hashed to stripe `n`."""

    def __init__(self, path: Path) -> None:
        self._path = path
        # POSIX record locks belong to the process, so threads of this one must
        # also exclude each other; one lock per stripe bucket does that.
        self._thread_locks = tuple(threading.Lock() for _ in range(64))
        self._fd_lock = threading.Lock()
        self._fd: int | None = None

    def _file(self) -> int:
        with self._fd_lock:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            return self._fd

    @contextmanager
    def held(self, key: str) -> Iterator[None]:
        stripe = _stripe(key)
        with self._thread_locks[stripe % len(self._thread_locks)]:
            try:
                fd = self._file()
                fcntl.lockf(fd, fcntl.LOCK_EX, 1, stripe)
            except OSError as e:
                raise StorageError("could not lock the conversation") from e
            try:
                yield
            finally:
                fcntl.lockf(fd, fcntl.LOCK_UN, 1, stripe)

    def close(self) -> None:
        # Closing any descriptor of the file drops this process's record locks:
        # only ever done when the store is disposed of.
        with self._fd_lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


# PostgreSQL advisory locks are one namespace per database, shared with every
# other application on it: faqbot's turn locks use the two-key form with this
# first key ("FAQB"), and the conversation's own 32-bit hash as the second.
ADVISORY_NAMESPACE = 0x46415142


def advisory_key(key: str) -> int:
    """A conversation key as a signed 32-bit int, PostgreSQL's `int4`."""
    value = zlib.crc32(key.encode("utf-8"))
    return value - (1 << 32) if value >= 1 << 31 else value


def take_advisory_lock(conn: Connection, key: str) -> None:
    """Lock the conversation until the transaction on `conn` ends.

    The lock is taken on the connection that does the turn's work, so a turn
    holds one pooled connection, never two (which could exhaust the pool with
    every turn holding a lock and waiting for a second connection).
    """
    conn.execute(
        _XACT_LOCK, {"namespace": ADVISORY_NAMESPACE, "key": advisory_key(key)}
    )


_XACT_LOCK = text("SELECT pg_advisory_xact_lock(:namespace, :key)")
TurnLocks = FileTurnLocks
