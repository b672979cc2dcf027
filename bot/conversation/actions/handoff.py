"""Ending the consultation form: the handoff to staff, or a cancel.

The submit action commits the handoff to storage before it tells the visitor the
request was received; the cancel action ends the form, running or paused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation.actions.base import KnowledgeAction
from bot.conversation.actions.consultation import FORM_SLOTS, reset_form_events
from bot.conversation.actions.crisis import CRISIS_SLOT
from bot.conversation.replies import CANCELLED, CONSENT_REFUSED, NOTHING_TO_CANCEL
from bot.conversation.validators import SKIPPED
from bot.knowledge import KnowledgeBase
from bot.storage.records import HandoffDetails, TranscriptLine


class HandoffSink(Protocol):
    """Where a finished consultation request goes (the Store satisfies it)."""

    def save_handoff(
        self,
        details: HandoffDetails,
        *,
        channel: str,
        sender_id: str,
        transcript: list[TranscriptLine],
        crisis: bool = False,
    ) -> int: ...


def transcript_from_events(events: list[dict[str, Any]]) -> list[TranscriptLine]:
    """The user and bot messages of a tracker's events, in order."""
    lines = []
    for event in events:
        kind = event.get("event")
        text = event.get("text")
        if kind in ("user", "bot") and text:
            stamp = datetime.fromtimestamp(float(event.get("timestamp") or 0), UTC)
            lines.append(TranscriptLine(sender=kind, text=text, timestamp=stamp))
    return lines


def _shown(value: Any) -> str | None:
    return None if value in (None, SKIPPED) else str(value)


class ActionSubmitConsultation(KnowledgeAction):
    """Stores the handoff (committed first), then tells the visitor it arrived."""

    def __init__(
        self,
        store: HandoffSink | None = None,
        *,
        knowledge: KnowledgeBase | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(knowledge)
        self._store = store
        self._clock = clock or (lambda: datetime.now(UTC))

    def name(self) -> str:
        return "action_submit_consultation"

    @property
    def store(self) -> HandoffSink:
        """The store given, or, under rasa-sdk's own action server (which builds
        actions with no arguments), the one FAQBOT_DATABASE_URL names, migrated
        on first use like `faqbot serve` does."""
        if self._store is None:
            from bot.settings import Settings
            from bot.storage import Store

            store = Store.from_url(Settings.from_env().database_url)
            store.upgrade()
            self._store = store
        return self._store

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        slots = tracker.slots
        if slots.get("consent") is not True:
            dispatcher.utter_message(text=CONSENT_REFUSED)
            return reset_form_events()
        details = HandoffDetails(
            name=str(slots["name"]),
            phone=str(slots["phone"]),
            email=_shown(slots.get("email")),
            preferred_time=_shown(slots.get("preferred_time")),
            condition=_shown(slots.get("condition")),
            consent_at=self._clock(),
        )
        self.store.save_handoff(
            details,
            channel=tracker.get_latest_input_channel() or "rest",
            sender_id=tracker.sender_id,
            transcript=transcript_from_events(tracker.events),
            crisis=bool(slots.get(CRISIS_SLOT)),
        )
        dispatcher.utter_message(
            text=self._summary(details),
            json_message={"sms": self._sms_summary(details)},
        )
        return reset_form_events()

    def _summary(self, details: HandoffDetails) -> str:
        clinic = self.knowledge.clinic
        lines = [
            f"Thank you, {details.name}. We have received your consultation request"
            f" and {clinic.name} will contact you. Here is what you sent us:",
            f"- Name: {details.name}",
            f"- Phone: {details.phone}",
        ]
        for label, value in (
            ("Email", details.email),
            ("Best time", details.preferred_time),
            ("Condition", details.condition),
        ):
            if value:
                lines.append(f"- {label}: {value}")
        lines.append(f"If anything is urgent, call us at {clinic.phone}.")
        return "\n".join(lines)

    def _sms_summary(self, details: HandoffDetails) -> str:
        """The same confirmation in the fewest characters, for SMS."""
        clinic = self.knowledge.clinic
        sent = [f"name {details.name}", f"phone {details.phone}"]
        for label, value in (
            ("email", details.email),
            ("time", details.preferred_time),
            ("condition", details.condition),
        ):
            if value:
                sent.append(f"{label} {value}")
        return (
            f"Thank you: {clinic.name} has your consultation request and will"
            f" contact you. You sent: {'; '.join(sent)}. Urgent? Call {clinic.phone}."
        )


class ActionCancelConsultation(Action):
    """Ends the form (running or paused) and keeps nothing of it."""

    def name(self) -> str:
        return "action_cancel_consultation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        in_progress = tracker.active_loop_name or any(
            tracker.get_slot(slot) is not None for slot in FORM_SLOTS
        )
        if not in_progress:
            dispatcher.utter_message(text=NOTHING_TO_CANCEL)
            return []
        dispatcher.utter_message(text=CANCELLED)
        return [ActiveLoop(None), *reset_form_events()]
