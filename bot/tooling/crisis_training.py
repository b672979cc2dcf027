"""`faqbot train-crisis`: the crisis model, learned from the crisis bank.

Every example of `knowledge/crisis/` is read as the parser reads a message
(normalized, in English, typos corrected), encoded by the sentence model, and a
softmax regression is fitted over the vectors: one class per crisis kind and
one for "safe". The knowledge base's own phrasings count as safe examples too,
so ordinary questions stay on the safe side. Classes are weighted to count
equally, and an L2 penalty keeps the weights small, which keeps the model from
being sure of text unlike anything in the bank.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

from bot.knowledge import KnowledgeBase, default_directory
from bot.understanding.crisis_bank import (
    CLASSES,
    KINDS,
    SAFE,
    bank_digest,
    bank_directory,
    load_bank,
)
from bot.understanding.crisis_model import MODEL_FILE, CrisisModel
from bot.understanding.parser import Parser

Encode = Callable[[Sequence[str]], np.ndarray]
_BATCH = 64


@dataclass(frozen=True)
class TrainingSettings:
    l2: float = 1e-5
    epochs: int = 600
    learning_rate: float = 0.05
    # The crisis kinds together count this much more than "safe": recall first
    # (2 was the best of 1, 1.5, 2 and 2.5 on the tuning sets; see the README).
    crisis_weight: float = 2.0


def training_texts(
    knowledge: KnowledgeBase, bank: Path | Traversable | None = None
) -> tuple[list[str], list[int]]:
    """The texts the model learns from, as the parser reads them, and their classes."""
    parser = Parser(knowledge)  # the light mode: only its reading of text is used
    examples = load_bank(bank or bank_directory(default_directory()))
    texts = [parser.english(e.text) for e in examples]
    classes = [CLASSES.index(e.model_class) for e in examples]
    phrasings = parser.phrasing_texts()
    return texts + phrasings, classes + [CLASSES.index(SAFE)] * len(phrasings)


def encode_all(texts: Sequence[str], encode: Encode) -> np.ndarray:
    """Unit rows for `texts`, encoded in batches of similar length."""
    order = sorted(range(len(texts)), key=lambda n: len(texts[n]))
    rows = np.zeros((len(texts), 0), dtype=np.float32)
    for start in range(0, len(order), _BATCH):
        batch = order[start : start + _BATCH]
        vectors = encode([texts[n] for n in batch])
        if rows.shape[1] == 0:
            rows = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        rows[batch] = vectors
    return rows


def fit(
    vectors: np.ndarray, classes: Sequence[int], settings: TrainingSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression by full-batch Adam; returns (weights, bias)."""
    y = np.asarray(classes)
    n, dimension = vectors.shape
    counts = np.bincount(y, minlength=len(CLASSES)).astype(np.float64)
    if (counts == 0).any():
        raise ValueError("every crisis class needs examples")
    # Each crisis kind weighs the same, and all of them together weigh as much
    # as "safe" (times crisis_weight): with five kinds against one class, equal
    # class weights would make an unsure model call anything a crisis.
    safe = CLASSES.index(SAFE)
    class_weight = 1.0 / counts
    class_weight[safe] *= len(CLASSES) - 1
    class_weight[np.arange(len(CLASSES)) != safe] *= settings.crisis_weight
    sample_weight = class_weight[y]
    sample_weight /= sample_weight.sum()
    onehot = np.eye(len(CLASSES))[y]
    x = vectors.astype(np.float64)
    weights = np.zeros((len(CLASSES), dimension))
    bias = np.zeros(len(CLASSES))
    moments = [np.zeros_like(weights), np.zeros_like(bias)]
    squares = [np.zeros_like(weights), np.zeros_like(bias)]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, settings.epochs + 1):
        logits = x @ weights.T + bias
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        error = (p - onehot) * sample_weight[:, None]
        gradients = [error.T @ x + settings.l2 * weights, error.sum(axis=0)]
        for param, grad, m, v in zip(
            (weights, bias), gradients, moments, squares, strict=True
        ):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            m_hat = m / (1 - beta1**step)
            v_hat = v / (1 - beta2**step)
            param -= settings.learning_rate * m_hat / (np.sqrt(v_hat) + eps)
    return weights.astype(np.float32), bias.astype(np.float32)


def train(
    knowledge: KnowledgeBase,
    encode: Encode,
    model_name: str,
    *,
    bank: Path | Traversable | None = None,
    settings: TrainingSettings | None = None,
) -> CrisisModel:
    """The crisis model for the bank at `bank` (the shipped one by default)."""
    texts, classes = training_texts(knowledge, bank)
    vectors = encode_all(texts, encode)
    weights, bias = fit(vectors, classes, settings or TrainingSettings())
    crisis = np.array([CLASSES[c] in KINDS for c in classes])
    return CrisisModel(
        weights,
        bias,
        vectors[crisis],
        vectors[~crisis],
        digest=bank_digest(texts, model_name),
    )


def train_and_write(knowledge: KnowledgeBase, directory: Path) -> Path:
    """Train on the bank in `directory` and write the model beside it."""
    from bot.understanding.phrasing_vectors import model_id
    from bot.understanding.semantic import SentenceEncoder

    model = train(
        knowledge, SentenceEncoder.load().encode, model_id(), bank=directory
    )
    path = directory / MODEL_FILE
    model.write(path)
    return path
