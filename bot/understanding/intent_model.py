"""The intent model: which intent a message's sentence vector most likely means.

The semantic index scores a message by its nearest phrasing; the fuzzy matcher
by the words it shares with one. Neither learns where one topic ends and the
next begins ("how does ketamine work" against "what is ketamine therapy"): this
model does. Small networks (`bot.understanding.networks`) are fitted over the
sentence vectors of the knowledge base's phrasings and of the visitor messages
in `knowledge/visitors/`, each labelled with its intent, and the parser mixes
their probabilities into its ranking (`NluSettings.intent_weight`).

The weights ship in `knowledge/intent_model.npz`, written by `faqbot
train-intents` and tagged with a digest of the labelled texts they came from.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

from bot.knowledge import default_directory
from bot.understanding.networks import Network, read_network

logger = logging.getLogger(__name__)

MODEL_FILE = "intent_model.npz"


class IntentModel:
    """A network over intents, and the intents' names in its output order."""

    def __init__(self, net: Network, intents: Sequence[str], *, digest: str) -> None:
        if net.classes != len(intents):
            raise ValueError("the network needs one output per intent")
        self.network = net
        self.intents = tuple(intents)
        self.digest = digest

    def columns_for(self, intents: Sequence[str]) -> np.ndarray:
        """For each of `intents` (a ranking's order), this model's output
        column, or -1 for an intent it was not trained on (a topic added since)."""
        column = {name: n for n, name in enumerate(self.intents)}
        return np.array([column.get(name, -1) for name in intents], dtype=np.intp)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Shape (rows, intents): each row's probability of each intent."""
        return self.network.probabilities(vectors)

    def write(self, path: Path) -> None:
        with path.open("wb") as f:
            np.savez_compressed(
                f,
                intents=np.array(self.intents),
                **self.network.arrays(),
                digest=np.array(self.digest),
            )

    @classmethod
    def read(cls, path: Path | Traversable) -> IntentModel:
        """The model stored at `path`; OSError, KeyError or ValueError if unreadable."""
        with path.open("rb") as f:
            data = np.load(f, allow_pickle=False)
            return cls(
                read_network(data),
                data["intents"].tolist(),
                digest=str(data["digest"]),
            )


def load_intent_model(path: Path | Traversable | None = None) -> IntentModel | None:
    """The shipped model (or the one at `path`); None, logged, when there is none."""
    path = path or default_directory().joinpath(MODEL_FILE)
    try:
        return IntentModel.read(path)
    except (OSError, KeyError, ValueError) as e:
        logger.warning("no intent model (%s): phrasings and words rank alone", e)
        return None
