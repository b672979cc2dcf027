"""`faqbot serve` on PostgreSQL: a turn waiting on the database holds its own
connection only, never the worker."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg
import pytest
from servers import serving
from storage_backends import database_url

from bot.storage.turn_lock import ADVISORY_NAMESPACE, advisory_key

pytestmark = pytest.mark.postgres


def test_a_turn_waiting_for_postgresql_leaves_the_worker_to_others(
    tmp_path: Path,
) -> None:
    with (
        database_url("postgres", tmp_path) as url,
        # One worker: nothing else could answer while it waits.
        serving(
            tmp_path, "--workers", "1", env={"FAQBOT_DATABASE_URL": url}
        ) as server,
        psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as held,
    ):
        # Another session holds the visitor's conversation lock, as a turn of
        # theirs on another host would: their next turn waits in PostgreSQL.
        held.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            (ADVISORY_NAMESPACE, advisory_key("rest\x1fheld")),
        )
        answered: list[int] = []
        waiting = threading.Thread(
            target=lambda: answered.append(
                server.request(
                    "POST",
                    "/webhooks/rest/webhook",
                    {"sender": "held", "message": "is ketamine safe?"},
                )[0]
            )
        )
        waiting.start()
        time.sleep(1)
        assert not answered  # still waiting for the lock
        started = time.monotonic()
        assert server.request("GET", "/health", timeout=5)[0] == 200
        assert server.say("someone-else", "hi")
        assert time.monotonic() - started < 2
        held.rollback()  # the lock is released: the waiting turn goes on
        waiting.join(10)
        assert answered == [200]
