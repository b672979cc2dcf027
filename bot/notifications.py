"""Telling staff that a request or a crisis came in: outbox entries and their
delivery as a JSON POST to FAQBOT_HANDOFF_WEBHOOK_URL.

The payload names the kind, the number, the channel and a link to the staff
page: never a name, phone number, email or message text, because the receiver
(a Slack or Teams channel, say) is not behind staff sign-in. `text` is there
for Slack- and Teams-style incoming webhooks, which show that field.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.errors import DeliveryError, UndeliverableError
from bot.storage.records import Delivery, OutboxEntry

logger = logging.getLogger(__name__)

KIND = "staff_notification"
# One key: staff hear of things in the order they happened.
KEY = "staff"
TIMEOUT_SECONDS = 10.0
# Statuses a retry cannot fix: the receiver refuses this payload for good.
_PERMANENT = frozenset({400, 401, 403, 404, 405, 410, 413, 422})


@dataclass(frozen=True)
class Notifier:
    """Builds the outbox entries; `base_url` makes the links absolute."""

    base_url: str = ""

    def request(self, handoff_id: int, channel: str, *, crisis: bool) -> OutboxEntry:
        """A new consultation request."""
        url = f"{self.base_url}/staff/requests/{handoff_id}"
        flag = " (crisis-flagged conversation)" if crisis else ""
        return OutboxEntry(
            KIND,
            KEY,
            {
                "kind": "consultation_request",
                "request": handoff_id,
                "channel": channel,
                "crisis": crisis,
                "url": url,
                "text": f"New consultation request #{handoff_id} via {channel}"
                f"{flag}: {url}",
            },
        )

    def crisis(self, conversation_id: int, channel: str) -> list[OutboxEntry]:
        """A conversation newly flagged as a crisis."""
        url = f"{self.base_url}/staff/conversations/{conversation_id}"
        return [
            OutboxEntry(
                KIND,
                KEY,
                {
                    "kind": "crisis",
                    "conversation": conversation_id,
                    "channel": channel,
                    "url": url,
                    "text": f"Crisis flagged in conversation #{conversation_id} via"
                    f" {channel}; the visitor was given 988 and 911. Review: {url}",
                },
            )
        ]


def request_notice(
    post: Callable[[Delivery], None], notifier: Notifier
) -> Callable[[Delivery], None]:
    """The handler of a new request's notice (`bot.storage.handoffs`): its ids
    become the staff notification, POSTed by `post`."""

    def deliver(delivery: Delivery) -> None:
        payload = delivery.payload
        entry = notifier.request(
            int(payload["handoff_id"]),
            str(payload["channel"]),
            crisis=bool(payload["crisis"]),
        )
        post(replace(delivery, payload=entry.payload))

    return deliver


def post_json(
    url: str, *, timeout: float = TIMEOUT_SECONDS
) -> Callable[[Delivery], None]:
    """An outbox handler that POSTs each entry's payload as JSON to `url`."""

    def deliver(entry: Delivery) -> None:
        payload: dict[str, Any] = {**entry.payload, "sent_at": _iso(entry.created_at)}
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode("utf-8"),
            headers={"Content-Type": "application/json", "User-Agent": "faqbot"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read(1024)
        except urllib.error.HTTPError as e:
            if e.code in _PERMANENT:
                raise UndeliverableError(f"the receiver answered {e.code}") from e
            raise DeliveryError(f"the receiver answered {e.code}") from e
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            raise DeliveryError(
                f"the receiver is unreachable: {type(e).__name__}"
            ) from e

    return deliver


def _iso(moment: datetime) -> str:
    return moment.isoformat()
