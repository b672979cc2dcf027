"""The knowledge base: FAQ topics, conversation intents, the clinic and the lexicon.

Loaded once at start-up from the YAML files of the `knowledge` package and
validated there, so a broken entry fails the boot instead of the first visitor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from bot.errors import KnowledgeBaseError
from bot.gsm import gsm7_length, is_gsm7
from bot.out_of_scope import OUT_OF_SCOPE, OutOfScopeTopic, out_of_scope_topics

SMS_LIMIT = 300
# Messenger cuts quick-reply titles at 20 characters; a label must fit whole.
LABEL_LIMIT = 20
FIXED_INTENTS = ("greet", "goodbye", "thanks", "bot_challenge", "request_consultation")
FAQ_PREFIX = "faq/"
_TOPIC_FIELDS = ("id", "question", "section", "signature", "answer", "sms", "examples")

try:  # the C loader is several times faster; fall back where libyaml is missing
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how pyyaml was built
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class Topic:
    """One FAQ entry: a question, its answer from the article, and how people ask it."""

    id: str
    question: str
    section: str
    signature: tuple[str, ...]
    answer: str
    sms: str
    related: tuple[str, ...]
    examples: tuple[str, ...]
    # A few words naming the topic where the question is too long: SMS options
    # ("Reply 1 for side effects") and Messenger's quick replies.
    label: str | None = None

    @property
    def intent(self) -> str:
        """The Rasa retrieval intent name, `faq/<id>`."""
        return FAQ_PREFIX + self.id


@dataclass(frozen=True)
class Clinic:
    """The clinic's contact details used in replies."""

    name: str
    phone: str
    hours: str
    website: str


@dataclass(frozen=True)
class Lexicon:
    """Misspellings of domain words and lay words mapped to the article's terms.

    `spanish` maps Spanish words and phrases visitors mix into English to the
    English the knowledge base uses ("que es" -> "what is").
    """

    spelling: Mapping[str, str]
    synonyms: Mapping[str, str]
    spanish: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot knows, validated."""

    source: str
    article: str
    topics: tuple[Topic, ...]
    intents: Mapping[str, tuple[str, ...]]
    clinic: Clinic
    lexicon: Lexicon
    out_of_scope: tuple[OutOfScopeTopic, ...] = ()

    @property
    def title(self) -> str:
        """The article's title: its first non-empty line."""
        return next((ln.strip() for ln in self.article.splitlines() if ln.strip()), "")

    def topic(self, topic_id: str) -> Topic:
        """Return the topic with `topic_id`; KeyError if there is none."""
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)

    def phrasings(self) -> dict[str, tuple[str, ...]]:
        """Every intent name mapped to all its phrasings (FAQ questions included)."""
        table = {t.intent: (t.question, *t.examples) for t in self.topics}
        table.update(self.intents)
        table.update({t.intent: t.examples for t in self.out_of_scope})
        return table


def default_directory() -> Traversable:
    """The knowledge data shipped with faqbot, from a checkout or an installed wheel."""
    return resources.files("knowledge")


def load_knowledge_base(directory: Path | Traversable | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base; errors name the file and the entry."""
    root = directory if directory is not None else default_directory()
    faq = _read_yaml(root, "faq.yml")
    article_name = _require_str(faq, "article", "faq.yml", "the file")
    topics = _topics(faq, "faq.yml")
    intents = _intents(_read_yaml(root, "intents.yml"), "intents.yml")
    clinic = _clinic(_read_yaml(root, "clinic.yml"), "clinic.yml")
    lexicon = _lexicon(_read_yaml(root, "lexicon.yml"), "lexicon.yml")
    unanswered = out_of_scope_topics(
        _read_yaml(root, "out_of_scope.yml"), "out_of_scope.yml"
    )
    article = _read_text(root, article_name, "faq.yml")
    _check_sections(topics, article, "faq.yml")
    _check_unique_phrasings(topics, intents, unanswered)
    return KnowledgeBase(
        source=article_name,
        article=article,
        topics=topics,
        intents=MappingProxyType(intents),
        clinic=clinic,
        lexicon=lexicon,
        out_of_scope=unanswered,
    )


def _read_text(root: Path | Traversable, name: str, cited_by: str) -> str:
    try:
        return root.joinpath(name).read_text(encoding="utf-8")
    except OSError as e:
        raise KnowledgeBaseError(f"{cited_by}: cannot read {name}: {e}") from e


def _read_yaml(root: Path | Traversable, name: str) -> dict[str, Any]:
    text = _read_text(root, name, name)
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        raise KnowledgeBaseError(f"{name}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise KnowledgeBaseError(f"{name}: expected a mapping at the top level")
    return data


def _require_str(data: Mapping[str, Any], key: str, file: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeBaseError(f"{file}: {where}: missing or empty field '{key}'")
    return value.strip()


def _str_list(
    data: Mapping[str, Any], key: str, file: str, where: str
) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.strip() for v in value
    ):
        raise KnowledgeBaseError(f"{file}: {where}: '{key}' must be a list of text")
    return tuple(v.strip() for v in value)


def _topics(data: Mapping[str, Any], file: str) -> tuple[Topic, ...]:
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise KnowledgeBaseError(f"{file}: 'topics' must be a non-empty list")
    topics: list[Topic] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_topics):
        where = f"topic #{index + 1}"
        if not isinstance(raw, dict):
            raise KnowledgeBaseError(f"{file}: {where}: expected a mapping")
        where = f"topic '{raw.get('id', index + 1)}'"
        for field in _TOPIC_FIELDS:
            if field not in raw:
                raise KnowledgeBaseError(f"{file}: {where}: missing field '{field}'")
        topic = Topic(
            id=_require_str(raw, "id", file, where),
            question=_require_str(raw, "question", file, where),
            section=_require_str(raw, "section", file, where),
            signature=_str_list(raw, "signature", file, where),
            answer=_require_str(raw, "answer", file, where),
            sms=_require_str(raw, "sms", file, where),
            related=_str_list(raw, "related", file, where),
            examples=_str_list(raw, "examples", file, where),
            label=_require_str(raw, "label", file, where) if "label" in raw else None,
        )
        if topic.id in seen:
            raise KnowledgeBaseError(f"{file}: {where}: duplicate id")
        seen.add(topic.id)
        _check_topic(topic, file, where)
        topics.append(topic)
    for topic in topics:
        unknown = [r for r in topic.related if r not in seen or r == topic.id]
        if unknown:
            raise KnowledgeBaseError(
                f"{file}: topic '{topic.id}': related topics not usable: {unknown}"
            )
    return tuple(topics)


def _check_topic(topic: Topic, file: str, where: str) -> None:
    if not topic.signature:
        raise KnowledgeBaseError(f"{file}: {where}: 'signature' is empty")
    if not topic.examples:
        raise KnowledgeBaseError(f"{file}: {where}: 'examples' is empty")
    if not is_gsm7(topic.sms):
        raise KnowledgeBaseError(f"{file}: {where}: 'sms' has non-GSM-7 characters")
    if topic.label is not None and (
        len(topic.label) > LABEL_LIMIT or not is_gsm7(topic.label)
    ):
        raise KnowledgeBaseError(
            f"{file}: {where}: 'label' must be GSM-7 text of at most {LABEL_LIMIT}"
            " characters"
        )
    if gsm7_length(topic.sms) > SMS_LIMIT:
        raise KnowledgeBaseError(
            f"{file}: {where}: 'sms' is {gsm7_length(topic.sms)} characters,"
            f" over the limit of {SMS_LIMIT}"
        )
    for field, text in (("answer", topic.answer), ("sms", topic.sms)):
        if not any(s.lower() in text.lower() for s in topic.signature):
            raise KnowledgeBaseError(
                f"{file}: {where}: '{field}' lacks its signature phrase"
            )


def _check_sections(topics: tuple[Topic, ...], article: str, file: str) -> None:
    headings = {line.strip() for line in article.splitlines()}
    for topic in topics:
        if topic.section not in headings:
            raise KnowledgeBaseError(
                f"{file}: topic '{topic.id}': section '{topic.section}'"
                " is not a heading of the article"
            )


def _check_unique_phrasings(
    topics: tuple[Topic, ...],
    intents: Mapping[str, tuple[str, ...]],
    unanswered: tuple[OutOfScopeTopic, ...],
) -> None:
    """A phrasing listed twice is a copy-paste slip, and under two intents a clash."""
    seen: dict[str, str] = {}
    sources = [("faq.yml", t.intent, (t.question, *t.examples)) for t in topics]
    sources += [("intents.yml", name, texts) for name, texts in intents.items()]
    sources += [("out_of_scope.yml", t.intent, t.examples) for t in unanswered]
    for file, intent, texts in sources:
        for text in texts:
            key = " ".join(text.lower().split())
            if key in seen:
                raise KnowledgeBaseError(
                    f"{file}: {intent}: phrasing {text!r} is already listed"
                    f" under {seen[key]}"
                )
            seen[key] = intent


def _intents(data: Mapping[str, Any], file: str) -> dict[str, tuple[str, ...]]:
    raw = data.get("intents")
    if not isinstance(raw, dict):
        raise KnowledgeBaseError(f"{file}: 'intents' must be a mapping")
    intents = {name: _str_list(raw, name, file, f"intent '{name}'") for name in raw}
    for name in (*FIXED_INTENTS, OUT_OF_SCOPE):
        if not intents.get(name):
            raise KnowledgeBaseError(f"{file}: intent '{name}': missing or empty")
    return intents


def _clinic(data: Mapping[str, Any], file: str) -> Clinic:
    return Clinic(
        name=_require_str(data, "name", file, "clinic"),
        phone=_require_str(data, "phone", file, "clinic"),
        hours=_require_str(data, "hours", file, "clinic"),
        website=_require_str(data, "website", file, "clinic"),
    )


def _lexicon(data: Mapping[str, Any], file: str) -> Lexicon:
    tables: dict[str, Mapping[str, str]] = {}
    for key in ("spelling", "synonyms", "spanish"):
        raw = data.get(key, {})
        if not isinstance(raw, dict):
            raise KnowledgeBaseError(f"{file}: '{key}' must map words to words")
        for word, meaning in raw.items():
            if not isinstance(word, str) or not isinstance(meaning, str) or not (
                meaning.strip()
            ):
                raise KnowledgeBaseError(
                    f"{file}: {key} entry {word!r}: must map text to text"
                    " (quote words YAML reads as booleans, such as no and yes)"
                )
        tables[key] = MappingProxyType({k.lower(): v.lower() for k, v in raw.items()})
    return Lexicon(
        spelling=tables["spelling"],
        synonyms=tables["synonyms"],
        spanish=tables["spanish"],
    )


# The section of topics the clinic's staff wrote: they come from no article.
CLINIC_SECTION = "Clinic answers"
CLINIC_TOPIC_PREFIX = "clinic_"


def clinic_topic(
    slug: str, *, question: str, answer: str, sms: str, examples: tuple[str, ...]
) -> Topic:
    """A topic written by the clinic's staff rather than drawn from the article."""
    return Topic(
        id=CLINIC_TOPIC_PREFIX + slug,
        question=question,
        section=CLINIC_SECTION,
        signature=(),
        answer=answer,
        sms=sms,
        related=(),
        examples=examples,
    )


def with_learned(
    knowledge: KnowledgeBase,
    *,
    phrasings: Mapping[str, tuple[str, ...]],
    topics: tuple[Topic, ...] = (),
) -> KnowledgeBase:
    """The knowledge base plus what staff taught: wordings added to intents (an
    FAQ topic's or a conversation intent's) and the clinic's own topics.

    A wording already listed anywhere, or for an intent that no longer exists,
    is left out rather than failing: learned data must never stop the boot.
    """

    def key(text: str) -> str:
        return " ".join(text.lower().split())

    # A wording taught to a topic leaves the out-of-scope intents (questions the
    # article does not answer), or it would stay ambiguous there.
    taught = {key(t) for texts in phrasings.values() for t in texts} | {
        key(text) for t in topics for text in (t.question, *t.examples)
    }
    base_intents = {
        name: tuple(t for t in texts if name != OUT_OF_SCOPE or key(t) not in taught)
        for name, texts in knowledge.intents.items()
    }
    unanswered = tuple(
        replace(t, examples=tuple(x for x in t.examples if key(x) not in taught))
        for t in knowledge.out_of_scope
    )
    seen = {
        key(t) for topic in knowledge.topics for t in (topic.question, *topic.examples)
    }
    seen |= {key(t) for texts in base_intents.values() for t in texts}
    seen |= {key(x) for t in unanswered for x in t.examples}

    def fresh(texts: tuple[str, ...]) -> tuple[str, ...]:
        kept = []
        for text in texts:
            if key(text) and key(text) not in seen:
                seen.add(key(text))
                kept.append(text)
        return tuple(kept)

    known_ids = {t.id for t in knowledge.topics}
    new_topics = tuple(
        replace(t, examples=fresh(t.examples))
        for t in topics
        if t.id not in known_ids and fresh((t.question,))
    )
    all_topics = tuple(
        replace(t, examples=t.examples + fresh(phrasings.get(t.intent, ())))
        for t in (*knowledge.topics, *new_topics)
    )
    intents = {
        name: texts + fresh(phrasings.get(name, ()))
        for name, texts in base_intents.items()
    }
    return replace(
        knowledge,
        topics=all_topics,
        intents=MappingProxyType(intents),
        out_of_scope=unanswered,
    )
