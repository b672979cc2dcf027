"""Numbered options: a turn's buttons, answered by their number.

Channels without buttons (SMS, WhatsApp, the terminal) show a turn's buttons as
numbered options, counted across all the turn's replies. The engine keeps the
offered payloads in the conversation state, so the next message, when it is just
one of those numbers ("2", "#2", "2."), presses that button.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.messages import Button, Reply

STATE_KEY = "options"
_NUMBER = re.compile(r"(?:#|no\.? ?|number |option )?(\d{1,2})[.)!]?", re.IGNORECASE)


def offered(replies: Iterable[Reply]) -> list[Button]:
    """The turn's buttons in the order their numbers run: 1, 2, 3..."""
    return [button for reply in replies for button in reply.buttons]


def remembered(replies: Sequence[Reply]) -> list[str]:
    """What the state keeps of the turn's options: their payloads, in order."""
    return [button.payload for button in offered(replies)]


def chosen(text: str, state: Mapping[str, Any]) -> str | None:
    """The payload of the option `text` picks by number, None if it picks none."""
    match = _NUMBER.fullmatch(text.strip())
    options = state.get(STATE_KEY) or []
    if match is None or not isinstance(options, list):
        return None
    number = int(match[1])
    if not 1 <= number <= len(options) or not isinstance(options[number - 1], str):
        return None
    return options[number - 1]
