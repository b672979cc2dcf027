"""The Rasa action-server protocol, driven with bodies shaped like Rasa 3.6's.

tests/data/action_request_rasa36.json is a body a real Rasa 3.6.21 sent to an
action server; the calls below are that body with `next_action`, the latest
message, the slots and the domain changed, so faqbot is tested against what Rasa
really sends.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.interfaces import ACTION_MISSING_DOMAIN_DEFAULT_MESSAGE

from bot.conversation.crisis_replies import crisis_reply
from bot.conversation.replies import CANCELLED, CRISIS_TEXT
from bot.runtime import Runtime
from webhook import create_app
from webhook.action_server import EXECUTOR_KEY

REAL_CALL = json.loads(
    (Path(__file__).parent / "data" / "action_request_rasa36.json").read_text()
)
FORM = "consultation_form"
FORM_SLOTS = ("name", "phone", "email", "preferred_time", "condition", "consent")
FORM_RESET = [
    *(SlotSet(slot, None) for slot in FORM_SLOTS),
    SlotSet("requested_slot", None),
    SlotSet("rejection", None),
    SlotSet("phone_offered", None),
]
FILLED = {
    "name": "Grace Whitfield",
    "phone": "+15135550163",
    "email": "grace.whitfield@example.com",
    "preferred_time": "(skipped)",
    "condition": "(skipped)",
    "consent": True,
    "requested_slot": None,
}
DETAILS = "I'm Grace Whitfield, call me at 513.555.0163 — I'd like a consultation"
TOKEN = "Qm9vay1hLWNvbnN1bHRhdGlvbg"
WITH_TOKEN = {"token": TOKEN}


def rasa_call(
    runtime: Runtime,
    action: str,
    text: str,
    *,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    with_domain: bool = True,
) -> dict[str, Any]:
    """The real Rasa body, now asking for `action` after the visitor said `text`."""
    call = copy.deepcopy(REAL_CALL)
    call["next_action"] = action
    tracker = call["tracker"]
    parse = {
        **json.loads(json.dumps(runtime.engine.understand(text))),
        "message_id": "5c1bd7e0a1b94b0f9a52f7d3c2e4a6b8",
        "metadata": {},
    }
    tracker["latest_message"] = parse
    tracker["slots"] = {"session_started_metadata": None, **(slots or {})}
    tracker["active_loop"] = {"name": active_loop} if active_loop else {}
    for event in tracker["events"]:
        if event["event"] == "user":
            event["text"] = text
            event["parse_data"] = parse
    if with_domain:
        call["domain"] = json.loads(json.dumps(runtime.domain))
    else:
        del call["domain"]
    return call


@pytest.fixture
def runtime(runtime: Runtime) -> Runtime:
    """The shared runtime, with the token Rasa's endpoints.yml would send."""
    return replace(runtime, settings=replace(runtime.settings, action_token=TOKEN))


@pytest.fixture
def call_action(client: FlaskClient) -> Callable[[dict[str, Any]], Any]:
    def post(body: dict[str, Any]) -> Any:
        return client.post("/webhook", json=body, query_string=WITH_TOKEN)

    return post


def test_the_executor_is_built_with_the_app(app: Flask, runtime: Runtime) -> None:
    # Built lazily, two first requests on two threads could each build one.
    built = app.extensions[EXECUTOR_KEY]
    assert sorted(a.name for a in built.list_actions()) == sorted(runtime.actions)


def test_real_rasa_call_for_an_unknown_action_is_404(client: FlaskClient) -> None:
    response = client.post("/webhook", json=REAL_CALL, query_string=WITH_TOKEN)
    assert response.status_code == 404
    assert response.get_json() == {
        "error": "No registered action found for name 'action_hello'.",
        "status": 404,
        "action_name": "action_hello",
    }


def test_actions_lists_every_faqbot_action(
    client: FlaskClient, runtime: Runtime
) -> None:
    response = client.get("/actions", query_string=WITH_TOKEN)
    assert response.status_code == 200
    assert sorted(a["name"] for a in response.get_json()) == sorted(runtime.actions)


# action -> (visitor text, slots, active loop, expected events, reply snippet)
ACTION_CALLS: dict[str, tuple[str, dict[str, Any], str | None, list[Any], str]] = {
    "action_answer_faq": ("what are the side effects?", {}, None, [], "Source:"),
    "action_fallback": (
        "zxqv blorp wibble",
        {},
        None,
        [SlotSet("fallback_count", 1)],
        "didn't understand",
    ),
    "action_greet": ("hi", {}, None, [], "automated assistant"),
    "action_bot_challenge": (
        "are you a bot",
        {},
        None,
        [SlotSet("consultation_offered", True)],
        "not a person",
    ),
    "action_acknowledge": ("no thanks", {}, None, [], "anything else"),
    "action_goodbye": (
        "bye",
        {"fallback_count": 1},
        None,
        [SlotSet("fallback_count", 0)],
        "Take care",
    ),
    "action_thanks": ("thanks", {}, None, [], "You're welcome"),
    "action_crisis": (
        "i want to end it all",
        {"name": "Grace Whitfield", "requested_slot": "phone"},
        FORM,
        [SlotSet("crisis", True), ActiveLoop(None)],
        CRISIS_TEXT,
    ),
    "validate_consultation_form": (
        "513.555.0163",
        {"name": "Grace Whitfield", "requested_slot": "phone"},
        FORM,
        [SlotSet("phone", "+15135550163")],
        "",
    ),
    "action_ask_name": ("book a consultation", {}, FORM, [], "full name"),
    "action_ask_phone": ("Grace Whitfield", {}, FORM, [], "phone number"),
    "action_ask_email": ("513.555.0163", {}, FORM, [], "email address"),
    "action_ask_preferred_time": ("skip", {}, FORM, [], "good time"),
    "action_ask_condition": ("mornings", {}, FORM, [], "pain condition"),
    "action_ask_consent": ("back pain", {}, FORM, [], "yes or no"),
    "action_submit_consultation": (
        "yes",
        FILLED,
        None,
        FORM_RESET,
        "We have received your consultation request",
    ),
    "action_cancel_consultation": (
        "cancel",
        {**FILLED, "consent": None, "requested_slot": "consent"},
        FORM,
        [ActiveLoop(None), *FORM_RESET],
        CANCELLED,
    ),
}


def test_every_action_has_a_protocol_case(runtime: Runtime) -> None:
    assert set(ACTION_CALLS) == set(runtime.actions)


@pytest.mark.parametrize(
    ("action", "case"), ACTION_CALLS.items(), ids=list(ACTION_CALLS)
)
def test_each_action_answers_a_rasa_shaped_call(
    runtime: Runtime,
    call_action: Callable[[dict[str, Any]], Any],
    action: str,
    case: tuple[str, dict[str, Any], str | None, list[Any], str],
) -> None:
    text, slots, active_loop, events, snippet = case
    response = call_action(
        rasa_call(runtime, action, text, slots=slots, active_loop=active_loop)
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"events", "responses"}
    assert body["events"] == events
    texts = [r["text"] for r in body["responses"]]
    if snippet:
        assert len(texts) == 1 and snippet in texts[0]
    else:
        assert texts == []


def test_submit_through_the_action_server_stores_rasas_transcript(
    runtime: Runtime, call_action: Callable[[dict[str, Any]], Any]
) -> None:
    response = call_action(
        rasa_call(runtime, "action_submit_consultation", "yes", slots=FILLED)
    )
    assert response.status_code == 200
    [handoff] = runtime.store.handoffs()
    assert (handoff.channel, handoff.sender_id) == ("rest", "u7")
    assert (handoff.name, handoff.phone) == ("Grace Whitfield", "+15135550163")
    assert (handoff.preferred_time, handoff.condition) == (None, None)
    assert [(line.sender, line.text) for line in handoff.transcript] == [
        ("user", "yes"),
        ("bot", "Hey! How are you?"),
    ]


def test_missing_domain_is_449(
    runtime: Runtime, call_action: Callable[[dict[str, Any]], Any]
) -> None:
    body = rasa_call(runtime, "action_greet", "hi", with_domain=False)
    response = call_action(body)
    assert response.status_code == 449
    assert response.get_json() == {
        "error": ACTION_MISSING_DOMAIN_DEFAULT_MESSAGE,
        "status": 449,
        "action_name": "action_greet",
    }


def test_domain_digest_spares_resending_the_domain(
    runtime: Runtime, call_action: Callable[[dict[str, Any]], Any]
) -> None:
    first = rasa_call(runtime, "action_greet", "hi")
    first["domain_digest"] = "digest-1"
    assert call_action(first).status_code == 200

    again = rasa_call(runtime, "action_greet", "hi", with_domain=False)
    again["domain_digest"] = "digest-1"
    assert call_action(again).status_code == 200

    stale = rasa_call(runtime, "action_greet", "hi", with_domain=False)
    stale["domain_digest"] = "digest-2"
    assert call_action(stale).status_code == 449


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": "{not json", "content_type": "application/json"},
        {"json": ["next_action", "tracker"]},
        {"json": {"next_action": "action_greet"}},
        {"json": {"next_action": "action_greet", "tracker": "u7"}},
        {"json": {"tracker": {"sender_id": "u7"}}},
        {"json": {"next_action": "action_greet", "tracker": {}, "domain": {}}},
    ],
    ids=[
        "malformed-json",
        "not-an-object",
        "no-tracker",
        "tracker-not-object",
        "no-action",
        "tracker-without-sender",
    ],
)
def test_malformed_call_is_400(client: FlaskClient, kwargs: dict[str, Any]) -> None:
    response = client.post("/webhook", query_string=WITH_TOKEN, **kwargs)
    assert response.status_code == 400
    assert response.get_json()["error"]


def _parent(call: dict[str, Any], path: str) -> tuple[Any, str | int]:
    """The container of the dotted `path` in `call` (numbers index lists), and key."""
    *parents, last = (int(k) if k.isdigit() else k for k in path.split("."))
    target: Any = call
    for key in parents:
        target = target[key]
    return target, last


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to an action call: put `value` at `path`."""

    def change(call: dict[str, Any]) -> None:
        target, key = _parent(call, path)
        target[key] = value

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    """A change to an action call: leave out `path`."""

    def change(call: dict[str, Any]) -> None:
        target, key = _parent(call, path)
        del target[key]

    return change


# id -> (action, change to a well-formed call, field the error must name)
MALFORMED_TRACKERS: dict[str, tuple[str, Callable[[dict[str, Any]], None], str]] = {
    "no sender": ("action_greet", _drop("tracker.sender_id"), "tracker.sender_id"),
    "sender not text": (
        "action_greet",
        _set("tracker.sender_id", 7),
        "tracker.sender_id",
    ),
    "slots not object": ("action_fallback", _set("tracker.slots", []), "tracker.slots"),
    "slots null": ("action_fallback", _set("tracker.slots", None), "tracker.slots"),
    "latest message not object": (
        "action_answer_faq",
        _set("tracker.latest_message", "x"),
        "tracker.latest_message",
    ),
    "intent not object": (
        "action_acknowledge",
        _set("tracker.latest_message.intent", "deny"),
        "tracker.latest_message.intent",
    ),
    "intent name not text": (
        "action_answer_faq",
        _set("tracker.latest_message.intent.name", ["faq"]),
        "tracker.latest_message.intent.name",
    ),
    "ranking not list": (
        "action_fallback",
        _set("tracker.latest_message.intent_ranking", {"name": "greet"}),
        "tracker.latest_message.intent_ranking",
    ),
    "ranking entry not object": (
        "action_fallback",
        _set("tracker.latest_message.intent_ranking", ["a"]),
        "tracker.latest_message.intent_ranking[0]",
    ),
    "ranking name null": (
        "action_fallback",
        _set("tracker.latest_message.intent_ranking.0.name", None),
        "tracker.latest_message.intent_ranking[0].name",
    ),
    "ranking confidence not number": (
        "action_fallback",
        _set("tracker.latest_message.intent_ranking.0.confidence", "high"),
        "tracker.latest_message.intent_ranking[0].confidence",
    ),
    "text not text": (
        "validate_consultation_form",
        _set("tracker.latest_message.text", 42),
        "tracker.latest_message.text",
    ),
    "response selector not object": (
        "action_answer_faq",
        _set("tracker.latest_message.response_selector", "faq"),
        "tracker.latest_message.response_selector",
    ),
    "events not list": ("action_greet", _set("tracker.events", {}), "tracker.events"),
    "event not object": (
        "action_submit_consultation",
        _set("tracker.events", [1]),
        "tracker.events[0]",
    ),
    "event without kind": (
        "validate_consultation_form",
        _set("tracker.events", [{"name": "phone", "value": "x"}]),
        "tracker.events[0].event",
    ),
    "event text not text": (
        "action_submit_consultation",
        _set("tracker.events", [{"event": "user", "text": ["hi"]}]),
        "tracker.events[0].text",
    ),
    "event timestamp not number": (
        "action_submit_consultation",
        _set("tracker.events", [{"event": "user", "text": "hi", "timestamp": "now"}]),
        "tracker.events[0].timestamp",
    ),
    "slot event without name": (
        "validate_consultation_form",
        _set("tracker.events", [{"event": "slot", "value": "x"}]),
        "tracker.events[0].name",
    ),
    "active loop not object": (
        "action_crisis",
        _set("tracker.active_loop", "x"),
        "tracker.active_loop",
    ),
    "active loop name not text": (
        "action_crisis",
        _set("tracker.active_loop", {"name": 3}),
        "tracker.active_loop.name",
    ),
    "domain not object": ("action_greet", _set("domain", "x"), "domain"),
    "domain forms not object": (
        "validate_consultation_form",
        _set("domain.forms", "x"),
        "domain.forms",
    ),
}


@pytest.mark.parametrize(
    ("action", "change", "field"),
    MALFORMED_TRACKERS.values(),
    ids=list(MALFORMED_TRACKERS),
)
def test_a_malformed_tracker_is_400_naming_the_field(
    runtime: Runtime,
    call_action: Callable[[dict[str, Any]], Any],
    action: str,
    change: Callable[[dict[str, Any]], None],
    field: str,
) -> None:
    call = rasa_call(runtime, action, "hello", slots=FILLED, active_loop=FORM)
    change(call)
    response = call_action(call)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["error"]
    assert runtime.store.handoffs() == []


@pytest.mark.parametrize(
    "change",
    [
        _set("tracker.latest_message", None),
        _set("tracker.latest_message.intent", None),
        _set("tracker.latest_message.text", None),
        _set("tracker.active_loop", None),
        _drop("tracker.slots"),
        _drop("tracker.events"),
    ],
    ids=["no message", "no intent", "no text", "no loop", "no slots", "no events"],
)
def test_what_rasa_may_leave_out_is_accepted(
    runtime: Runtime,
    call_action: Callable[[dict[str, Any]], Any],
    change: Callable[[dict[str, Any]], None],
) -> None:
    call = rasa_call(runtime, "action_fallback", "zxqv blorp wibble")
    change(call)
    assert call_action(call).status_code == 200


# --- the shared token ------------------------------------------------------------


@pytest.mark.parametrize(("method", "url"), [("post", "/webhook"), ("get", "/actions")])
@pytest.mark.parametrize(
    "query",
    [{}, {"token": ""}, {"token": TOKEN[:-1]}, {"token": TOKEN + "x"}, {"tok": TOKEN}],
    ids=["missing", "empty", "short", "long", "misnamed"],
)
def test_a_missing_or_wrong_token_is_403(
    client: FlaskClient, runtime: Runtime, method: str, url: str, query: dict[str, str]
) -> None:
    call = rasa_call(runtime, "action_submit_consultation", "yes", slots=FILLED)
    response = getattr(client, method)(url, json=call, query_string=query)
    assert response.status_code == 403
    assert "token" in response.get_json()["error"]
    assert runtime.store.handoffs() == []


def test_a_wrong_token_is_refused_before_the_body_is_read(client: FlaskClient) -> None:
    response = client.post(
        "/webhook",
        data="{not json",
        content_type="application/json",
        query_string={"token": "guess"},
    )
    assert response.status_code == 403


def test_a_token_with_other_characters_is_refused_not_crashed(
    client: FlaskClient,
) -> None:
    # hmac.compare_digest refuses non-ASCII str, so the comparison is on bytes.
    response = client.get("/actions", query_string={"token": "tökén"})
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "url"), [("post", "/webhook"), ("get", "/actions")])
def test_without_a_configured_token_the_action_server_is_closed(
    runtime: Runtime, method: str, url: str
) -> None:
    closed = replace(runtime, settings=replace(runtime.settings, action_token=None))
    client = create_app(runtime=closed).test_client()
    call = rasa_call(runtime, "action_submit_consultation", "yes", slots=FILLED)
    for query in ({}, {"token": ""}, {"token": "None"}):
        response = getattr(client, method)(url, json=call, query_string=query)
        assert response.status_code == 403
        assert "FAQBOT_ACTION_TOKEN" in response.get_json()["error"]
    assert runtime.store.handoffs() == []


def test_the_rest_channel_needs_no_token(converse: Callable[..., list[str]]) -> None:
    assert "automated assistant" in converse("hello")[0]


# Reach a prompt through the engine, then say one more thing.
PROMPTS = {
    "start": [],
    "phone": ["I'd like to book a consultation", "Grace Whitfield"],
    "email": ["I'd like to book a consultation", "Grace Whitfield", "513-555-0163"],
}


@pytest.mark.parametrize(
    ("prompt", "text"),
    [
        ("start", DETAILS),
        ("phone", "513.555.0163"),
        ("phone", "call me maybe"),
        ("phone", "+44 20 7946 0958"),
        ("email", "grace.whitfield@example.com"),
        ("email", "actually my number is 513-555-0177"),
        ("email", "actually my number is 12"),
    ],
)
def test_form_validation_matches_the_engine(
    runtime: Runtime,
    converse: Callable[..., list[str]],
    call_action: Callable[[dict[str, Any]], Any],
    prompt: str,
    text: str,
) -> None:
    for message in PROMPTS[prompt]:
        converse(message)
    before = runtime.store.conversation("rest", "visitor").state
    slots = dict(before.get("slots") or {})
    body = rasa_call(
        runtime, "validate_consultation_form", text, slots=slots, active_loop=FORM
    )
    response = call_action(body)
    assert response.status_code == 200
    result = response.get_json()

    replies = converse(text)
    after = runtime.store.conversation("rest", "visitor").state["slots"]
    for event in result["events"]:
        slots[event["name"]] = event["value"]
    assert {s: slots.get(s) for s in FORM_SLOTS} == {
        s: after.get(s) for s in FORM_SLOTS
    }
    # What validation says (a correction's note) opens the engine's turn.
    server_texts = [r["text"] for r in result["responses"]]
    assert replies[: len(server_texts)] == server_texts
    rejection = slots.get("rejection")
    if rejection:
        assert replies == [rejection]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_crisis_reply_reads_the_crisis_block_rasa_passes_on(
    runtime: Runtime, call_action: Callable[[dict[str, Any]], Any], language: str
) -> None:
    """With faqbot's /model/parse as Rasa's NLU, the latest message carries the
    parse's crisis block: the reply suits its kind and language, and a form in
    progress is offered back."""
    body = rasa_call(
        runtime,
        "action_crisis",
        "i took all my pills an hour ago",
        slots={"name": "Grace Whitfield", "requested_slot": "phone"},
        active_loop=FORM,
    )
    block = body["tracker"]["latest_message"]["crisis"]
    assert block["kind"] == "overdose"
    block["language"] = language  # as a Spanish-reading detector would say
    response = call_action(body)
    assert response.status_code == 200, response.get_json()
    [reply] = response.get_json()["responses"]
    assert reply["text"] == crisis_reply("overdose", language).text
    assert "1-800-222-1222" in reply["text"]
    assert [b["payload"] for b in reply["buttons"]] == ["/request_consultation"]
    assert reply["custom"]["language"] == language
