"""Real databases for storage tests: a SQLite file and a throwaway PostgreSQL schema.

conftest.py builds its `database` and `store` fixtures on `database_url`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _unreachable(error: Exception) -> None:
    message = f"PostgreSQL not reachable at 127.0.0.1:5432: {error}"
    # CI must run the PostgreSQL half of the suite, so there a dead server fails.
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """Yield a URL to an empty database of `backend`, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/faqbot.db"
        return
    if backend != "postgres":
        raise ValueError(f"unknown storage backend {backend!r}")
    admin = create_engine(
        POSTGRES_URL, connect_args={"connect_timeout": 2}, poolclass=NullPool
    )
    schema = f"faqbot_test_{uuid.uuid4().hex}"
    created = False
    try:
        try:
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            created = True
        except OperationalError as e:
            _unreachable(e.orig or e)
        # libpq's options parameter, carried in the URL so that Store.from_url
        # is the code under test on this backend too.
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        if created:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
