"""Rasa's button payload syntax: `/intent` or `/intent{"entity": "value"}`."""

from __future__ import annotations

import json
import re
from typing import Any

_PAYLOAD = re.compile(
    r"^/(?P<intent>[A-Za-z0-9_]+(?:/[A-Za-z0-9_]+)?)(?P<entities>\{.*\})?$"
)


def payload(intent: str) -> str:
    """The payload a button sends to trigger `intent`."""
    return f"/{intent}"


def parse_payload(text: str) -> tuple[str, dict[str, Any]] | None:
    """Return (intent, entities) for a payload message, None for ordinary text."""
    match = _PAYLOAD.match(text.strip())
    if match is None:
        return None
    entities: dict[str, Any] = {}
    if match["entities"]:
        try:
            decoded = json.loads(match["entities"])
        except json.JSONDecodeError:
            return None
        if not isinstance(decoded, dict):
            return None
        entities = decoded
    return match["intent"], entities
