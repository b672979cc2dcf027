"""Load and a crash, at the suite's scale: 200 consultations at once on a real
`faqbot serve`, every process SIGKILLed mid-load, a restart on the same database.

Every request the visitor was told was received is stored exactly once, and
every conversation carries on after the restart (a client retries what got no
answer, as a browser's user would). `make bench` runs the same at full scale.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from servers import Server, crash, start, stop
from sqlalchemy import create_engine, text
from storage_backends import BACKENDS, database_url

CONSULTATIONS = 200
CLIENTS = 32
RECEIVED = "received your consultation request"


def steps(n: int) -> list[str]:
    return [
        "I'd like to book a consultation",
        f"Pat Visitor{chr(97 + n % 26)}",
        f"513-555-{n:04d}",
        f"visitor{n}@example.com",
        "weekday mornings",
        "chronic back pain",
        "yes",
    ]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as found:
        yield found


class Visitors:
    """The clients' side: who was told their request was received."""

    def __init__(self) -> None:
        self.acknowledged: set[str] = set()
        self.guard = threading.Lock()
        self.port = 0
        self.up = threading.Event()

    def post(self, sender: str, message: str) -> list[str] | None:
        """One message; None when the server is down or gave no answer."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(
                "POST",
                "/webhooks/rest/webhook",
                json.dumps({"sender": sender, "message": message}),
                {"Content-Type": "application/json"},
            )
            response = conn.getresponse()
            body = response.read()
        except OSError:
            return None
        finally:
            conn.close()
        if response.status != 200:
            return None
        return [m["text"] for m in json.loads(body)]

    def consult(self, n: int) -> None:
        sender = f"load-{n}"
        for message in steps(n):
            while True:
                self.up.wait(120)
                replies = self.post(sender, message)
                if replies is not None:
                    break
                time.sleep(0.05)  # the server is down: retry this message
            if any(RECEIVED in r for r in replies):
                with self.guard:
                    self.acknowledged.add(sender)


def test_a_crash_mid_load_loses_no_acknowledged_request(
    url: str, tmp_path: Path
) -> None:
    env = {
        "FAQBOT_DATABASE_URL": url,
        "FAQBOT_RATELIMIT_PER_ADDRESS": "1000000/minute",
        "FAQBOT_RATELIMIT_PER_SENDER": "1000/minute",
    }
    visitors = Visitors()
    server: Server = start(tmp_path, "--workers", "2", env=env, name="first")
    visitors.port = server.port
    visitors.up.set()
    with ThreadPoolExecutor(CLIENTS) as pool:
        done = [pool.submit(visitors.consult, n) for n in range(CONSULTATIONS)]
        while len(visitors.acknowledged) < CONSULTATIONS * 2 // 5:
            time.sleep(0.01)
        visitors.up.clear()
        crash(server)
        acknowledged_at_crash = set(visitors.acknowledged)
        server = start(tmp_path, "--workers", "2", env=env, name="second")
        visitors.port = server.port
        visitors.up.set()
        for future in done:
            future.result(timeout=300)
    try:
        assert 0 < len(acknowledged_at_crash) < CONSULTATIONS
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                counts = dict(
                    conn.execute(
                        text("SELECT sender_id, count(*) FROM handoffs GROUP BY 1")
                    ).all()
                )
        finally:
            engine.dispose()
        # Each visitor's request is stored exactly once, those acknowledged
        # before the crash included; the rest finished after the restart.
        assert visitors.acknowledged <= set(counts)
        assert all(counts[s] == 1 for s in acknowledged_at_crash)
        assert counts == {f"load-{n}": 1 for n in range(CONSULTATIONS)}
        # No conversation was left unusable.
        for n in range(0, CONSULTATIONS, 10):
            assert visitors.post(f"load-{n}", "is ketamine safe?")
    finally:
        stop(server)
