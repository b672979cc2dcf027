"""The crisis reply: 988 and 911 first, the conversation flagged, any form paused.

The reply suits the crisis: Poison Control for an overdose, Spanish for a
Spanish message. Both come from the parse's `crisis` block (faqbot's parser
writes it, and Rasa passes it on in the latest message when faqbot is its NLU).
A form the crisis paused is offered back with a "Continue my request" button.

Also `CrisisCheck`, faqbot's own detector for actions to consult: a stock Rasa
classifier may file a crisis under another intent, and the rules would then
never run `action_crisis`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation.crisis_replies import continue_button, crisis_reply
from bot.understanding.crisis import (
    CrisisDetector,
    CrisisKind,
    CrisisLevel,
    CrisisSignal,
    Language,
)
from bot.understanding.normalize import Normalizer

CRISIS_SLOT = "crisis"
# Rasa's slot for the form's pending question (named here, not imported from
# the form's module, which imports this one).
_REQUESTED_SLOT = "requested_slot"


def signal_in(latest_message: Mapping[str, Any]) -> CrisisSignal | None:
    """The crisis block of a parse result, read as a signal (None: none, or malformed).

    The block reaches the action server from outside, so it is checked rather
    than trusted: an unknown language reads as English, and an unknown kind as
    suicide (whose reply is the general one).
    """
    block = latest_message.get("crisis")
    if not isinstance(block, Mapping):
        return None
    level = block.get("level")
    if level not in get_args(CrisisLevel):
        return None
    kind = block.get("kind")
    language = block.get("language")
    return CrisisSignal(
        kind=kind if kind in get_args(CrisisKind) else "suicide",
        cue=str(block.get("cue") or ""),
        level=level,
        language=language if language in get_args(Language) else "en",
    )


class CrisisCheck:
    """Whether a message calls for the crisis reply, for actions to consult.

    A parse from faqbot's own parser has already decided (its `crisis` block),
    and only a clear crisis counts: a possible one gets its answer. A parse
    without the block (a stock Rasa classifier's, or a message the parser found
    nothing in) is checked with faqbot's detector, again for a clear crisis.

    The detector is built on first use, not when the action owning it is:
    rasa-sdk's action server builds every action at import, and compiling the
    rules takes time.
    """

    def __init__(self) -> None:
        self._parts: tuple[Normalizer, CrisisDetector] | None = None

    def __call__(self, latest_message: Mapping[str, Any]) -> CrisisSignal | None:
        """The clear crisis in the latest message, or None."""
        found = signal_in(latest_message)
        if found is None:
            found = self.detect(latest_message.get("text") or "")
        return found if found is not None and found.level == "clear" else None

    def detect(self, text: str) -> CrisisSignal | None:
        """What faqbot's detector finds in `text`, clear or possible."""
        if self._parts is None:
            self._parts = (Normalizer(), CrisisDetector())
        normalizer, detector = self._parts
        return detector.detect(normalizer(text))


def send_crisis_reply(
    dispatcher: CollectingDispatcher, tracker: Tracker, signal: CrisisSignal | None
) -> list[dict[str, Any]]:
    """Send the crisis reply for `signal` (None: general, English); flag, pause."""
    kind = signal.kind if signal is not None else None
    language = signal.language if signal is not None else "en"
    wording = crisis_reply(kind, language)
    custom: dict[str, Any] = {"crisis": True, "language": language, "sms": wording.sms}
    if kind is not None:
        custom["kind"] = kind
    # A form in progress (or one a crisis already paused) is kept, slots and
    # all: the visitor can carry on with it when ready.
    paused = bool(tracker.active_loop_name or tracker.get_slot(_REQUESTED_SLOT))
    buttons = [continue_button(language)] if paused else []
    dispatcher.utter_message(text=wording.text, buttons=buttons, json_message=custom)
    events: list[dict[str, Any]] = [SlotSet(CRISIS_SLOT, True)]
    if tracker.active_loop_name:
        events.append(ActiveLoop(None))
    return events


class ActionCrisis(Action):
    """The crisis reply; a form in progress is paused, its slots kept."""

    def __init__(self) -> None:
        self._check = CrisisCheck()

    def name(self) -> str:
        return "action_crisis"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        # Without faqbot's block (a stock Rasa classifier's parse), faqbot's
        # detector still tells an overdose or a Spanish message apart.
        signal = signal_in(tracker.latest_message) or self._check.detect(
            tracker.latest_message.get("text") or ""
        )
        return send_crisis_reply(dispatcher, tracker, signal)
