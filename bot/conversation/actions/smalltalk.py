"""Greeting, goodbye, thanks and the truthful answer to "are you a bot?"."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation.actions.base import (
    OFFERED_SLOT,
    ReplyAction,
    consultation_button,
    topic_buttons,
)
from bot.conversation.replies import bot_disclosure, greeting, greeting_sms
from bot.knowledge import KnowledgeBase

GREETING_TOPICS = (
    "what_is_ketamine_therapy",
    "how_ketamine_works",
    "ketamine_safety",
    "side_effects",
)


def greeting_message(knowledge: KnowledgeBase) -> dict[str, Any]:
    """The greeting with its topic buttons, as the action and the widget show it."""
    topics = [knowledge.topic(t) for t in GREETING_TOPICS]
    return {
        "text": greeting(knowledge.clinic) + " What would you like to know?",
        "buttons": [*topic_buttons(topics), consultation_button()],
    }


class ActionGreet(ReplyAction):
    """Introduces the assistant, its limits, and offers topics as buttons."""

    def name(self) -> str:
        return "action_greet"

    def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            **greeting_message(self.knowledge),
            json_message={"sms": greeting_sms(self.knowledge.clinic)},
        )
        return []


class ActionBotChallenge(ReplyAction):
    """Answers truthfully that this is an automated assistant."""

    def name(self) -> str:
        return "action_bot_challenge"

    def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text=bot_disclosure(self.knowledge.clinic), buttons=[consultation_button()]
        )
        return [SlotSet(OFFERED_SLOT, True)]


class ActionAcknowledge(ReplyAction):
    """A plain yes or no with no question pending: acknowledge, offer topics."""

    def name(self) -> str:
        return "action_acknowledge"

    def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        topics = [self.knowledge.topic(t) for t in GREETING_TOPICS]
        dispatcher.utter_message(
            text="No problem. Is there anything else I can help you with?"
            if intent == "deny"
            else "Great! What would you like to know?",
            buttons=[
                *topic_buttons(topics),
                consultation_button(),
            ],
        )
        return []


class ActionGoodbye(ReplyAction):
    def name(self) -> str:
        return "action_goodbye"

    def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text="Take care! If you have more questions, I'm here any time."
        )
        return []


class ActionThanks(ReplyAction):
    def name(self) -> str:
        return "action_thanks"

    def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text="You're welcome! Is there anything else you would like to know?"
        )
        return []
