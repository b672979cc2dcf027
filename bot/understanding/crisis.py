"""Crisis detection: the safety layer that runs before any FAQ matching.

Anyone who writes about suicide, self-harm, an overdose or a medical emergency
must be given 988 and 911 before anything else. A false alarm costs one
unneeded safety message and a miss can cost a life, so every rule leans
towards recall. The rules are plain regular expressions so that each decision
can be traced to a named pattern.

The input is the `Normalizer` form: lowercase ASCII words and single spaces,
with contractions and SMS shorthand expanded ("cant" -> "cannot", "wanna" ->
"want to"). Normalization does not fix general misspellings, so the patterns
allow for the common ones themselves ("kil myself", "suicidel", "cant breath").

Guards blank out known harmless phrasings ("dying to know", "can you overdose
on ketamine", "chest wall pain") before the rules run. Each guard replaces only
its own words, so a crisis elsewhere in the same message still fires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.understanding.crisis_rules import GUARDS, RULES, CrisisKind

__all__ = ["CrisisDetector", "CrisisKind", "CrisisLevel", "CrisisSignal"]

# "clear": the crisis reply only. "possible": one safety line, then the answer.
CrisisLevel = Literal["clear", "possible"]
Language = Literal["en", "es"]


@dataclass(frozen=True)
class CrisisSignal:
    """A detected crisis: its kind, what fired, how sure, and the message's language."""

    kind: CrisisKind
    cue: str
    level: CrisisLevel = "clear"
    language: Language = "en"

    def as_json(self) -> dict[str, str]:
        """The `crisis` block of a parse result."""
        return {
            "level": self.level,
            "kind": self.kind,
            "cue": self.cue,
            "language": self.language,
        }


class CrisisDetector:
    """Rule-based, high-recall detection; runs before any FAQ matching."""

    def __init__(self) -> None:
        self._non_word = re.compile(r"[^a-z0-9]+")
        self._guards = tuple(re.compile(pattern) for _, pattern in GUARDS)
        self._rules = tuple(
            (kind, tuple((name, re.compile(pattern)) for name, pattern in rules))
            for kind, rules in RULES
        )
        # One pass over the text answers "could any rule fire?". Guards only ever
        # blank words out, so a message no rule matches before the guards cannot
        # match after them: most messages stop here, at a fraction of the cost.
        # Every rule begins at a word boundary, and normalized words are split by
        # single spaces, so only word starts need trying.
        self._any_rule = re.compile(
            "(?:^|(?<= ))(?:"
            + "|".join(f"(?:{pattern})" for _, rules in RULES for _, pattern in rules)
            + ")"
        )

    def detect(self, normalized: str) -> CrisisSignal | None:
        """Return the crisis that `normalized` text signals, or None."""
        # Normalized text passes through unchanged; anything else is made safe
        # to match rather than trusted.
        text = " ".join(self._non_word.split(normalized.lower())).strip()
        if not text or self._any_rule.search(text) is None:
            return None
        for guard in self._guards:
            text = guard.sub("~", text)
        for kind, rules in self._rules:
            for name, pattern in rules:
                if pattern.search(text):
                    return CrisisSignal(kind=kind, cue=name)
        return None
