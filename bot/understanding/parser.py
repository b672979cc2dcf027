"""Understanding: a visitor's message in, Rasa's parse result out.

Crisis detection runs first and nothing can out-score it. Then the matcher
ranks intents; below the confidence threshold, or when the two best intents are
closer than the margin, the intent is `nlu_fallback` (Rasa's name) with the real
candidates kept below it for "did you mean" suggestions. Questions the article
does not cover (`out_of_scope`) also come out as `nlu_fallback`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from bot.knowledge import FAQ_PREFIX, OUT_OF_SCOPE, KnowledgeBase
from bot.understanding.crisis import CrisisDetector, CrisisSignal
from bot.understanding.matcher import Matcher, MatcherSettings
from bot.understanding.normalize import Normalizer

NLU_FALLBACK = "nlu_fallback"
CRISIS = "crisis"
# Longer messages are matched on their beginning; crisis detection reads them whole.
MAX_PARSE_CHARS = 2000
RANKING_SIZE = 10


class IntentScore(TypedDict):
    name: str
    confidence: float


class ParseResult(TypedDict, total=False):
    text: str
    intent: IntentScore
    entities: list[dict[str, Any]]
    intent_ranking: list[IntentScore]
    response_selector: dict[str, Any]


@dataclass(frozen=True)
class NluSettings:
    """When the best intent is trusted."""

    threshold: float = 0.35
    margin: float = 0.01


class Parser:
    """Parses messages against one knowledge base; build once, then `parse` freely."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        *,
        settings: NluSettings | None = None,
        matcher_settings: MatcherSettings | None = None,
    ) -> None:
        self.settings = settings or NluSettings()
        self.knowledge = knowledge
        self.normalizer = Normalizer(knowledge.lexicon.spelling)
        self.crisis = CrisisDetector()
        self.matcher = Matcher(
            knowledge.phrasings(),
            normalizer=self.normalizer,
            analyzer_synonyms=knowledge.lexicon.synonyms,
            settings=matcher_settings,
        )
        self._answers = {t.intent: t.answer for t in knowledge.topics}

    def detect_crisis(self, text: str) -> CrisisSignal | None:
        """Return the crisis anywhere in `text`, however long, or None."""
        return self.crisis.detect(self.normalizer(text))

    def parse(self, text: str) -> ParseResult:
        """Return Rasa's parse result for `text`."""
        words = self.normalizer.tokens(text)
        if len(text) > MAX_PARSE_CHARS:
            # The matcher's cost grows with length, so it ranks the beginning
            # only; a crisis at the end of a long message must still be found.
            matched = self.normalizer.tokens(text[:MAX_PARSE_CHARS])
        else:
            matched = words
        # Dict literals, not IntentScore(...): calling a TypedDict costs a
        # microsecond each, a tenth of the parse budget for a ranking.
        ranking: list[IntentScore] = [
            {"name": name, "confidence": min(score, 1.0)}
            for name, score in self.matcher.rank_words(matched)[:RANKING_SIZE]
        ]
        if self.crisis.detect(" ".join(words)) is not None:
            intent = IntentScore(name=CRISIS, confidence=1.0)
            ranking = [intent, *ranking]
        else:
            intent = self._decide(ranking)
            if intent["name"] == NLU_FALLBACK:
                ranking = [intent, *ranking]
        return {
            "text": text,
            "intent": intent,
            "entities": [],
            "intent_ranking": ranking[:RANKING_SIZE],
            "response_selector": self.response_selector(intent, ranking),
        }

    def _decide(self, ranking: list[IntentScore]) -> IntentScore:
        fallback = IntentScore(name=NLU_FALLBACK, confidence=self.settings.threshold)
        if not ranking:
            return fallback
        top = ranking[0]
        if top["name"] == OUT_OF_SCOPE or top["confidence"] < self.settings.threshold:
            return fallback
        if len(ranking) > 1:
            second = ranking[1]
            if top["confidence"] - second["confidence"] < self.settings.margin:
                return fallback
        return top

    def response_selector(
        self, intent: IntentScore, ranking: list[IntentScore]
    ) -> dict[str, Any]:
        """Rasa's response selector block for the `faq` retrieval intent."""
        faq_ranking = [r for r in ranking if r["name"].startswith(FAQ_PREFIX)]
        selected = intent if intent["name"].startswith(FAQ_PREFIX) else None
        response: dict[str, Any] = {
            "responses": None,
            "confidence": 0.0,
            "intent_response_key": None,
            "utter_action": "utter_None",
        }
        if selected is not None:
            key = selected["name"]
            response = {
                "responses": [{"text": self._answers[key]}],
                "confidence": selected["confidence"],
                "intent_response_key": key,
                "utter_action": f"utter_{key}",
            }
        return {
            "all_retrieval_intents": ["faq"],
            "faq": {
                "response": response,
                "ranking": [
                    {"confidence": r["confidence"], "intent_response_key": r["name"]}
                    for r in faq_ranking[:RANKING_SIZE]
                ],
            },
        }
