"""Fuzzy intent lookup over every phrasing of every intent.

Scoring, per intent, blends three signals computed on the analyzer's terms:

- `phrase`: the best weighted Dice overlap between the message and one phrasing;
- `coverage`: how much of the message's weight the intent's whole vocabulary
  explains (a message may combine words from several phrasings);
- `fuzzy`: rapidfuzz's token-sort ratio against the phrasings of the few best
  candidates, which rewards near-identical wording and forgives leftover typos.

Terms are weighted by how few intents use them (IDF over intents), so the words
that carry the meaning decide. Words the knowledge base never uses still count
in the message's weight: a question about something the article does not cover
scores low and falls back instead of borrowing a topic's confidence.

The overlaps are computed as one sparse-by-dense product over incidence matrices
built at start-up, so a message costs a few dozen microseconds whatever the size
of the knowledge base.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from bot.understanding.analyzer import Analyzer
from bot.understanding.normalize import Normalizer


@dataclass(frozen=True)
class MatcherSettings:
    """Weights of the score and how unknown words and bigrams count."""

    phrase_weight: float = 0.45
    coverage_weight: float = 0.40
    fuzzy_weight: float = 0.15
    unknown_word_weight: float = 0.55  # fraction of the highest IDF
    bigram_weight: float = 0.6  # a bigram's weight relative to its words
    rerank_candidates: int = 3


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
        translations: Mapping[str, str] | None = None,
        settings: MatcherSettings | None = None,
        known_words: Iterable[str] = (),
    ) -> None:
        """`known_words`: more real words, kept as written (never typo targets)."""
        self.settings = settings or MatcherSettings()
        self._normalizer = normalizer
        words = {
            w
            for texts in phrasings.values()
            for t in texts
            for w in normalizer.tokens(t)
        }
        self.analyzer = Analyzer(
            analyzer_synonyms,
            vocabulary=words,
            translations=translations,
            protected=known_words,
        )
        self.intents = tuple(phrasings)
        analyzed = {
            intent: [self.analyzer.terms(normalizer.tokens(t)) for t in texts]
            for intent, texts in phrasings.items()
        }
        idf = _inverse_document_frequency(analyzed)
        self._unknown = self.settings.unknown_word_weight * max(idf.values())
        self._feature_index = {f: i for i, f in enumerate(sorted(idf))}
        self._feature_weights = np.array(
            [self._known_weight(f, idf[f]) for f in sorted(idf)], dtype=np.float64
        )
        self._exact: dict[str, str | None] = {}
        self._choices: dict[str, list[str]] = {}
        rows: list[list[int]] = []
        starts: list[int] = []
        for intent, term_lists in analyzed.items():
            starts.append(len(rows))
            for terms in term_lists:
                key = " ".join(terms)
                self._remember_exact(key, intent)
                self._choices.setdefault(intent, []).append(" ".join(sorted(terms)))
                rows.append([self._feature_index[f] for f in set(_features(terms))])
        # Incidence matrices, transposed (feature x phrasing, feature x intent) so
        # a message gathers whole rows.
        phrasing_features = np.zeros((len(idf), len(rows)))
        for column, features in enumerate(rows):
            phrasing_features[features, column] = 1.0
        ends = [*starts[1:], len(rows)]
        intent_features = np.stack(
            [
                phrasing_features[:, a:b].max(axis=1)
                for a, b in zip(starts, ends, strict=True)
            ],
            axis=1,
        )
        self._phrasing_weights = self._feature_weights @ phrasing_features
        self._starts = np.array(starts)
        # Rows pre-multiplied by their feature's weight: a message's overlaps are
        # then one gather and one sum, in single precision to halve the memory read.
        scale = self._feature_weights[:, None]
        self._weighted_phrasings = (phrasing_features * scale).astype(np.float32)
        self._weighted_intents = (intent_features * scale).astype(np.float32)
        self._weight_list = self._feature_weights.tolist()

    def _known_weight(self, feature: str, idf: float) -> float:
        return idf * (self.settings.bigram_weight if " " in feature else 1.0)

    def _remember_exact(self, key: str, intent: str) -> None:
        if key in self._exact and self._exact[key] != intent:
            self._exact[key] = None  # shared by two intents: not decisive
        else:
            self._exact.setdefault(key, intent)

    def terms(self, text: str) -> list[str]:
        """The analyzed terms of `text` (exposed for evaluation and tests)."""
        return self.analyzer.terms(self._normalizer.tokens(text))

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Return (intent, score) pairs, best first; empty if nothing matches."""
        return self.rank_words(self._normalizer.tokens(text))

    def rank_words(self, words: list[str]) -> list[tuple[str, float]]:
        """`rank` for text the caller already split into normalized words."""
        return self.rank_terms(self.analyzer.terms(words))

    def rank_terms(self, terms: list[str]) -> list[tuple[str, float]]:
        """`rank` for the analyzer's terms of a message."""
        if not terms:
            return []
        key = " ".join(terms)
        known: list[int] = []
        unknown_weight = 0.0
        for feature in set(_features(terms)):
            index = self._feature_index.get(feature)
            if index is not None:
                known.append(index)
            elif " " not in feature:  # an unseen bigram says nothing new
                unknown_weight += self._unknown
        query_weight = sum(self._weight_list[i] for i in known) + unknown_weight
        if query_weight <= 0:
            return []
        s = self.settings
        overlap = self._weighted_phrasings[known].sum(axis=0)
        dice = overlap / (query_weight + self._phrasing_weights)
        phrase = np.maximum.reduceat(dice, self._starts)
        coverage = self._weighted_intents[known].sum(axis=0)
        scores = (
            (2 * s.phrase_weight) * phrase
            + (s.coverage_weight / query_weight) * coverage
        ).tolist()
        order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
        sorted_key = " ".join(sorted(terms))
        for number in order[: s.rerank_candidates]:
            if scores[number] <= 0:
                break
            # Token-sorted strings compared with ratio: token_sort_ratio's result
            # without re-tokenizing every phrasing on every message.
            best = process.extractOne(
                sorted_key, self._choices[self.intents[number]], scorer=fuzz.ratio
            )
            scores[number] += s.fuzzy_weight * (best[1] / 100 if best else 0.0)
        exact = self._exact.get(key)
        if exact is not None:
            scores[self.intents.index(exact)] = 1.0
        order.sort(key=scores.__getitem__, reverse=True)
        return [(self.intents[n], scores[n]) for n in order if scores[n] > 0]


def _inverse_document_frequency(
    analyzed: Mapping[str, list[list[str]]],
) -> dict[str, float]:
    """IDF over intents: a feature used by few intents weighs more."""
    df: dict[str, int] = {}
    for term_lists in analyzed.values():
        for feature in {f for terms in term_lists for f in _features(terms)}:
            df[feature] = df.get(feature, 0) + 1
    n = len(analyzed)
    return {f: math.log(1 + n / count) for f, count in df.items()}
