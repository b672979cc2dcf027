"""Builds every faqbot action once, wired to one knowledge base and one store."""

from __future__ import annotations

from rasa_sdk import Action

from bot.actions.consultation import (
    ActionAskCondition,
    ActionAskConsent,
    ActionAskEmail,
    ActionAskName,
    ActionAskPhone,
    ActionAskPreferredTime,
    ActionCancelConsultation,
    ActionSubmitConsultation,
    HandoffSink,
    ValidateConsultationForm,
)
from bot.actions.crisis import ActionCrisis
from bot.actions.fallback import ActionFallback
from bot.actions.faq import ActionAnswerFaq
from bot.actions.smalltalk import (
    ActionAcknowledge,
    ActionBotChallenge,
    ActionGoodbye,
    ActionGreet,
    ActionThanks,
)
from bot.knowledge import KnowledgeBase


def build_actions(
    knowledge: KnowledgeBase, store: HandoffSink, *, phone_region: str = "US"
) -> dict[str, Action]:
    """Every action faqbot serves, by name."""
    actions: list[Action] = [
        ActionAnswerFaq(knowledge),
        ActionFallback(knowledge),
        ActionGreet(knowledge),
        ActionBotChallenge(knowledge),
        ActionGoodbye(knowledge),
        ActionThanks(knowledge),
        ActionAcknowledge(knowledge),
        ActionCrisis(),
        ValidateConsultationForm(phone_region=phone_region),
        ActionAskName(knowledge),
        ActionAskPhone(knowledge),
        ActionAskEmail(knowledge),
        ActionAskPreferredTime(knowledge),
        ActionAskCondition(knowledge),
        ActionAskConsent(knowledge),
        ActionSubmitConsultation(store, knowledge=knowledge),
        ActionCancelConsultation(),
    ]
    return {action.name(): action for action in actions}
