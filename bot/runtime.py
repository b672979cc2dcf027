"""Assembles faqbot's parts once: knowledge base, parser, store, actions, engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rasa_sdk import Action
from rasa_sdk.types import DomainDict

from bot.conversation.actions.registry import build_actions
from bot.conversation.domain import build_domain
from bot.conversation.engine import Engine
from bot.knowledge import (
    KnowledgeBase,
    clinic_topic,
    load_knowledge_base,
    with_learned,
)
from bot.settings import Settings
from bot.storage import Store
from bot.storage.learning import Learned
from bot.understanding.parser import Parser


@dataclass(frozen=True)
class Runtime:
    """Everything a channel needs to serve visitors."""

    settings: Settings
    knowledge: KnowledgeBase
    parser: Parser
    store: Store
    actions: Mapping[str, Action]
    domain: DomainDict
    engine: Engine


def build_runtime(
    settings: Settings,
    *,
    knowledge: KnowledgeBase | None = None,
    store: Store | None = None,
    parser: Parser | None = None,
) -> Runtime:
    """Load and validate the knowledge base, migrate the database, build the engine."""
    knowledge = knowledge or load_knowledge_base()
    parser = parser or Parser(knowledge)
    if store is None:
        store = Store.from_url(settings.database_url)
        store.upgrade()
    actions = build_actions(knowledge, store, phone_region=settings.phone_region)
    domain = build_domain(knowledge, list(actions))
    engine = Engine(
        parser=parser,
        store=store,
        actions=actions,
        domain=domain,
        phone_region=settings.phone_region,
    )
    return Runtime(settings, knowledge, parser, store, actions, domain, engine)


def learned_knowledge(base: KnowledgeBase, learned: Learned) -> KnowledgeBase:
    """The shipped knowledge base plus what staff taught (see Learning)."""
    phrasings: dict[str, tuple[str, ...]] = {}
    for phrasing in learned.phrasings:
        phrasings[phrasing.intent] = (
            *phrasings.get(phrasing.intent, ()),
            phrasing.text,
        )
    topics = tuple(
        clinic_topic(
            t.slug, question=t.question, answer=t.answer, sms=t.sms, examples=t.examples
        )
        for t in learned.topics
    )
    return with_learned(base, phrasings=phrasings, topics=topics)


def with_knowledge(runtime: Runtime, knowledge: KnowledgeBase) -> Runtime:
    """The same runtime understanding and answering from another knowledge base."""
    parser = Parser(knowledge)
    actions = build_actions(
        knowledge, runtime.store, phone_region=runtime.settings.phone_region
    )
    domain = build_domain(knowledge, list(actions))
    engine = Engine(
        parser=parser,
        store=runtime.store,
        actions=actions,
        domain=domain,
        phone_region=runtime.settings.phone_region,
    )
    return Runtime(
        runtime.settings, knowledge, parser, runtime.store, actions, domain, engine
    )
