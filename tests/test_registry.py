"""Building the actions checks, at start-up, every topic they name by id."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.conversation.actions.fallback import STARTER_TOPICS
from bot.conversation.actions.registry import build_actions
from bot.conversation.actions.smalltalk import GREETING_TOPICS
from bot.errors import KnowledgeBaseError
from bot.knowledge import KnowledgeBase


def without(knowledge: KnowledgeBase, *topic_ids: str) -> KnowledgeBase:
    kept = tuple(t for t in knowledge.topics if t.id not in topic_ids)
    assert len(kept) == len(knowledge.topics) - len(topic_ids)
    return replace(knowledge, topics=kept)


@pytest.mark.parametrize(
    ("topic_id", "where"),
    [
        *((t, "GREETING_TOPICS") for t in GREETING_TOPICS),
        *((t, "STARTER_TOPICS") for t in STARTER_TOPICS),
    ],
)
def test_a_topic_an_action_offers_must_exist(
    knowledge: KnowledgeBase, topic_id: str, where: str
) -> None:
    with pytest.raises(KnowledgeBaseError, match=rf"{topic_id} \(.*{where}"):
        build_actions(without(knowledge, topic_id), store=object())  # type: ignore[arg-type]


def test_every_missing_topic_is_named_at_once(knowledge: KnowledgeBase) -> None:
    missing = (GREETING_TOPICS[-1], STARTER_TOPICS[0])
    with pytest.raises(KnowledgeBaseError) as error:
        build_actions(without(knowledge, *missing), store=object())  # type: ignore[arg-type]
    assert all(topic_id in str(error.value) for topic_id in missing)


def test_the_shipped_knowledge_base_has_every_named_topic(
    knowledge: KnowledgeBase,
) -> None:
    assert set(build_actions(knowledge, store=object()))  # type: ignore[arg-type]
