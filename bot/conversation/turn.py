"""One message's handling in progress: the working state a turn's actions share.

A `Turn` is built per message and never shared: it holds the slots and active
form loaded from storage, the replies so far, and the events rasa-sdk trackers
are built from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rasa_sdk import Tracker

from bot.messages import IncomingMessage, Reply
from bot.understanding.parser import ParseResult

STORED_RANKING = 5


def stored_parse(parse: ParseResult) -> dict[str, Any]:
    """What is kept of a parse: the intent and the best candidates.

    The response selector only repeats the knowledge base's answer text.
    """
    kept: dict[str, Any] = {
        "intent": parse["intent"],
        "intent_ranking": parse["intent_ranking"][:STORED_RANKING],
    }
    if "crisis" in parse:
        kept["crisis"] = parse["crisis"]
    return kept


class Turn:
    """The working state of one message's handling (never shared between turns)."""

    def __init__(
        self,
        message: IncomingMessage,
        parse: ParseResult,
        state: Mapping[str, Any],
        now: float,
        *,
        slot_names: Iterable[str] = (),
    ) -> None:
        self.message = message
        self.parse = parse
        # Every domain slot present (unset ones as None), as Rasa sends them:
        # rasa-sdk logs each read of a slot it was not given.
        self.slots: dict[str, Any] = {
            **dict.fromkeys(slot_names),
            **(state.get("slots") or {}),
        }
        self.active_loop: str | None = state.get("active_loop")
        self.replies: list[Reply] = []
        self.crisis = False
        # Set when the turn ends the form without a request (a cancel or a
        # refused consent): what the visitor typed into it is then redacted.
        self.dropped_form = False
        self.now = now
        self.events: list[dict[str, Any]] = [
            {
                "event": "user",
                "text": message.text,
                "timestamp": now,
                "parse_data": dict(parse),
                "input_channel": message.channel,
            }
        ]

    @property
    def intent(self) -> str:
        return self.parse["intent"]["name"]

    def state(self) -> dict[str, Any]:
        return {"slots": self.slots, "active_loop": self.active_loop}

    def tracker(self, history: list[dict[str, Any]] | None = None) -> Tracker:
        return Tracker(
            sender_id=self.message.sender_id,
            slots=dict(self.slots),
            # Rasa's latest message carries the channel's metadata too.
            latest_message={**self.parse, "metadata": dict(self.message.metadata)},
            events=[*(history or []), *self.events],
            paused=False,
            followup_action=None,
            active_loop={"name": self.active_loop} if self.active_loop else {},
            latest_action_name=None,
        )

    def checkpoint(self) -> tuple[dict[str, Any], int, int]:
        """What `restore` needs to undo the actions run after this point."""
        return dict(self.slots), len(self.replies), len(self.events)

    def restore(self, checkpoint: tuple[dict[str, Any], int, int]) -> None:
        slots, replies, events = checkpoint
        self.slots = dict(slots)
        del self.replies[replies:]
        del self.events[events:]

    def apply(
        self, events: list[dict[str, Any]], messages: list[dict[str, Any]]
    ) -> None:
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event.get("value")
            elif event.get("event") == "active_loop":
                self.active_loop = event.get("name")
        for message in messages:
            reply = Reply.from_dispatcher(message)
            self.replies.append(reply)
            self.events.append(
                {
                    "event": "bot",
                    "text": reply.text,
                    "timestamp": self.now,
                    "data": reply.data(),
                }
            )
