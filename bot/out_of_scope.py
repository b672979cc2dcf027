"""Out-of-scope topics: questions visitors often ask that the article does not answer.

Each topic is an intent of its own, `out_of_scope/<id>`, so the parser can rank
the specific thing the article does not cover below `nlu_fallback`, and the
fallback can say which thing that is instead of borrowing a topic's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.errors import KnowledgeBaseError

OUT_OF_SCOPE = "out_of_scope"
OUT_OF_SCOPE_PREFIX = OUT_OF_SCOPE + "/"
# Below this an out-of-scope candidate is a guess: "12345" is not about the
# clinic's location, though some topic always ranks first below the fallback.
CONFIDENT = 0.35


def is_out_of_scope(intent: str) -> bool:
    """True for the generic out-of-scope intent and for every specific topic."""
    return intent == OUT_OF_SCOPE or intent.startswith(OUT_OF_SCOPE_PREFIX)


def confidently_out_of_scope(candidate: Mapping[str, Any]) -> bool:
    """True for a ranking entry that is an out-of-scope intent, and sure of it."""
    return is_out_of_scope(str(candidate.get("name") or "")) and float(
        candidate.get("confidence") or 0.0
    ) >= CONFIDENT


@dataclass(frozen=True)
class OutOfScopeTopic:
    """A question the article does not answer, and how visitors ask it."""

    id: str
    subject: str
    examples: tuple[str, ...]

    @property
    def intent(self) -> str:
        """The intent name, `out_of_scope/<id>`."""
        return OUT_OF_SCOPE_PREFIX + self.id


def out_of_scope_topics(
    data: Mapping[str, Any], file: str
) -> tuple[OutOfScopeTopic, ...]:
    """Validate the `topics` of out_of_scope.yml; errors name the file and entry."""
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise KnowledgeBaseError(f"{file}: 'topics' must be a non-empty list")
    topics: list[OutOfScopeTopic] = []
    for index, raw in enumerate(raw_topics, start=1):
        if not isinstance(raw, dict):
            raise KnowledgeBaseError(f"{file}: topic #{index}: expected a mapping")
        where = f"{file}: topic '{raw.get('id', index)}'"
        topic_id, subject = raw.get("id"), raw.get("subject")
        examples = raw.get("examples")
        if not isinstance(topic_id, str) or not topic_id.isidentifier():
            raise KnowledgeBaseError(f"{where}: 'id' must be a lower_case name")
        if not isinstance(subject, str) or not subject.strip():
            raise KnowledgeBaseError(f"{where}: missing or empty field 'subject'")
        if (
            not isinstance(examples, list)
            or not examples
            or not all(isinstance(e, str) and e.strip() for e in examples)
        ):
            raise KnowledgeBaseError(f"{where}: 'examples' must be a list of text")
        if any(t.id == topic_id for t in topics):
            raise KnowledgeBaseError(f"{where}: duplicate id")
        topics.append(
            OutOfScopeTopic(
                topic_id, subject.strip(), tuple(e.strip() for e in examples)
            )
        )
    return tuple(topics)
