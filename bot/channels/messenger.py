"""Messenger's Send API requests for a turn's replies.

Each turn starts with a typing indicator, then sends every reply as text of at
most 2,000 characters (longer ones split where a reader pauses). Quick replies
show only under the latest message, so the turn's buttons (at most 13, titles of
at most 20 characters) go on its last message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.channels.texts import split_text
from bot.conversation.options import offered
from bot.messages import Button, Reply

MAX_TEXT_CHARS = 2000
MAX_QUICK_REPLIES = 13
MAX_TITLE_CHARS = 20
MAX_PAYLOAD_CHARS = 1000
ELLIPSIS = "\u2026"


def quick_reply_title(button: Button) -> str:
    """A title that fits Messenger's 20 characters: the title, label, or cut."""
    for candidate in (button.title, button.label):
        if candidate and len(candidate) <= MAX_TITLE_CHARS:
            return candidate[0].upper() + candidate[1:]
    words = button.title.split()
    title = ""
    for word in words:
        longer = f"{title} {word}" if title else word
        if len(longer) + 1 > MAX_TITLE_CHARS:
            break
        title = longer
    if not title:
        title = button.title[: MAX_TITLE_CHARS - 1]
    return title.rstrip(",;:") + ELLIPSIS


def quick_replies(buttons: Sequence[Button]) -> list[dict[str, str]]:
    """Messenger quick replies for the first 13 usable buttons."""
    usable = [b for b in buttons if 0 < len(b.payload) <= MAX_PAYLOAD_CHARS]
    return [
        {
            "content_type": "text",
            "title": quick_reply_title(button),
            "payload": button.payload,
        }
        for button in usable[:MAX_QUICK_REPLIES]
    ]


def send_requests(replies: Sequence[Reply], recipient_id: str) -> list[dict[str, Any]]:
    """The Send API bodies for a turn, in order (without the access token)."""
    recipient = {"id": recipient_id}
    texts = [
        piece for reply in replies for piece in split_text(reply.text, MAX_TEXT_CHARS)
    ]
    if not texts:
        return []
    requests: list[dict[str, Any]] = [
        {"recipient": recipient, "sender_action": "typing_on"}
    ]
    choices = quick_replies(offered(replies))
    for index, text in enumerate(texts):
        message: dict[str, Any] = {"text": text}
        if choices and index == len(texts) - 1:
            message["quick_replies"] = choices
        requests.append(
            {"recipient": recipient, "messaging_type": "RESPONSE", "message": message}
        )
    return requests
