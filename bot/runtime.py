"""Assembles faqbot's parts once: knowledge base, parser, store, actions, engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rasa_sdk import Action
from rasa_sdk.types import DomainDict

from bot.conversation.actions.registry import build_actions
from bot.conversation.domain import build_domain
from bot.conversation.engine import Engine
from bot.knowledge import KnowledgeBase, load_knowledge_base
from bot.settings import Settings
from bot.storage import Store
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
