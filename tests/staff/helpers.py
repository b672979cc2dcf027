"""Helpers for the staff tests: the staff user, CSRF tokens, a consultation."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

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


def make_request(send: Callable[..., list[str]], *, sender: str = "visitor-1") -> None:
    """A full consultation request from `sender`."""
    for text in CONSULTATION:
        replies = send(text, sender=sender)
    assert "We have received your consultation request" in replies[0]
