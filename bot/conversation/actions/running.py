"""Running rasa-sdk actions synchronously inside faqbot's engine."""

from __future__ import annotations

import inspect
from collections.abc import Coroutine
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


def resolve(value: Any) -> Any:
    """Return a plain value, driving a coroutine that never truly suspends.

    faqbot's actions and rasa-sdk's form helpers are `async` only by interface:
    nothing in them awaits I/O, so a coroutine finishes on its first step and no
    event loop is needed on the per-message path.
    """
    if not inspect.iscoroutine(value):
        return value
    coroutine: Coroutine[Any, Any, Any] = value
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("an action awaited real I/O; run it on an event loop")


def run_action(
    action: Action, tracker: Tracker, domain: DomainDict
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run `action`; return (events, dispatcher messages)."""
    dispatcher = CollectingDispatcher()
    events = resolve(action.run(dispatcher, tracker, domain)) or []
    return list(events), list(dispatcher.messages)
