"""Offering a channel-verified sender number as the consultation phone."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from bot.conversation.phone_offer import offer_question, sender_phone, shown


@pytest.mark.parametrize(
    ("e164", "expected"),
    [("+15135550134", "513-555-0134"), ("+442079460958", "+44 20 7946 0958")],
)
def test_numbers_are_shown_as_people_write_them(e164: str, expected: str) -> None:
    assert shown(e164) == expected
    assert offer_question(e164).startswith(f"Is {expected} the best number")


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"sender_phone": "+15135550134"}, "+15135550134"),
        ({"sender_phone": "+1 513 555 0134"}, "+15135550134"),
        ({"sender_phone": "+1555"}, None),  # not a valid number
        ({"sender_phone": "5135550134"}, None),  # no country: not vouched for
        ({"sender_phone": 15135550134}, None),
        ({}, None),
        (None, None),
    ],
)
def test_only_a_valid_number_is_offered(metadata: object, expected: str | None) -> None:
    assert sender_phone({"metadata": metadata}) == expected


def test_a_rest_client_cannot_make_the_form_offer_a_number(client: FlaskClient) -> None:
    def send(text: str) -> list[str]:
        response = client.post(
            "/webhooks/rest/webhook",
            json={
                "sender": "web",
                "message": text,
                "metadata": {"sender_phone": "+15135550134"},
            },
        )
        assert response.status_code == 200
        return [m["text"] for m in response.get_json()]

    send("I'd like a consultation")
    assert send("Grace Whitfield") == ["What is the best phone number to reach you?"]
