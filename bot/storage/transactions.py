"""Transactions and turns: what a conversation's turn holds while it runs.

A turn's reads and writes share one unit of work: on PostgreSQL one connection
and one transaction, locked on the conversation; on SQLite a file lock on the
conversation and one write transaction at the end. The running turn is kept per
thread (per greenlet under gevent), so one Store serves many at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StorageError
from bot.storage.turn_lock import TurnLocks, take_advisory_lock
from bot.storage.write_lock import FileWriteLock, NoWriteLock


@dataclass
class TurnScope:
    """What a running turn holds (see `Transactions.turn`); never shared."""

    # PostgreSQL: the turn's one connection, its transaction open until the end.
    connection: Connection | None = None
    # SQLite: the connection the turn's short transactions reuse, one after the
    # other (a checkout per transaction costs more than the SELECT it runs).
    reused: Connection | None = None
    # Requests confirmed during the turn, written by `record_turn`.
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    failed: bool = False


class Transactions:
    """Opens transactions and runs turns for one engine."""

    def __init__(
        self,
        engine: Engine,
        write_lock: FileWriteLock | NoWriteLock,
        turn_locks: TurnLocks | None,
    ) -> None:
        self._engine = engine
        self._write_lock = write_lock
        self._turn_locks = turn_locks
        self._postgres = engine.dialect.name == "postgresql"
        self._sqlite = engine.dialect.name == "sqlite"
        self._running = threading.local()

    @contextmanager
    def turn(self, channel: str, sender_id: str) -> Iterator[TurnScope]:
        """Run one turn of a conversation, one at a time per conversation.

        SQLite: the conversation's file lock; the turn's writes are one write
        transaction at its end (`Store.record_turn`), synced to disk when it
        holds a request. PostgreSQL: the whole turn is one transaction on one
        connection, which also holds the conversation's advisory lock.
        """
        if self.scope() is not None:
            raise RuntimeError("turns do not nest")
        key = f"{channel}\x1f{sender_id}"
        if self._postgres:
            with self._postgres_turn(key) as scope:
                yield scope
            return
        with self._turn_locks.held(key) if self._turn_locks else nullcontext():
            try:
                reused = self._engine.connect()
            except SQLAlchemyError as e:
                raise StorageError("could not start the turn") from e
            scope = TurnScope(reused=reused)
            self._running.scope = scope
            try:
                yield scope
            finally:
                self._running.scope = None
                reused.close()

    @contextmanager
    def _postgres_turn(self, key: str) -> Iterator[TurnScope]:
        try:
            conn = self._engine.connect()
        except SQLAlchemyError as e:
            raise StorageError("could not start the turn") from e
        try:
            try:
                take_advisory_lock(conn, key)
            except SQLAlchemyError as e:
                raise StorageError("could not lock the conversation") from e
            scope = TurnScope(connection=conn)
            self._running.scope = scope
            try:
                yield scope
            except BaseException:
                _rollback(conn)
                raise
            finally:
                self._running.scope = None
            if scope.failed:
                _rollback(conn)
                return
            try:
                conn.commit()
            except SQLAlchemyError as e:
                raise StorageError("could not commit the turn") from e
        finally:
            conn.close()

    def scope(self) -> TurnScope | None:
        """The turn this thread (or greenlet) is running, if any."""
        scope: TurnScope | None = getattr(self._running, "scope", None)
        return scope

    @contextmanager
    def begin(
        self, action: str, *, write: bool = False, durable: bool = False
    ) -> Iterator[Connection]:
        """A transaction: the running turn's on PostgreSQL, else a new one.

        `durable`: on SQLite, sync this commit to disk (synchronous=FULL), so a
        power loss right after cannot take it back.
        """
        scope = self.scope()
        if scope is not None and scope.connection is not None:
            try:
                yield scope.connection
            except SQLAlchemyError as e:
                scope.failed = True  # PostgreSQL has aborted the transaction
                raise StorageError(f"could not {action}") from e
            return
        reused = scope.reused if scope is not None else None
        try:
            with self._write_lock.held() if write else nullcontext():
                with nullcontext(reused) if reused else self._engine.connect() as conn:
                    synced = durable and self._sqlite
                    if synced:
                        _synchronous(conn, "FULL")
                    try:
                        with conn.begin():
                            yield conn
                    finally:
                        if synced:
                            _synchronous(conn, "NORMAL")
        except SQLAlchemyError as e:
            raise StorageError(f"could not {action}") from e


def _synchronous(conn: Connection, level: str) -> None:
    # On the driver's connection: outside any transaction SQLAlchemy tracks.
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA synchronous={level}")
    finally:
        cursor.close()


def _rollback(conn: Connection) -> None:
    try:
        conn.rollback()
    except SQLAlchemyError:
        conn.invalidate()
