"""`faqbot train-intents`: the intent model, learned from phrasings and visitors.

The examples are the knowledge base's phrasings, each labelled with its intent,
and the visitor messages of `knowledge/visitors/<set>/ordinary.yml`: blind sets,
written by helpers who saw only the article and the topic list, scored once
before anything learned from them, labelled with the intents a right answer
has (the first counts here). Messages labelled `nlu_fallback` teach nothing
about where an intent ends and are left out, as are the few crises (the crisis
model's to learn); so are the ones copying a dev
message, which were never moved here. Every text is read as the parser reads
a message (normalized, in English, typos corrected) and encoded by the sentence
model; small networks are fitted over the vectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

from bot.knowledge import KnowledgeBase, default_directory
from bot.tooling.evaluation import load_labelled
from bot.tooling.network_training import (
    Encode,
    NetworkSettings,
    encode_all,
    fit_network,
)
from bot.understanding.crisis_bank import bank_digest
from bot.understanding.intent_model import MODEL_FILE, IntentModel
from bot.understanding.networks import Network
from bot.understanding.parser import CRISIS, NLU_FALLBACK, Parser

VISITORS = "visitors"
VISITOR_FILE = "ordinary.yml"


class VisitorSetError(ValueError):
    """A visitor set that cannot be read: the message names the file and entry."""


@dataclass(frozen=True)
class IntentTrainingSettings(NetworkSettings):
    """Chosen out of fold on the visitor sets (see the README)."""

    epochs: int = 300
    learning_rate: float = 0.05


def visitor_directory(knowledge_directory: Path | Traversable) -> Path | Traversable:
    return knowledge_directory.joinpath(VISITORS)


def load_visitor_questions(
    root: Path | Traversable, intents: frozenset[str]
) -> list[tuple[str, str]]:
    """(text, intent) of every visitor message under `root` that names an intent.

    The files are in `faqbot eval`'s labelled format, read by its reader
    (EvaluationFileError for a malformed one); VisitorSetError, naming the file
    and entry, for an intent the knowledge base does not have.
    """
    examples: list[tuple[str, str]] = []
    if not root.is_dir():
        return examples
    for folder in sorted(root.iterdir(), key=lambda f: f.name):
        path = folder.joinpath(VISITOR_FILE)
        if not folder.is_dir() or not path.is_file():
            continue
        name = f"{VISITORS}/{folder.name}/{VISITOR_FILE}"
        for n, item in enumerate(load_labelled(Path(str(path))), 1):
            label = item.expect[0]
            if label in (NLU_FALLBACK, CRISIS):
                continue  # no intent's to learn (crises are the crisis model's)
            if label not in intents:
                raise VisitorSetError(f"{name} entry {n}: {label!r} is not an intent")
            examples.append((item.text.strip(), label))
    return examples


def training_texts(
    knowledge: KnowledgeBase, visitors: Path | Traversable | None = None
) -> tuple[list[str], list[str]]:
    """The texts the model learns from, as the parser reads them, and their intents."""
    parser = Parser(knowledge)  # the light mode: only its reading of text is used
    phrasings = knowledge.phrasings()
    labels = [intent for intent, texts in phrasings.items() for _ in texts]
    texts = parser.phrasing_texts()
    root = visitors or visitor_directory(default_directory())
    for text, intent in load_visitor_questions(root, frozenset(phrasings)):
        texts.append(parser.english(text))
        labels.append(intent)
    return texts, labels


def fit(
    vectors: np.ndarray,
    labels: list[str],
    intents: list[str],
    settings: IntentTrainingSettings,
) -> Network:
    """Networks over `intents`, every example weighing the same."""
    column = {name: n for n, name in enumerate(intents)}
    y = np.array([column[label] for label in labels])
    onehot = np.eye(len(intents), dtype=np.float32)[y]
    weight = np.full(len(y), 1.0 / len(y), dtype=np.float32)
    return fit_network(vectors.astype(np.float32), onehot, weight, settings)


def train(
    knowledge: KnowledgeBase,
    encode: Encode,
    model_name: str,
    *,
    visitors: Path | Traversable | None = None,
    settings: IntentTrainingSettings | None = None,
) -> IntentModel:
    """The intent model for the knowledge base and the visitor sets at `visitors`."""
    texts, labels = training_texts(knowledge, visitors)
    intents = list(knowledge.phrasings())
    net = fit(
        encode_all(texts, encode), labels, intents, settings or IntentTrainingSettings()
    )
    digest = bank_digest(
        (f"{label}\t{text}" for text, label in zip(texts, labels, strict=True)),
        model_name,
    )
    return IntentModel(net, intents, digest=digest)


def train_and_write(knowledge: KnowledgeBase, directory: Path) -> Path:
    """Train on the knowledge base in `directory` and write the model into it."""
    from bot.understanding.phrasing_vectors import model_id
    from bot.understanding.semantic import SentenceEncoder

    model = train(
        knowledge,
        SentenceEncoder.load().encode,
        model_id(),
        visitors=visitor_directory(directory),
    )
    path = directory / MODEL_FILE
    model.write(path)
    return path
