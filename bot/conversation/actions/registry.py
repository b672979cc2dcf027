"""Builds every faqbot action once, wired to one knowledge base and one store."""

from __future__ import annotations

from rasa_sdk import Action

from bot.conversation.actions.consultation import (
    ActionAskCondition,
    ActionAskConsent,
    ActionAskEmail,
    ActionAskName,
    ActionAskPhone,
    ActionAskPreferredTime,
    ValidateConsultationForm,
)
from bot.conversation.actions.crisis import ActionCrisis
from bot.conversation.actions.fallback import STARTER_TOPICS, ActionFallback
from bot.conversation.actions.faq import ActionAnswerFaq
from bot.conversation.actions.handoff import (
    ActionCancelConsultation,
    ActionSubmitConsultation,
    HandoffSink,
)
from bot.conversation.actions.smalltalk import (
    GREETING_TOPICS,
    ActionAcknowledge,
    ActionBotChallenge,
    ActionGoodbye,
    ActionGreet,
    ActionThanks,
)
from bot.errors import KnowledgeBaseError
from bot.knowledge import KnowledgeBase

# The topics actions offer as buttons by id, and where each list is kept: a
# renamed topic must fail the boot, not every greeting.
NAMED_TOPICS = (
    ("GREETING_TOPICS in bot/conversation/actions/smalltalk.py", GREETING_TOPICS),
    ("STARTER_TOPICS in bot/conversation/actions/fallback.py", STARTER_TOPICS),
)


def build_actions(
    knowledge: KnowledgeBase, store: HandoffSink, *, phone_region: str = "US"
) -> dict[str, Action]:
    """Every action faqbot serves, by name; KnowledgeBaseError if one cannot run."""
    _check_named_topics(knowledge)
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


def _check_named_topics(knowledge: KnowledgeBase) -> None:
    known = {topic.id for topic in knowledge.topics}
    missing: dict[str, list[str]] = {}
    for where, ids in NAMED_TOPICS:
        for topic_id in ids:
            if topic_id not in known:
                missing.setdefault(topic_id, []).append(where)
    if missing:
        named = "; ".join(f"{t} ({', '.join(w)})" for t, w in missing.items())
        raise KnowledgeBaseError(
            f"the actions offer topics the knowledge base lacks: {named}"
        )
