"""When the bot did not understand: "did you mean", then a consultation offer.

A crisis comes first even here: a stock Rasa classifier that missed one sends
it to the fallback, which answers it with the crisis reply.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation.actions.base import (
    FALLBACK_COUNT_SLOT,
    OFFERED_SLOT,
    KnowledgeAction,
    consultation_button,
    topic_buttons,
)
from bot.conversation.actions.crisis import CrisisCheck, send_crisis_reply
from bot.conversation.replies import no_information, not_in_article
from bot.knowledge import FAQ_PREFIX, KnowledgeBase
from bot.out_of_scope import OUT_OF_SCOPE_PREFIX, confidently_out_of_scope

MAX_SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.25
STARTER_TOPICS = ("what_is_ketamine_therapy", "ketamine_safety", "side_effects")


def _candidates(latest_message: dict[str, Any]) -> list[dict[str, Any]]:
    ranking = latest_message.get("intent_ranking") or []
    return [r for r in ranking if r.get("name") != "nlu_fallback"]


class ActionFallback(KnowledgeAction):
    """Replies to `nlu_fallback`: never guesses, never shows an internal name."""

    def __init__(self, knowledge: KnowledgeBase | None = None) -> None:
        super().__init__(knowledge)
        self._is_crisis = CrisisCheck()

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        crisis = self._is_crisis(tracker.latest_message)
        if crisis is not None:
            return send_crisis_reply(dispatcher, tracker, crisis)
        clinic = self.knowledge.clinic
        count = int(tracker.get_slot(FALLBACK_COUNT_SLOT) or 0) + 1
        candidates = _candidates(tracker.latest_message)
        top = candidates[0] if candidates else {}
        if confidently_out_of_scope(top):
            dispatcher.utter_message(
                text=self._not_covered(top["name"]), buttons=[consultation_button()]
            )
            return [SlotSet(FALLBACK_COUNT_SLOT, count), SlotSet(OFFERED_SLOT, True)]
        if count >= 2:
            dispatcher.utter_message(
                text="I'm still not sure I understand, sorry. Would you like someone"
                f" from {clinic.name} to contact you? You can also call"
                f" {clinic.phone}.",
                buttons=[consultation_button()],
            )
            return [SlotSet(FALLBACK_COUNT_SLOT, count), SlotSet(OFFERED_SLOT, True)]
        suggestions = [
            c["name"]
            for c in candidates
            if c.get("name", "").startswith(FAQ_PREFIX)
            and c.get("confidence", 0) >= MIN_SUGGESTION_CONFIDENCE
        ][:MAX_SUGGESTIONS]
        if suggestions:
            text = "Sorry, I'm not sure I understood. Did you mean one of these?"
        else:
            suggestions = [FAQ_PREFIX + t for t in STARTER_TOPICS]
            text = (
                "Sorry, I didn't understand that. I can answer questions about"
                " chronic pain and ketamine infusions, for example:"
            )
        topics = [self.knowledge.topic(s[len(FAQ_PREFIX) :]) for s in suggestions]
        dispatcher.utter_message(
            text=text,
            buttons=topic_buttons(topics),
        )
        return [SlotSet(FALLBACK_COUNT_SLOT, count)]

    def _not_covered(self, intent: str) -> str:
        """Which thing the article does not say, when the topic is a known one."""
        clinic = self.knowledge.clinic
        topic_id = intent.removeprefix(OUT_OF_SCOPE_PREFIX)
        for topic in self.knowledge.out_of_scope:
            if topic.id == topic_id:
                return not_in_article(clinic, topic.subject)
        return no_information(clinic)
