"""The knowledge base's phrasings as sentence vectors, shipped precomputed.

Encoding every phrasing (about a thousand) takes seconds, and every worker
process would pay it at start-up. So the vectors ship with the knowledge base in
`knowledge/phrasing_vectors.npz`, each keyed by a hash of the exact text the
encoder read and tagged with the model they came from. At start-up a phrasing
whose vector is there costs a lookup; one that is not (a phrasing added since,
or another model) is encoded then, and the log says to refresh the file with
`python -m bot.understanding.phrasing_vectors`.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

VECTORS_FILE = "phrasing_vectors.npz"
# Bump when the text the encoder reads changes (normalization, translation).
TEXT_VERSION = "english-1"
_BATCH = 32


def text_key(text: str) -> str:
    """The key of one encoded text: a hash of the text and how it was prepared."""
    return hashlib.sha256(f"{TEXT_VERSION}\n{text}".encode()).hexdigest()[:24]


class PhrasingVectors:
    """Vectors by text key, for one model; read from and written to an .npz file."""

    def __init__(self, model: str, vectors: dict[str, np.ndarray] | None = None):
        self.model = model
        self._vectors = vectors or {}

    @classmethod
    def read(cls, path: Path | Traversable, model: str) -> PhrasingVectors:
        """The vectors stored at `path` for `model`; none if absent or another model."""
        try:
            with path.open("rb") as f:
                data = np.load(f, allow_pickle=False)
                stored_model = str(data["model"])
                keys = data["keys"].tolist()
                vectors = data["vectors"].astype(np.float32)
        except (OSError, KeyError, ValueError) as e:
            logger.warning("phrasing vectors not read from %s: %s", path, e)
            return cls(model)
        if stored_model != model:
            logger.warning("phrasing vectors at %s are for another model", path)
            return cls(model)
        return cls(model, dict(zip(keys, vectors, strict=True)))

    def write(self, path: Path) -> None:
        """Store every vector (float16: a cosine moves by about 1e-3)."""
        keys = sorted(self._vectors)
        vectors = np.stack([self._vectors[k] for k in keys]).astype(np.float16)
        with path.open("wb") as f:
            np.savez_compressed(
                f, model=np.array(self.model), keys=np.array(keys), vectors=vectors
            )

    def missing(self, texts: Sequence[str]) -> list[str]:
        """The texts, in order and without repeats, that have no vector yet."""
        return [t for t in dict.fromkeys(texts) if text_key(t) not in self._vectors]

    def matrix(
        self, texts: Sequence[str], encode: Callable[[Sequence[str]], np.ndarray]
    ) -> np.ndarray:
        """One unit row per text, encoding (and keeping) the ones not stored."""
        missing = self.missing(texts)
        if missing:
            logger.warning(
                "%d phrasings have no stored vector and are encoded now; refresh"
                " %s with `python -m bot.understanding.phrasing_vectors`",
                len(missing),
                VECTORS_FILE,
            )
            # Similar lengths together: a batch is padded to its longest text.
            missing.sort(key=len)
            for start in range(0, len(missing), _BATCH):
                batch = missing[start : start + _BATCH]
                for text, vector in zip(batch, encode(batch), strict=True):
                    self._vectors[text_key(text)] = vector
        rows = np.stack([self._vectors[text_key(t)] for t in texts])
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return (rows / np.maximum(norms, 1e-12)).astype(np.float32)

    def keep_only(self, texts: Sequence[str]) -> None:
        """Forget the vectors of texts no longer in the knowledge base."""
        wanted = {text_key(t) for t in texts}
        self._vectors = {k: v for k, v in self._vectors.items() if k in wanted}


def refresh(directory: Path | None = None) -> int:
    """Re-encode what changed and rewrite the shipped file; return how many."""
    # Imported here: the command needs the parser, the parser needs this module.
    from bot.knowledge import load_knowledge_base
    from bot.understanding.parser import Parser
    from bot.understanding.semantic import SentenceEncoder

    knowledge = load_knowledge_base(directory) if directory else load_knowledge_base()
    root = directory or Path(__file__).resolve().parents[2] / "knowledge"
    encoder = SentenceEncoder.load()
    texts = Parser(knowledge).phrasing_texts()  # the light mode reads no vectors
    stored = PhrasingVectors.read(root / VECTORS_FILE, model_id())
    added = len(stored.missing(texts))
    stored.matrix(texts, encoder.encode)
    stored.keep_only(texts)
    stored.write(root / VECTORS_FILE)
    return added


def model_id() -> str:
    """Names the sentence model by its package, the size of its weights and the
    precision faqbot runs it at: vectors from another precision are not reused."""
    from bot.understanding.semantic import (
        DEFAULT_PRECISION,
        MODEL_PACKAGE,
        default_model_dir,
    )

    size = (default_model_dir() / "model.safetensors").stat().st_size
    return f"{MODEL_PACKAGE}:{size}:{DEFAULT_PRECISION}"


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    count = refresh(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"{count} phrasings encoded; {VECTORS_FILE} rewritten")
