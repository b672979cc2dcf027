"""The Rasa domain faqbot's actions expect: intents, slots, the form, actions.

The engine hands it to every action, and the Rasa export writes it out, so a
Rasa deployment and faqbot's own engine run the actions against one domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from bot.conversation.actions.base import FALLBACK_COUNT_SLOT, OFFERED_SLOT
from bot.conversation.actions.consultation import FORM_NAME, FORM_SLOTS, REJECTION_SLOT
from bot.conversation.actions.crisis import CRISIS_SLOT
from bot.conversation.phone_offer import OFFERED_PHONE_SLOT
from bot.knowledge import FIXED_INTENTS, KnowledgeBase

INTENT_ACTIONS: Mapping[str, str] = MappingProxyType(
    {
        "greet": "action_greet",
        "goodbye": "action_goodbye",
        "thanks": "action_thanks",
        "bot_challenge": "action_bot_challenge",
        "crisis": "action_crisis",
        "cancel": "action_cancel_consultation",
        "affirm": "action_acknowledge",
        "deny": "action_acknowledge",
        "nlu_fallback": "action_fallback",
        "out_of_scope": "action_fallback",
    }
)


def _slot(kind: str, **initial: Any) -> dict[str, Any]:
    """A slot filled by faqbot's actions only (Rasa's custom mapping)."""
    return {
        "type": kind,
        **initial,
        "influence_conversation": False,
        "mappings": [{"type": "custom"}],
    }


def build_domain(knowledge: KnowledgeBase, action_names: list[str]) -> dict[str, Any]:
    """The domain as a plain dict (Rasa's DomainDict), built fresh on each call."""
    slots: dict[str, Any] = {slot: _slot("any") for slot in FORM_SLOTS}
    slots[REJECTION_SLOT] = _slot("any")
    slots[OFFERED_PHONE_SLOT] = _slot("any")
    slots[CRISIS_SLOT] = _slot("bool", initial_value=False)
    slots[OFFERED_SLOT] = _slot("bool", initial_value=False)
    slots[FALLBACK_COUNT_SLOT] = _slot("float", initial_value=0)
    return {
        "version": "3.1",
        "intents": list(
            dict.fromkeys(["faq", *FIXED_INTENTS, "crisis", *knowledge.intents])
        )
        + ["nlu_fallback"],
        "slots": slots,
        "forms": {FORM_NAME: {"required_slots": list(FORM_SLOTS)}},
        "actions": sorted(action_names),
        "responses": {},
        "session_config": {
            "session_expiration_time": 60,
            "carry_over_slots_to_new_session": True,
        },
    }
