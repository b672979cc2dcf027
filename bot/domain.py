"""The Rasa domain faqbot's actions expect: intents, slots, the form, actions.

The engine hands it to every action, and the Rasa export writes it out, so a
Rasa deployment and faqbot's own engine run the actions against one domain.
"""

from __future__ import annotations

from typing import Any

from bot.actions.base import FALLBACK_COUNT_SLOT, OFFERED_SLOT
from bot.actions.consultation import FORM_NAME, FORM_SLOTS, REJECTION_SLOT
from bot.actions.crisis import CRISIS_SLOT
from bot.knowledge import FIXED_INTENTS, KnowledgeBase

CUSTOM = [{"type": "custom"}]
INTENT_ACTIONS = {
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


def build_domain(knowledge: KnowledgeBase, action_names: list[str]) -> dict[str, Any]:
    """The domain as a plain dict (Rasa's DomainDict)."""
    slots: dict[str, Any] = {
        slot: {"type": "any", "influence_conversation": False, "mappings": CUSTOM}
        for slot in FORM_SLOTS
    }
    slots[REJECTION_SLOT] = {
        "type": "any",
        "influence_conversation": False,
        "mappings": CUSTOM,
    }
    slots[CRISIS_SLOT] = {
        "type": "bool",
        "initial_value": False,
        "influence_conversation": False,
        "mappings": CUSTOM,
    }
    slots[OFFERED_SLOT] = {
        "type": "bool",
        "initial_value": False,
        "influence_conversation": False,
        "mappings": CUSTOM,
    }
    slots[FALLBACK_COUNT_SLOT] = {
        "type": "float",
        "initial_value": 0,
        "influence_conversation": False,
        "mappings": CUSTOM,
    }
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
