"""The crisis reply: 988 and 911 first, the conversation flagged, any form paused.

Also `CrisisCheck`, faqbot's own detector for actions to consult: a stock Rasa
classifier may file a crisis under another intent, and the rules would then
never run `action_crisis`.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation.replies import CRISIS_TEXT
from bot.understanding.crisis import CrisisDetector
from bot.understanding.normalize import Normalizer

CRISIS_SLOT = "crisis"


class CrisisCheck:
    """faqbot's rule-based crisis detector over raw message text.

    Built on first use, not when the action owning it is: rasa-sdk's action
    server builds every action at import, and compiling the rules takes time.
    """

    def __init__(self) -> None:
        self._parts: tuple[Normalizer, CrisisDetector] | None = None

    def __call__(self, text: str) -> bool:
        """True when `text` signals a crisis."""
        if self._parts is None:
            self._parts = (Normalizer(), CrisisDetector())
        normalizer, detector = self._parts
        return detector.detect(normalizer(text)) is not None


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
