"""The crisis bank, the model trained on it, and the two tiers it decides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.knowledge import KnowledgeBase, default_directory
from bot.tooling.crisis_training import TrainingSettings, fit, training_texts
from bot.understanding.crisis_bank import (
    CLASSES,
    KINDS,
    NEAR_MISS,
    BankError,
    BankExample,
    bank_digest,
    bank_directory,
    load_bank,
    load_visitor_sets,
)
from bot.understanding.crisis_model import (
    MODEL_FILE,
    CrisisModel,
    load_crisis_model,
)
from bot.understanding.networks import network
from bot.understanding.parser import CRISIS, Parser
from bot.understanding.phrasing_vectors import model_id

BANK = Path(str(bank_directory(default_directory())))


def level(parser: Parser, text: str) -> str | None:
    result = parser.parse(text)
    if result["intent"]["name"] == CRISIS:
        return "clear"
    crisis = result.get("crisis")
    return None if crisis is None else crisis["level"]


def test_every_kind_has_a_bank_of_examples_and_near_misses_say_why() -> None:
    examples = load_bank(BANK)
    for kind in KINDS:
        assert sum(e.label == kind for e in examples) >= 80, kind
    near = [e for e in examples if e.label == NEAR_MISS]
    assert len(near) >= 300
    assert {e.resembles for e in near} >= {*KINDS, "idiom"}
    # The written bank records each example's language; the visitor sets do not.
    assert {e.language for e in examples} == {"en", "es", None}


def test_the_visitor_sets_teach_the_model_their_crises_and_near_misses() -> None:
    visitors = load_visitor_sets(BANK)
    assert len(visitors) >= 5000
    assert {e.label for e in visitors} == {*KINDS, NEAR_MISS}
    near = [e for e in visitors if e.label == NEAR_MISS]
    assert all(e.resembles for e in near)
    assert visitors == load_bank(BANK)[-len(visitors) :]


def _visitor_bank(tmp_path: Path, crisis: str, near_miss: str) -> Path:
    for name in (*KINDS, "ordinary"):
        (tmp_path / f"{name}.yml").write_text('examples:\n  - text: "x"\n')
    (tmp_path / "near_miss.yml").write_text(
        'examples:\n  - text: "y"\n    resembles: idiom\n    why: "an idiom"\n'
    )
    folder = tmp_path / "visitors" / "set1"
    folder.mkdir(parents=True)
    (folder / "crisis.yml").write_text(crisis)
    (folder / "near_miss.yml").write_text(near_miss)
    return tmp_path


def test_a_visitor_set_is_read_as_crises_and_near_misses(tmp_path: Path) -> None:
    bank = _visitor_bank(
        tmp_path,
        "- text: im taking all my pills tonight\n  expect: [crisis]\n"
        "  kind: overdose\n",
        "- text: can you overdose on ketamine\n  expect: [faq/ketamine_safety]\n"
        "  kind: overdose\n",
    )
    assert load_visitor_sets(bank) == [
        BankExample("im taking all my pills tonight", "overdose", None, None),
        BankExample("can you overdose on ketamine", NEAR_MISS, None, "overdose"),
    ]


@pytest.mark.parametrize(
    ("crisis", "near_miss", "error"),
    [
        (
            "- text: hi\n  expect: [greet]\n  kind: suicide\n",
            "- text: y\n  expect: [greet]\n  kind: idiom\n",
            "set1/crisis.yml entry 1: expects `crisis`",
        ),
        (
            "- text: x\n  expect: [crisis]\n  kind: sadness\n",
            "- text: y\n  expect: [greet]\n  kind: idiom\n",
            "set1/crisis.yml entry 1: a crisis needs a crisis `kind`",
        ),
        (
            "- text: x\n  expect: [crisis]\n  kind: suicide\n",
            "- text: y\n  expect: [greet]\n",
            "set1/near_miss.yml entry 1: a near-miss needs the `kind`",
        ),
        (
            "- text: x\n  expect: [crisis]\n  kind: suicide\n",
            "- text: y\n  expect: [crisis]\n  kind: suicide\n",
            "set1/near_miss.yml entry 1: a near-miss must not expect",
        ),
        (
            "- text: x\n  expect: [crisis]\n  kind: suicide\n",
            "- text: y\n  kind: idiom\n",
            "set1/near_miss.yml entry 1: needs a text and an `expect` list",
        ),
        (
            "- text: x\n  expect: [crisis]\n  kind: suicide\n",
            "[unclosed",
            "set1/near_miss.yml: not valid YAML",
        ),
    ],
)
def test_a_malformed_visitor_set_is_refused_naming_the_entry(
    tmp_path: Path, crisis: str, near_miss: str, error: str
) -> None:
    with pytest.raises(BankError, match=error.replace("`", "\\`")):
        load_bank(_visitor_bank(tmp_path, crisis, near_miss))


def test_a_near_miss_without_a_reason_is_refused(tmp_path: Path) -> None:
    for name in (*KINDS, "ordinary"):
        (tmp_path / f"{name}.yml").write_text('examples:\n  - text: "x"\n')
    (tmp_path / "near_miss.yml").write_text(
        'examples:\n  - text: "my back is killing me"\n    resembles: idiom\n'
    )
    with pytest.raises(BankError, match="near_miss.yml entry 1"):
        load_bank(tmp_path)


def test_the_shipped_model_was_trained_on_the_bank_as_it_is(
    knowledge: KnowledgeBase,
) -> None:
    """Edit the bank, then run `faqbot train-crisis`: this test says when."""
    texts, _ = training_texts(knowledge)
    model = CrisisModel.read(BANK / MODEL_FILE)
    assert model.digest == bank_digest(texts, model_id())


def test_a_missing_model_leaves_the_rules_to_decide(tmp_path: Path) -> None:
    assert load_crisis_model(tmp_path / MODEL_FILE) is None


def test_the_model_round_trips_through_its_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(6, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    net = network(
        rng.normal(size=(2, 8, 4)),
        rng.normal(size=(2, 4)),
        rng.normal(size=(2, 4, len(CLASSES))),
        np.zeros((2, len(CLASSES))),
    )
    model = CrisisModel(
        net,
        vectors[:3],
        vectors[3:],
        digest="d",
    )
    model.write(tmp_path / MODEL_FILE)
    again = CrisisModel.read(tmp_path / MODEL_FILE)
    assert again.digest == "d"
    before, after = model.predict(vectors), again.predict(vectors)
    for a, b in zip(before, after, strict=True):
        assert a.kind == b.kind
        assert a.crisis == pytest.approx(b.crisis, abs=1e-5)
        assert a.nearest_crisis == pytest.approx(b.nearest_crisis, abs=1e-2)


def test_fitting_separates_classes_it_is_shown() -> None:
    rng = np.random.default_rng(0)
    centres = np.eye(len(CLASSES), 16)
    classes = [c for c in range(len(CLASSES)) for _ in range(30)]
    vectors = centres[classes] + rng.normal(scale=0.1, size=(len(classes), 16))
    net = fit(vectors, classes, TrainingSettings(epochs=200, members=2, hidden=8))
    assert net.hidden_weights.shape == (2, 16, 8)
    predicted = np.argmax(net.probabilities(vectors), axis=1)
    assert (predicted == np.array(classes)).mean() > 0.95


def test_training_twice_gives_the_same_model() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(CLASSES) * 5, 16))
    classes = [c for c in range(len(CLASSES)) for _ in range(5)]
    settings = TrainingSettings(epochs=20, members=2, hidden=8)
    first, second = fit(vectors, classes, settings), fit(vectors, classes, settings)
    assert np.array_equal(first.hidden_weights, second.hidden_weights)
    assert not np.array_equal(first.hidden_weights[0], first.hidden_weights[1])


def test_layers_that_do_not_fit_together_are_refused() -> None:
    with pytest.raises(ValueError, match="fit together"):
        network(
            np.zeros((1, 8, 4)),
            np.zeros((1, 5)),
            np.zeros((1, 4, len(CLASSES))),
            np.zeros((1, len(CLASSES))),
        )


@pytest.mark.parametrize(
    "text",
    [
        "i have the pills lined up and tonight is the night",
        "think im havin a hart attack",
        "i had a stroke this morning",
        "my dad had a heart attack 10 minutes ago",
        "i swallowed 12 of my pain pills",
        "sitting in the garage with the car running and the door shut",
        "my toddler ate some of my pills",
        "holding a razor and thinking about using it",
        "got home from my infusion and i cant stand up, my lips look blue",
        "how much is an infusion, doesnt matter, i gave my dog to my sister today",
    ],
)
def test_crises_no_rule_words_are_clear(parser: Parser, text: str) -> None:
    assert level(parser, text) == "clear"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("no quiero vivir", "suicide"),
        ("me quiero morir", "suicide"),
        ("mi mamá se desmayó y no respira", "medical_emergency"),
        ("tomé todas las pastillas", "overdose"),
    ],
)
def test_spanish_crises_are_clear_and_said_to_be_spanish(
    parser: Parser, text: str, kind: str
) -> None:
    result = parser.parse(text)
    assert result["intent"]["name"] == CRISIS
    assert result["crisis"]["language"] == "es"


@pytest.mark.parametrize(
    "text",
    [
        "I attempted suicide years ago, is ketamine safe for me?",
        "can you overdose on ketamine?",
        "i had chest pain last month and the ER said it was anxiety",
        "lol i overdosed on tacos",
        "this paperwork is giving me a heart attack",
        "my back is killing me, what are my options",
    ],
)
def test_near_misses_never_get_the_crisis_reply_instead_of_the_answer(
    parser: Parser, text: str
) -> None:
    assert level(parser, text) in (None, "possible")


@pytest.mark.parametrize(
    "text",
    [
        "wibble frotz",
        "blah " * 30,
        "what's the weather forecast for tomorrow",
        "quiero hablar con una persona",
        "asdfghjkl",
        "ok thats all, goodbye",
    ],
)
def test_text_unlike_any_crisis_is_not_one(parser: Parser, text: str) -> None:
    assert level(parser, text) is None


def test_a_rule_said_outright_is_clear_even_beside_a_clinic_question(
    parser: Parser,
) -> None:
    """Near-misses are written to sound like crises, so the bank's nearest
    example of this is a safe one; it must not overrule the rule."""
    text = "is ketamine covered by insurance? also i think i will kill myself tonight"
    assert level(parser, text) == "clear"


@pytest.mark.parametrize(
    "text",
    [
        "can you overdose on ketamine?",
        "I had a heart attack in 2019, is ketamine safe?",
    ],
)
def test_a_question_or_past_event_about_a_crisis_gets_a_safety_line(
    parser: Parser, text: str
) -> None:
    result = parser.parse(text)
    assert result["intent"]["name"] != CRISIS
    assert result["crisis"]["level"] == "possible"
