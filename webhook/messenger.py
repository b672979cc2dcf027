"""Facebook Messenger's webhook: the verification handshake and page events.

`GET /webhooks/facebook/webhook` echoes `hub.challenge` when `hub.verify_token`
is FAQBOT_MESSENGER_VERIFY_TOKEN. `POST` carries page events signed with
`X-Hub-Signature-256`; each visitor message is handled by the engine and its
replies queued in the outbox in the same transaction, then the call answers 200
at once: the background worker sends them through the Send API, in order per
recipient. A message id Meta sends again is answered once.
"""

from __future__ import annotations

import hmac
import logging
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from bot.channels import graph_api
from bot.channels.messenger import send_requests
from bot.channels.messenger_events import MessengerMessage, inbound_messages
from bot.errors import DeliveryError, StorageError
from bot.messages import IncomingMessage, Reply
from bot.storage import OutboxEntry
from webhook.errors import error_response
from webhook.requests import json_object
from webhook.runtime import runtime
from webhook.signatures import require_messenger_signature

logger = logging.getLogger(__name__)

blueprint = Blueprint("messenger", __name__, url_prefix="/webhooks/facebook")
blueprint.before_request(require_messenger_signature)

CHANNEL = "messenger"
MAX_ID_CHARS = 255
NOT_TEXT = "Sorry, I can only read text messages. Please type your question."


@blueprint.get("/webhook")
def verify() -> ResponseReturnValue:
    """Meta's subscription handshake: echo the challenge for the right token."""
    token = runtime().settings.messenger_verify_token or ""
    given = request.args.get("hub.verify_token", "")
    challenge = request.args.get("hub.challenge", "")
    if request.args.get("hub.mode") != "subscribe" or not hmac.compare_digest(
        given.encode(), token.encode()
    ):
        return error_response("Verification failed: wrong mode or verify token.", 403)
    return challenge, 200, {"Content-Type": "text/plain; charset=utf-8"}


@blueprint.post("/webhook")
def receive() -> ResponseReturnValue:
    """Handle every visitor message of the call; the replies go out later."""
    for message in inbound_messages(json_object(request)):
        if len(message.sender_id) <= MAX_ID_CHARS:
            _handle(message)
    return jsonify({"status": "ok"})


def _handle(found: MessengerMessage) -> None:
    app = runtime()
    recipient = found.sender_id

    def queue(replies: list[Reply]) -> list[OutboxEntry]:
        return graph_api.outbox_entries(send_requests(replies, recipient), recipient)

    limit = app.settings.max_message_chars
    text = found.text
    if text is None or "\x00" in text:
        _queue_fixed(NOT_TEXT, recipient)
        return
    if len(text) > limit:
        _queue_fixed(
            f"Sorry, that message is too long for me: please send at most {limit}"
            " characters.",
            recipient,
        )
        return
    message_id = found.message_id[:MAX_ID_CHARS] if found.message_id else None
    replies = app.engine.handle(
        IncomingMessage(CHANNEL, recipient, text, message_id=message_id), outbox=queue
    )
    if app.engine.parser.detect_crisis(text) is not None and not _stored(
        recipient, message_id
    ):
        # The engine answers a crisis even when storage fails, but then nothing
        # was queued: send 988 and 911 straight away rather than not at all.
        _send_now(send_requests(replies, recipient))


def _stored(recipient: str, message_id: str | None) -> bool:
    """Whether the turn of this message id is in storage (its sends queued)."""
    if message_id is None:
        return True  # nothing to check by; the engine raised on other failures
    store = runtime().store
    try:
        conversation = store.conversation(CHANNEL, recipient)
        return store.handled_replies(conversation.id, message_id) is not None
    except StorageError:
        return False


def _send_now(requests: list[dict[str, Any]]) -> None:
    settings = runtime().settings
    assert settings.messenger_page_access_token is not None
    api = graph_api.SendApi(
        settings.messenger_graph_url, settings.messenger_page_access_token
    )
    for request_body in requests:
        try:
            api.send(request_body)
        except DeliveryError as e:
            logger.error("crisis reply not sent on Messenger: %s", e)
            return


def _queue_fixed(text: str, recipient: str) -> None:
    """A reply that needs no turn (an attachment, an over-long message)."""
    entries = graph_api.outbox_entries(
        send_requests([Reply(text)], recipient), recipient
    )
    runtime().store.outbox.enqueue(entries, now=datetime.now(UTC))
