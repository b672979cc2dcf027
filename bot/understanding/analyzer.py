"""Turns normalized words into the matcher's terms.

Four steps, each cheap after start-up: Spanish words and phrases put into
English, typo correction against the knowledge base's own vocabulary (rapidfuzz,
cached per word), lexicon synonyms (longest phrase first), and a light suffix
stemmer so "addiction", "addicted" and "addictive" meet. The first two give the
plain English words the semantic encoder reads (`english`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

# Words that carry no meaning for telling topics apart. Question words ("how",
# "what", "why", "long") and "i", "you", "am", "are" are kept on purpose: they
# separate "what is" from "how long", and "are you a bot" from "I want a person".
STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at for by as into onto than then so
    is was were be been being do does did doing have has had having
    mine myself we us our yours he him his she her hers they them
    their it this that these those there here just really very also too still
    any some all much many more most can could would should will shall may might
    must please ok um uh oh well like get got getting know tell use used using
    about with up out over again ever thing things stuff someone
    something anyone anything one
    """.split()
)

_SUFFIXES = (
    "ations",
    "ation",
    "ings",
    "ing",
    "edly",
    "ies",
    "ied",
    "ive",
    "ion",
    "ed",
    "es",
    "ly",
    "s",
)
_MIN_STEM = 4


def stem(word: str) -> str:
    """Strip one common English suffix, keeping at least four letters."""
    if len(word) <= _MIN_STEM or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            if suffix == "s" and word.endswith("ss"):
                return word
            if suffix in ("ies", "ied"):
                return word[: -len(suffix)] + "y"
            return word[: -len(suffix)]
    return word


class PhraseTable:
    """Replaces words and phrases of words, longest phrase first."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self._table = {tuple(k.split()): tuple(v.split()) for k, v in table.items()}
        self._longest = max((len(k) for k in self._table), default=1)
        self._phrase_starts = frozenset(k[0] for k in self._table if len(k) > 1)

    def words(self) -> set[str]:
        """Every word on either side of the table."""
        return {w for k, v in self._table.items() for w in (*k, *v)}

    def sources(self) -> set[str]:
        """Every word the table replaces."""
        return {w for k in self._table for w in k}

    def apply(self, words: list[str]) -> list[str]:
        """Return `words` with every listed phrase replaced."""
        if not self._table:
            return words
        out: list[str] = []
        i = 0
        while i < len(words):
            if words[i] not in self._phrase_starts:
                single = self._table.get((words[i],))
                out.extend(single if single is not None else (words[i],))
                i += 1
                continue
            for size in range(min(self._longest, len(words) - i), 0, -1):
                replacement = self._table.get(tuple(words[i : i + size]))
                if replacement is not None:
                    out.extend(replacement)
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return out


class Analyzer:
    """Typo correction, synonyms and stemming over one knowledge base's vocabulary."""

    def __init__(
        self,
        synonyms: Mapping[str, str],
        *,
        vocabulary: Iterable[str],
        translations: Mapping[str, str] | None = None,
        protected: Iterable[str] = (),
        typo_cache_size: int = 4096,
    ) -> None:
        """`protected`: real words kept as written but never typo targets."""
        self._synonyms = PhraseTable(synonyms)
        self._translations = PhraseTable(translations or {})
        known = set(vocabulary) | self._synonyms.words()
        # Spanish words are translated, never typo targets: "es" is not "is".
        self._known = frozenset(
            known | self._translations.words() | set(protected)
        )
        known -= self._translations.sources()
        self._by_length: dict[int, list[str]] = {}
        for word in sorted(known):
            if word.isalpha() and len(word) >= 3:
                self._by_length.setdefault(len(word), []).append(word)
        # Bound per instance: a parse never grows memory without limit.
        self.correct = lru_cache(maxsize=typo_cache_size)(self._correct)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every word the knowledge base and the lexicon use."""
        return self._known

    def english(self, words: list[str]) -> list[str]:
        """Return normalized `words` in English, typos corrected, all words kept."""
        return [self.correct(w) for w in self._translations.apply(words)]

    def terms(self, words: list[str]) -> list[str]:
        """Return the stemmed content terms of normalized `words`, in order."""
        return self.terms_of_english(self.english(words))

    def terms_of_english(self, english: list[str]) -> list[str]:
        """`terms` for words `english` already returned."""
        expanded = self._synonyms.apply(english)
        return [stem(w) for w in expanded if w not in STOPWORDS]

    def _correct(self, word: str) -> str:
        """Return the known word `word` is a typo of, or `word` itself."""
        if word in self._known or len(word) < 4 or not word.isalpha():
            return word
        # One edit for short words, two for long ones.
        max_edits = 1 if len(word) < 8 else 2
        candidates: list[str] = []
        for length in range(len(word) - max_edits, len(word) + max_edits + 1):
            candidates.extend(self._by_length.get(length, ()))
        if not candidates:
            return word
        best = process.extractOne(
            word,
            candidates,
            scorer=Levenshtein.distance,
            score_cutoff=max_edits,
        )
        if best is None:
            return word
        # Keep the first letter: typos rarely change it, and it avoids "pain" ->
        # "gain" style corrections of real words we do not know.
        return best[0] if best[0][0] == word[0] else word
