"""Assembles faqbot's parts once: knowledge base, parser, store, actions, engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from rasa_sdk import Action
from rasa_sdk.types import DomainDict
from threadpoolctl import threadpool_limits

from bot.conversation.actions.registry import build_actions
from bot.conversation.domain import build_domain
from bot.conversation.engine import Engine
from bot.delivery import DeliveryWorker, Handler, announce_handoff
from bot.knowledge import (
    KnowledgeBase,
    clinic_topic,
    load_knowledge_base,
    with_learned,
)
from bot.notifications import KIND as NOTIFICATION_KIND
from bot.notifications import Notifier, post_json, request_notice
from bot.settings import Settings
from bot.storage import Store
from bot.storage.handoffs import HANDOFF_NOTICE
from bot.storage.learning import Learned
from bot.understanding.parser import Parser
from bot.understanding.semantic import LazyEncoder


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
    delivery: DeliveryWorker


def build_runtime(
    settings: Settings,
    *,
    knowledge: KnowledgeBase | None = None,
    store: Store | None = None,
    parser: Parser | None = None,
) -> Runtime:
    """Load and validate the knowledge base, migrate the database, build the engine."""
    knowledge = knowledge or load_knowledge_base()
    parser = parser or build_parser(knowledge, semantic=settings.semantic)
    if store is None:
        store = Store.from_url(settings.database_url, pool_size=settings.db_pool_size)
        store.upgrade()
    actions = build_actions(knowledge, store, phone_region=settings.phone_region)
    domain = build_domain(knowledge, list(actions))
    engine, actions, domain = _engine(knowledge, parser, store, settings)
    delivery = DeliveryWorker(store, delivery_handlers(settings))
    return Runtime(
        settings, knowledge, parser, store, actions, domain, engine, delivery
    )


def _engine(
    knowledge: KnowledgeBase, parser: Parser, store: Store, settings: Settings
) -> tuple[Engine, Mapping[str, Action], DomainDict]:
    notifier = notifier_for(settings)
    # A request's notice is written with it by the store (HANDOFF_NOTICE).
    actions = build_actions(knowledge, store, phone_region=settings.phone_region)
    domain = build_domain(knowledge, list(actions))
    engine = Engine(
        parser=parser,
        store=store,
        actions=actions,
        domain=domain,
        phone_region=settings.phone_region,
        notifier=notifier,
    )
    return engine, actions, domain


def notifier_for(settings: Settings) -> Notifier | None:
    """The staff notifier when FAQBOT_HANDOFF_WEBHOOK_URL is set, else None."""
    if settings.handoff_webhook_url is None:
        return None
    return Notifier(base_url=settings.public_url or "")


def delivery_handlers(settings: Settings) -> dict[str, Handler]:
    """The outbox handlers, by entry kind, for the channels that are configured."""
    handlers: dict[str, Handler] = {HANDOFF_NOTICE: announce_handoff}
    if settings.handoff_webhook_url is not None:
        post = post_json(settings.handoff_webhook_url)
        notifier = Notifier(base_url=settings.public_url or "")
        handlers[HANDOFF_NOTICE] = request_notice(post, notifier)
        handlers[NOTIFICATION_KIND] = post
    if settings.messenger_enabled:
        from bot.channels import graph_api

        assert settings.messenger_page_access_token is not None
        handlers[graph_api.KIND] = graph_api.SendApi(
            settings.messenger_graph_url, settings.messenger_page_access_token
        )
    return handlers


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
    # The same sentence model, crisis detector and intent model, already loaded:
    # only the new phrasings are encoded.
    parser = Parser(
        knowledge,
        encoder=runtime.parser.encoder,
        crisis=runtime.parser.crisis,
        intents=runtime.parser.intent_model,
    )
    engine, actions, domain = _engine(
        knowledge, parser, runtime.store, runtime.settings
    )
    return replace(
        runtime,
        knowledge=knowledge,
        parser=parser,
        actions=actions,
        domain=domain,
        engine=engine,
    )


def build_parser(knowledge: KnowledgeBase, *, semantic: bool = True) -> Parser:
    """The product's parser: with the sentence model unless `semantic` is False.

    The model itself loads on the first message that needs it; the phrasings'
    vectors ship with the knowledge base, so building this is fast.
    """
    if semantic:
        # One BLAS thread per process. A message's matrix products (the crisis
        # model's, the phrasings' cosines) are small, and faqbot already runs a
        # worker per core: extra BLAS threads only spin against each other. The
        # sentence encoder keeps to one onnxruntime thread for the same reason.
        threadpool_limits(limits=1, user_api="blas")
    return Parser(knowledge, encoder=LazyEncoder() if semantic else None)
