"""Several hosts as one bot: shared PostgreSQL and Redis behind two `faqbot serve`.

A visitor whose messages alternate between the two servers completes one
consultation request, stored once and announced once; rate limits count across
both. Needs PostgreSQL and Redis (skipped where either is missing, a failure
under CI).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from servers import serving
from services import redis_url
from sqlalchemy import create_engine, text
from storage_backends import database_url

from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from webhook import create_app, limits

CONSULTATION = [
    "I'd like to book a consultation",
    "Grace Whitfield",
    "513-555-0163",
    "grace.whitfield@example.com",
    "weekday mornings",
    "chronic back pain",
    "yes",
]
pytestmark = pytest.mark.postgres


def test_rate_limits_in_redis_are_shared_by_every_app(
    runtime: Runtime, tmp_path: Path
) -> None:
    env = {
        "FAQBOT_INSTANCE_PATH": str(tmp_path),
        "FAQBOT_RATELIMIT_STORAGE_URL": redis_url(),
        "FAQBOT_RATELIMIT_PER_SENDER": "3/minute",
    }
    apps = [
        create_app(
            runtime=build_runtime(
                Settings.from_env(env),
                knowledge=runtime.knowledge,
                store=runtime.store,
                parser=runtime.parser,
            )
        )
        for _ in range(2)
    ]
    hosts = [app.test_client() for app in apps]
    sender = f"redis-{uuid.uuid4().hex}"
    address = f"test-{uuid.uuid4().hex}"

    def chat(host: Any) -> Any:
        return host.post(
            "/webhooks/rest/webhook",
            json={"sender": sender, "message": "hi"},
            environ_base={"REMOTE_ADDR": address},
        )

    try:
        statuses = [chat(hosts[n % 2]).status_code for n in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = chat(hosts[0])
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    finally:
        for app in apps:
            limits.close(app)


def test_two_servers_sharing_postgres_and_redis_behave_as_one_bot(
    tmp_path: Path,
) -> None:
    redis = redis_url()
    with database_url("postgres", tmp_path) as url:
        env = {
            "FAQBOT_DATABASE_URL": url,
            "FAQBOT_RATELIMIT_STORAGE_URL": redis,
            "FAQBOT_RATELIMIT_PER_SENDER": "9/minute",
            "FAQBOT_RATELIMIT_PER_ADDRESS": "100000/minute",
        }
        with (
            serving(tmp_path, "--workers", "1", env=env, name="a") as a,
            serving(tmp_path, "--workers", "1", env=env, name="b") as b,
        ):
            hosts = (a, b)
            sender = f"hosts-{uuid.uuid4().hex}"
            replies = [
                hosts[n % 2].say(sender, message)
                for n, message in enumerate(CONSULTATION)
            ]
            assert "received your consultation request" in replies[-1][0]

            # Stored once, with the whole conversation from both servers.
            engine = create_engine(url)
            try:
                with engine.connect() as conn:
                    rows = conn.execute(
                        text(
                            "SELECT id, transcript FROM handoffs WHERE sender_id = :s"
                        ),
                        {"s": sender},
                    ).all()
                    assert len(rows) == 1
                    said = [line["text"] for line in rows[0].transcript]
                    assert said[-1] == "yes" and "Grace Whitfield" in said
                    # Announced once: both servers run the outbox worker.
                    deadline = time.monotonic() + 20
                    state = None
                    while time.monotonic() < deadline:
                        state = conn.execute(
                            text(
                                "SELECT state, attempts FROM outbox"
                                " WHERE kind = 'handoff.new' AND key = :k"
                            ),
                            {"k": f"handoff-{rows[0].id}"},
                        ).one()
                        conn.rollback()
                        if state.state == "delivered":
                            break
                        time.sleep(0.2)
                    assert state is not None and tuple(state) == ("delivered", 0)
            finally:
                engine.dispose()
            announced = f"consultation request {rows[0].id} is waiting"
            logs = a.logged() + b.logged()
            assert logs.count(announced) == 1

            # The sender limit counts across both: 7 sent, 2 left.
            assert (
                a.request(
                    "POST",
                    "/webhooks/rest/webhook",
                    {"sender": sender, "message": "hi"},
                )[0]
                == 200
            )
            assert (
                b.request(
                    "POST",
                    "/webhooks/rest/webhook",
                    {"sender": sender, "message": "hi"},
                )[0]
                == 200
            )
            status, body, _ = a.request(
                "POST", "/webhooks/rest/webhook", {"sender": sender, "message": "hi"}
            )
            assert status == 429 and body["status"] == 429
