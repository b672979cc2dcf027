"""The combined parser: meaning the words do not share, long messages, Spanish,
requests for a person, out-of-scope topics, the light mode and the shipped
phrasing vectors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.knowledge import KnowledgeBase, default_directory
from bot.understanding.parser import NLU_FALLBACK, Parser
from bot.understanding.phrasing_vectors import (
    VECTORS_FILE,
    PhrasingVectors,
    model_id,
    text_key,
)
from bot.understanding.segments import closing_question

BACK_INJURY_STORY = """\
Three winters ago I slipped on the steps at work and hurt my lower back.
Nothing showed on the x-rays and physio helped for a while.
Then it crept back, first only after long drives, then most mornings.
I stopped playing softball with my brother.
I sleep on the couch because our bed makes it worse.
My GP says to give it time and keep moving.
I have tried heat, ice, stretching and a new mattress.
I am not sure what to call it anymore.
when does it officially count as chronic?"""


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # meaning the words do not share
        ("can pain mess with ur mood", "faq/pain_and_mental_health"),
        ("could i get hooked on the drips", "faq/addiction_risk"),
        ("whats the brain science of ketamine against pain", "faq/how_ketamine_works"),
        # Spanglish and basic Spanish
        ("qué es chronic pain?", "faq/what_is_chronic_pain"),
        ("ketamine es seguro?", "faq/ketamine_safety"),
        ("hola", "greet"),
        ("gracias", "thanks"),
        ("adiós", "goodbye"),
        ("muchas gracias!", "thanks"),
        # requests for a person, and a question that is not one
        ("talk to a person", "request_consultation"),
        ("agent", "request_consultation"),
        ("representative", "request_consultation"),
        ("get me a human", "request_consultation"),
        ("operator", "request_consultation"),
        ("tell me about your treatment", "faq/what_is_ketamine_therapy"),
        ("are you a bot?", "bot_challenge"),
        # a story with the question at the end
        (BACK_INJURY_STORY, "faq/what_is_chronic_pain"),
    ],
)
def test_the_combined_parser_understands(
    parser: Parser, text: str, intent: str
) -> None:
    assert parser.semantic
    assert parser.parse(text)["intent"]["name"] == intent


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("is the infusion painful", "out_of_scope/infusion_pain"),
        ("how long does an infusion take", "out_of_scope/infusion_duration"),
        ("how many infusions will I need", "out_of_scope/number_of_infusions"),
        ("can i drive home", "out_of_scope/driving_home"),
        ("do i need a referral", "out_of_scope/referral"),
        ("how much is it per session", "out_of_scope/cost"),
        ("do you take my insurance", "out_of_scope/insurance"),
        ("where are you located", "out_of_scope/location"),
        ("what are your hours", "out_of_scope/hours"),
    ],
)
def test_an_out_of_scope_topic_ranks_first_below_the_fallback(
    parser: Parser, text: str, topic: str
) -> None:
    result = parser.parse(text)
    assert result["intent"]["name"] == NLU_FALLBACK
    assert [r["name"] for r in result["intent_ranking"][:2]] == [NLU_FALLBACK, topic]
    assert result["response_selector"]["faq"]["response"]["intent_response_key"] is None


@pytest.mark.parametrize("text", ["pain", "ketamine"])
def test_one_ambiguous_word_asks_instead_of_guessing(parser: Parser, text: str) -> None:
    result = parser.parse(text)
    assert result["intent"]["name"] == NLU_FALLBACK
    assert result["intent_ranking"][1]["name"].startswith("faq/")


def test_a_story_is_read_for_its_closing_question() -> None:
    assert closing_question(BACK_INJURY_STORY, min_words=25) == (
        "when does it officially count as chronic?"
    )
    assert closing_question("is ketamine safe?", min_words=25) is None
    one_sentence = "word " * 40
    assert closing_question(one_sentence, min_words=25) is None
    story = "I hurt my back. " * 10 + "It still aches every day"
    assert closing_question(story, min_words=25) == "It still aches every day"


def test_small_talk_in_a_storys_last_line_does_not_win(parser: Parser) -> None:
    story = (
        "I have been on opioids for my back for nine years and my dose keeps"
        " going up while the relief keeps going down. My doctor does not want to"
        " raise it again. I read that ketamine might reset opioid tolerance."
        " Is that real?"
    )
    assert parser.parse(story)["intent"]["name"] == "faq/opioid_tolerance"


def test_the_light_mode_runs_without_the_model(knowledge: KnowledgeBase) -> None:
    light = Parser(knowledge)
    assert not light.semantic
    assert light.parse("is ketamine safe for me")["intent"]["name"] == (
        "faq/ketamine_safety"
    )
    assert light.parse("qué es chronic pain?")["intent"]["name"] == (
        "faq/what_is_chronic_pain"
    )


def test_the_shipped_vectors_cover_every_phrasing(parser: Parser) -> None:
    """Else every worker encodes the missing ones at start-up: refresh the file
    with `python -m bot.understanding.phrasing_vectors`."""
    stored = PhrasingVectors.read(
        default_directory().joinpath(VECTORS_FILE), model_id()
    )
    assert stored.missing(parser.phrasing_texts()) == []


def test_the_shipped_vectors_are_the_models(parser: Parser) -> None:
    from bot.understanding.semantic import SentenceEncoder

    texts = parser.phrasing_texts()[::97]
    fresh = SentenceEncoder.load().encode(texts)
    stored = PhrasingVectors.read(
        default_directory().joinpath(VECTORS_FILE), model_id()
    )
    shipped = stored.matrix(texts, lambda _: pytest.fail("a vector is missing"))
    assert np.abs(fresh - shipped).max() < 2e-3


class CountingEncoder:
    """A stand-in encoder with a model tag of its own, counting what it encodes."""

    model_id = "test-encoder"

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded.extend(texts)
        rng = np.random.default_rng(len(self.encoded))
        rows = rng.normal(size=(len(texts), 8)).astype(np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_phrasings_without_a_stored_vector_are_encoded_at_start_up(
    knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    encoder = CountingEncoder()
    Parser(knowledge, encoder=encoder, vectors=tmp_path / "absent.npz")
    texts = Parser(knowledge).phrasing_texts()
    assert sorted(encoder.encoded) == sorted(set(texts))


def test_stored_vectors_round_trip_and_other_models_are_ignored(
    tmp_path: Path,
) -> None:
    path = tmp_path / VECTORS_FILE
    vector = np.array([0.6, 0.8], dtype=np.float32)
    stored = PhrasingVectors("model-a", {text_key("hello"): vector})
    stored.write(path)
    again = PhrasingVectors.read(path, "model-a")
    assert again.missing(["hello", "bye"]) == ["bye"]
    row = again.matrix(["hello"], lambda _: pytest.fail("nothing to encode"))
    assert np.allclose(row[0], vector, atol=1e-3)
    assert PhrasingVectors.read(path, "model-b").missing(["hello"]) == ["hello"]
    assert PhrasingVectors.read(tmp_path / "none.npz", "model-a").missing(["x"]) == [
        "x"
    ]
