"""Rasa's REST channel: `{"sender", "message"}` in, a list of bot messages out.

`metadata.message_id`, when given, is the client's id for the message (the web
widget makes one per message): sent again, the message gets its first replies
back instead of being handled twice.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from bot.conversation.phone_offer import SENDER_PHONE
from bot.messages import IncomingMessage, Reply
from webhook.cors import allow_origins
from webhook.errors import BadRequest
from webhook.requests import json_object, text_field
from webhook.runtime import runtime

blueprint = Blueprint("rest", __name__, url_prefix="/webhooks/rest")
allow_origins(blueprint)
MAX_SENDER_CHARS = 128
MAX_MESSAGE_ID_CHARS = 128
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


def message_id(metadata: dict[str, Any]) -> str | None:
    """The client's id for this message, if it sent one."""
    value = metadata.get("message_id")
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > MAX_MESSAGE_ID_CHARS
        or not value.isprintable()
    ):
        raise BadRequest(
            "'metadata.message_id' must be a printable string of 1 to"
            f" {MAX_MESSAGE_ID_CHARS} characters."
        )
    return value


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
        IncomingMessage(
            channel=CHANNEL,
            sender_id=sender,
            text=text,
            metadata=metadata,
            message_id=message_id(metadata),
        )
    )
    return jsonify([render(r, sender) for r in replies])
