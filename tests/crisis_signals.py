"""A crisis detector for tests: the real one, except for phrases with fixed signals.

The product's detector decides which messages are clear or possible crises;
these tests are about what the conversation does with each tier, so they fix
the signal of a few phrases and leave every other message to the real detector.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from bot.understanding.crisis import CrisisDetector, CrisisKind, CrisisSignal, Language
from bot.understanding.crisis_model import load_crisis_model
from bot.understanding.normalize import Normalizer


def possible(kind: CrisisKind, language: Language = "en") -> CrisisSignal:
    return CrisisSignal(kind=kind, cue="test", level="possible", language=language)


def clear(kind: CrisisKind, language: Language = "en") -> CrisisSignal:
    return CrisisSignal(kind=kind, cue="test", level="clear", language=language)


# Messages as visitors write them, with the signal the tests give them.
PAST_ATTEMPT = "i tried to kill myself years ago, is ketamine safe for me?"
OVERDOSE_QUESTION = "can you overdose on ketamine?"
SPANISH_OVERDOSE_QUESTION = "es peligroso tomar muchas pastillas para el dolor?"
CHEST_PAIN = "my chest hurts when i breathe deeply"
SPANISH_SUICIDE = "ya no quiero vivir"
SPANISH_OVERDOSE = "mi hijo se tomo todas mis pastillas"

SIGNALS: dict[str, CrisisSignal] = {
    PAST_ATTEMPT: possible("suicide"),
    OVERDOSE_QUESTION: possible("overdose"),
    SPANISH_OVERDOSE_QUESTION: possible("overdose", "es"),
    CHEST_PAIN: possible("medical_emergency"),
    SPANISH_SUICIDE: clear("suicide", "es"),
    SPANISH_OVERDOSE: clear("overdose", "es"),
}


class PhraseDetector(CrisisDetector):
    """The default detector, but these phrases get these signals."""

    def __init__(self, signals: Mapping[str, CrisisSignal] = SIGNALS) -> None:
        super().__init__(load_crisis_model())
        normalizer = Normalizer()
        self._signals = {normalizer(text): signal for text, signal in signals.items()}

    def detect(
        self,
        normalized: str,
        vectors: np.ndarray | None = None,
        *,
        language: Language = "en",
    ) -> CrisisSignal | None:
        fixed = self._signals.get(normalized.strip())
        if fixed is not None:
            return fixed
        return super().detect(normalized, vectors, language=language)


def write_rules(tmp_path: Path, text: str) -> Path:
    """A rules file holding `text`, for load_rules."""
    path = tmp_path / "rules.yml"
    path.write_text(text, encoding="utf-8")
    return path
