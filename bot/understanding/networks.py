"""Small softmax networks over sentence vectors, as the crisis and intent models use.

One hidden layer of rectified units, and several members trained from their
own seeds whose probabilities are averaged. A hidden layer lets a model weigh
words together where a linear one can only add them up; averaging members
steadies the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

_LAYERS = ("hidden_weights", "hidden_bias", "output_weights", "output_bias")


@dataclass(frozen=True)
class Network:
    """Members of one shape, stacked on a leading axis: member m maps a row x
    to softmax(relu(x @ hidden_weights[m] + hidden_bias[m]) @ output_weights[m]
    + output_bias[m])."""

    hidden_weights: np.ndarray  # (members, dimension, hidden)
    hidden_bias: np.ndarray  # (members, hidden)
    output_weights: np.ndarray  # (members, hidden, classes)
    output_bias: np.ndarray  # (members, classes)

    def __post_init__(self) -> None:
        members, _, hidden = self.hidden_weights.shape
        classes = self.classes
        if (
            self.hidden_bias.shape != (members, hidden)
            or self.output_weights.shape != (members, hidden, classes)
            or self.output_bias.shape != (members, classes)
        ):
            raise ValueError("the layers must fit together, with one output per class")

    @property
    def classes(self) -> int:
        """How many classes the network tells apart."""
        return int(self.output_bias.shape[-1])

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Each row's class probabilities, averaged over the members."""
        total = np.zeros((len(vectors), self.classes), dtype=np.float32)
        for m in range(len(self.hidden_weights)):
            before = vectors @ self.hidden_weights[m] + self.hidden_bias[m]
            hidden = np.maximum(before, 0)
            logits = hidden @ self.output_weights[m] + self.output_bias[m]
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            total += p / p.sum(axis=1, keepdims=True)
        return total / len(self.hidden_weights)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "hidden_weights": self.hidden_weights,
            "hidden_bias": self.hidden_bias,
            "output_weights": self.output_weights,
            "output_bias": self.output_bias,
        }


def network(
    hidden_weights: np.ndarray,
    hidden_bias: np.ndarray,
    output_weights: np.ndarray,
    output_bias: np.ndarray,
) -> Network:
    """A `Network` of float32 arrays."""
    return Network(
        *(
            np.ascontiguousarray(a, dtype=np.float32)
            for a in (hidden_weights, hidden_bias, output_weights, output_bias)
        )
    )


def read_network(arrays: Mapping[str, np.ndarray]) -> Network:
    """The network whose layers `Network.arrays` wrote into `arrays` (an .npz)."""
    return network(*(arrays[name] for name in _LAYERS))
