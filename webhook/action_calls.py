"""The shape of a Rasa action call, checked before rasa-sdk and the actions read it.

rasa-sdk builds its `Tracker` from whatever JSON arrives, and the actions call
`.get` on what Rasa always sends as objects, so a string in their place was an
AttributeError and a 500. Each check names the field, so a caller with a bug gets
a 400 saying what to fix. Fields Rasa may leave out or send as null stay optional
where rasa-sdk and the actions cope with their absence.
"""

from __future__ import annotations

from typing import Any

from webhook.errors import BadRequest

_MISSING = object()
_NUMBER = (int, float)
_JSON_NAMES: dict[type, str] = {
    dict: "an object",
    list: "a list",
    str: "a string",
    int: "a number",
}


def check_action_call(call: dict[str, Any]) -> None:
    """Raise BadRequest naming the first field of an action call with a wrong type."""
    _field(call, "next_action", str, "next_action", required=True)
    tracker = _field(call, "tracker", dict, "tracker", required=True)
    # rasa-sdk keeps the last domain it was sent for calls that send only its
    # digest: a malformed one would break the calls after it too.
    domain = _field(call, "domain", dict, "domain")
    if domain:
        for key in ("slots", "forms"):
            _field(domain, key, dict, f"domain.{key}")
    _check_tracker(tracker)


def _check_tracker(tracker: dict[str, Any]) -> None:
    _field(tracker, "sender_id", str, "tracker.sender_id", required=True)
    _field(tracker, "slots", dict, "tracker.slots", nullable=False)
    message = _field(tracker, "latest_message", dict, "tracker.latest_message")
    if message:
        _check_message(message, "tracker.latest_message")
    events = _field(tracker, "events", list, "tracker.events", nullable=False)
    for index, event in enumerate(events or []):
        _check_event(event, f"tracker.events[{index}]")
    # rasa-sdk reads Rasa 2's `active_form` when `active_loop` is absent.
    loop_key = "active_loop" if "active_loop" in tracker else "active_form"
    loop = _field(tracker, loop_key, dict, f"tracker.{loop_key}")
    if loop:
        _field(loop, "name", str, f"tracker.{loop_key}.name")


def _check_message(message: dict[str, Any], path: str) -> None:
    _field(message, "text", str, f"{path}.text")
    intent = _field(message, "intent", dict, f"{path}.intent")
    if intent:
        _field(intent, "name", str, f"{path}.intent.name")
        _field(intent, "confidence", _NUMBER, f"{path}.intent.confidence")
    ranking = _field(message, "intent_ranking", list, f"{path}.intent_ranking")
    for index, entry in enumerate(ranking or []):
        where = f"{path}.intent_ranking[{index}]"
        _expect(entry, dict, where)
        # The fallback reads both with defaults, which a null would defeat.
        _field(entry, "name", str, f"{where}.name", nullable=False)
        _field(entry, "confidence", _NUMBER, f"{where}.confidence", nullable=False)
    where = f"{path}.response_selector"
    selector = _field(message, "response_selector", dict, where)
    faq = _field(selector, "faq", dict, f"{where}.faq") if selector else None
    if faq:
        _field(faq, "response", dict, f"{where}.faq.response")


def _check_event(event: Any, path: str) -> None:
    _expect(event, dict, path)
    kind = _field(event, "event", str, f"{path}.event", required=True)
    _field(event, "text", str, f"{path}.text")
    _field(event, "timestamp", _NUMBER, f"{path}.timestamp")
    _field(event, "input_channel", str, f"{path}.input_channel")
    if kind == "slot":
        # Form validation reads the trailing slot events' names as slot names.
        _field(event, "name", str, f"{path}.name", required=True)


def _field(
    container: dict[str, Any],
    key: str,
    kind: type | tuple[type, ...],
    path: str,
    *,
    required: bool = False,
    nullable: bool = True,
) -> Any:
    """The value at `key` if it has the right type; None when it may be left out."""
    value = container.get(key, _MISSING)
    if value is _MISSING:
        if required:
            raise BadRequest(f"The action call has no '{path}'.")
        return None
    if value is None and nullable and not required:
        return None
    _expect(value, kind, path)
    return value


def _expect(value: Any, kind: type | tuple[type, ...], path: str) -> None:
    # JSON's true and false are Python ints: never a number here.
    if isinstance(value, kind) and not isinstance(value, bool):
        return
    wanted = _JSON_NAMES[kind if isinstance(kind, type) else kind[0]]
    raise BadRequest(
        f"The action call's '{path}' must be {wanted}, not {_json_name(value)}."
    )


def _json_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float):
        return "a number"
    return _JSON_NAMES.get(type(value), type(value).__name__)
