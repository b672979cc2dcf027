"""Meaning-based intent scores: a message's nearest phrasing under each intent.

Every phrasing of the knowledge base is a unit sentence vector (shipped
precomputed, see `phrasing_vectors`); a message's score for an intent is its
highest cosine similarity to one of that intent's phrasings. This catches what
the fuzzy matcher cannot: meaning the words do not share ("can pain mess with
your mood" and "chronic pain and depression").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


class SemanticIndex:
    """Per-intent nearest-phrasing similarity; build once, call `scores` freely."""

    def __init__(
        self, phrasings: Mapping[str, Sequence[str]], matrix: np.ndarray
    ) -> None:
        """`matrix` holds one unit row per phrasing, intents in `phrasings` order."""
        self.intents = tuple(phrasings)
        counts = [len(texts) for texts in phrasings.values()]
        if any(n == 0 for n in counts) or sum(counts) != len(matrix):
            raise ValueError("every intent needs phrasings, one matrix row each")
        self._starts = np.cumsum([0, *counts[:-1]])
        self._matrix = np.ascontiguousarray(matrix, dtype=np.float32)

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """Shape (messages, intents): each message's best cosine per intent."""
        similarities = vectors @ self._matrix.T
        return np.maximum.reduceat(similarities, self._starts, axis=1)
