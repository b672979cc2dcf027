"""Learning from what the bot could not answer: unanswered wordings, grouped, and
what staff taught in return (new phrasings of topics, the clinic's own topics).

Every change bumps one knowledge version, which workers poll to rebuild their
parser without a restart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Connection, select

from bot.errors import StorageError
from bot.storage import schema
from bot.storage.store import Store

FALLBACK = "nlu_fallback"
# Below this, an answer given is counted as a guess worth a look.
LOW_CONFIDENCE = 0.5
# Wordings at least this similar (rapidfuzz token-set ratio) form one group.
GROUP_SIMILARITY = 75
SCAN_LIMIT = 5000
MAX_EXAMPLES = 5


@dataclass
class UnansweredGroup:
    """Similar messages the bot could not answer, with how often and how lately."""

    key: str
    texts: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    count: int = 0
    last_seen: datetime | None = None
    guess: str | None = None  # the best real intent the matcher saw, if any


@dataclass(frozen=True)
class ClinicTopicRecord:
    """A topic staff wrote: the clinic's own answer to a question."""

    slug: str
    question: str
    answer: str
    sms: str
    examples: tuple[str, ...]
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class LearnedPhrasing:
    """A visitor's wording staff attached to an existing intent."""

    intent: str
    text: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class Learned:
    """Everything staff taught, to be added to the shipped knowledge base."""

    phrasings: tuple[LearnedPhrasing, ...]
    topics: tuple[ClinicTopicRecord, ...]


def text_key(text: str) -> str:
    """A wording reduced for comparison: lower case, words only."""
    return " ".join(re.findall(r"\w+", text.lower()))[:512]


class Learning:
    """Unanswered messages, and the phrasings and topics staff add from them."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def unanswered(
        self, *, days: int = 90, now: datetime | None = None
    ) -> list[UnansweredGroup]:
        """Fallbacks and low-confidence answers not yet dealt with, in groups."""
        since = (now or datetime.now(UTC)) - timedelta(days=days)
        messages = schema.messages
        resolutions = schema.unanswered_resolutions
        query = (
            select(messages.c.text, messages.c.created_at, messages.c.parse)
            .where(messages.c.sender == "user", messages.c.created_at >= since)
            .order_by(messages.c.id.desc())
            .limit(SCAN_LIMIT)
        )
        with self._store.transaction("list unanswered messages") as conn:
            rows = conn.execute(query).all()
            resolved = set(conn.execute(select(resolutions.c.text_key)).scalars())
        groups: list[UnansweredGroup] = []
        for row in rows:
            guess = _unanswered(row.parse)
            if guess is False:
                continue
            key = text_key(row.text)
            if not key or key in resolved:
                continue
            group = _group_for(groups, key)
            if group is None:
                group = UnansweredGroup(key=key, guess=guess or None)
                groups.append(group)
            group.count += 1
            if key not in group.keys:
                group.keys.add(key)
                if len(group.texts) < MAX_EXAMPLES:
                    group.texts.append(row.text)
            if group.last_seen is None or row.created_at > group.last_seen:
                group.last_seen = row.created_at
        return sorted(groups, key=lambda g: (-g.count, g.key))

    def group(self, key: str) -> UnansweredGroup | None:
        """The current group whose representative wording is `key`."""
        return next((g for g in self.unanswered() if g.key == key), None)

    def add_phrasings(
        self,
        intent: str,
        texts: Sequence[str],
        *,
        author: str,
        resolves: Iterable[str] = (),
    ) -> None:
        """Attach wordings to an existing intent; resolve the group they came from."""
        now = datetime.now(UTC)
        with self._store.transaction("add the phrasing", write=True) as conn:
            conn.execute(
                schema.learned_phrasings.insert(),
                [
                    {
                        "intent": intent,
                        "text": t,
                        "created_by": author,
                        "created_at": now,
                    }
                    for t in texts
                ],
            )
            _resolve(conn, resolves, "phrasing", intent, author, now)
            _bump(conn)

    def add_topic(
        self,
        slug: str,
        *,
        question: str,
        answer: str,
        sms: str,
        examples: Sequence[str],
        author: str,
        resolves: Iterable[str] = (),
    ) -> None:
        """Add a clinic topic; StorageError if its id is taken."""
        now = datetime.now(UTC)
        table = schema.clinic_topics
        with self._store.transaction("add the topic", write=True) as conn:
            taken = conn.execute(
                select(table.c.id).where(table.c.slug == slug)
            ).scalar_one_or_none()
            if taken is not None:
                raise StorageError(f"a clinic topic {slug!r} already exists")
            conn.execute(
                table.insert().values(
                    slug=slug,
                    question=question,
                    answer=answer,
                    sms=sms,
                    examples=list(examples),
                    created_by=author,
                    created_at=now,
                )
            )
            _resolve(conn, resolves, "topic", slug, author, now)
            _bump(conn)

    def dismiss(self, keys: Iterable[str], *, author: str) -> None:
        """Stop listing these wordings: nothing for the bot to learn from them."""
        with self._store.transaction("dismiss the wording", write=True) as conn:
            _resolve(conn, keys, "dismissed", None, author, datetime.now(UTC))

    def version(self) -> int:
        """The knowledge version: changes whenever staff teach the bot anything."""
        table = schema.knowledge_version
        with self._store.transaction("read the knowledge version") as conn:
            return conn.execute(select(table.c.version)).scalar_one_or_none() or 0

    def learned(self) -> Learned:
        """Every learned phrasing and clinic topic, oldest first."""
        phrasings = schema.learned_phrasings
        topics = schema.clinic_topics
        with self._store.transaction("read learned knowledge") as conn:
            phrasing_rows = conn.execute(
                select(
                    phrasings.c.intent,
                    phrasings.c.text,
                    phrasings.c.created_by,
                    phrasings.c.created_at,
                ).order_by(phrasings.c.id)
            ).all()
            topic_rows = conn.execute(select(topics).order_by(topics.c.id)).all()
        return Learned(
            phrasings=tuple(LearnedPhrasing(**r._mapping) for r in phrasing_rows),
            topics=tuple(
                ClinicTopicRecord(
                    slug=r.slug,
                    question=r.question,
                    answer=r.answer,
                    sms=r.sms,
                    examples=tuple(r.examples),
                    created_by=r.created_by,
                    created_at=r.created_at,
                )
                for r in topic_rows
            ),
        )


def _unanswered(parse: dict[str, Any] | None) -> str | bool:
    """False for a message that was answered (or a form answer, or a crisis);
    otherwise the best real intent guessed for it ("" when none)."""
    if not parse or parse.get("form_slot"):
        return False
    intent = parse.get("intent") or {}
    name = intent.get("name") or ""
    confidence = intent.get("confidence") or 0.0
    if name == FALLBACK:
        ranking = parse.get("intent_ranking") or []
        return next(
            (r.get("name") or "" for r in ranking if r.get("name") != FALLBACK), ""
        )
    if name.startswith("faq/") and confidence < LOW_CONFIDENCE:
        return name
    return False


def _group_for(groups: list[UnansweredGroup], key: str) -> UnansweredGroup | None:
    for group in groups:
        if (
            key in group.keys
            or fuzz.token_set_ratio(key, group.key) >= GROUP_SIMILARITY
        ):
            return group
    return None


def _resolve(
    conn: Connection,
    keys: Iterable[str],
    action: str,
    target: str | None,
    author: str,
    now: datetime,
) -> None:
    rows = [
        {
            "text_key": key,
            "action": action,
            "target": target,
            "created_by": author,
            "created_at": now,
        }
        for key in dict.fromkeys(keys)
    ]
    if rows:
        conn.execute(schema.unanswered_resolutions.insert(), rows)


def _bump(conn: Connection) -> None:
    table = schema.knowledge_version
    updated = conn.execute(table.update().values(version=table.c.version + 1))
    if updated.rowcount == 0:
        conn.execute(table.insert().values(id=1, version=1))
