"""What a visitor's reply in the middle of the consultation form is: one decision.

An answer to the question asked, a question of their own (answered, then the
form's question again), or a withdrawal ("actually never mind, i don't want to
do this right now") that ends the form. A crisis comes before all three and is
the engine's. A question or a withdrawal is never stored as a detail.

Every function is pure and judges the text (and, for questions, the parse).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

from bot.conversation.answers import (
    CANCEL_PHRASES,
    is_cancel,
    looks_like_question,
    phrase_key,
)
from bot.knowledge import FAQ_PREFIX
from bot.out_of_scope import confidently_out_of_scope
from bot.understanding.parser import NLU_FALLBACK


class FormReply(Enum):
    ANSWER = "answer"
    QUESTION = "question"
    WITHDRAWAL = "withdrawal"


# Slots without which there is no request: declining them is declining it all.
REQUIRED_SLOTS = frozenset({"name", "phone"})
# Slots that take free text, where a question would otherwise pass as a value.
FREE_TEXT_SLOTS = frozenset({"preferred_time", "condition"})

# Clauses that end the request wherever they come (phrase keys: lower case, no
# apostrophes).
_WITHDRAWALS = frozenset(
    {
        *CANCEL_PHRASES,
        "dont call me",
        "do not call me",
        "please dont call me",
        "dont contact me",
        "do not contact me",
        "no calls",
        "i dont want a call",
        "i dont want to do this right now",
        "i dont want to do this now",
        "i dont want to do that",
        "i dont want to",
        "i dont want a consultation",
        "i dont want to book",
        "i dont want to book anything",
        "i dont need a consultation",
        "i dont need this",
        "im not ready",
        "i am not ready",
        "im not ready yet",
        "not ready",
        "another time",
        "some other time",
        "ill do it later",
        "i will do it later",
        "ill come back later",
        "maybe another day",
        "forget the consultation",
        "forget the appointment",
        "cancel the request",
        "cancel my request",
        "cancel the consultation",
        "stop asking me",
        "i changed my mind about this",
    }
)
# Clauses that decline; alone they skip an optional detail, at a required one or
# with another decline they end the request ("no thanks, not now").
_DECLINES = frozenset(
    {
        "no",
        "nope",
        "nah",
        "no thanks",
        "no thank you",
        "not now",
        "not right now",
        "not today",
        "not yet",
        "maybe later",
        "later",
        "rather not",
        "id rather not",
        "i would rather not",
    }
)
# Words that carry no decision at the edges of a clause.
_HEAD = re.compile(
    r"^(?:(?:actually|ok|okay|oh|um|uh|hmm|sorry|hey|so|well|just|please|maybe"
    r"|you know) )+"
)
_TAIL = re.compile(r"(?: (?:please|thanks|thank you|sorry|anyway|then|for now))+$")
_CLAUSE_BREAK = re.compile(r"[,.;:!?\n]+|\s+(?:and|but|so)\s+")
_WH_OPENERS = frozenset(
    "what whats why how hows where wheres who whos which whom".split()
)
# A time-shaped question that asks rather than offers ("when are you open?").
_ASKING_OPENERS = _WH_OPENERS | {"when"}
_TIME_WORDS = re.compile(
    r"\d|\b(?:morning|mornings|afternoon|afternoons|evening|evenings|night|noon|"
    r"lunch|am|pm|today|tonight|tomorrow|weekend|weekends|weekday|weekdays|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|"
    r"thu|thur|thurs|fri|sat|sun|anytime|any time|after|before|between|around)\b"
)


def _clauses(text: str) -> list[str]:
    keys = (phrase_key(part) for part in _CLAUSE_BREAK.split(text.lower()))
    clauses = [_TAIL.sub("", _HEAD.sub("", key)) for key in keys if key]
    return [c for c in clauses if c]


def is_withdrawal(text: str, *, requested_slot: str | None) -> bool:
    """True when the reply, clause by clause, only takes back the request.

    "actually never mind, i don't want to do this right now" and "I changed my
    mind, don't call me" anywhere; "no thanks, not now" anywhere (two
    declines); a lone "no" only at a question the request cannot do without
    (at an optional one it is a skip, at the consent question a refusal).
    """
    if is_cancel(text):
        return True
    clauses = _clauses(text)
    if not clauses or not all(c in _WITHDRAWALS or c in _DECLINES for c in clauses):
        return False
    declines = sum(c in _DECLINES for c in clauses)
    return (
        declines < len(clauses)
        or declines >= 2
        or requested_slot in REQUIRED_SLOTS
    )


def asks_something_else(latest_message: Mapping[str, Any]) -> bool:
    """True when the message's intent is a question of its own, not an answer.

    An FAQ, a question about the bot, or one out of scope: judged on the best
    real intent even when the classifier fell back, so that "how much does it
    cost?" is not stored as the answer to a free-text question.
    """
    intent = (latest_message.get("intent") or {}).get("name") or ""
    ranking = latest_message.get("intent_ranking") or []
    top = next((r for r in ranking if r.get("name") != NLU_FALLBACK), None)
    return (
        intent.startswith(FAQ_PREFIX.rstrip("/"))
        or intent == "bot_challenge"
        or (top is not None and confidently_out_of_scope(top))
    )


def is_side_question(
    text: str, latest_message: Mapping[str, Any], *, requested_slot: str | None
) -> bool:
    """True when the reply is a question of the visitor's own, not an answer.

    A question the knowledge base recognizes ("how much does it cost?"), or, at
    a free-text question, anything shaped as a question ("what did you just do
    with my info?"), unless it gives a time where a time is asked ("can you
    call after 5?").
    """
    if requested_slot == "preferred_time" and _offers_a_time(text, latest_message):
        return False
    if asks_something_else(latest_message) and looks_like_question(text):
        return True
    if requested_slot not in FREE_TEXT_SLOTS:
        return False
    words = phrase_key(text).split()
    shaped = "?" in text or bool(words and words[0] in _WH_OPENERS)
    if not shaped:
        return False
    if requested_slot == "preferred_time":
        return _TIME_WORDS.search(phrase_key(text)) is None
    return True


def _offers_a_time(text: str, latest_message: Mapping[str, Any]) -> bool:
    """A time named where a time is asked, even as a question ("tuesday or
    thursday afternoon?"): unless it asks what or when ("what are your hours
    on tuesday?"), or is a question the article answers."""
    key = phrase_key(text)
    words = key.split()
    intent = (latest_message.get("intent") or {}).get("name") or ""
    return (
        _TIME_WORDS.search(key) is not None
        and not (words and words[0] in _ASKING_OPENERS)
        and not intent.startswith(FAQ_PREFIX)
        and intent != "bot_challenge"
    )


def classify(
    text: str, latest_message: Mapping[str, Any], *, requested_slot: str | None
) -> FormReply:
    """The one decision a mid-form reply gets (a crisis is decided before)."""
    if is_withdrawal(text, requested_slot=requested_slot):
        return FormReply.WITHDRAWAL
    if is_side_question(text, latest_message, requested_slot=requested_slot):
        return FormReply.QUESTION
    return FormReply.ANSWER
