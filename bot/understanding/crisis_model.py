"""The crisis model: a classifier over sentence vectors, and the bank's neighbours.

A softmax regression over all-MiniLM-L6-v2 vectors says how likely a message is
a crisis and of which kind. On its own such a model extrapolates: text unlike
anything it was trained on ("wibble frotz") can land on the crisis side of the
line. So every prediction also carries the message's nearest crisis example in
the bank; a message far from all of them is not called a crisis by the model
(the detector's `Thresholds.neighbour`).

The weights and the bank's vectors ship in `knowledge/crisis/model.npz`, written
by `faqbot train-crisis` and tagged with a digest of the texts they came from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

from bot.knowledge import default_directory
from bot.understanding.crisis_bank import CLASSES, SAFE, bank_directory

logger = logging.getLogger(__name__)

MODEL_FILE = "model.npz"


@dataclass(frozen=True)
class Prediction:
    """What the model says of one message vector."""

    crisis: float  # probability of any crisis kind
    kinds: tuple[str, ...]  # every crisis kind, likeliest first
    nearest_crisis: float  # cosine to the closest crisis example of the bank
    nearest_safe: float  # cosine to the closest safe example (near-miss, ordinary)

    @property
    def kind(self) -> str:
        """The likeliest crisis kind."""
        return self.kinds[0]


class CrisisModel:
    """Softmax weights over `CLASSES` and the bank's crisis vectors."""

    def __init__(
        self,
        weights: np.ndarray,
        bias: np.ndarray,
        crisis_vectors: np.ndarray,
        safe_vectors: np.ndarray,
        *,
        digest: str,
    ) -> None:
        if weights.shape[0] != len(CLASSES) or bias.shape != (len(CLASSES),):
            raise ValueError("one row of weights and one bias per class")
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.crisis_vectors = np.ascontiguousarray(crisis_vectors, dtype=np.float32)
        self.safe_vectors = np.ascontiguousarray(safe_vectors, dtype=np.float32)
        self.digest = digest

    def predict(self, vectors: np.ndarray) -> list[Prediction]:
        """One prediction per unit row of `vectors`."""
        logits = vectors @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        nearest = (vectors @ self.crisis_vectors.T).max(axis=1)
        nearest_safe = (vectors @ self.safe_vectors.T).max(axis=1)
        safe = CLASSES.index(SAFE)
        kinds = [c for c in CLASSES if c != SAFE]
        kind_columns = [CLASSES.index(c) for c in kinds]
        out = []
        for row, p in enumerate(probabilities):
            out.append(
                Prediction(
                    float(1.0 - p[safe]),
                    tuple(kinds[i] for i in np.argsort(-p[kind_columns])),
                    float(nearest[row]),
                    float(nearest_safe[row]),
                )
            )
        return out

    def write(self, path: Path) -> None:
        with path.open("wb") as f:
            np.savez_compressed(
                f,
                classes=np.array(CLASSES),
                weights=self.weights,
                bias=self.bias,
                crisis_vectors=self.crisis_vectors.astype(np.float16),
                safe_vectors=self.safe_vectors.astype(np.float16),
                digest=np.array(self.digest),
            )

    @classmethod
    def read(cls, path: Path | Traversable) -> CrisisModel:
        """The model stored at `path`; ValueError if trained for other classes."""
        with path.open("rb") as f:
            data = np.load(f, allow_pickle=False)
            if tuple(data["classes"].tolist()) != CLASSES:
                raise ValueError(f"{path}: trained for other crisis classes")
            return cls(
                data["weights"],
                data["bias"],
                data["crisis_vectors"].astype(np.float32),
                data["safe_vectors"].astype(np.float32),
                digest=str(data["digest"]),
            )


def load_crisis_model(path: Path | Traversable | None = None) -> CrisisModel | None:
    """The shipped model (or the one at `path`); None, logged, when there is none."""
    path = path or bank_directory(default_directory()).joinpath(MODEL_FILE)
    try:
        return CrisisModel.read(path)
    except (OSError, KeyError, ValueError) as e:
        logger.warning("no crisis model (%s): the crisis rules decide alone", e)
        return None
