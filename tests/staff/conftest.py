"""Fixtures for the staff pages: an app with a staff user, signing in, visitors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.runtime import Runtime
from staff.helpers import PASSWORD, USER, sign_in
from webhook import create_app
from webhook.staff.services import SERVICES_KEY


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
