"""The nearest-example lookup's cheap bound never changes an answer."""

from __future__ import annotations

import numpy as np
import pytest

from bot.understanding.nearest import PROJECTED, NearestIndex


def unit_rows(rng: np.random.Generator, rows: int, dimension: int) -> np.ndarray:
    # Clustered like sentence vectors: a shared direction plus noise.
    shared = rng.normal(size=dimension)
    vectors = shared + rng.normal(scale=1.5, size=(rows, dimension))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(
        np.float32
    )


@pytest.mark.parametrize("dimension", [PROJECTED // 2, 3 * PROJECTED])
def test_reaches_agrees_with_the_exact_nearest_at_every_threshold(
    dimension: int,
) -> None:
    rng = np.random.default_rng(7)
    index = NearestIndex(unit_rows(rng, 600, dimension))
    queries = unit_rows(rng, 40, dimension)
    # A query equal to an example: its nearest cosine is 1.
    queries = np.vstack([queries, index.vectors[:3]])
    for query in queries:
        nearest = index.nearest(query)
        assert nearest == pytest.approx((index.vectors @ query).max())
        # Up to float rounding: just below and just above the nearest cosine.
        for cosine in (0.2, 0.5, 0.85, 0.99, nearest - 1e-4, nearest + 1e-4):
            assert index.reaches(query, cosine) == (nearest >= cosine)


def test_the_bound_rules_out_most_of_a_far_query_without_reading_it() -> None:
    rng = np.random.default_rng(3)
    index = NearestIndex(unit_rows(rng, 2000, 3 * PROJECTED))
    far = unit_rows(rng, 1, 3 * PROJECTED)[0]
    projection = index._projection
    assert projection is not None
    projected = far @ projection.basis
    rest = np.linalg.norm(far - projection.basis @ projected)
    bounds = projection.projected @ projected + rest * projection.rest_norms
    exact = index.vectors @ far
    assert (bounds >= exact - 1e-5).all()  # an upper bound on every cosine
    assert not index.reaches(far, 0.85)
