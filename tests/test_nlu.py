"""Understanding: golden cases for the parser, written for this suite (not dev)."""

from __future__ import annotations

import pytest

from bot.understanding.parser import CRISIS, NLU_FALLBACK, Parser

GOLDEN = [
    # one or more per FAQ topic, in visitors' words, with typos and SMS spelling
    ("how many months until pain is called chronic", "faq/what_is_chronic_pain"),
    ("my pain ruins my weekends with the grandkids", "faq/chronic_pain_impact"),
    ("can hurting all the time make a person depresed", "faq/pain_and_mental_health"),
    ("what are the main causes of chronic pain", "faq/causes_of_chronic_pain"),
    ("my fractured ankle healed last year but still hurts", "faq/injury_pain"),
    ("how do damaged nerves make pain worse", "faq/nerve_damage"),
    ("does arthritis cause pain that lasts", "faq/illness_pain"),
    ("pain from stress with no injury?", "faq/psychogenic_pain"),
    (
        "why do painkillers stop working when they wear off",
        "faq/traditional_treatment_limits",
    ),
    ("wat is a ketamine drip for pain", "faq/what_is_ketamine_therapy"),
    ("was ketamine used in the vietnam war", "faq/ketamine_history"),
    ("how does ketamin block pain signals", "faq/how_ketamine_works"),
    ("is ketamine anti inflammatory", "faq/ketamine_other_effects"),
    ("does the relief from ketamine last long", "faq/long_term_relief"),
    (
        "my percocet doesnt work like it used to, can ketamine help",
        "faq/opioid_tolerance",
    ),
    ("r low dose infusions safe", "faq/ketamine_safety"),
    ("will the drip make me queasy", "faq/side_effects"),
    ("could i get hooked on ketamine", "faq/addiction_risk"),
    ("should i try ketamine for my pain", "faq/is_it_right_for_me"),
    # conversation intents
    ("hiya", "greet"),
    ("good evening!", "greet"),
    ("thats all, bye", "goodbye"),
    ("thank you!!", "thanks"),
    ("is this a robot", "bot_challenge"),
    ("i want to book an appointment", "request_consultation"),
    ("have someone phone me please", "request_consultation"),
    ("cancel", "cancel"),
    ("never mind", "cancel"),
    # out of scope and nonsense
    ("how much is it per session", NLU_FALLBACK),
    ("do you take medicare", NLU_FALLBACK),
    ("what is your address", NLU_FALLBACK),
    ("asdf qwerty", NLU_FALLBACK),
    ("what's a good lasagna recipe", NLU_FALLBACK),
    # crisis, and near-misses that are FAQs
    ("i want to end my life", CRISIS),
    ("i overdosed on my pills", CRISIS),
    ("my husband is not breathing", CRISIS),
    ("can chronic pain cause depression", "faq/pain_and_mental_health"),
    ("is ketamine used as an antidepressant", "faq/ketamine_other_effects"),
]


@pytest.mark.parametrize(("text", "intent"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden(parser: Parser, text: str, intent: str) -> None:
    assert parser.parse(text)["intent"]["name"] == intent


def test_parse_result_has_rasas_shape(parser: Parser) -> None:
    result = parser.parse("is ketamine safe")
    assert result["text"] == "is ketamine safe"
    assert result["intent"]["name"] == "faq/ketamine_safety"
    assert 0 < result["intent"]["confidence"] <= 1
    assert result["entities"] == []
    assert result["intent_ranking"][0] == result["intent"]
    confidences = [r["confidence"] for r in result["intent_ranking"]]
    assert confidences == sorted(confidences, reverse=True)
    response = result["response_selector"]["faq"]["response"]
    assert response["intent_response_key"] == "faq/ketamine_safety"
    assert response["utter_action"] == "utter_faq/ketamine_safety"
    assert (
        response["responses"][0]["text"]
        == parser.knowledge.topic("ketamine_safety").answer
    )


def test_fallback_keeps_the_candidates_below_it(parser: Parser) -> None:
    result = parser.parse("how much does a ketamine infusion cost")
    ranking = result["intent_ranking"]
    assert result["intent"]["name"] == NLU_FALLBACK
    assert ranking[0]["name"] == NLU_FALLBACK
    assert any(r["name"].startswith("faq/") for r in ranking[1:])


def test_crisis_outranks_everything(parser: Parser) -> None:
    result = parser.parse("what are the side effects, i want to kill myself")
    assert result["intent"] == {"name": CRISIS, "confidence": 1.0}
    assert result["intent_ranking"][0]["name"] == CRISIS


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "?!"])
def test_empty_or_symbol_only_text_falls_back(parser: Parser, text: str) -> None:
    assert parser.parse(text)["intent"]["name"] == NLU_FALLBACK


def test_a_huge_message_parses_on_its_beginning(parser: Parser) -> None:
    result = parser.parse("is ketamine safe? " + "blah " * 20000)
    assert result["intent"]["name"] in ("faq/ketamine_safety", NLU_FALLBACK)
    assert len(result["text"]) > 100000


def test_a_crisis_after_the_matched_beginning_is_still_detected(parser: Parser) -> None:
    harmless = "my lower back aches every day and nothing really helps. " * 90
    assert len(harmless) >= 5000
    result = parser.parse(harmless + "some nights i want to end my life.")
    assert result["intent"] == {"name": CRISIS, "confidence": 1.0}
    assert result["intent_ranking"][0]["name"] == CRISIS
    assert parser.parse(harmless)["intent"]["name"] != CRISIS


@pytest.mark.parametrize("text", [g[0] for g in GOLDEN])
def test_ranking_is_sorted_by_confidence(parser: Parser, text: str) -> None:
    ranking = parser.parse(text)["intent_ranking"]
    real = [r["confidence"] for r in ranking if r["name"] != NLU_FALLBACK]
    assert real == sorted(real, reverse=True)
