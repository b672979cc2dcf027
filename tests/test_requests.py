"""Reading JSON bodies: whatever Python's json module refuses is a 400, never a 500."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from webhook.requests import MAX_JSON_DEPTH

JSON_ENDPOINTS = ["/webhooks/rest/webhook", "/model/parse"]


def nested(depth: int) -> str:
    """A message for either endpoint, nesting `depth` levels with its outer object."""
    lists = depth - 1
    deep = "[" * lists + "]" * lists
    return '{"sender": "v", "message": "hi", "text": "hi", "deep": ' + deep + "}"


# id -> (body, words the error must contain)
BAD_BODIES = {
    # Python refuses to convert integers of more than 4,300 digits (a ValueError).
    "huge integer": (
        '{"sender": "v", "message": "hi", "n": ' + "7" * 5000 + "}",
        "number",
    ),
    # Deeper than the interpreter's recursion limit: json.loads raises RecursionError.
    "nested past python": ("[" * 20_000 + "]" * 20_000, "nested"),
    # Parsed by Python, but deep enough to recurse past the limit later.
    "nested past faqbot": (nested(MAX_JSON_DEPTH + 1), "nested"),
    "invalid utf-8": (b'{"sender": "v", "message": "\xff"}', "not valid JSON"),
    "truncated": ('{"sender": "v", "message": ', "not valid JSON"),
}


@pytest.mark.parametrize("url", JSON_ENDPOINTS)
@pytest.mark.parametrize(("body", "words"), BAD_BODIES.values(), ids=list(BAD_BODIES))
def test_a_body_json_cannot_read_is_a_400_saying_why(
    client: FlaskClient, url: str, body: str | bytes, words: str
) -> None:
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 400
    assert words in response.get_json()["error"]


@pytest.mark.parametrize("url", JSON_ENDPOINTS)
def test_a_body_as_deep_as_allowed_is_read(client: FlaskClient, url: str) -> None:
    body = nested(MAX_JSON_DEPTH)
    assert json.loads(body)["deep"]  # the nesting really is there
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 200, response.get_json()
