"""Every error is the same JSON, bugs are logged 500s, and every answer is hardened."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rasa_sdk import Action
from staff.helpers import csrf_token
from test_action_server import FILLED, TOKEN, rasa_call

from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from webhook import create_app
from webhook.action_server import executor

SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
SECRET_WORDS = "Grace Whitfield +15135550163 grace.whitfield@example.com"


def token_app(runtime: Runtime, tmp_path: Any, **env: str) -> Flask:
    settings = Settings.from_env(
        {"FAQBOT_INSTANCE_PATH": str(tmp_path), "FAQBOT_ACTION_TOKEN": TOKEN, **env}
    )
    built = build_runtime(
        settings,
        knowledge=runtime.knowledge,
        store=runtime.store,
        parser=runtime.parser,
    )
    return create_app(runtime=built)


@pytest.fixture
def action_client(runtime: Runtime, tmp_path: Any) -> FlaskClient:
    return token_app(runtime, tmp_path).test_client()


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) >= {"error", "status"} and body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_a_form_validation_with_an_empty_domain_asks_for_the_domain(
    runtime: Runtime, action_client: FlaskClient
) -> None:
    call = rasa_call(runtime, "validate_consultation_form", "Grace", slots={})
    call["domain"] = {}
    response = action_client.post("/webhook", json=call, query_string={"token": TOKEN})
    assert_error(response, 449)
    # Once Rasa has sent the domain, a call without it runs.
    full = rasa_call(runtime, "validate_consultation_form", "Grace", slots={})
    sent = action_client.post("/webhook", json=full, query_string={"token": TOKEN})
    assert sent.status_code == 200
    response = action_client.post("/webhook", json=call, query_string={"token": TOKEN})
    assert response.status_code == 200


class BrokenAction(Action):
    def name(self) -> str:
        return "action_broken"

    async def run(self, dispatcher: Any, tracker: Any, domain: Any) -> list[Any]:
        raise KeyError(SECRET_WORDS)


def test_an_action_bug_is_a_500_logged_at_error_without_personal_data(
    runtime: Runtime,
    tmp_path: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = token_app(runtime, tmp_path)
    executor(app).register_action(BrokenAction())
    call = rasa_call(runtime, "action_broken", SECRET_WORDS, slots=FILLED)
    with caplog.at_level(logging.DEBUG):
        response = app.test_client().post(
            "/webhook", json=call, query_string={"token": TOKEN}
        )
    assert_error(response, 500)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors, "the bug was not logged at ERROR"
    assert "KeyError" in errors[0].getMessage()
    logged = "\n".join(
        r.getMessage() + str(r.exc_info or "") + (r.exc_text or "")
        for r in caplog.records
    )
    for word in SECRET_WORDS.split():
        assert word not in logged


def test_a_numeric_sender_is_refused(client: FlaskClient) -> None:
    response = client.post(
        "/webhooks/rest/webhook", json={"sender": 5, "message": "hi"}
    )
    assert "sender" in assert_error(response, 400)["error"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/nowhere", 404), ("get", "/webhooks/rest/webhook", 405)],
)
def test_routing_errors_share_the_shape(
    client: FlaskClient, method: str, path: str, status: int
) -> None:
    response = getattr(client, method)(path)
    assert_error(response, status)
    for name, value in SECURITY.items():
        assert response.headers[name] == value


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/health", None),
        ("get", "/", None),
        ("post", "/webhooks/rest/webhook", {"sender": "v", "message": "hi"}),
        ("post", "/webhooks/rest/webhook", {"sender": "v"}),
        ("post", "/model/parse", {"text": "is ketamine safe"}),
        ("get", "/openapi.json", None),
    ],
)
def test_every_answer_carries_the_security_headers(
    client: FlaskClient, method: str, path: str, body: Any
) -> None:
    response = getattr(client, method)(path, json=body)
    for name, value in SECURITY.items():
        assert response.headers[name] == value
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


# --- rate limits -------------------------------------------------------------------


def limited_client(runtime: Runtime, tmp_path: Any, **env: str) -> FlaskClient:
    return token_app(runtime, tmp_path, **env).test_client()


def chat(client: FlaskClient, sender: str, address: str = "203.0.113.7") -> Any:
    return client.post(
        "/webhooks/rest/webhook",
        json={"sender": sender, "message": "is ketamine safe?"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_a_sender_over_its_limit_gets_429_with_retry_after(
    runtime: Runtime, tmp_path: Any
) -> None:
    client = limited_client(runtime, tmp_path, FAQBOT_RATELIMIT_PER_SENDER="3/minute")
    assert [chat(client, "ann").status_code for _ in range(3)] == [200] * 3
    refused = chat(client, "ann")
    assert_error(refused, 429)
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # Another visitor at the same address is not held back.
    assert chat(client, "bob").status_code == 200


def test_an_address_over_its_limit_gets_429_whatever_the_sender(
    runtime: Runtime, tmp_path: Any
) -> None:
    client = limited_client(runtime, tmp_path, FAQBOT_RATELIMIT_PER_ADDRESS="4/minute")
    # Guessing sender ids from one address: a new id each time.
    statuses = [chat(client, f"guess-{n}").status_code for n in range(6)]
    assert statuses == [200] * 4 + [429] * 2
    assert chat(client, "guess-x", address="198.51.100.9").status_code == 200
    parse = client.post(
        "/model/parse", json={"text": "hi"}, environ_base={"REMOTE_ADDR": "203.0.113.7"}
    )
    assert parse.status_code == 200  # its own limit: the parse endpoint's


def test_requests_to_unlimited_endpoints_do_not_count(
    runtime: Runtime, tmp_path: Any
) -> None:
    client = limited_client(runtime, tmp_path, FAQBOT_RATELIMIT_PER_ADDRESS="2/minute")
    address = {"REMOTE_ADDR": "203.0.113.7"}
    health = [client.get("/health", environ_base=address) for _ in range(5)]
    assert [r.status_code for r in health] == [200] * 5
    assert "X-RateLimit-Limit" not in health[0].headers
    statuses = [chat(client, f"s-{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


def test_behind_a_trusted_proxy_the_forwarded_address_counts(
    runtime: Runtime, tmp_path: Any
) -> None:
    client = limited_client(
        runtime,
        tmp_path,
        FAQBOT_RATELIMIT_PER_ADDRESS="2/minute",
        FAQBOT_TRUSTED_PROXIES="1",
    )

    def via_proxy(client_address: str) -> int:
        return client.post(
            "/webhooks/rest/webhook",
            json={"sender": f"s-{client_address}", "message": "hi"},
            headers={"X-Forwarded-For": client_address},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
        ).status_code

    assert [via_proxy("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert via_proxy("203.0.113.2") == 200


def test_a_malformed_body_still_counts_against_the_address(
    runtime: Runtime, tmp_path: Any
) -> None:
    client = limited_client(runtime, tmp_path, FAQBOT_RATELIMIT_PER_ADDRESS="2/minute")
    statuses = [
        client.post(
            "/webhooks/rest/webhook",
            data="{not json",
            content_type="application/json",
            environ_base={"REMOTE_ADDR": "203.0.113.7"},
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [400, 400, 429]


def test_an_unreachable_limit_store_lets_visitors_through(
    runtime: Runtime, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = limited_client(
        runtime, tmp_path, FAQBOT_RATELIMIT_STORAGE_URL="redis://127.0.0.1:1"
    )
    with caplog.at_level(logging.ERROR):
        response = chat(client, "ann")
    assert response.status_code == 200
    assert "ketamine" in response.get_data(as_text=True).lower()


def test_staff_sign_in_is_rate_limited_per_username(
    runtime: Runtime, tmp_path: Any
) -> None:
    client = limited_client(
        runtime,
        tmp_path,
        FAQBOT_RATELIMIT_PER_SENDER="2/minute",
        FAQBOT_SECRET_KEY="k" * 40,
    )
    token = csrf_token(client)

    def sign_in(username: str) -> Any:
        return client.post(
            "/staff/login",
            data={"username": username, "password": "wrong", "csrf_token": token},
            environ_base={"REMOTE_ADDR": "203.0.113.7"},
        )

    assert [sign_in("ann").status_code for _ in range(2)] == [401] * 2
    refused = sign_in("ann")
    assert_error(refused, 429)
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert sign_in("bob").status_code == 401
