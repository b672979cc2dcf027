"""Messenger's side of a turn: engine in, Send API requests queued out.

Each visitor message is handled by the engine with its replies turned into
outbox entries in the turn's own transaction; the background worker sends them
later. Input the engine cannot take (an attachment, an over-long message) gets
a fixed answer through the outbox too. A crisis is the one exception to "only
through the outbox": should storage fail, the engine still answers it, and with
nothing queued the answer is sent straight away.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.channels import graph_api
from bot.channels.messenger import send_requests
from bot.channels.messenger_events import MessengerMessage
from bot.channels.notices import NOT_TEXT, too_long
from bot.conversation.engine import Engine
from bot.errors import DeliveryError, StorageError
from bot.messages import IncomingMessage, Reply
from bot.storage import OutboxEntry, Store

logger = logging.getLogger(__name__)

CHANNEL = "messenger"
MAX_ID_CHARS = 255


class MessengerInbox:
    """Handles Messenger messages; replies leave through the outbox."""

    def __init__(
        self,
        *,
        engine: Engine,
        store: Store,
        send_now: Callable[[dict[str, Any]], None],
        max_message_chars: int,
    ) -> None:
        self._engine = engine
        self._store = store
        self._send_now = send_now
        self._max_chars = max_message_chars

    def receive(self, found: MessengerMessage) -> None:
        """Handle one message; its replies are queued, never sent here."""
        recipient = found.sender_id
        if len(recipient) > MAX_ID_CHARS:
            return
        text = found.text
        if text is None or "\x00" in text:
            self._queue_fixed(NOT_TEXT, recipient)
            return
        if len(text) > self._max_chars:
            self._queue_fixed(too_long(self._max_chars), recipient)
            return
        message_id = found.message_id[:MAX_ID_CHARS] if found.message_id else None

        def queue(replies: list[Reply]) -> list[OutboxEntry]:
            return graph_api.outbox_entries(
                send_requests(replies, recipient), recipient
            )

        replies = self._engine.handle(
            IncomingMessage(CHANNEL, recipient, text, message_id=message_id),
            outbox=queue,
        )
        # The engine's answer says whether it was the crisis reply: no second parse.
        crisis = any(r.custom and r.custom.get("crisis") is True for r in replies)
        if crisis and not self._stored(recipient, message_id):
            self._send_crisis(send_requests(replies, recipient))

    def _stored(self, recipient: str, message_id: str | None) -> bool:
        """Whether the turn of this message id is in storage (its sends queued)."""
        if message_id is None:
            return True  # nothing to check by; the engine raised on other failures
        try:
            conversation = self._store.conversation(CHANNEL, recipient)
            return self._store.handled_replies(conversation.id, message_id) is not None
        except StorageError:
            return False

    def _send_crisis(self, requests: list[dict[str, Any]]) -> None:
        for request in requests:
            try:
                self._send_now(request)
            except DeliveryError as e:
                logger.error("crisis reply not sent on Messenger: %s", e)
                return

    def _queue_fixed(self, text: str, recipient: str) -> None:
        entries = graph_api.outbox_entries(
            send_requests([Reply(text)], recipient), recipient
        )
        self._store.outbox.enqueue(entries, now=datetime.now(UTC))
