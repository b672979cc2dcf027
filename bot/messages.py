"""Channel-neutral messages: what comes in from any channel and what goes out.

Channels convert their own formats to `IncomingMessage` and render `Reply`
objects back; the engine never knows which channel it serves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    """A quick reply: the title shown, the payload sent back when tapped.

    `label` names the choice in a few words where the title is too long for a
    channel (SMS options, Messenger's 20-character quick replies).
    """

    title: str
    payload: str
    label: str | None = None

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}

    def stored(self) -> dict[str, str]:
        """What is stored of the button: its label too, so replies can be re-sent."""
        return {**self.to_dict(), "label": self.label} if self.label else self.to_dict()


@dataclass(frozen=True)
class Reply:
    """One bot message. `short_text` is the SMS form where one exists."""

    text: str
    buttons: tuple[Button, ...] = ()
    short_text: str | None = None
    custom: Mapping[str, Any] | None = None

    @classmethod
    def from_dispatcher(cls, message: Mapping[str, Any]) -> Reply:
        """Build a reply from one of rasa-sdk's CollectingDispatcher messages."""
        custom = message.get("custom") or None
        short_text = custom.get("sms") if isinstance(custom, Mapping) else None
        buttons = tuple(
            Button(
                str(b["title"]),
                str(b["payload"]),
                str(b["label"]) if b.get("label") else None,
            )
            for b in message.get("buttons") or ()
        )
        return cls(
            text=message.get("text") or "",
            buttons=buttons,
            short_text=short_text,
            custom=custom,
        )

    def to_json(self) -> dict[str, Any]:
        """The whole reply as JSON, for replaying it to a retried message."""
        stored: dict[str, Any] = {"text": self.text}
        if self.buttons:
            stored["buttons"] = [b.stored() for b in self.buttons]
        if self.short_text is not None:
            stored["short_text"] = self.short_text
        if self.custom:
            stored["custom"] = dict(self.custom)
        return stored

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> Reply:
        """Read a reply written by `to_json`."""
        return cls(
            text=stored["text"],
            buttons=tuple(
                Button(b["title"], b["payload"], b.get("label"))
                for b in stored.get("buttons", ())
            ),
            short_text=stored.get("short_text"),
            custom=stored.get("custom"),
        )

    def data(self) -> dict[str, Any] | None:
        """What is stored beside the text: buttons and custom payload."""
        data: dict[str, Any] = {}
        if self.buttons:
            data["buttons"] = [b.stored() for b in self.buttons]
        if self.custom:
            data["custom"] = dict(self.custom)
        return data or None


@dataclass(frozen=True)
class IncomingMessage:
    """A visitor's message as any channel delivers it.

    `message_id` is the channel's own id for the message (a widget's client id,
    Twilio's MessageSid, Messenger's mid): a message seen again under the same
    id is answered with the replies it got the first time, not handled twice.
    """

    channel: str
    sender_id: str
    text: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    message_id: str | None = None
