"""The crisis model: a classifier over sentence vectors, and the bank's neighbours.

A few small neural networks over all-MiniLM-L6-v2 vectors (one hidden layer
each, their probabilities averaged) say how likely a message is a crisis and of
which kind. A hidden layer lets the model weigh words together ("hurt myself"
beside "years ago, doing better now") where a linear model can only add them up;
averaging members trained from different starting points steadies the result.

On its own such a model extrapolates: text unlike anything it was trained on
("wibble frotz") can land on the crisis side of the line. So every prediction
also carries the message's nearest crisis example in the bank; a message far
from all of them is not called a crisis by the model (the detector's
`Thresholds.neighbour`).

The networks' weights and the bank's vectors ship in
`knowledge/crisis/model.npz`, written by `faqbot train-crisis` and tagged with
a digest of the texts they came from.
"""

from __future__ import annotations

import logging
from functools import cached_property
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

from bot.knowledge import default_directory
from bot.understanding.crisis_bank import CLASSES, SAFE, bank_directory
from bot.understanding.nearest import NearestIndex
from bot.understanding.networks import Network, read_network

logger = logging.getLogger(__name__)

MODEL_FILE = "model.npz"


class Prediction:
    """What the model says of one message vector.

    Its nearest examples in the bank are looked up when first asked for: reading
    the bank's thousands of vectors costs more than the networks (memory, not
    arithmetic), and most messages are decided without one or both of them.
    """

    def __init__(
        self,
        crisis: float,
        kinds: tuple[str, ...],
        vector: np.ndarray,
        bank: CrisisModel,
    ) -> None:
        self.crisis = crisis  # probability of any crisis kind
        self.kinds = kinds  # every crisis kind, likeliest first
        self._vector = vector
        self._bank = bank

    @property
    def kind(self) -> str:
        """The likeliest crisis kind."""
        return self.kinds[0]

    @cached_property
    def nearest_crisis(self) -> float:
        """Cosine to the closest crisis example of the bank."""
        return self._bank.crisis_index.nearest(self._vector)

    @cached_property
    def nearest_safe(self) -> float:
        """Cosine to the closest safe example (near-miss, ordinary)."""
        return float((self._bank.safe_vectors @ self._vector).max())

    def crisis_within(self, cosine: float) -> bool:
        """`nearest_crisis >= cosine`, without reading the whole bank where a
        cheap bound already says no (see `bot.understanding.nearest`)."""
        if "nearest_crisis" in self.__dict__:
            return self.nearest_crisis >= cosine
        return self._bank.crisis_index.reaches(self._vector, cosine)


class CrisisModel:
    """The networks over `CLASSES`, and the bank's crisis and safe vectors."""

    def __init__(
        self,
        net: Network,
        crisis_vectors: np.ndarray,
        safe_vectors: np.ndarray,
        *,
        digest: str,
    ) -> None:
        if net.classes != len(CLASSES):
            raise ValueError("the network needs one output per crisis class")
        self.network = net
        self.crisis_index = NearestIndex(crisis_vectors)
        self.crisis_vectors = self.crisis_index.vectors
        self.safe_vectors = np.ascontiguousarray(safe_vectors, dtype=np.float32)
        self.digest = digest

    def predict(self, vectors: np.ndarray) -> list[Prediction]:
        """One prediction per unit row of `vectors`."""
        probabilities = self.network.probabilities(vectors)
        safe = CLASSES.index(SAFE)
        kinds = [c for c in CLASSES if c != SAFE]
        kind_columns = [CLASSES.index(c) for c in kinds]
        return [
            Prediction(
                float(1.0 - p[safe]),
                tuple(kinds[i] for i in np.argsort(-p[kind_columns])),
                np.ascontiguousarray(vector, dtype=np.float32),
                self,
            )
            for p, vector in zip(probabilities, vectors, strict=True)
        ]

    def write(self, path: Path) -> None:
        with path.open("wb") as f:
            np.savez_compressed(
                f,
                classes=np.array(CLASSES),
                **self.network.arrays(),
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
                read_network(data),
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
