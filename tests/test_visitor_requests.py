"""Transcripts through the REST channel: asking for a person, asking about the
treatment, and one decision per reply in the middle of the consultation form."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.conversation.replies import CANCELLED
from bot.knowledge import KnowledgeBase
from bot.storage import Store

Converse = Callable[..., list[str]]

CALL_BACK = "A member of our staff will call you back"
NAME_Q = "what is your full name?"
PHONE_Q = "What is the best phone number to reach you?"
EMAIL_Q = "What is your email address?"
TIME_Q = "When is a good time for us to contact you?"
CONDITION_Q = "what pain condition would you like help with?"
RECEIVED = "We have received your consultation request"


@pytest.mark.parametrize(
    "request_text",
    [
        "talk to a person",
        "agent",
        "representative",
        "get me a human",
        "operator",
        "can I speak to a real person please",
        "quiero hablar con una persona",
    ],
)
def test_a_request_for_a_person_starts_the_form_saying_staff_will_call(
    converse: Converse, request_text: str
) -> None:
    [reply] = converse(request_text)
    assert reply.startswith(CALL_BACK)
    assert NAME_Q in reply


@pytest.mark.parametrize(
    "question", ["tell me about your treatment", "what treatment do you offer?"]
)
def test_asking_about_the_treatment_is_answered_not_booked(
    converse: Converse, knowledge: KnowledgeBase, store: Store, question: str
) -> None:
    replies = converse(question)
    assert knowledge.topic("what_is_ketamine_therapy").answer in replies[0]
    assert store.conversation("rest", "visitor").state["active_loop"] is None


@pytest.mark.parametrize(
    ("greeting", "expected"),
    [
        ("hola", "Hello!"),
        ("gracias", "welcome"),
        ("adiós", "Take care"),
    ],
)
def test_spanish_greetings_thanks_and_goodbyes_are_understood(
    converse: Converse, greeting: str, expected: str
) -> None:
    assert expected.lower() in converse(greeting)[0].lower()


# --- mid-form: an answer, a question, or a withdrawal ------------------------------

TO_NAME = ["I'd like to book a consultation"]
TO_PHONE = [*TO_NAME, "Grace Whitfield"]
TO_EMAIL = [*TO_PHONE, "513-555-0163"]
TO_TIME = [*TO_EMAIL, "skip"]
TO_CONDITION = [*TO_TIME, "mornings"]


@pytest.mark.parametrize(
    ("before", "withdrawal"),
    [
        (TO_PHONE, "no thanks, not now"),
        (TO_TIME, "actually never mind, i don't want to do this right now"),
        (TO_CONDITION, "I changed my mind, don't call me"),
        (TO_NAME, "no"),
        (TO_EMAIL, "Not right now, maybe another time."),
    ],
    ids=["phone", "time", "condition", "name", "email"],
)
def test_a_withdrawal_ends_the_form_and_stores_nothing(
    converse: Converse, store: Store, before: list[str], withdrawal: str
) -> None:
    for text in before:
        converse(text)
    [reply] = converse(withdrawal)
    assert CANCELLED in reply
    state = store.conversation("rest", "visitor").state
    assert state["active_loop"] is None
    assert all(state["slots"].get(s) is None for s in ("name", "phone", "email"))
    assert store.handoffs() == []


def test_a_lone_no_at_an_optional_question_skips_it(
    converse: Converse, store: Store
) -> None:
    for text in TO_EMAIL:
        converse(text)
    assert TIME_Q in converse("no thanks")[0]
    assert store.conversation("rest", "visitor").state["active_loop"] is not None


@pytest.mark.parametrize(
    ("before", "question", "asked_again"),
    [
        (TO_CONDITION, "what did you just do with my info?", CONDITION_Q),
        (TO_TIME, "wait, what happens to my details?", TIME_Q),
        (TO_CONDITION, "is the infusion painful?", CONDITION_Q),
        (TO_TIME, "what are your hours on tuesday?", TIME_Q),
    ],
)
def test_a_question_mid_form_is_answered_and_the_question_comes_back(
    converse: Converse,
    store: Store,
    before: list[str],
    question: str,
    asked_again: str,
) -> None:
    for text in before:
        converse(text)
    replies = converse(question)
    assert asked_again in replies[-1]
    assert len(replies) >= 2
    slots = store.conversation("rest", "visitor").state["slots"]
    assert question not in {slots.get("preferred_time"), slots.get("condition")}


def test_a_question_is_never_stored_as_a_detail(
    converse: Converse, store: Store
) -> None:
    for text in TO_CONDITION:
        converse(text)
    converse("what did you just do with my info?")
    converse("chronic back pain since 2019")
    assert RECEIVED in converse("yes")[0]
    [handoff] = store.handoffs()
    assert handoff.condition == "chronic back pain since 2019"
    assert handoff.preferred_time == "mornings"


@pytest.mark.parametrize(
    "answer", ["can you call after 5?", "tuesday or thursday afternoon?"]
)
def test_a_time_given_as_a_question_is_still_the_time(
    converse: Converse, store: Store, answer: str
) -> None:
    for text in TO_TIME:
        converse(text)
    assert CONDITION_Q in converse(answer)[0]
    assert (
        store.conversation("rest", "visitor").state["slots"]["preferred_time"] == answer
    )
