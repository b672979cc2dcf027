"""The intent model: its file, its training data, and its share of the ranking."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pytest

from bot.knowledge import KnowledgeBase, default_directory
from bot.tooling.intent_training import (
    VisitorSetError,
    load_visitor_questions,
    training_texts,
    visitor_directory,
)
from bot.understanding.crisis_bank import bank_digest
from bot.understanding.intent_model import (
    MODEL_FILE,
    IntentModel,
    load_intent_model,
)
from bot.understanding.networks import network
from bot.understanding.parser import NluSettings, Parser
from bot.understanding.phrasing_vectors import model_id


def always(intents: list[str], favourite: str, *, dimension: int = 384) -> IntentModel:
    """A model sure of `favourite` whatever the message (its bias alone decides)."""
    bias = np.array([[0.0 if n == favourite else -50.0 for n in intents]])
    return IntentModel(
        network(
            np.zeros((1, dimension, 1)),
            np.zeros((1, 1)),
            np.zeros((1, 1, len(intents))),
            bias,
        ),
        intents,
        digest="test",
    )


def test_the_shipped_model_was_trained_on_the_knowledge_as_it_is(
    knowledge: KnowledgeBase,
) -> None:
    """Edit a phrasing or a visitor set, then run `faqbot train-intents`."""
    texts, labels = training_texts(knowledge)
    model = IntentModel.read(default_directory().joinpath(MODEL_FILE))
    assert model.intents == tuple(knowledge.phrasings())
    digest = bank_digest(
        (f"{label}\t{text}" for text, label in zip(texts, labels, strict=True)),
        model_id(),
    )
    assert model.digest == digest


def test_the_visitor_sets_teach_intents_not_fallbacks_or_crises(
    knowledge: KnowledgeBase,
) -> None:
    intents = frozenset(knowledge.phrasings())
    examples = load_visitor_questions(visitor_directory(default_directory()), intents)
    assert len(examples) > 4000
    assert {label for _, label in examples} <= intents
    assert "request_consultation" in {label for _, label in examples}


def test_a_visitor_message_labelled_with_an_unknown_intent_is_refused(
    tmp_path: Path,
) -> None:
    (tmp_path / "blindX").mkdir()
    (tmp_path / "blindX" / "ordinary.yml").write_text(
        "- text: hi\n  expect: [greet]\n"
        "- text: how much is it\n  expect: [nlu_fallback]\n"
        "- text: i took all my pills\n  expect: [crisis]\n"
        "- text: what is ketamine\n  expect: [faq/no_such_topic]\n"
    )
    with pytest.raises(VisitorSetError, match=r"blindX/ordinary.yml entry 4"):
        load_visitor_questions(tmp_path, frozenset({"greet"}))


def test_fallbacks_and_crises_are_left_out_of_training(tmp_path: Path) -> None:
    (tmp_path / "blindX").mkdir()
    (tmp_path / "blindX" / "ordinary.yml").write_text(
        "- text: hi\n  expect: [greet]\n"
        "- text: how much is it\n  expect: [nlu_fallback]\n"
        "- text: i took all my pills\n  expect: [crisis]\n"
    )
    assert load_visitor_questions(tmp_path, frozenset({"greet"})) == [("hi", "greet")]


def test_the_model_round_trips_through_its_file(tmp_path: Path) -> None:
    model = always(["greet", "thanks", "goodbye"], "thanks", dimension=8)
    model.write(tmp_path / MODEL_FILE)
    again = load_intent_model(tmp_path / MODEL_FILE)
    assert again is not None
    assert again.intents == ("greet", "thanks", "goodbye")
    assert again.digest == "test"
    vectors = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32)
    assert np.allclose(again.probabilities(vectors), model.probabilities(vectors))
    assert again.probabilities(vectors)[:, 1] == pytest.approx([1.0] * 3)


def test_a_missing_model_leaves_phrasings_and_words_to_rank(tmp_path: Path) -> None:
    assert load_intent_model(tmp_path / MODEL_FILE) is None


def test_columns_follow_the_rankings_order_and_mark_unlearned_intents() -> None:
    model = always(["greet", "thanks"], "greet", dimension=4)
    assert model.columns_for(["thanks", "greet", "goodbye"]).tolist() == [1, 0, -1]


def test_the_model_takes_its_share_of_the_ranking(
    parser: Parser, knowledge: KnowledgeBase
) -> None:
    """A model sure of one intent lifts it by its share, and no more."""
    intents = list(knowledge.phrasings())
    favourite = "faq/ketamine_history"
    share = 0.3
    biased = Parser(
        knowledge,
        encoder=parser.encoder,
        crisis=parser.crisis,
        intents=always(intents, favourite),
        settings=NluSettings(intent_weight=share),
    )
    text = "is ketamine safe for me"
    plain = Parser(
        knowledge,
        encoder=parser.encoder,
        crisis=parser.crisis,
        intents=always(intents, favourite),
        settings=NluSettings(intent_weight=0.0),
    )
    before = {r["name"]: r["confidence"] for r in plain.parse(text)["intent_ranking"]}
    after = {r["name"]: r["confidence"] for r in biased.parse(text)["intent_ranking"]}
    top = max(before, key=before.__getitem__)
    assert top != favourite
    assert after[top] == pytest.approx((1 - share) * before[top], abs=1e-5)
    assert after[favourite] == pytest.approx(
        (1 - share) * before.get(favourite, 0.0) + share, abs=1e-5
    )


def test_an_intent_the_model_has_not_learned_keeps_its_own_score(
    parser: Parser, knowledge: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    """A topic staff added since the model was trained ranks as before."""
    added = "faq/side_effects"
    learned = [name for name in knowledge.phrasings() if name != added]
    with caplog.at_level(logging.WARNING):
        partial = Parser(
            knowledge,
            encoder=parser.encoder,
            crisis=parser.crisis,
            intents=always(learned, "greet"),
        )
    assert "has not learned 1 of the intents" in caplog.text
    alone = Parser(
        knowledge,
        encoder=parser.encoder,
        crisis=parser.crisis,
        intents=always(list(knowledge.phrasings()), "greet"),
        settings=NluSettings(intent_weight=0.0),
    )
    text = "what are the side effects"
    mixed = {r["name"]: r["confidence"] for r in partial.parse(text)["intent_ranking"]}
    before = {r["name"]: r["confidence"] for r in alone.parse(text)["intent_ranking"]}
    share = partial.settings.intent_weight
    assert math.isclose(mixed[added], before[added], abs_tol=1e-6)
    other = next(name for name in before if name not in (added, "greet"))
    assert math.isclose(mixed[other], (1 - share) * before[other], abs_tol=1e-6)


def test_a_one_or_two_word_message_is_ranked_without_the_model(
    parser: Parser, knowledge: KnowledgeBase
) -> None:
    """"pain" alone stays ambiguous however sure the model is."""
    intents = list(knowledge.phrasings())
    sure = Parser(
        knowledge,
        encoder=parser.encoder,
        crisis=parser.crisis,
        intents=always(intents, "faq/ketamine_history"),
    )
    alone = Parser(
        knowledge,
        encoder=parser.encoder,
        crisis=parser.crisis,
        intents=always(intents, "faq/ketamine_history"),
        settings=NluSettings(intent_weight=0.0),
    )
    for text in ("pain", "side effects"):
        assert sure.parse(text)["intent_ranking"] == alone.parse(text)["intent_ranking"]
