"""Fitting `bot.understanding.networks.Network`s: full-batch Adam, fixed seeds.

Shared by `faqbot train-crisis` and `faqbot train-intents`. Each member starts
from its own fixed seed, so training twice gives the same network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.understanding.networks import Network, network

Encode = Callable[[Sequence[str]], np.ndarray]
_BATCH = 64


@dataclass(frozen=True)
class NetworkSettings:
    """The shape of a network and how long and how hard it is fitted."""

    members: int = 3
    hidden: int = 64
    l2: float = 1e-4
    epochs: int = 600
    learning_rate: float = 0.01


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


def fit_network(
    x: np.ndarray,
    onehot: np.ndarray,
    sample_weight: np.ndarray,
    settings: NetworkSettings,
) -> Network:
    """`settings.members` networks over float32 rows `x`, one per seed, stacked.

    `onehot` has a row per example and a column per class; `sample_weight` sums
    to one.
    """
    members = [
        _fit_member(x, onehot, sample_weight, settings, seed)
        for seed in range(settings.members)
    ]
    return network(*(np.stack(layer) for layer in zip(*members, strict=True)))


def _fit_member(
    x: np.ndarray,
    onehot: np.ndarray,
    sample_weight: np.ndarray,
    settings: NetworkSettings,
    seed: int,
) -> list[np.ndarray]:
    """One network's [hidden weights, hidden bias, output weights, output bias]."""
    rng = np.random.default_rng(seed)
    dimension, hidden, classes = x.shape[1], settings.hidden, onehot.shape[1]
    params = [
        rng.normal(0.0, np.sqrt(2.0 / dimension), (dimension, hidden)),
        np.zeros(hidden),
        rng.normal(0.0, np.sqrt(1.0 / hidden), (hidden, classes)),
        np.zeros(classes),
    ]
    params = [p.astype(np.float32) for p in params]
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, settings.epochs + 1):
        hidden_weights, hidden_bias, output_weights, output_bias = params
        before = x @ hidden_weights + hidden_bias
        after = np.maximum(before, 0.0)
        logits = after @ output_weights + output_bias
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        error = (p - onehot) * sample_weight[:, None]
        back = (error @ output_weights.T) * (before > 0)
        gradients = [
            x.T @ back + settings.l2 * hidden_weights,
            back.sum(axis=0),
            after.T @ error + settings.l2 * output_weights,
            error.sum(axis=0),
        ]
        for param, grad, m, v in zip(params, gradients, moments, squares, strict=True):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            m_hat = m / (1 - beta1**step)
            v_hat = v / (1 - beta2**step)
            param -= settings.learning_rate * m_hat / (np.sqrt(v_hat) + eps)
    return params
