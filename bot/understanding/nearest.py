"""The nearest of many unit vectors, with a cheap test that rules most out first.

Reading thousands of 384-dimensional vectors costs a message more than the
crisis networks do: the bank does not stay in the processor's cache beside the
sentence model, so each lookup waits on memory. Most lookups only ask whether
the nearest example is at least some cosine away ("is this message a near copy
of a crisis example?"), and for most messages it plainly is not.

So the bank is also kept projected onto its `PROJECTED` main directions. For a
query x and an example v, split each into the projected part and the rest (R):
x·v = Px·Pv + Rx·Rv <= Px·Pv + |Rx||Rv| (Cauchy-Schwarz). The largest such bound
over the bank, a third of the reading, answers "not that near" exactly
whenever it falls short of the threshold; only the examples whose own bound
reaches it are read whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

PROJECTED = 128
# Rounding in float32 sums of a few hundred terms is far below this.
_ROUNDING = 1e-4


@dataclass(frozen=True)
class _Projection:
    basis: np.ndarray  # (dimension, PROJECTED), orthonormal columns
    projected: np.ndarray  # the vectors in that basis
    rest_norms: np.ndarray  # the length of what the basis leaves of each vector


class NearestIndex:
    """Unit row vectors, asked for their largest cosine to a query."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    @cached_property
    def _projection(self) -> _Projection | None:
        """Built on first use (tens of ms), not when the model loads."""
        if min(self.vectors.shape) <= PROJECTED:
            return None  # small enough to read whole every time
        # The main directions: the top eigenvectors of the vectors' scatter.
        _, eigenvectors = np.linalg.eigh(self.vectors.T @ self.vectors)
        basis = np.ascontiguousarray(eigenvectors[:, -PROJECTED:])
        projected = np.ascontiguousarray(self.vectors @ basis)
        rest = self.vectors - projected @ basis.T
        return _Projection(
            basis, projected, np.linalg.norm(rest, axis=1).astype(np.float32)
        )

    def nearest(self, query: np.ndarray) -> float:
        """The largest cosine between `query` and any of the vectors."""
        return float((self.vectors @ query).max())

    def reaches(self, query: np.ndarray, cosine: float) -> bool:
        """Whether `nearest(query) >= cosine` (up to float rounding); only the
        vectors whose bound does not rule them out are read whole."""
        projection = self._projection
        if projection is None:
            return self.nearest(query) >= cosine
        projected = query @ projection.basis
        rest = float(np.linalg.norm(query - projection.basis @ projected))
        bounds = projection.projected @ projected + rest * projection.rest_norms
        candidates = np.flatnonzero(bounds + _ROUNDING >= cosine)
        if len(candidates) == 0:
            return False
        return float((self.vectors[candidates] @ query).max()) >= cosine
