"""Delivering Messenger sends: the outbox handler that calls Meta's Send API.

`POST {graph_url}/me/messages?access_token=...` with one queued request body.
A 2xx is delivered; a 429, a 5xx or no answer at all is tried again later; any
other 4xx will not succeed on a retry (a blocked page, a recipient outside the
24-hour window) and is dropped. Errors name the HTTP status and Meta's error
code only: never the recipient, the text or the token.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from bot.errors import DeliveryError, UndeliverableError
from bot.storage import Delivery, OutboxEntry

KIND = "messenger"
TIMEOUT_SECONDS = 10.0
_RETRYABLE = {408, 429}


def outbox_entries(
    requests: list[dict[str, Any]], recipient_id: str
) -> list[OutboxEntry]:
    """Send API bodies as outbox entries, in order for their recipient."""
    return [OutboxEntry(KIND, recipient_id, request) for request in requests]


class SendApi:
    """The Messenger outbox handler: one Send API call per entry."""

    def __init__(
        self,
        graph_url: str,
        page_access_token: str,
        *,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        query = urllib.parse.urlencode({"access_token": page_access_token})
        self._url = f"{graph_url.rstrip('/')}/me/messages?{query}"
        self._timeout = timeout

    def __call__(self, delivery: Delivery) -> None:
        self.send(delivery.payload)

    def send(self, payload: dict[str, Any]) -> None:
        """One Send API call; DeliveryError to retry, UndeliverableError to drop."""
        body = json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(
            self._url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                response.read()
        except urllib.error.HTTPError as e:
            detail = _error_code(e)
            if 400 <= e.code < 500 and e.code not in _RETRYABLE:
                raise UndeliverableError(
                    f"Send API refused the message: HTTP {e.code}{detail}"
                ) from None
            raise DeliveryError(f"Send API answered HTTP {e.code}{detail}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise DeliveryError(
                f"Send API unreachable: {type(reason).__name__}"
            ) from None


def _error_code(error: urllib.error.HTTPError) -> str:
    """Meta's error code and type from an error body, never its message text."""
    try:
        found = json.loads(error.read() or b"{}").get("error") or {}
    except (ValueError, OSError, AttributeError):
        return ""
    if not isinstance(found, dict):
        return ""
    code, kind = found.get("code"), found.get("type")
    parts = [
        f"code {code}" if isinstance(code, int) else "",
        kind if isinstance(kind, str) else "",
    ]
    shown = ", ".join(p for p in parts if p)
    return f" ({shown})" if shown else ""
