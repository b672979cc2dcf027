"""From a database URL to a tuned SQLAlchemy engine: SQLite files or PostgreSQL.

Every refusal is a ConfigurationError naming the scheme at most, never the URL,
which may carry a password.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import ConfigurationError
from bot.storage.turn_lock import FileTurnLocks, TurnLocks
from bot.storage.write_lock import FileWriteLock

# Per process. A turn holds one connection from start to end and never waits
# for a second, so turns beyond the pool's size queue for a connection rather
# than deadlock; the overflow serves the outbox worker and reads outside turns.
DEFAULT_POOL_SIZE = 10
POOL_OVERFLOW = 4
# Seconds a writer waits for SQLite's single write lock before giving up.
SQLITE_BUSY_TIMEOUT = 15.0
# The databases the schema and its tests cover.
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
URL_EXAMPLES = "sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE"


def engine_for_url(
    url: str, *, pool_size: int = DEFAULT_POOL_SIZE
) -> tuple[Engine, FileWriteLock | None, TurnLocks | None]:
    """An engine for `url`, with the write lock and turn locks a SQLite file needs.

    PostgreSQL needs neither: its turns lock on their own connection
    (`Store.turn`).

    ConfigurationError if the URL is malformed, names another database or a driver
    that is not installed, or is in-memory SQLite.
    """
    parsed = _parsed(url)
    # Keep message text and phone numbers out of exception text and logs.
    options: dict[str, Any] = {
        "hide_parameters": True,
        "pool_size": pool_size,
        "max_overflow": POOL_OVERFLOW,
    }
    if parsed.get_backend_name() != "sqlite":
        engine = _engine(parsed, pool_pre_ping=True, **options)
        return engine, None, None
    database = parsed.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        # Each pooled connection would see its own empty database.
        raise ConfigurationError(
            "in-memory SQLite is not supported: give a file, as in sqlite:///PATH"
        )
    if not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = _engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT}, **options)
    event.listen(engine, "connect", _sqlite_pragmas)
    if database.startswith("file:"):
        return engine, None, None
    path = Path(database)
    return (
        engine,
        FileWriteLock(path.with_name(path.name + ".lock")),
        FileTurnLocks(path.with_name(path.name + ".turns")),
    )


def _parsed(url: str) -> URL:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as e:  # ValueError: a port that is no number
        raise ConfigurationError(
            f"the database URL is malformed; expected {URL_EXAMPLES}"
        ) from e
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise ConfigurationError(
            f"unsupported database URL scheme {parsed.drivername!r};"
            f" expected {URL_EXAMPLES}"
        )
    return parsed


def _engine(url: URL, **options: Any) -> Engine:
    try:
        return create_engine(url, **options)
    except ImportError as e:  # the scheme's driver, e.g. psycopg2, is not installed
        raise ConfigurationError(
            f"no driver for database URL scheme {url.drivername!r} is installed;"
            f" expected {URL_EXAMPLES}"
        ) from e
    except (ArgumentError, TypeError, ValueError) as e:
        # A query option the driver refuses, such as sqlite:///x.db?timeout=soon.
        raise ConfigurationError(f"the database URL's options are invalid: {e}") from e


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the writer; NORMAL is durable enough under WAL;
    # SQLite leaves foreign keys off unless asked, per connection.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()
