"""Fuzzy intent lookup over every phrasing of every intent.

Scoring, per intent, blends three signals computed on the analyzer's terms:

- `phrase`: the best weighted Dice overlap between the message and one phrasing;
- `coverage`: how much of the message's weight the intent's whole vocabulary
  explains (a message may combine words from several phrasings);
- `fuzzy`: rapidfuzz's token-set ratio against the phrasings of the few best
  candidates, which rewards near-identical wording and forgives leftover typos.

Terms are weighted by how few intents use them (IDF over intents), so the words
that carry the meaning decide. Words the knowledge base never uses still count
in the message's weight: a question about something the article does not cover
scores low and falls back instead of borrowing a topic's confidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.analyzer import Analyzer
from bot.normalize import Normalizer


@dataclass(frozen=True)
class MatcherSettings:
    """Weights of the score and how unknown words and bigrams count."""

    phrase_weight: float = 0.45
    coverage_weight: float = 0.30
    fuzzy_weight: float = 0.25
    unknown_word_weight: float = 0.55  # fraction of the highest IDF
    bigram_weight: float = 0.6  # a bigram's weight relative to its words
    rerank_candidates: int = 4


@dataclass(frozen=True)
class _Phrasing:
    intent: str
    text: str  # the terms joined, for rapidfuzz
    weight: float


def _features(terms: Sequence[str]) -> list[str]:
    return [*terms, *(f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False))]


class Matcher:
    """Ranks intents for a message; build once, call `rank` per message."""

    def __init__(
        self,
        phrasings: Mapping[str, Sequence[str]],
        *,
        normalizer: Normalizer,
        analyzer_synonyms: Mapping[str, str],
        settings: MatcherSettings | None = None,
    ) -> None:
        self.settings = settings or MatcherSettings()
        self._normalizer = normalizer
        words = {
            w
            for texts in phrasings.values()
            for t in texts
            for w in normalizer.tokens(t)
        }
        self.analyzer = Analyzer(analyzer_synonyms, vocabulary=words)
        self.intents = tuple(phrasings)
        analyzed = {
            intent: [self.analyzer.terms(normalizer.tokens(t)) for t in texts]
            for intent, texts in phrasings.items()
        }
        self._idf = self._inverse_document_frequency(analyzed)
        self._unknown = self.settings.unknown_word_weight * max(self._idf.values())
        self._exact: dict[str, str | None] = {}
        self._phrasings: list[_Phrasing] = []
        self._postings: dict[str, list[tuple[int, float]]] = {}
        self._vocab: dict[str, dict[str, None]] = {}
        self._by_intent: dict[str, list[_Phrasing]] = {}
        for intent, term_lists in analyzed.items():
            for terms in term_lists:
                self._add_phrasing(intent, terms)

    def _inverse_document_frequency(
        self, analyzed: Mapping[str, list[list[str]]]
    ) -> dict[str, float]:
        df: dict[str, int] = {}
        for term_lists in analyzed.values():
            for feature in {f for terms in term_lists for f in _features(terms)}:
                df[feature] = df.get(feature, 0) + 1
        n = len(analyzed)
        return {f: math.log(1 + n / count) for f, count in df.items()}

    def _weight(self, feature: str) -> float:
        weight = self._idf.get(feature)
        if weight is None:
            if " " in feature:
                return 0.0  # an unseen bigram says nothing its words do not
            weight = self._unknown
        return weight * (self.settings.bigram_weight if " " in feature else 1.0)

    def _add_phrasing(self, intent: str, terms: list[str]) -> None:
        key = " ".join(terms)
        if key in self._exact and self._exact[key] != intent:
            self._exact[key] = None  # shared by two intents: not decisive
        else:
            self._exact.setdefault(key, intent)
        features = set(_features(terms))
        index = len(self._phrasings)
        phrasing = _Phrasing(intent, key, sum(self._weight(f) for f in features))
        self._phrasings.append(phrasing)
        self._by_intent.setdefault(intent, []).append(phrasing)
        vocab = self._vocab.setdefault(intent, {})
        for feature in features:
            self._postings.setdefault(feature, []).append(
                (index, self._weight(feature))
            )
            vocab[feature] = None

    def terms(self, text: str) -> list[str]:
        """The analyzed terms of `text` (exposed for evaluation and tests)."""
        return self.analyzer.terms(self._normalizer.tokens(text))

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Return (intent, score) pairs, best first; empty if nothing matches."""
        terms = self.terms(text)
        if not terms:
            return []
        key = " ".join(terms)
        exact = self._exact.get(key)
        features = set(_features(terms))
        query_weight = sum(self._weight(f) for f in features)
        if query_weight <= 0:
            return []
        overlap: dict[int, float] = {}
        covered: dict[str, float] = {}
        for feature in features:
            for index, weight in self._postings.get(feature, ()):
                overlap[index] = overlap.get(index, 0.0) + weight
        for intent, vocab in self._vocab.items():
            hit = sum(self._weight(f) for f in features if f in vocab)
            if hit:
                covered[intent] = hit / query_weight
        phrase: dict[str, float] = {}
        for index, shared in overlap.items():
            p = self._phrasings[index]
            dice = 2 * shared / (query_weight + p.weight)
            if dice > phrase.get(p.intent, 0.0):
                phrase[p.intent] = dice
        s = self.settings
        partial = {
            intent: s.phrase_weight * phrase.get(intent, 0.0)
            + s.coverage_weight * covered.get(intent, 0.0)
            for intent in covered
        }
        best = sorted(partial, key=partial.__getitem__, reverse=True)
        scores: dict[str, float] = {}
        for intent in best[: s.rerank_candidates]:
            fuzzy = (
                max(fuzz.token_set_ratio(key, p.text) for p in self._by_intent[intent])
                / 100
            )
            scores[intent] = partial[intent] + s.fuzzy_weight * fuzzy
        for intent in best[s.rerank_candidates :]:
            scores[intent] = partial[intent]
        if exact is not None:
            scores[exact] = 1.0
        return sorted(scores.items(), key=lambda item: item[1], reverse=True)
