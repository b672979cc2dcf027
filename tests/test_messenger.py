"""The Messenger channel: the handshake, signatures, events, and durable sends.

Calls are signed with HMAC-SHA256 over the raw body as Meta signs them; the
Send API is a real HTTP server on loopback (`graph`). Storage runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from channel_fakes import (
    PAGE_TOKEN,
    VERIFY_TOKEN,
    GraphServer,
    channel_environment,
    messenger_body,
    messenger_signature,
    text_event,
)
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bot.channels.graph_api import KIND, SendApi
from bot.channels.messenger import MAX_TEXT_CHARS, send_requests
from bot.delivery import Backoff, DeliveryWorker
from bot.errors import StorageError
from bot.knowledge import KnowledgeBase
from bot.messages import Button, Reply
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.storage import OutboxEntry, Store
from bot.understanding.parser import Parser
from webhook import create_app

PATH = "/webhooks/facebook/webhook"
PSID = "6011223344556677"


def post(
    client: FlaskClient, body: bytes, *, signature: str | None = None
) -> TestResponse:
    headers = {"Content-Type": "application/json"}
    signature = messenger_signature(body) if signature is None else signature
    if signature:
        headers["X-Hub-Signature-256"] = signature
    return client.post(PATH, data=body, headers=headers)


def deliver(runtime: Runtime) -> int:
    """Run the background worker's loop once, with no backoff between tries."""
    worker = DeliveryWorker(
        runtime.store,
        {KIND: SendApi(runtime.settings.messenger_graph_url, PAGE_TOKEN)},
        backoff=Backoff(first=timedelta(0), most=timedelta(0)),
    )
    return worker.run_once()


@pytest.fixture
def say(channel_client: FlaskClient) -> Any:
    """Send one Messenger text; the call must answer 200 at once."""
    counter = iter(range(1, 10_000))

    def send(text: str, *, sender: str = PSID, mid: str | None = None) -> None:
        mid = mid or f"m_{sender}_{next(counter)}"
        response = post(channel_client, messenger_body(text_event(sender, text, mid)))
        assert response.status_code == 200, response.get_json()

    return send


# --- the verification handshake -----------------------------------------------------


def test_the_handshake_echoes_the_challenge(channel_client: FlaskClient) -> None:
    response = channel_client.get(
        PATH,
        query_string={
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN},
        {"hub.challenge": "1"},
    ],
    ids=["wrong token", "wrong mode", "nothing"],
)
def test_a_bad_handshake_is_refused(
    channel_client: FlaskClient, query: dict[str, str]
) -> None:
    assert channel_client.get(PATH, query_string=query).status_code == 403


def test_without_secrets_the_channel_is_off_and_says_so(client: FlaskClient) -> None:
    body = messenger_body(text_event(PSID, "hi", "m_1"))
    response = post(client, body)
    assert response.status_code == 404
    assert "FAQBOT_MESSENGER_APP_SECRET" in response.get_json()["error"]
    handshake = client.get(
        PATH, query_string={"hub.mode": "subscribe", "hub.verify_token": ""}
    )
    assert handshake.status_code == 404


# --- signatures ----------------------------------------------------------------------


@pytest.mark.parametrize("tamper", ["tampered", "missing", "wrong secret", "not hex"])
def test_a_badly_signed_call_is_refused_and_nothing_happens(
    channel_client: FlaskClient,
    channel_runtime: Runtime,
    graph: GraphServer,
    tamper: str,
) -> None:
    body = messenger_body(text_event(PSID, "is ketamine addictive?", "m_bad"))
    signature = messenger_signature(body)
    if tamper == "tampered":
        body = body.replace(b"addictive", b"dangerous")
    elif tamper == "missing":
        signature = ""
    elif tamper == "wrong secret":
        signature = messenger_signature(body, secret="another-app-secret")
    else:
        signature = "sha256=zz"
    response = post(channel_client, body, signature=signature)
    assert response.status_code == 403
    assert "X-Hub-Signature-256" in response.get_json()["error"]
    assert channel_runtime.store.outbox.pending_count() == 0
    deliver(channel_runtime)
    assert graph.calls == []


def test_a_signed_call_that_is_not_json_is_a_400(channel_client: FlaskClient) -> None:
    response = post(channel_client, b"{not json")
    assert response.status_code == 400


# --- events and sends ----------------------------------------------------------------


def test_a_message_is_answered_through_the_send_api(
    say: Any, channel_runtime: Runtime, graph: GraphServer
) -> None:
    say("is ketamine addictive?")
    # Answered 200 before anything was sent: the send waits in the outbox.
    assert graph.calls == []
    assert deliver(channel_runtime) == 2
    typing, answer = graph.calls
    assert typing["path"] == "/v21.0/me/messages"
    assert typing["query"]["access_token"] == [PAGE_TOKEN]
    assert typing["body"] == {"recipient": {"id": PSID}, "sender_action": "typing_on"}
    assert answer["body"]["messaging_type"] == "RESPONSE"
    assert answer["body"]["recipient"] == {"id": PSID}
    assert "addiction" in answer["body"]["message"]["text"].lower()
    replies = answer["body"]["message"]["quick_replies"]
    assert 1 <= len(replies) <= 13
    for reply in replies:
        assert reply["content_type"] == "text"
        assert len(reply["title"]) <= 20
        assert reply["payload"].startswith("/faq/")


def test_a_quick_reply_and_a_postback_are_read_as_their_payloads(
    channel_client: FlaskClient,
    channel_runtime: Runtime,
    graph: GraphServer,
    knowledge: KnowledgeBase,
) -> None:
    quick = text_event(PSID, "Side effects", "m_q")
    quick["message"]["quick_reply"] = {"payload": "/faq/side_effects"}
    postback = {
        "sender": {"id": PSID},
        "recipient": {"id": "PAGE-1"},
        "timestamp": 1767000000001,
        "postback": {"mid": "m_p", "title": "Get Started", "payload": "/greet"},
    }
    assert post(channel_client, messenger_body(quick, postback)).status_code == 200
    deliver(channel_runtime)
    side_effects, greeting = graph.texts(PSID)
    assert side_effects.startswith(knowledge.topic("side_effects").answer)
    assert "automated assistant" in greeting


def test_echoes_deliveries_and_reads_are_skipped(
    channel_client: FlaskClient, channel_runtime: Runtime, graph: GraphServer
) -> None:
    echo = text_event("PAGE-1", "our own message", "m_echo")
    echo["message"]["is_echo"] = True
    delivery = {"sender": {"id": PSID}, "delivery": {"mids": ["m_1"], "watermark": 1}}
    read = {"sender": {"id": PSID}, "read": {"watermark": 1}}
    body = messenger_body(echo, delivery, read)
    assert post(channel_client, body).status_code == 200
    assert channel_runtime.store.outbox.pending_count() == 0


def test_an_attachment_gets_a_clear_answer(
    channel_client: FlaskClient, channel_runtime: Runtime, graph: GraphServer
) -> None:
    event = {
        "sender": {"id": PSID},
        "message": {"mid": "m_img", "attachments": [{"type": "image"}]},
    }
    assert post(channel_client, messenger_body(event)).status_code == 200
    deliver(channel_runtime)
    assert graph.texts(PSID) == [
        "Sorry, I can only read text messages. Please type your question."
    ]


def test_sends_keep_their_order_per_recipient(
    say: Any, channel_runtime: Runtime, graph: GraphServer, knowledge: KnowledgeBase
) -> None:
    other = "7099887766554433"
    say("is ketamine addictive?")
    say("hello", sender=other)
    say("what are the side effects?")
    say("thanks", sender=other)
    say("what is chronic pain?")
    deliver(channel_runtime)
    mine = graph.texts(PSID)
    assert "addiction" in mine[0].lower()
    assert mine[1].startswith(knowledge.topic("side_effects").answer)
    assert "chronic pain" in mine[2].lower()
    theirs = graph.texts(other)
    assert "automated assistant" in theirs[0]
    assert "welcome" in theirs[1].lower()


def test_a_send_is_retried_after_two_failures(
    say: Any, channel_runtime: Runtime, graph: GraphServer, store: Store
) -> None:
    graph.failures = 2
    say("is ketamine addictive?")
    deliver(channel_runtime)
    assert graph.failures == 0
    [typing_on, answer] = graph.bodies()
    assert typing_on["sender_action"] == "typing_on"
    assert "addiction" in answer["message"]["text"].lower()
    entries = store.outbox.entries(kind=KIND)
    assert [e["state"] for e in entries] == ["delivered", "delivered"]
    assert entries[0]["attempts"] == 2
    # The error kept for staff names the status and Meta's code, nothing else.
    assert (
        entries[0]["last_error"]
        == "Send API answered HTTP 500 (code 2, OAuthException)"
    )


def test_a_refused_send_is_dropped_without_personal_data(
    say: Any,
    channel_runtime: Runtime,
    graph: GraphServer,
    store: Store,
    caplog: pytest.LogCaptureFixture,
) -> None:
    graph.failures, graph.status_for_failures = 1, 400
    say("my name is Grace Whitfield, is ketamine addictive?")
    with caplog.at_level("INFO"):
        deliver(channel_runtime)
    typing_on, answer = store.outbox.entries(kind=KIND)
    assert typing_on["state"] == "dropped"
    assert answer["state"] == "delivered"
    assert PSID not in caplog.text and "Grace" not in caplog.text
    assert PAGE_TOKEN not in caplog.text
    assert PSID not in typing_on["last_error"]


def test_a_retried_message_id_is_answered_once(
    say: Any, channel_runtime: Runtime, graph: GraphServer, store: Store
) -> None:
    say("I'd like a consultation", mid="m_retried")
    say("I'd like a consultation", mid="m_retried")
    deliver(channel_runtime)
    assert len(graph.texts(PSID)) == 1
    assert "full name" in graph.texts(PSID)[0]
    conversation = store.conversation("messenger", PSID)
    assert len(store.transcript(conversation.id)) == 2


def test_a_long_reply_is_split_and_the_quick_replies_go_last(
    channel_runtime: Runtime, graph: GraphServer, store: Store
) -> None:
    long_text = " ".join(["Ketamine infusions are given in a clinic."] * 120)
    buttons = tuple(Button(f"Question number {n}?", f"/faq/q{n}") for n in range(16))
    requests = send_requests([Reply(long_text, buttons=buttons)], PSID)
    store.outbox.enqueue(
        [OutboxEntry(KIND, PSID, request) for request in requests],
        now=datetime.now(UTC),
    )
    deliver(channel_runtime)
    texts = graph.texts(PSID)
    assert len(texts) == 3
    assert all(len(t) <= MAX_TEXT_CHARS for t in texts)
    assert " ".join(texts) == long_text
    *first, last = [b["message"] for b in graph.bodies() if "message" in b]
    assert all("quick_replies" not in m for m in first)
    assert len(last["quick_replies"]) == 13
    assert [q["payload"] for q in last["quick_replies"]] == [
        f"/faq/q{n}" for n in range(13)
    ]


def test_the_send_api_body_is_json_with_the_token_in_the_query(
    say: Any, channel_runtime: Runtime, graph: GraphServer
) -> None:
    say("hello")
    deliver(channel_runtime)
    for call in graph.calls:
        assert PAGE_TOKEN not in json.dumps(call["body"])
        assert call["query"] == {"access_token": [PAGE_TOKEN]}


class BrokenWrites(Store):
    """A real store whose turn writes fail as in a database outage."""

    def record_turn(self, *args: Any, **kwargs: Any) -> None:
        raise StorageError("could not record the turn")


def test_a_crisis_is_sent_at_once_when_storage_fails(
    database: str,
    knowledge: KnowledgeBase,
    parser: Parser,
    tmp_path: Path,
    graph: GraphServer,
) -> None:
    store = BrokenWrites.from_url(database)
    store.upgrade()
    settings = Settings.from_env(
        {"FAQBOT_INSTANCE_PATH": str(tmp_path), **channel_environment(graph.url)}
    )
    runtime = build_runtime(settings, knowledge=knowledge, store=store, parser=parser)
    client = create_app(runtime=runtime).test_client()
    try:
        body = messenger_body(text_event(PSID, "I want to kill myself tonight", "m_c"))
        assert post(client, body).status_code == 200
        # Nothing could be queued, so the reply went straight out.
        assert store.outbox.pending_count() == 0
        [reply] = graph.texts(PSID)
        assert "988" in reply and "911" in reply
    finally:
        store.dispose()


def test_a_stored_crisis_is_sent_once_through_the_outbox(
    say: Any, channel_runtime: Runtime, graph: GraphServer
) -> None:
    say("I want to kill myself tonight")
    assert graph.calls == []
    deliver(channel_runtime)
    [reply] = graph.texts(PSID)
    assert "988" in reply and "911" in reply
