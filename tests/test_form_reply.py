"""One decision per mid-form reply: answer, question or withdrawal (table-driven)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.conversation.form_reply import FormReply, classify, is_withdrawal

FALLBACK: dict[str, Any] = {
    "intent": {"name": "nlu_fallback", "confidence": 0.4},
    "intent_ranking": [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "faq/side_effects", "confidence": 0.3},
    ],
}
FAQ: dict[str, Any] = {
    "intent": {"name": "faq/side_effects", "confidence": 0.8},
    "intent_ranking": [{"name": "faq/side_effects", "confidence": 0.8}],
}
OUT_OF_SCOPE: dict[str, Any] = {
    "intent": {"name": "nlu_fallback", "confidence": 0.4},
    "intent_ranking": [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "out_of_scope/cost", "confidence": 0.9},
    ],
}

CASES = [
    # withdrawals, wherever they come
    (
        "actually never mind, i don't want to do this right now",
        "preferred_time",
        FormReply.WITHDRAWAL,
    ),
    ("I changed my mind, don't call me", "condition", FormReply.WITHDRAWAL),
    ("no thanks, not now", "phone", FormReply.WITHDRAWAL),
    ("no thanks, not now", "email", FormReply.WITHDRAWAL),
    ("cancel", "email", FormReply.WITHDRAWAL),
    ("please don't contact me", "consent", FormReply.WITHDRAWAL),
    ("no", "phone", FormReply.WITHDRAWAL),
    ("nope", "name", FormReply.WITHDRAWAL),
    # a lone decline at an optional question is a skip; at consent a refusal
    ("no thanks", "email", FormReply.ANSWER),
    ("not now", "condition", FormReply.ANSWER),
    ("no", "consent", FormReply.ANSWER),
    # "stop" inside an answer is no withdrawal
    ("the pain won't stop", "condition", FormReply.ANSWER),
    ("no pain meds work, sciatica", "condition", FormReply.ANSWER),
    # questions
    ("what did you just do with my info?", "condition", FormReply.QUESTION),
    ("what happens to my details", "preferred_time", FormReply.QUESTION),
    ("why do you need that?", "condition", FormReply.QUESTION),
    # answers shaped like questions
    ("can you call after 5?", "preferred_time", FormReply.ANSWER),
    ("weekday mornings?", "preferred_time", FormReply.ANSWER),
    ("when i get home from work", "preferred_time", FormReply.ANSWER),
    ("Will Johnson", "name", FormReply.ANSWER),
    ("back pain since my fall, is that ok?", "name", FormReply.ANSWER),
]


@pytest.mark.parametrize(("text", "slot", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_reply_gets_one_decision(text: str, slot: str, expected: FormReply) -> None:
    assert classify(text, FALLBACK, requested_slot=slot) is expected


@pytest.mark.parametrize("slot", ["phone", "email", "condition"])
def test_a_recognized_question_is_a_question_at_any_slot(slot: str) -> None:
    assert classify("what are the side effects?", FAQ, requested_slot=slot) is (
        FormReply.QUESTION
    )
    assert classify("how much is it?", OUT_OF_SCOPE, requested_slot=slot) is (
        FormReply.QUESTION
    )


def test_a_withdrawal_needs_every_clause_to_withdraw() -> None:
    assert not is_withdrawal("no, it's 513 555 0163", requested_slot="phone")
    assert not is_withdrawal(
        "never mind the email, grace@example.com", requested_slot="email"
    )
    assert not is_withdrawal("", requested_slot="phone")
