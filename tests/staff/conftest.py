"""Fixtures for the staff pages: an app with a staff user, signing in, visitors."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.runtime import Runtime
from webhook import create_app
from webhook.staff.services import SERVICES_KEY

USER = "alice"
PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

# A consultation through the REST channel, visitor's words first.
CONSULTATION = [
    "I'd like to book a consultation",
    "Grace Hopper",
    "513-555-0134",
    "skip",
    "weekday mornings",
    "<script>alert(1)</script> fibromyalgia",
    "yes",
]


@pytest.fixture
def staff_app(runtime: Runtime) -> Flask:
    """The app, with a staff user, learned knowledge polled on every request."""
    app = create_app({"KNOWLEDGE_POLL_SECONDS": 0}, runtime=runtime)
    services = app.extensions[SERVICES_KEY]
    services.users.create(USER, PASSWORD)
    app.extensions["test_sleeps"] = sleeps = []
    app.extensions[SERVICES_KEY] = replace(services, sleep=sleeps.append)
    return app


@pytest.fixture
def staff_client(staff_app: Flask) -> FlaskClient:
    return staff_app.test_client()


def csrf_token(client: FlaskClient, path: str = "/staff/login") -> str:
    """The CSRF token of the form on `path`."""
    page = client.get(path)
    found = TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: FlaskClient, user: str = USER, password: str = PASSWORD) -> None:
    response = client.post(
        "/staff/login",
        data={"username": user, "password": password, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def signed_in(staff_client: FlaskClient) -> FlaskClient:
    sign_in(staff_client)
    return staff_client


@pytest.fixture
def visitor(staff_client: FlaskClient) -> Callable[..., list[str]]:
    """Send a message to the REST channel; return the bot's texts."""

    def send(text: str, *, sender: str = "visitor-1") -> list[str]:
        response = staff_client.post(
            "/webhooks/rest/webhook", json={"sender": sender, "message": text}
        )
        assert response.status_code == 200, response.get_json()
        return [m.get("text", "") for m in response.get_json()]

    return send


def make_request(send: Callable[..., list[str]], *, sender: str = "visitor-1") -> None:
    """A full consultation request from `sender`."""
    for text in CONSULTATION:
        replies = send(text, sender=sender)
    assert "We have received your consultation request" in replies[0]
