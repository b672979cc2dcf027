"""The consultation form, as rasa-sdk actions: validation and the questions.

Slots are filled by `extract_<slot>` methods (custom mappings in Rasa terms):
the requested slot takes the whole message; other slots take details the
visitor volunteers ("I'm Grace, call me at 513.555.0163") or corrects ("actually
my number is ..."). A rejected value sets the `rejection` slot; the matching
`action_ask_<slot>` then sends that reason as the whole re-ask, so the visitor
never gets the reason followed by the question again.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation.actions.base import FALLBACK_COUNT_SLOT, KnowledgeAction
from bot.conversation.actions.crisis import CrisisCheck
from bot.conversation.answers import parse_consent
from bot.conversation.details import find_correction, find_details
from bot.conversation.form_reply import FormReply, classify
from bot.conversation.phone_offer import (
    DECLINED,
    OFFERED_PHONE_SLOT,
    offer_question,
    question_asked,
    sender_phone,
)
from bot.conversation.replies import (
    CONSENT_REJECTION,
    FORM_QUESTIONS,
    SLOT_LABELS,
    consent_question,
)
from bot.conversation.validators import (
    SKIPPED,
    Accepted,
    Verdict,
    validate_condition,
    validate_email,
    validate_name,
    validate_phone,
    validate_preferred_time,
)
from bot.understanding.crisis import CrisisSignal

FORM_NAME = "consultation_form"
FORM_SLOTS = ("name", "phone", "email", "preferred_time", "condition", "consent")
REJECTION_SLOT = "rejection"
REQUESTED_SLOT = "requested_slot"
VOLUNTEERED_SLOTS = ("name", "phone", "email")


def reset_form_events() -> list[dict[str, Any]]:
    """Events that clear every form slot."""
    return [
        SlotSet(s, None)
        for s in (*FORM_SLOTS, REQUESTED_SLOT, REJECTION_SLOT, OFFERED_PHONE_SLOT)
    ]


def leaves_form(
    latest_message: dict[str, Any],
    *,
    is_crisis: Callable[[dict[str, Any]], CrisisSignal | None] | None = None,
    requested_slot: str | None = None,
) -> bool:
    """True when a message is not an answer but for the rules to handle.

    A crisis, a cancel or another withdrawal, or a question of the visitor's own
    (to the FAQ, about the bot, out of scope, or any question at a free-text
    question) fills no slot, so Rasa's form rejects the turn and the rules (and
    faqbot's engine) take over. As in the engine, only faqbot's own phrases
    withdraw: Rasa's classifier also files answers like "no" under `cancel`.
    `is_crisis` is faqbot's own detector, for crises the classifier missed; only
    a clear crisis leaves the form (a possible one can be a real answer: the
    engine says a safety line first and takes it).
    """
    text = latest_message.get("text") or ""
    intent = (latest_message.get("intent") or {}).get("name") or ""
    if intent == "crisis":
        return True
    if is_crisis is not None and is_crisis(latest_message) is not None:
        return True
    return classify(text, latest_message, requested_slot=requested_slot) != (
        FormReply.ANSWER
    )


class ValidateConsultationForm(FormValidationAction):
    """Extracts and validates the consultation form's slots."""

    def __init__(self, *, phone_region: str = "US") -> None:
        self._region = phone_region
        self._is_crisis = CrisisCheck()

    def name(self) -> str:
        return f"validate_{FORM_NAME}"

    def _validators(self) -> dict[str, Callable[[str], Verdict]]:
        return {
            "name": validate_name,
            "phone": lambda text: validate_phone(text, default_region=self._region),
            "email": validate_email,
            "preferred_time": validate_preferred_time,
            "condition": validate_condition,
        }

    def _extract(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        requested = tracker.get_slot(REQUESTED_SLOT)
        asked = question_asked(requested, tracker.get_slot(OFFERED_PHONE_SLOT))
        if leaves_form(
            tracker.latest_message, is_crisis=self._is_crisis, requested_slot=asked
        ):
            return {}
        correction = find_correction(text)
        if correction is not None:
            if correction.slot != slot:
                return {}
            if slot == requested:
                return {slot: correction.text}
            return self._side_value(slot, correction.text, dispatcher, corrected=True)
        if slot == requested:
            return {slot: text}
        if slot in VOLUNTEERED_SLOTS and tracker.get_slot(slot) is None:
            found = getattr(find_details(text, default_region=self._region), slot)
            if found:
                return self._side_value(slot, found, dispatcher, corrected=False)
        return {}

    def _side_value(
        self, slot: str, raw: str, dispatcher: CollectingDispatcher, *, corrected: bool
    ) -> dict[str, Any]:
        """A value for a slot that was not asked for: kept only if valid."""
        verdict = self._validators()[slot](raw)
        if not isinstance(verdict, Accepted) or verdict.value == SKIPPED:
            if corrected:
                dispatcher.utter_message(text=verdict.reason)
            return {}
        if corrected:
            dispatcher.utter_message(
                text=f"Got it, I've updated your {SLOT_LABELS[slot]}."
            )
        return {slot: verdict.value}

    def _verdict(self, slot: str, value: Any, tracker: Tracker) -> dict[str, Any]:
        if not isinstance(value, str):
            return {slot: value}
        verdict = self._validators()[slot](value)
        if isinstance(verdict, Accepted):
            return {slot: verdict.value}
        return {slot: None, REJECTION_SLOT: verdict.reason}

    def extract_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("name", dispatcher, tracker)

    def extract_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("phone", dispatcher, tracker)

    def extract_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("email", dispatcher, tracker)

    def extract_preferred_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("preferred_time", dispatcher, tracker)

    def extract_condition(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("condition", dispatcher, tracker)

    def extract_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot(REQUESTED_SLOT) != "consent" or leaves_form(
            tracker.latest_message, is_crisis=self._is_crisis, requested_slot="consent"
        ):
            return {}
        return {"consent": tracker.latest_message.get("text") or ""}

    def validate_name(
        self, value: Any, dispatcher: Any, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._verdict("name", value, tracker)

    def validate_phone(
        self, value: Any, dispatcher: Any, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        offered = tracker.get_slot(OFFERED_PHONE_SLOT)
        if offered and isinstance(value, str):
            # A yes or no to "Is 513-555-0134 the best number?"; anything else
            # is read as the number itself.
            answer = parse_consent(value)
            if answer is True:
                return {"phone": offered}
            if answer is False:
                return {
                    "phone": None,
                    OFFERED_PHONE_SLOT: DECLINED,
                    REJECTION_SLOT: FORM_QUESTIONS["phone"],
                }
        return self._verdict("phone", value, tracker)

    def validate_email(
        self, value: Any, dispatcher: Any, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._verdict("email", value, tracker)

    def validate_preferred_time(
        self, value: Any, dispatcher: Any, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._verdict("preferred_time", value, tracker)

    def validate_condition(
        self, value: Any, dispatcher: Any, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._verdict("condition", value, tracker)

    def validate_consent(
        self, value: Any, dispatcher: Any, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"consent": value}
        answer = parse_consent(str(value))
        if answer is None:
            return {"consent": None, REJECTION_SLOT: CONSENT_REJECTION}
        return {"consent": answer}


class AskSlotAction(KnowledgeAction, ABC):
    """Asks for one slot; after a rejection, the reason is the whole question."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot this action asks for."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def question(self) -> str:
        return FORM_QUESTIONS[self.slot]

    def offer(self, tracker: Tracker) -> tuple[str, list[dict[str, Any]]] | None:
        """A question proposing a value the channel already knows, with its events."""
        return None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        rejection = tracker.get_slot(REJECTION_SLOT)
        offer = None if rejection else self.offer(tracker)
        if offer is not None:
            text, events = offer
            dispatcher.utter_message(text=text)
        else:
            dispatcher.utter_message(text=rejection or self.question())
            events = [SlotSet(REJECTION_SLOT, None)] if rejection else []
        if tracker.get_slot(FALLBACK_COUNT_SLOT):
            # The visitor is answering the form: any run of fallbacks is over.
            events.append(SlotSet(FALLBACK_COUNT_SLOT, 0))
        return events


class ActionAskName(AskSlotAction):
    slot = "name"


class ActionAskPhone(AskSlotAction):
    slot = "phone"

    def offer(self, tracker: Tracker) -> tuple[str, list[dict[str, Any]]] | None:
        """On SMS, the sender's own number, unless the visitor declined it."""
        if tracker.get_slot(OFFERED_PHONE_SLOT) == DECLINED:
            return None
        phone = sender_phone(tracker.latest_message)
        if phone is None:
            return None
        return offer_question(phone), [SlotSet(OFFERED_PHONE_SLOT, phone)]


class ActionAskEmail(AskSlotAction):
    slot = "email"


class ActionAskPreferredTime(AskSlotAction):
    slot = "preferred_time"


class ActionAskCondition(AskSlotAction):
    slot = "condition"


class ActionAskConsent(AskSlotAction):
    slot = "consent"

    def question(self) -> str:
        return consent_question(self.knowledge.clinic)
