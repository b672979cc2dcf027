"""A Messenger send queued when `faqbot serve` dies is delivered after a restart.

The real server runs as a subprocess; the Send API on loopback refuses every
call (503) until the server has been killed with SIGKILL, then accepts them. The
restarted server delivers what the dead one had queued, in order.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from channel_fakes import (
    GraphServer,
    channel_environment,
    messenger_body,
    messenger_signature,
    text_event,
)

from bot.channels.graph_api import KIND
from bot.storage import Store

FAQBOT = Path(sys.executable).with_name("faqbot")
PSID = "6011223344556677"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: object, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


class Server:
    """`faqbot serve` in its own process group, so SIGKILL takes its workers too."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [str(FAQBOT), "serve", "--port", str(self.port), "--workers", "1"],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._healthy, timeout=60, what="faqbot serve to answer")

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"faqbot serve exited with {self.process.returncode}")
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.port}/health", timeout=1
            ) as response:
                return response.status == 200
        except OSError:
            return False

    def post(self, body: bytes) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/webhooks/facebook/webhook",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": messenger_signature(body),
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self._log.close()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    """Servers a test started, killed at its end whatever happened."""
    started: list[Server] = []
    yield started
    for server in started:
        server.kill()


def test_a_send_pending_at_a_crash_is_delivered_after_restart(
    database: str, tmp_path: Path, graph: GraphServer, servers: list[Server]
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FAQBOT_")},
        **channel_environment(graph.url),
        "FAQBOT_DATABASE_URL": database,
        "FAQBOT_INSTANCE_PATH": str(tmp_path),
        # A PostgreSQL deployment refuses to start without a session key.
        "FAQBOT_SECRET_KEY": "messenger-restart-test-session-key-0123456789",
    }
    log = tmp_path / "serve.log"
    graph.failures, graph.status_for_failures = 10**6, 503

    first = Server(env, log)
    servers.append(first)
    body = messenger_body(text_event(PSID, "is ketamine addictive?", "m_crash"))
    assert first.post(body) == 200
    wait_for(lambda: graph.failed >= 1, timeout=30, what="a first failed send")
    time.sleep(0.5)  # the failure is recorded; the next try is seconds away
    first.kill()

    store = Store.from_url(database)
    try:
        entries = store.outbox.entries(kind=KIND)
        assert [e["state"] for e in entries] == ["pending", "pending"]
        assert graph.calls == []

        graph.failures = 0
        servers.append(Server(env, log))
        wait_for(lambda: len(graph.calls) == 2, timeout=60, what="the queued sends")
        typing_on, answer = graph.bodies()
        assert typing_on["sender_action"] == "typing_on"
        assert "addiction" in answer["message"]["text"].lower()
        assert [e["state"] for e in store.outbox.entries(kind=KIND)] == [
            "delivered",
            "delivered",
        ]
    finally:
        store.dispose()
    # Retried by Meta after the restart: still answered once.
    assert servers[-1].post(body) == 200
    time.sleep(1.5)
    assert len(graph.calls) == 2
