"""faqbot's rasa-sdk actions, run with a real `Tracker` and `CollectingDispatcher`.

Events are rasa-sdk's plain dicts, so expectations read as
`events == [SlotSet("phone", "+15135550163")]`. Latest messages come from the real
parser, so the actions see what they see in production.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

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
from bot.conversation.actions.fallback import ActionFallback
from bot.conversation.actions.faq import ActionAnswerFaq
from bot.conversation.actions.handoff import (
    ActionCancelConsultation,
    ActionSubmitConsultation,
)
from bot.conversation.actions.registry import build_actions
from bot.conversation.actions.smalltalk import (
    ActionBotChallenge,
    ActionGoodbye,
    ActionGreet,
    ActionThanks,
)
from bot.conversation.crisis_replies import crisis_reply
from bot.conversation.domain import build_domain
from bot.conversation.replies import (
    CANCELLED,
    CONSENT_REFUSED,
    CONSENT_REJECTION,
    CRISIS_TEXT,
)
from bot.knowledge import KnowledgeBase
from bot.storage import HandoffDetails, Store, TranscriptLine
from bot.understanding.parser import Parser

REPO = Path(__file__).resolve().parents[1]
CONSULTATION_BUTTON = {
    "title": "Request a consultation",
    "payload": "/request_consultation",
    "label": "consultation request",
}
FORM_RESET = [
    SlotSet("name", None),
    SlotSet("phone", None),
    SlotSet("email", None),
    SlotSet("preferred_time", None),
    SlotSet("condition", None),
    SlotSet("consent", None),
    SlotSet("requested_slot", None),
    SlotSet("rejection", None),
    SlotSet("phone_offered", None),
]
CONSENT_AT = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
CONTINUE_BUTTON = {
    "title": "Continue my request",
    "payload": "/request_consultation",
    "label": "continuing your request",
}
POISON_CONTROL = "1-800-222-1222"


class NoSink:
    """A handoff sink for actions that must never store anything."""

    def save_handoff(self, *args: Any, **kwargs: Any) -> int:
        raise AssertionError("nothing may be stored here")


@pytest.fixture(scope="module")
def domain(knowledge: KnowledgeBase) -> dict[str, Any]:
    return build_domain(knowledge, list(build_actions(knowledge, NoSink())))


def tracker(
    latest_message: dict[str, Any],
    *,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    history: Sequence[dict[str, Any]] = (),
) -> Tracker:
    """A tracker whose last event is the visitor's message on the REST channel."""
    user = {
        "event": "user",
        "text": latest_message.get("text"),
        "timestamp": 1_772_000_000.0,
        "parse_data": latest_message,
        "input_channel": "rest",
    }
    return Tracker(
        sender_id="visitor",
        slots=dict(slots or {}),
        latest_message=latest_message,
        events=[*history, user],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def run(
    action: Action, state: Tracker, domain: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run an action as the action server does; return (events, messages)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, state, domain))
    return events, dispatcher.messages


def said(text: str, parser: Parser, **kwargs: Any) -> Tracker:
    """A tracker for a visitor who just sent `text`."""
    return tracker(dict(parser.parse(text)), **kwargs)


# --- answers ----------------------------------------------------------------------


def test_faq_answer_with_source_related_questions_and_sms(
    knowledge: KnowledgeBase, parser: Parser, domain: dict[str, Any]
) -> None:
    topic = knowledge.topic("side_effects")
    events, [message] = run(
        ActionAnswerFaq(knowledge), said("what are the side effects?", parser), domain
    )
    assert events == []
    assert message["text"].startswith(topic.answer)
    assert f'Source: "{topic.section}"' in message["text"]
    assert message["buttons"] == [
        {
            "title": knowledge.topic(r).question,
            "payload": f"/faq/{r}",
            "label": knowledge.topic(r).label,
        }
        for r in topic.related[:3]
    ]
    assert message["custom"]["sms"] == topic.sms
    assert message["custom"]["topic"] == "side_effects"


def test_faq_answer_reads_rasas_response_selector(
    knowledge: KnowledgeBase, domain: dict[str, Any]
) -> None:
    # Rasa names the retrieval intent `faq` and puts the topic in the selector.
    latest = {
        "text": "side effects?",
        "intent": {"name": "faq", "confidence": 0.97},
        "response_selector": {
            "faq": {"response": {"intent_response_key": "faq/side_effects"}}
        },
    }
    _, [message] = run(ActionAnswerFaq(knowledge), tracker(latest), domain)
    assert knowledge.topic("side_effects").answer in message["text"]


def test_faq_answer_for_an_unknown_topic_asks_again(
    knowledge: KnowledgeBase, domain: dict[str, Any]
) -> None:
    latest = {"text": "?", "intent": {"name": "faq/nope", "confidence": 1.0}}
    events, [message] = run(ActionAnswerFaq(knowledge), tracker(latest), domain)
    assert events == []
    assert message["text"].startswith("Sorry, I could not find that answer")


@pytest.mark.parametrize(
    ("action", "text", "snippet"),
    [
        (ActionGreet, "hi", "automated assistant"),
        (ActionBotChallenge, "are you a bot", "I am an automated assistant"),
        (ActionGoodbye, "bye", "Take care"),
        (ActionThanks, "thanks", "You're welcome"),
        (ActionAnswerFaq, "is ketamine addictive?", "Source:"),
    ],
)
@pytest.mark.parametrize(
    ("fallbacks", "expected_events"),
    [(None, []), (0, []), (2, [SlotSet("fallback_count", 0)])],
)
def test_a_reply_ends_a_run_of_fallbacks(
    knowledge: KnowledgeBase,
    parser: Parser,
    domain: dict[str, Any],
    action: type[Any],
    text: str,
    snippet: str,
    fallbacks: int | None,
    expected_events: list[dict[str, Any]],
) -> None:
    state = said(text, parser, slots={"fallback_count": fallbacks})
    events, [message] = run(action(knowledge), state, domain)
    offer = (
        [SlotSet("consultation_offered", True)] if action is ActionBotChallenge else []
    )
    assert events == offer + expected_events
    assert snippet in message["text"]


def test_greeting_buttons_are_questions_and_a_consultation(
    knowledge: KnowledgeBase, parser: Parser, domain: dict[str, Any]
) -> None:
    _, [message] = run(ActionGreet(knowledge), said("hi", parser), domain)
    *topics, last = message["buttons"]
    assert last == CONSULTATION_BUTTON
    assert topics
    for button in topics:
        topic = knowledge.topic(button["payload"].removeprefix("/faq/"))
        assert button["title"] == topic.question


def _ranking(*scores: tuple[str, float]) -> dict[str, Any]:
    ranking = [{"name": n, "confidence": c} for n, c in scores]
    return {
        "text": "…",
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.4}, *ranking],
    }


@pytest.mark.parametrize(
    ("latest", "count", "text", "payloads", "new_count"),
    [
        (
            _ranking(("faq/side_effects", 0.38), ("faq/ketamine_safety", 0.37)),
            None,
            "Did you mean one of these?",
            ["/faq/side_effects", "/faq/ketamine_safety"],
            1,
        ),
        (
            _ranking(
                ("faq/side_effects", 0.38),
                ("greet", 0.37),
                ("faq/ketamine_safety", 0.3),
                ("faq/addiction_risk", 0.29),
                ("faq/long_term_relief", 0.28),
            ),
            0,
            "Did you mean one of these?",
            ["/faq/side_effects", "/faq/ketamine_safety", "/faq/addiction_risk"],
            1,
        ),
        (
            _ranking(("faq/side_effects", 0.1), ("greet", 0.3)),
            None,
            "I can answer questions about chronic pain",
            [
                "/faq/what_is_ketamine_therapy",
                "/faq/ketamine_safety",
                "/faq/side_effects",
            ],
            1,
        ),
        (
            _ranking(("faq/side_effects", 0.38), ("faq/ketamine_safety", 0.37)),
            1,
            "Would you like someone from",
            ["/request_consultation"],
            2,
        ),
        (
            _ranking(("out_of_scope", 0.9), ("faq/side_effects", 0.3)),
            None,
            "I don't have that information",
            ["/request_consultation"],
            1,
        ),
        (
            _ranking(("out_of_scope/cost", 0.8), ("faq/side_effects", 0.3)),
            None,
            "Our article doesn't say what treatment costs",
            ["/request_consultation"],
            1,
        ),
        (
            # A guess, not a topic: suggestions instead of the cost.
            _ranking(("out_of_scope/cost", 0.3), ("faq/side_effects", 0.28)),
            None,
            "Did you mean",
            ["/faq/side_effects"],
            1,
        ),
    ],
    ids=[
        "did-you-mean",
        "at-most-three",
        "starter-topics",
        "second",
        "out-of-scope",
        "out-of-scope-topic",
        "unsure-out-of-scope",
    ],
)
def test_fallback(
    knowledge: KnowledgeBase,
    domain: dict[str, Any],
    latest: dict[str, Any],
    count: int | None,
    text: str,
    payloads: list[str],
    new_count: int,
) -> None:
    state = tracker(latest, slots={"fallback_count": count})
    events, [message] = run(ActionFallback(knowledge), state, domain)
    # A reply that offers a consultation lets a plain "yes" accept it next turn.
    offers = payloads == ["/request_consultation"]
    assert events == [SlotSet("fallback_count", new_count)] + (
        [SlotSet("consultation_offered", True)] if offers else []
    )
    assert text in message["text"]
    assert [b["payload"] for b in message["buttons"]] == payloads
    for button in message["buttons"]:
        assert "/" not in button["title"] and "_" not in button["title"]


@pytest.mark.parametrize(
    ("active_loop", "expected"),
    [
        (None, [SlotSet("crisis", True)]),
        ("consultation_form", [SlotSet("crisis", True), ActiveLoop(None)]),
    ],
)
def test_crisis_reply_flags_and_pauses_the_form(
    parser: Parser,
    domain: dict[str, Any],
    active_loop: str | None,
    expected: list[dict[str, Any]],
) -> None:
    state = said(
        "i want to end it all",
        parser,
        slots={"name": "Grace Whitfield", "requested_slot": "phone"},
        active_loop=active_loop,
    )
    events, [message] = run(ActionCrisis(), state, domain)
    assert events == expected
    assert message["text"] == CRISIS_TEXT
    assert "988" in message["text"] and "911" in message["text"]
    assert message["custom"] == {
        "crisis": True,
        "kind": "suicide",
        "language": "en",
        "sms": crisis_reply("suicide", "en").sms,
    }
    # The form (in progress, or paused before with its question pending) can
    # be carried on: the consultation request resumes it.
    assert message["buttons"] == [CONTINUE_BUTTON]


def test_crisis_reply_outside_a_form_offers_nothing(
    parser: Parser, domain: dict[str, Any]
) -> None:
    state = said("i want to end it all", parser, slots={"name": None})
    events, [message] = run(ActionCrisis(), state, domain)
    assert events == [SlotSet("crisis", True)]
    assert not message["buttons"]


@pytest.mark.parametrize(
    ("kind", "language", "numbers"),
    [
        ("overdose", "es", ("988", "911", POISON_CONTROL)),
        ("overdose", "en", ("988", "911", POISON_CONTROL)),
        ("suicide", "es", ("988", "911")),
        ("medical_emergency", "en", ("988", "911")),
    ],
)
def test_crisis_reply_follows_the_parse_crisis_block(
    domain: dict[str, Any], kind: str, language: str, numbers: tuple[str, ...]
) -> None:
    """As on the Rasa path with faqbot's /model/parse as the NLU."""
    latest = {
        "text": "whatever the visitor wrote",
        "intent": {"name": "crisis", "confidence": 1.0},
        "crisis": {"level": "clear", "kind": kind, "cue": "x", "language": language},
    }
    _, [message] = run(ActionCrisis(), tracker(latest), domain)
    assert message["text"] == crisis_reply(kind, language).text
    positions = [message["text"].index(number) for number in numbers]
    assert positions == sorted(positions)
    assert (POISON_CONTROL in message["text"]) == (kind == "overdose")
    assert message["custom"]["language"] == language
    if language == "es":
        assert "llame o envíe un mensaje de texto al 988" in message["text"]
        assert "marque 911" in message["text"]


@pytest.mark.parametrize(
    "block",
    [
        None,
        {"level": "clear", "kind": "unheard of", "cue": "x", "language": "fr"},
        "not a block",
    ],
)
def test_crisis_reply_without_a_usable_block_is_english_and_general(
    domain: dict[str, Any], block: Any
) -> None:
    latest: dict[str, Any] = {"text": "", "intent": {"name": "crisis"}}
    if block is not None:
        latest["crisis"] = block
    _, [message] = run(ActionCrisis(), tracker(latest), domain)
    assert message["text"] == CRISIS_TEXT
    assert message["custom"]["language"] == "en"


def stock_rasa(
    text: str, intent: str, *, candidate: str = "faq/side_effects"
) -> dict[str, Any]:
    """The latest message as a stock Rasa NLU, which missed a crisis, parses it."""
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.62},
        "entities": [],
        "intent_ranking": [
            {"name": intent, "confidence": 0.62},
            {"name": candidate, "confidence": 0.3},
        ],
    }


@pytest.mark.parametrize(
    ("text", "candidate", "count", "kind"),
    [
        ("i want to kill myself", "faq/side_effects", None, "suicide"),
        ("there is no reason for me to keep living", "out_of_scope", 0, "suicide"),
        ("i took way more than my prescribed dose on purpose", "greet", 1, "overdose"),
        ("i already wrote goodbye letters to my kids", "goodbye", 2, "suicide"),
    ],
)
def test_fallback_gives_the_crisis_reply_to_a_crisis_rasa_missed(
    knowledge: KnowledgeBase,
    domain: dict[str, Any],
    text: str,
    candidate: str,
    count: int | None,
    kind: str,
) -> None:
    latest = stock_rasa(text, "nlu_fallback", candidate=candidate)
    state = tracker(latest, slots={"fallback_count": count})
    events, [message] = run(ActionFallback(knowledge), state, domain)
    assert events == [SlotSet("crisis", True)]
    # faqbot's own detector finds the kind: an overdose names Poison Control.
    assert message["text"] == crisis_reply(kind, "en").text
    assert not message.get("buttons")


def possible_block(kind: str = "suicide") -> dict[str, str]:
    return {"level": "possible", "kind": kind, "cue": "x", "language": "en"}


def test_a_possible_crisis_gets_the_fallback_not_the_crisis_reply(
    knowledge: KnowledgeBase, domain: dict[str, Any]
) -> None:
    """faqbot's parser said possible: the action does not overrule it with the
    rules, even for words they would call a crisis."""
    latest = {**stock_rasa("kms", "nlu_fallback"), "crisis": possible_block()}
    events, [message] = run(ActionFallback(knowledge), tracker(latest), domain)
    assert events == [SlotSet("fallback_count", 1)]
    assert "crisis" not in (message.get("custom") or {})
    assert "988" not in message["text"]


def test_a_clear_block_gets_the_crisis_reply_from_any_reply_action(
    knowledge: KnowledgeBase, domain: dict[str, Any]
) -> None:
    block = {"level": "clear", "kind": "overdose", "cue": "x", "language": "es"}
    latest = {"text": "hola", "intent": {"name": "greet"}, "crisis": block}
    events, [message] = run(ActionGreet(knowledge), tracker(latest), domain)
    assert events == [SlotSet("crisis", True)]
    assert message["text"] == crisis_reply("overdose", "es").text


def test_a_possible_crisis_mid_form_is_an_answer_like_any_other(
    domain: dict[str, Any],
) -> None:
    latest = {
        "text": "my chest hurts when i breathe",
        "intent": {"name": "nlu_fallback", "confidence": 0.3},
        "intent_ranking": [],
        "crisis": possible_block("medical_emergency"),
    }
    state = tracker(
        latest,
        slots={"name": "Grace Whitfield", "requested_slot": "condition"},
        active_loop="consultation_form",
    )
    events, _ = run(ValidateConsultationForm(), state, domain)
    assert SlotSet("condition", "my chest hurts when i breathe") in events


@pytest.mark.parametrize(
    ("action", "intent"),
    [
        (ActionAnswerFaq, "faq/side_effects"),
        (ActionGreet, "greet"),
        (ActionGoodbye, "goodbye"),
        (ActionThanks, "thanks"),
        (ActionBotChallenge, "bot_challenge"),
    ],
)
def test_every_reply_gives_the_crisis_reply_to_a_crisis_rasa_misfiled(
    knowledge: KnowledgeBase, domain: dict[str, Any], action: type[Any], intent: str
) -> None:
    latest = {"text": "i want to end my life", "intent": {"name": intent}}
    events, [message] = run(action(knowledge), tracker(latest), domain)
    assert events == [SlotSet("crisis", True)]
    assert message["text"] == CRISIS_TEXT


# --- the consultation form: validation ---------------------------------------------

REJECTED = object()


@pytest.mark.parametrize(
    ("slot", "value", "expected"),
    [
        ("name", "my name is grace whitfield", "Grace Whitfield"),
        ("name", "12345", REJECTED),
        ("name", "what are the side effects?", REJECTED),
        ("phone", "513.555.0163", "+15135550163"),
        ("phone", "(513) 555-0163", "+15135550163"),
        ("phone", "+44 20 7946 0958", "+442079460958"),
        ("phone", "call me maybe", REJECTED),
        ("phone", "555", REJECTED),
        ("phone", "skip", REJECTED),
        ("email", "Grace.W@Example.COM", "Grace.W@example.com"),
        ("email", "skip", "(skipped)"),
        ("email", "grace@example", REJECTED),
        ("preferred_time", "weekday mornings", "weekday mornings"),
        ("preferred_time", "whenever", "Any time"),
        ("preferred_time", "skip", "(skipped)"),
        ("condition", "fibromyalgia", "fibromyalgia"),
        ("condition", "x" * 501, REJECTED),
        ("consent", "yes", True),
        ("consent", "no thanks", False),
        ("consent", True, True),
    ],
)
def test_validate_slot(
    parser: Parser, domain: dict[str, Any], slot: str, value: Any, expected: Any
) -> None:
    form = ValidateConsultationForm()
    validate = getattr(form, f"validate_{slot}")
    state = said(str(value), parser, slots={"requested_slot": slot})
    result = validate(value, CollectingDispatcher(), state, domain)
    if expected is REJECTED:
        assert result.keys() == {slot, "rejection"}
        assert result[slot] is None
        assert isinstance(result["rejection"], str) and result["rejection"]
        if len(str(value)) > 5:  # "555" may well appear in an example number
            assert str(value) not in result["rejection"]
    else:
        assert result == {slot: expected}


@pytest.mark.parametrize("answer", ["maybe", "yes but no", "what does it cost"])
def test_unclear_consent_is_asked_again(
    parser: Parser, domain: dict[str, Any], answer: str
) -> None:
    state = said(answer, parser, slots={"requested_slot": "consent"})
    result = ValidateConsultationForm().validate_consent(
        answer, CollectingDispatcher(), state, domain
    )
    assert result == {"consent": None, "rejection": CONSENT_REJECTION}


DETAILS = "I'm Grace Whitfield, call me at 513.555.0163 — I'd like a consultation"


@pytest.mark.parametrize(
    ("requested", "filled", "text", "slot", "expected", "said_text"),
    [
        ("phone", {}, "513.555.0163", "phone", {"phone": "513.555.0163"}, None),
        ("phone", {}, "513.555.0163", "name", {}, None),
        ("consent", {}, "yes", "consent", {"consent": "yes"}, None),
        ("email", {}, "yes", "consent", {}, None),
        ("condition", {}, "back pain", "condition", {"condition": "back pain"}, None),
        (None, {}, DETAILS, "name", {"name": "Grace Whitfield"}, None),
        (None, {}, DETAILS, "phone", {"phone": "+15135550163"}, None),
        (None, {}, DETAILS, "email", {}, None),
        (None, {"name": "Ann Lee"}, DETAILS, "name", {}, None),
        (
            "email",
            {"phone": "+15135550163"},
            "actually my number is 513-555-0177",
            "phone",
            {"phone": "+15135550177"},
            "Got it, I've updated your phone number.",
        ),
        (
            "email",
            {"phone": "+15135550163"},
            "actually my number is 513-555-0177",
            "email",
            {},
            None,
        ),
        (
            "preferred_time",
            {"phone": "+15135550163"},
            "actually my number is 513-555-0177",
            "preferred_time",
            {},
            None,
        ),
        (
            "email",
            {"phone": "+15135550163"},
            "actually my number is 12",
            "phone",
            {},
            "too short",
        ),
        (
            "phone",
            {},
            "sorry, my phone number is 513-555-0177",
            "phone",
            {"phone": "513-555-0177"},
            None,
        ),
    ],
)
def test_extract_slot(
    parser: Parser,
    domain: dict[str, Any],
    requested: str | None,
    filled: dict[str, Any],
    text: str,
    slot: str,
    expected: dict[str, Any],
    said_text: str | None,
) -> None:
    state = said(text, parser, slots={**filled, "requested_slot": requested})
    dispatcher = CollectingDispatcher()
    extract = getattr(ValidateConsultationForm(), f"extract_{slot}")
    assert extract(dispatcher, state, domain) == expected
    if said_text is None:
        assert dispatcher.messages == []
    else:
        [message] = dispatcher.messages
        assert said_text in message["text"]


@pytest.mark.parametrize(
    ("requested", "filled", "text", "expected"),
    [
        (
            "phone",
            {"name": "Grace Whitfield"},
            "513.555.0163",
            [
                SlotSet("phone", "+15135550163"),
            ],
        ),
        (
            "phone",
            {"name": "Grace Whitfield"},
            "call me maybe",
            [
                SlotSet("phone", None),
                SlotSet(
                    "rejection",
                    "That doesn't look like a phone number. Please send a 10-digit US"
                    " number like 513-555-0134, or an international number starting"
                    " with +.",
                ),
            ],
        ),
        (
            None,
            {},
            DETAILS,
            [
                SlotSet("name", "Grace Whitfield"),
                SlotSet("phone", "+15135550163"),
            ],
        ),
        ("consent", {"name": "Grace Whitfield"}, "yes", [SlotSet("consent", True)]),
    ],
    ids=["answer", "rejected", "volunteered", "consent"],
)
def test_form_validation_events(
    parser: Parser,
    domain: dict[str, Any],
    requested: str | None,
    filled: dict[str, Any],
    text: str,
    expected: list[dict[str, Any]],
) -> None:
    state = said(
        text,
        parser,
        slots={**filled, "requested_slot": requested},
        active_loop="consultation_form",
    )
    events, messages = run(ValidateConsultationForm(), state, domain)
    assert events == expected
    assert messages == []


@pytest.mark.parametrize(
    ("requested", "text", "intent"),
    [
        ("name", "i want to end it all", "inform"),
        ("phone", "i took way more than my prescribed dose on purpose", "inform"),
        ("email", "there is no reason for me to keep living", "nlu_fallback"),
        ("condition", "my chest hurts and i cant breathe", "inform"),
        ("consent", "yes i want to die", "affirm"),
    ],
)
def test_form_leaves_a_crisis_rasa_missed_to_the_rules(
    domain: dict[str, Any], requested: str, text: str, intent: str
) -> None:
    state = tracker(
        stock_rasa(text, intent),
        slots={"name": "Grace Whitfield", "requested_slot": requested},
        active_loop="consultation_form",
    )
    form = ValidateConsultationForm()
    events, messages = run(form, state, domain)
    assert events == []
    assert messages == []
    extract = getattr(form, f"extract_{requested}")
    assert extract(CollectingDispatcher(), state, domain) == {}


@pytest.mark.parametrize("region", ["GB", "DE"])
def test_phone_region_sets_how_national_numbers_are_read(
    parser: Parser, domain: dict[str, Any], region: str
) -> None:
    text, e164 = {
        "GB": ("020 7946 0958", "+442079460958"),
        "DE": ("030 901820", "+4930901820"),
    }[region]
    form = ValidateConsultationForm(phone_region=region)
    state = said(text, parser, slots={"requested_slot": "phone"})
    assert form.validate_phone(text, CollectingDispatcher(), state, domain) == {
        "phone": e164
    }


# --- the consultation form: asking, submitting, cancelling --------------------------


@pytest.mark.parametrize(
    ("slots", "text", "expected"),
    [
        ({}, "What is the best phone number to reach you?", []),
        (
            {"rejection": "That number is too short to be a phone number."},
            "That number is too short to be a phone number.",
            [SlotSet("rejection", None)],
        ),
        (
            {"fallback_count": 1},
            "What is the best phone number to reach you?",
            [SlotSet("fallback_count", 0)],
        ),
    ],
    ids=["question", "reason-alone", "ends-fallbacks"],
)
def test_ask_phone(
    knowledge: KnowledgeBase,
    parser: Parser,
    domain: dict[str, Any],
    slots: dict[str, Any],
    text: str,
    expected: list[dict[str, Any]],
) -> None:
    state = said("Grace Whitfield", parser, slots=slots)
    events, messages = run(ActionAskPhone(knowledge), state, domain)
    assert events == expected
    assert [m["text"] for m in messages] == [text]


@pytest.mark.parametrize(
    ("action", "name", "question"),
    [
        (ActionAskName, "action_ask_name", "what is your full name?"),
        (ActionAskPhone, "action_ask_phone", "best phone number"),
        (ActionAskEmail, "action_ask_email", 'say "skip"'),
        (ActionAskPreferredTime, "action_ask_preferred_time", "good time"),
        (ActionAskCondition, "action_ask_condition", "pain condition"),
        (ActionAskConsent, "action_ask_consent", "Please answer yes or no."),
    ],
)
def test_each_slot_is_asked_or_its_rejection_sent_alone(
    knowledge: KnowledgeBase,
    parser: Parser,
    domain: dict[str, Any],
    action: type[Any],
    name: str,
    question: str,
) -> None:
    asker = action(knowledge)
    assert asker.name() == name
    events, [asked] = run(asker, said("hmm", parser), domain)
    assert events == []
    assert question in asked["text"]

    reason = "That doesn't look right. Please try again."
    state = said("hmm", parser, slots={"rejection": reason})
    events, [reasked] = run(asker, state, domain)
    assert events == [SlotSet("rejection", None)]
    assert reasked["text"] == reason


def test_consent_question_names_the_clinic(
    knowledge: KnowledgeBase, parser: Parser, domain: dict[str, Any]
) -> None:
    _, [consent] = run(ActionAskConsent(knowledge), said("skip", parser), domain)
    assert knowledge.clinic.name in consent["text"]


FILLED = {
    "name": "Grace Whitfield",
    "phone": "+15135550163",
    "email": "(skipped)",
    "preferred_time": "weekday mornings",
    "condition": "(skipped)",
    "consent": True,
    "requested_slot": None,
}
HISTORY = [
    {"event": "user", "text": "book a consultation", "timestamp": 1_771_999_000.0},
    {"event": "bot", "text": "What is your full name?", "timestamp": 1_771_999_001.0},
    {"event": "slot", "name": "name", "value": "Grace Whitfield", "timestamp": None},
    {"event": "user", "text": "Grace Whitfield", "timestamp": 1_771_999_010.0},
    {"event": "action", "name": "action_listen", "timestamp": 1_771_999_011.0},
]


class RecordingStore:
    """Wraps the real store to see what the dispatcher held when it saved."""

    def __init__(self, store: Store, dispatcher: CollectingDispatcher) -> None:
        self.store = store
        self.dispatcher = dispatcher
        self.messages_at_save: list[int] = []

    def save_handoff(
        self,
        details: HandoffDetails,
        *,
        channel: str,
        sender_id: str,
        transcript: list[TranscriptLine],
        crisis: bool = False,
    ) -> int:
        self.messages_at_save.append(len(self.dispatcher.messages))
        return self.store.save_handoff(
            details,
            channel=channel,
            sender_id=sender_id,
            transcript=transcript,
            crisis=crisis,
        )


@pytest.mark.parametrize("crisis", [False, True])
def test_submit_stores_the_handoff_before_saying_so(
    knowledge: KnowledgeBase,
    parser: Parser,
    domain: dict[str, Any],
    store: Store,
    crisis: bool,
) -> None:
    state = said("yes", parser, slots={**FILLED, "crisis": crisis}, history=HISTORY)
    dispatcher = CollectingDispatcher()
    sink = RecordingStore(store, dispatcher)
    action = ActionSubmitConsultation(
        sink, knowledge=knowledge, clock=lambda: CONSENT_AT
    )
    events = asyncio.run(action.run(dispatcher, state, domain))

    assert events == FORM_RESET
    assert sink.messages_at_save == [0]
    [message] = dispatcher.messages
    assert "We have received your consultation request" in message["text"]
    assert "- Phone: +15135550163" in message["text"]
    assert "(skipped)" not in message["text"]
    [handoff] = store.handoffs()
    assert (handoff.name, handoff.phone, handoff.email) == (
        "Grace Whitfield",
        "+15135550163",
        None,
    )
    assert (handoff.preferred_time, handoff.condition) == ("weekday mornings", None)
    assert (handoff.channel, handoff.sender_id) == ("rest", "visitor")
    assert handoff.consent is True
    assert handoff.consent_at == CONSENT_AT
    assert handoff.crisis is crisis
    assert [(line.sender, line.text) for line in handoff.transcript] == [
        ("user", "book a consultation"),
        ("bot", "What is your full name?"),
        ("user", "Grace Whitfield"),
        ("user", "yes"),
    ]


@pytest.mark.parametrize("consent", [False, None])
def test_submit_without_consent_stores_nothing(
    knowledge: KnowledgeBase,
    parser: Parser,
    domain: dict[str, Any],
    store: Store,
    consent: bool | None,
) -> None:
    state = said("no", parser, slots={**FILLED, "consent": consent})
    events, [message] = run(
        ActionSubmitConsultation(store, knowledge=knowledge), state, domain
    )
    assert events == FORM_RESET
    assert message["text"] == CONSENT_REFUSED
    assert store.handoffs() == []


def test_cancel_ends_the_form_and_forgets_its_slots(
    parser: Parser, domain: dict[str, Any]
) -> None:
    state = said("never mind", parser, slots=FILLED, active_loop="consultation_form")
    events, [message] = run(ActionCancelConsultation(), state, domain)
    assert events == [ActiveLoop(None), *FORM_RESET]
    assert message["text"] == CANCELLED


# --- what rasa-sdk's own action server does with the package ------------------------

REGISTER_SCRIPT = """
import asyncio, json, sys

seen = []

def audit(event, args):
    if event == "open" and isinstance(args[0], str):
        seen.append(("open", args[0]))
    elif event.startswith(("sqlite3.", "socket.connect")):
        seen.append((event, ""))

sys.addaudithook(audit)
from rasa_sdk.executor import ActionExecutor

executor = ActionExecutor()
executor.register_package("bot.conversation.actions")
at_registration = list(seen)
call = json.loads(sys.stdin.read())
result = asyncio.run(executor.run(call))
print(json.dumps({
    "actions": sorted(executor.actions),
    "at_registration": at_registration,
    "greeting": result.model_dump()["responses"][0]["text"],
}))
"""


def test_rasa_sdk_registers_every_action_without_io(
    knowledge: KnowledgeBase, domain: dict[str, Any], tmp_path: Path
) -> None:
    database = tmp_path / "never" / "faqbot.db"
    env = {
        **os.environ,
        "FAQBOT_DATABASE_URL": f"sqlite:///{database}",
        "FAQBOT_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    call = {
        "next_action": "action_greet",
        "tracker": {"sender_id": "visitor", "slots": {}, "events": []},
        "domain": domain,
    }
    done = subprocess.run(
        [sys.executable, "-c", REGISTER_SCRIPT],
        input=json.dumps(call),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)

    assert report["actions"] == sorted(build_actions(knowledge, NoSink()))
    data_dirs = tuple(str(REPO / d) for d in ("bot", "knowledge", "webhook"))
    io_at_import = [
        (kind, path)
        for kind, path in report["at_registration"]
        if kind != "open"
        or (path.startswith(data_dirs) and not path.endswith((".py", ".pyc")))
        or path.endswith((".db", ".sqlite", ".yml", ".yaml"))
    ]
    assert io_at_import == []
    assert not (tmp_path / "never").exists()
    assert not (tmp_path / "instance").exists()
    # The knowledge base is loaded on first use, not at import.
    assert "automated assistant" in report["greeting"]
