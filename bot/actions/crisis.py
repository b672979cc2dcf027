"""The crisis reply: 988 and 911 first, the conversation flagged, any form paused."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.replies import CRISIS_TEXT

CRISIS_SLOT = "crisis"


class ActionCrisis(Action):
    """Always the same fixed reply; a form in progress is paused, its slots kept."""

    def name(self) -> str:
        return "action_crisis"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=CRISIS_TEXT, json_message={"crisis": True})
        events: list[dict[str, Any]] = [SlotSet(CRISIS_SLOT, True)]
        if tracker.active_loop_name:
            events.append(ActiveLoop(None))
        return events
