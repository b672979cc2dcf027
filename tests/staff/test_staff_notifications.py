"""Staff notifications: outbox entries written with the request or crisis flag,
POSTed as JSON to a real loopback server, retried, and delivered after a crash."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from bot.delivery import Backoff, DeliveryWorker
from bot.knowledge import KnowledgeBase
from bot.messages import IncomingMessage
from bot.notifications import KIND
from bot.runtime import Runtime, build_runtime, delivery_handlers
from bot.settings import Settings
from bot.storage import Store
from bot.storage.handoffs import HANDOFF_NOTICE
from bot.understanding.parser import Parser
from staff.helpers import CONSULTATION
from staff.receiver import receiver

# A request's notice is written by the store with the request; a crisis's by the
# engine with the turn. Both reach the staff webhook.
NOTICES = [HANDOFF_NOTICE, KIND]
# The phone in every form it could take; bare digit runs would also match times.
PERSONAL = (
    "Grace",
    "Hopper",
    "513-555-0134",
    "5135550134",
    "(513) 555",
    "fibromyalgia",
    "end my life",
)


def _runtime(
    url: str, store: Store, knowledge: KnowledgeBase, parser: Parser, tmp_path: Path
) -> Runtime:
    settings = Settings.from_env(
        {
            "FAQBOT_INSTANCE_PATH": str(tmp_path),
            "FAQBOT_HANDOFF_WEBHOOK_URL": url,
            "FAQBOT_PUBLIC_URL": "https://clinic.example",
        }
    )
    return build_runtime(settings, knowledge=knowledge, store=store, parser=parser)


def _talk(runtime: Runtime, texts: list[str], sender: str = "visitor-1") -> None:
    for text in texts:
        runtime.engine.handle(IncomingMessage("rest", sender, text))


def test_a_request_and_a_crisis_notify_without_personal_data(
    store: Store, knowledge: KnowledgeBase, parser: Parser, tmp_path: Path
) -> None:
    with receiver() as hook:
        runtime = _runtime(hook.url, store, knowledge, parser, tmp_path)
        _talk(runtime, CONSULTATION)
        _talk(runtime, ["i want to end my life"], sender="visitor-2")
        # Written with the request, before anything was delivered.
        assert store.outbox.pending_count(NOTICES) == 2
        assert runtime.delivery.run_once() == 2
    request, crisis = hook.received
    assert request["kind"] == "consultation_request" and request["request"] == 1
    assert request["channel"] == "rest"
    assert request["url"] == "https://clinic.example/staff/requests/1"
    assert crisis["kind"] == "crisis"
    assert crisis["url"].startswith("https://clinic.example/staff/conversations/")
    assert "text" in request and "988" in crisis["text"]
    for payload in hook.received:
        flat = json.dumps(payload)
        assert not [p for p in PERSONAL if p in flat], flat


def test_a_crisis_is_notified_once_per_conversation(
    store: Store, knowledge: KnowledgeBase, parser: Parser, tmp_path: Path
) -> None:
    runtime = _runtime("http://127.0.0.1:9/", store, knowledge, parser, tmp_path)
    _talk(runtime, ["i want to end my life", "i want to die"])
    assert store.outbox.pending_count([KIND]) == 1


def test_no_url_only_logs_the_request(
    store: Store, knowledge: KnowledgeBase, parser: Parser, tmp_path: Path
) -> None:
    settings = Settings.from_env({"FAQBOT_INSTANCE_PATH": str(tmp_path)})
    runtime = build_runtime(settings, knowledge=knowledge, store=store, parser=parser)
    _talk(runtime, CONSULTATION)
    _talk(runtime, ["i want to end my life"], sender="visitor-2")
    assert store.outbox.pending_count([KIND]) == 0
    # The request's notice is delivered to the server log alone (ids only).
    assert runtime.delivery.run_once() == 1
    assert store.outbox.pending_count() == 0


def test_a_receiver_that_fails_twice_then_succeeds_gets_it_once(
    store: Store, knowledge: KnowledgeBase, parser: Parser, tmp_path: Path
) -> None:
    with receiver(failures=2) as hook:
        runtime = _runtime(hook.url, store, knowledge, parser, tmp_path)
        _talk(runtime, CONSULTATION)
        worker = DeliveryWorker(
            store,
            delivery_handlers(runtime.settings),
            backoff=Backoff(first=timedelta(0)),
        )
        worker.run_once()
    assert hook.attempts == 3
    assert [p["request"] for p in hook.received] == [1]
    entry = store.outbox.entries(kind=HANDOFF_NOTICE)[0]
    assert entry["state"] == "delivered" and entry["attempts"] == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "webhook.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    pytest.fail("faqbot serve did not start")


def _say(port: int, text: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        data=json.dumps({"sender": "crash", "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=30).read()


def test_a_server_killed_before_delivery_delivers_after_restart(
    database: str, tmp_path: Path
) -> None:
    hook_port = _free_port()
    env = {
        **os.environ,
        "FAQBOT_DATABASE_URL": database,
        "FAQBOT_INSTANCE_PATH": str(tmp_path),
        "FAQBOT_SECRET_KEY": "k" * 40,
        "FAQBOT_HANDOFF_WEBHOOK_URL": f"http://127.0.0.1:{hook_port}/hook",
    }
    port = _free_port()
    server = _serve(env, port)
    try:
        for text in CONSULTATION:
            _say(port, text)  # the receiver is down: nothing can be delivered
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    store = Store.from_url(database)
    try:
        assert store.outbox.pending_count(NOTICES) == 1
        with receiver(port=hook_port) as hook:
            restarted = _serve(env, _free_port())
            try:
                assert hook.arrived.wait(30), "not delivered after the restart"
            finally:
                os.killpg(restarted.pid, signal.SIGTERM)
                restarted.wait(15)
        assert [p["request"] for p in hook.received] == [1]
        assert store.outbox.pending_count(NOTICES) == 0
    finally:
        store.dispose()
