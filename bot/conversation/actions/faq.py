"""Answering an FAQ: the answer, its source and related questions."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation.actions.base import ReplyAction, topic_buttons
from bot.knowledge import CLINIC_SECTION, FAQ_PREFIX, Topic

MAX_RELATED = 3


def faq_intent(latest_message: dict[str, Any]) -> str | None:
    """The `faq/<id>` a parse result selected, from Rasa's or faqbot's layout."""
    selector = latest_message.get("response_selector") or {}
    key = ((selector.get("faq") or {}).get("response") or {}).get("intent_response_key")
    if isinstance(key, str) and key.startswith(FAQ_PREFIX):
        return key
    intent = (latest_message.get("intent") or {}).get("name")
    if isinstance(intent, str) and intent.startswith(FAQ_PREFIX):
        return intent
    return None


class ActionAnswerFaq(ReplyAction):
    """Answers the FAQ topic of the latest message."""

    def name(self) -> str:
        return "action_answer_faq"

    def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        intent = faq_intent(tracker.latest_message)
        try:
            topic = self.knowledge.topic(intent[len(FAQ_PREFIX) :] if intent else "")
        except KeyError:
            dispatcher.utter_message(
                text="Sorry, I could not find that answer. Could you ask another way?"
            )
            return []
        self.answer(dispatcher, topic)
        return []

    def answer(self, dispatcher: CollectingDispatcher, topic: Topic) -> None:
        """Send `topic`'s answer with its source line and related questions."""
        related = [self.knowledge.topic(r) for r in topic.related[:MAX_RELATED]]
        if topic.section == CLINIC_SECTION:
            # Written by the clinic's staff: no article to cite.
            source = f"Source: {self.knowledge.clinic.name}'s staff."
        else:
            source = (
                f'Source: "{topic.section}", from our article'
                f' "{self.knowledge.title}".'
            )
        dispatcher.utter_message(
            text=f"{topic.answer}\n\n{source}",
            buttons=topic_buttons(related),
            json_message={
                "sms": topic.sms,
                "topic": topic.id,
                "source": {"section": topic.section, "article": self.knowledge.title},
            },
        )
