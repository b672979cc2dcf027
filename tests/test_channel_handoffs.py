"""One consultation dialogue through REST, SMS and Messenger: the same request.

Each channel is driven the way its platform drives it (JSON for REST, Twilio's
signed form, Meta's signed events with replies delivered to the loopback Send
API). The stored requests match field for field; channel and sender differ, and
SMS offers the sender's own number instead of asking for one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

from channel_fakes import (
    PAGE_TOKEN,
    TWILIO_URL,
    GraphServer,
    messenger_body,
    messenger_signature,
    text_event,
    twilio_form,
    twilio_signature,
)
from flask.testing import FlaskClient

from bot.channels.graph_api import KIND, SendApi
from bot.delivery import Backoff, DeliveryWorker
from bot.runtime import Runtime
from bot.storage import Store

PHONE_QUESTION = "What is the best phone number to reach you?"
DIALOGUE = [
    "I'd like to book a consultation",
    "Grace Whitfield",
    "<phone>",
    "grace@example.com",
    "weekday mornings",
    "fibromyalgia in my legs",
    "yes",
]
SMS_NUMBER = "+15135550134"
PSID = "6011223344556677"


def rest(client: FlaskClient, text: str) -> list[str]:
    response = client.post(
        "/webhooks/rest/webhook", json={"sender": "web-visitor", "message": text}
    )
    assert response.status_code == 200
    return [m["text"] for m in response.get_json()]


def sms(client: FlaskClient, text: str, sid: str) -> list[str]:
    form = twilio_form(text, sender=SMS_NUMBER, sid=sid)
    response = client.post(
        "/webhooks/twilio/webhook",
        data=form,
        headers={"X-Twilio-Signature": twilio_signature(TWILIO_URL, form)},
    )
    assert response.status_code == 200
    return [m.text or "" for m in ET.fromstring(response.get_data()).iter("Message")]


def messenger(
    client: FlaskClient, runtime: Runtime, graph: GraphServer, text: str, mid: str
) -> list[str]:
    body = messenger_body(text_event(PSID, text, mid))
    response = client.post(
        "/webhooks/facebook/webhook",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": messenger_signature(body),
        },
    )
    assert response.status_code == 200
    before = len(graph.texts(PSID))
    DeliveryWorker(
        runtime.store,
        {KIND: SendApi(runtime.settings.messenger_graph_url, PAGE_TOKEN)},
        backoff=Backoff(first=timedelta(0)),
    ).run_once()
    return graph.texts(PSID)[before:]


def test_rest_sms_and_messenger_store_the_same_request(
    channel_client: FlaskClient,
    channel_runtime: Runtime,
    graph: GraphServer,
    store: Store,
) -> None:
    rest_replies = [
        rest(channel_client, t.replace("<phone>", "513-555-0134")) for t in DIALOGUE
    ]
    sms_replies = [
        sms(channel_client, t.replace("<phone>", "yes"), f"SM{n:032d}")
        for n, t in enumerate(DIALOGUE)
    ]
    messenger_replies = [
        messenger(
            channel_client,
            channel_runtime,
            graph,
            t.replace("<phone>", "513-555-0134"),
            f"m_{n}",
        )
        for n, t in enumerate(DIALOGUE)
    ]

    # REST and Messenger ask for the number; SMS offers the sender's own.
    assert rest_replies[1] == [PHONE_QUESTION]
    assert messenger_replies[1] == [PHONE_QUESTION]
    assert sms_replies[1] == [
        "Is 513-555-0134 the best number to reach you? Reply yes, or send the"
        " number you'd prefer."
    ]
    for replies in (rest_replies, messenger_replies):
        assert "We have received your consultation request" in replies[-1][0]
    assert "has your consultation request" in sms_replies[-1][0]

    by_channel = {h.channel: h for h in store.handoffs()}
    assert set(by_channel) == {"rest", "sms", "messenger"}
    assert by_channel["rest"].sender_id == "web-visitor"
    assert by_channel["sms"].sender_id == SMS_NUMBER
    assert by_channel["messenger"].sender_id == PSID
    fields = ("name", "phone", "email", "preferred_time", "condition", "consent")
    expected = {
        "name": "Grace Whitfield",
        "phone": "+15135550134",
        "email": "grace@example.com",
        "preferred_time": "weekday mornings",
        "condition": "fibromyalgia in my legs",
        "consent": True,
    }
    for handoff in by_channel.values():
        assert {f: getattr(handoff, f) for f in fields} == expected
        user_lines = [line.text for line in handoff.transcript if line.sender == "user"]
        assert len(user_lines) == len(DIALOGUE)
