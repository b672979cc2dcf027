"""Rasa's REST channel: `{"sender", "message"}` in, a list of bot messages out."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from bot.conversation.phone_offer import SENDER_PHONE
from bot.messages import IncomingMessage, Reply
from webhook.errors import BadRequest
from webhook.requests import json_object, text_field
from webhook.runtime import runtime

blueprint = Blueprint("rest", __name__, url_prefix="/webhooks/rest")
MAX_SENDER_CHARS = 128
CHANNEL = "rest"


def render(reply: Reply, recipient_id: str) -> dict[str, Any]:
    """One reply in the REST channel's shape."""
    message: dict[str, Any] = {"recipient_id": recipient_id, "text": reply.text}
    if reply.buttons:
        message["buttons"] = [b.to_dict() for b in reply.buttons]
    if reply.custom:
        message["custom"] = dict(reply.custom)
    return message


def sender_id(body: dict[str, Any]) -> str:
    """The conversation's sender id: a short printable string."""
    sender = body.get("sender")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest("'sender' must be a non-empty string.")
    if len(sender) > MAX_SENDER_CHARS or not sender.isprintable():
        raise BadRequest(
            f"'sender' must be printable and at most {MAX_SENDER_CHARS} characters."
        )
    return sender


@blueprint.get("/")
def status() -> ResponseReturnValue:
    return jsonify({"status": "ok"})


@blueprint.post("/webhook")
def receive() -> ResponseReturnValue:
    """Answer one visitor message."""
    body = json_object(request)
    sender = sender_id(body)
    text = text_field(body, "message", max_chars=runtime().settings.max_message_chars)
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    # Only a channel that verified the sender's number may offer it as theirs.
    metadata = {k: v for k, v in metadata.items() if k != SENDER_PHONE}
    replies = runtime().engine.handle(
        IncomingMessage(channel=CHANNEL, sender_id=sender, text=text, metadata=metadata)
    )
    return jsonify([render(r, sender) for r in replies])
