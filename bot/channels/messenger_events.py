"""Reading Messenger's webhook events: messages, quick replies and postbacks.

Echoes of the page's own messages, deliveries, reads and every other event are
skipped. A quick reply or postback is read as its payload, so a tapped button
reaches the engine exactly as the web widget's does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MessengerMessage:
    """One visitor message from a webhook call. `text` is None for an attachment."""

    sender_id: str
    text: str | None
    message_id: str | None


def inbound_messages(body: Mapping[str, Any]) -> list[MessengerMessage]:
    """The visitor messages of a webhook body, in the order Meta sent them."""
    found: list[MessengerMessage] = []
    if body.get("object") != "page":
        return found
    for entry in _dicts(body.get("entry")):
        for event in _dicts(entry.get("messaging")):
            message = _message(event)
            if message is not None:
                found.append(message)
    return found


def _message(event: Mapping[str, Any]) -> MessengerMessage | None:
    sender = (
        (event.get("sender") or {}).get("id") if _is_dict(event.get("sender")) else None
    )
    if not isinstance(sender, str) or not sender:
        return None
    if _is_dict(event.get("message")):
        message = event["message"]
        if message.get("is_echo"):
            return None
        quick_reply = message.get("quick_reply")
        payload = quick_reply.get("payload") if _is_dict(quick_reply) else None
        text = payload if isinstance(payload, str) and payload else message.get("text")
        return MessengerMessage(
            sender_id=sender,
            text=text if isinstance(text, str) and text.strip() else None,
            message_id=_text(message.get("mid")),
        )
    if _is_dict(event.get("postback")):
        postback = event["postback"]
        payload = postback.get("payload") or postback.get("title")
        return MessengerMessage(
            sender_id=sender,
            text=payload if isinstance(payload, str) and payload.strip() else None,
            message_id=_text(postback.get("mid")),
        )
    return None  # delivery, read, reaction, optin...


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if _is_dict(item)] if isinstance(value, list) else []


def _is_dict(value: Any) -> bool:
    return isinstance(value, Mapping)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
