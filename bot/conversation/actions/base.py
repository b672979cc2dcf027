"""What faqbot's actions share: the knowledge base, reached lazily."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation.actions.crisis import CrisisCheck, send_crisis_reply
from bot.conversation.payloads import payload
from bot.knowledge import KnowledgeBase, Topic, load_knowledge_base

FALLBACK_COUNT_SLOT = "fallback_count"
# True right after a reply that offered a consultation, so a plain "yes" accepts it.
OFFERED_SLOT = "consultation_offered"


def topic_buttons(topics: Iterable[Topic]) -> list[dict[str, str]]:
    """Quick replies that ask these topics' questions (never an internal name)."""
    return [_button(t.question, payload(t.intent), t.label) for t in topics]


def consultation_button() -> dict[str, str]:
    """The quick reply that starts the consultation form (a fresh dict each time)."""
    return _button(
        "Request a consultation",
        payload("request_consultation"),
        "consultation request",
    )


def _button(title: str, payload: str, label: str | None) -> dict[str, str]:
    # The label rides along for the channels that need a short name (SMS,
    # Messenger); Rasa passes unknown button keys through untouched.
    button = {"title": title, "payload": payload}
    if label:
        button["label"] = label
    return button


class KnowledgeAction(Action, ABC):
    """An action that answers from the knowledge base.

    Given no knowledge base (as rasa-sdk's action server builds actions), it loads
    the one shipped with faqbot on first use.
    """

    def __init__(self, knowledge: KnowledgeBase | None = None) -> None:
        self._knowledge = knowledge

    # Abstract so that rasa-sdk's `register_package`, which builds every
    # concrete `Action` subclass it finds, skips this base class.
    @abstractmethod
    def name(self) -> str:
        """The action's name."""

    @property
    def knowledge(self) -> KnowledgeBase:
        if self._knowledge is None:
            self._knowledge = load_knowledge_base()
        return self._knowledge


class ReplyAction(KnowledgeAction, ABC):
    """An action that answers the visitor, which ends a run of fallbacks.

    A crisis always gets the crisis reply first: should a Rasa classifier file
    one under a topic or small talk, faqbot's own detector still catches it.
    """

    def __init__(self, knowledge: KnowledgeBase | None = None) -> None:
        super().__init__(knowledge)
        self._is_crisis = CrisisCheck()

    @abstractmethod
    def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """Send the reply; return any extra events."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        crisis = self._is_crisis(tracker.latest_message)
        if crisis is not None:
            return send_crisis_reply(dispatcher, tracker, crisis)
        events = self.reply(dispatcher, tracker)
        if tracker.get_slot(FALLBACK_COUNT_SLOT):
            events.append(SlotSet(FALLBACK_COUNT_SLOT, 0))
        return events
